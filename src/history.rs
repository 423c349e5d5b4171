//! Earlier runs for trends: the summary.json files a CI job keeps, read from
//! a directory (recursively). Files that are not lambdastat summaries are
//! skipped; an unreadable one is an error naming it.

use crate::summary_file::{at, group_name, groups};
use anyhow::{Context, Result};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// The key figures of one run, per group name.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Run {
    /// The run's label, else its date, else the file's path.
    pub label: String,
    pub generated_at: Option<String>,
    pub groups: BTreeMap<String, RunFigures>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct RunFigures {
    pub cold_start_p50_ms: Option<f64>,
    pub cold_start_p99_ms: Option<f64>,
    pub warm_p50_ms: Option<f64>,
    pub warm_p99_ms: Option<f64>,
    pub cost_per_million_usd: Option<f64>,
}

/// Reads the figures of a summary (from a file or from this run).
pub fn figures(summary: &Value, fallback_label: &str) -> Option<Run> {
    summary.get("functions")?.as_array()?;
    summary.get("lambdastat_version")?;
    let get = |g: &Value, path: &str| at(g, path).and_then(Value::as_f64);
    let groups = groups(summary)
        .iter()
        .filter_map(|g| {
            let name = group_name(g)?.to_string();
            let cold = |p| get(g, &format!("init_ms.{p}")).or_else(|| get(g, &format!("restore_ms.{p}")));
            Some((
                name,
                RunFigures {
                    cold_start_p50_ms: cold("p50"),
                    cold_start_p99_ms: cold("p99"),
                    warm_p50_ms: get(g, "duration_ms.warm.p50"),
                    warm_p99_ms: get(g, "duration_ms.warm.p99"),
                    cost_per_million_usd: get(g, "cost_per_million_usd"),
                },
            ))
        })
        .collect();
    let generated_at = summary.get("generated_at").and_then(Value::as_str).map(str::to_string);
    let label = summary
        .get("run_label")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| generated_at.clone())
        .unwrap_or_else(|| fallback_label.to_string());
    Some(Run { label, generated_at, groups })
}

/// Loads every summary under `dir`, oldest first (by `generated_at`, then path).
pub fn load(dir: &Path) -> Result<Vec<Run>> {
    let mut runs = Vec::new();
    if !dir.is_dir() {
        anyhow::bail!("--history {}: not a directory", dir.display());
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        // Other JSON files in the folder are not runs; a file that cannot be read is an error.
        let value = match crate::summary_file::load(path) {
            Ok(v) => v,
            Err(e @ crate::summary_file::LoadError::Io { .. }) => return Err(e.into()),
            Err(_) => continue,
        };
        if let Some(run) = figures(&value, &path.display().to_string()) {
            runs.push((run.generated_at.clone(), path.to_path_buf(), run));
        }
    }
    runs.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    Ok(runs.into_iter().map(|(_, _, r)| r).collect())
}
