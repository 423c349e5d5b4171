//! The `check` command: judge limits and regressions, print the table, set
//! the exit code.

use crate::analysis::gate::{
    check_limits, check_regressions, render, Limit, Regression, Status, DEFAULT_REGRESSION_METRICS,
};
use crate::cli::CheckArgs;
use anyhow::{Context, Result};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// Reads a summary.json, if `path` is one.
fn read_summary(path: &Path) -> Option<Value> {
    if path.extension().and_then(|e| e.to_str()) != Some("json") || !path.is_file() {
        return None;
    }
    let v: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    (v.get("lambdastat_version").is_some() && v.get("functions").is_some()).then_some(v)
}

/// Returns whether every rule passed.
pub fn run(args: &CheckArgs) -> Result<bool> {
    let current = match args.read.inputs.as_slice() {
        [one] if read_summary(one).is_some() => read_summary(one).unwrap(),
        _ => serde_json::to_value(crate::report::build_summary(&args.read)?.0)?,
    };
    let mut limits: Vec<Limit> =
        args.max.iter().map(|(p, v)| Limit { path: p.clone(), bound: *v, upper: true }).collect();
    limits.extend(args.min.iter().map(|(p, v)| Limit { path: p.clone(), bound: *v, upper: false }));
    let mut outcomes = check_limits(&current, &limits, &args.group);
    if let Some(old_path) = &args.against {
        let old = read_summary(old_path)
            .with_context(|| format!("--against {}: not a lambdastat summary.json", old_path.display()))?;
        let metrics = if args.metric.is_empty() {
            DEFAULT_REGRESSION_METRICS.iter().map(|m| m.to_string()).collect()
        } else {
            args.metric.clone()
        };
        outcomes.extend(check_regressions(
            &current,
            &old,
            &Regression { metrics, max_increase: args.max_regression },
            &args.group,
        ));
    }
    if outcomes.is_empty() {
        anyhow::bail!("nothing to check: give --max, --min or --against (and groups that exist)");
    }
    let failed = outcomes.iter().filter(|o| o.status == Status::Fail).count();
    let table = render(&outcomes, false);
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "{table}")?;
    writeln!(
        stdout,
        "{} rules, {} passed, {} failed, {} without data",
        outcomes.len(),
        outcomes.iter().filter(|o| o.status == Status::Pass).count(),
        failed,
        outcomes.iter().filter(|o| o.status == Status::NoData).count()
    )?;
    if let Some(md_path) = &args.markdown {
        let md = format!(
            "### lambdastat check: {}\n\n{}\n",
            if failed == 0 { "passed" } else { "FAILED" },
            render(&outcomes, true)
        );
        if md_path.as_os_str() == "-" {
            write!(stdout, "{md}")?;
        } else {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(md_path)
                .with_context(|| format!("{}: cannot write", md_path.display()))?;
            f.write_all(md.as_bytes()).with_context(|| format!("{}: cannot write", md_path.display()))?;
        }
    }
    Ok(failed == 0)
}
