//! The `report` command: resolve arguments, run the pipeline, write outputs.

use crate::aggregate::{collect_with_progress, Progress, ReadOptions};
use crate::analysis::compare::CompareSettings;
use crate::analysis::{summarize, AnalysisSettings, Summary};
use crate::cli::{ReadArgs, ReportArgs};
use crate::config::ConfigFile;
use crate::parse::table::FIELDS;
use crate::render::{templates::Templates, write_reports, OutputOptions};
use crate::source::{expand_inputs, s3};
use anyhow::{bail, Context, Result};

/// How many skipped lines are printed on stderr before only counting.
const WARN_LINES: usize = 10;

/// Outcome of a run whose reports were written.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Clean,
    /// Reports written, but some input could not be read, or `--strict` and
    /// lines were skipped.
    InputProblems,
}

pub fn run(args: &ReportArgs) -> Result<Outcome> {
    let templates = match &args.templates {
        Some(dir) => Templates::from_dir(dir)?,
        None => Templates::builtin(),
    };
    let (summary, cfg) = build_summary(&args.read)?;
    let history = match &args.history {
        Some(dir) => crate::history::load(dir)?,
        None => Vec::new(),
    };
    let title =
        args.title.clone().or(cfg.title.clone()).unwrap_or_else(|| "Lambda performance and cost report".to_string());
    let out = OutputOptions {
        dir: &args.out,
        templates: &templates,
        title: &title,
        debug_context: args.debug_context,
        history: &history,
    };
    let t = std::time::Instant::now();
    let written =
        write_reports(&summary, &out).with_context(|| format!("writing reports to {}", args.out.display()))?;
    if timing() {
        crate::say!("timing: render+write {:.3}s", t.elapsed().as_secs_f64());
    }
    if !args.read.quiet {
        print_done(&summary, &written);
    }
    let problems = !summary.inputs.unreadable_files.is_empty() || (args.strict && summary.inputs.skipped_lines > 0);
    if args.strict && summary.inputs.skipped_lines > 0 {
        crate::say!("error: --strict: {} lines were skipped", summary.inputs.skipped_lines);
    }
    crate::drop_aside(summary);
    Ok(if problems { Outcome::InputProblems } else { Outcome::Clean })
}

/// Reads the inputs and summarizes them, with the configuration file and
/// flags resolved; shared by `report` and `check`.
pub fn build_summary(args: &ReadArgs) -> Result<(Summary, ConfigFile)> {
    if let Some(n) = args.threads {
        // Ignore the error if a pool already exists (tests call this twice).
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global();
    }
    let t_walk = std::time::Instant::now();
    let (local, remote): (Vec<std::path::PathBuf>, Vec<_>) =
        args.inputs.iter().cloned().partition(|p| !s3::is_s3_url(p));
    let (mut files, mut walk_errors) = expand_inputs(&local);
    for url in &remote {
        match s3::expand(&url.to_string_lossy(), args.endpoint_url.as_deref()) {
            Ok(objects) => files.extend(objects),
            Err(e) => walk_errors.push(e),
        }
    }
    if files.is_empty() {
        for e in &walk_errors {
            crate::say!("error: {e}");
        }
        bail!("no input files found in {}", show_inputs(args));
    }
    let (cfg, _cfg_path) = ConfigFile::load(args.config.as_deref())?;
    let mut csv_map = cfg.csv_map.clone();
    for (field, column) in &args.csv_map {
        if !FIELDS.contains(&field.as_str()) {
            bail!("--csv-map {field}={column}: `{field}` is not a field; expected one of {}", FIELDS.join(", "));
        }
        csv_map.insert(field.clone(), column.clone());
    }
    let groups = cfg.group_settings(args.group_by.as_deref(), &args.label, args.arch, args.region.as_deref());
    let read = ReadOptions {
        format: args.input_format,
        function: args.function.clone(),
        csv_map,
        keep_duplicates: args.keep_duplicates,
        max_line_bytes: args.max_line_bytes,
        keep_records: args.records.is_some(),
    };
    let t0 = std::time::Instant::now();
    let total: u64 = files.iter().filter_map(|f| f.size).sum();
    let progress = Progress::bytes(total, args.quiet);
    let mut data = collect_with_progress(&files, &read, &groups, &progress);
    crate::drop_aside(files);
    progress.finish();
    data.errors.splice(0..0, walk_errors);
    if let Some(path) = &args.records {
        let records = std::mem::take(&mut data.records);
        let written = crate::render::records::write(&records, &groups, path)?;
        if !args.quiet {
            crate::say!("wrote {} records to {} ({} files)", records.len(), path.display(), written.len());
        }
    }

    report_problems(&data);
    if let Some(format) = args.input_format {
        // A forced format that finds nothing is more likely the wrong format than an empty file.
        for f in data.files.iter().filter(|f| f.records == 0 && f.duplicates == 0 && f.skips().total() == 0) {
            crate::say!(
                "warning: {}: read as {} (--input-format) but no record was found in it",
                f.path.display(),
                format.label()
            );
        }
    }
    let method = args.percentile_method.or(cfg.percentile_method).unwrap_or_default();
    let baseline = match (&args.baseline, &cfg.baseline) {
        (Some(flag), _) => Some(flag.clone()),
        // A configured baseline serves many runs: one it names no group in is
        // reported, not fatal.
        (None, Some(configured)) => {
            let names = |g: &crate::aggregate::Group| {
                [Some(g.name.as_str()), g.key.label.as_deref()]
                    .into_iter()
                    .flatten()
                    .chain(g.functions.iter().map(String::as_str))
                    .any(|n| n == configured)
            };
            if data.groups.iter().any(names) {
                Some(configured.clone())
            } else {
                crate::say!("warning: baseline `{configured}` from the configuration matches no group; no comparisons");
                None
            }
        }
        (None, None) => None,
    };
    let settings = AnalysisSettings {
        method,
        arch: groups.default_arch,
        requests_per_month: args.requests_per_month.or(cfg.requests_per_month),
        group_by: groups.dimensions.iter().map(|d| d.name()).collect(),
        compare: baseline.as_ref().map(|_| CompareSettings { method, resamples: args.resamples, seed: args.seed }),
        baseline,
        generated_at: Some(now_iso()),
        run_label: args.run_label.clone(),
    };
    let t1 = std::time::Instant::now();
    let summary = summarize(data, &settings).map_err(anyhow::Error::msg)?;
    if timing() {
        crate::say!(
            "timing: find files {:.3}s, read+aggregate {:.3}s, summarize {:.3}s",
            (t0 - t_walk).as_secs_f64(),
            (t1 - t0).as_secs_f64(),
            t1.elapsed().as_secs_f64()
        );
    }
    Ok((summary, cfg))
}

/// `LAMBDASTAT_TIMING` set: the time of each stage is printed on stderr (docs/performance.md).
fn timing() -> bool {
    std::env::var_os("LAMBDASTAT_TIMING").is_some()
}

/// The current time, ISO 8601 UTC.
pub fn now_iso() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    chrono::DateTime::from_timestamp(now.as_secs() as i64, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn show_inputs(args: &ReadArgs) -> String {
    args.inputs.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// Unreadable files in full; skipped lines as `file:line: reason`, the first
/// few, then a count.
fn report_problems(data: &crate::aggregate::Dataset) {
    for e in &data.errors {
        crate::say!("error: {e}");
    }
    let mut shown = 0;
    let mut total = 0;
    for f in &data.files {
        total += f.skips().total();
        for (line, reason) in &f.skips().examples {
            if shown < WARN_LINES {
                crate::say!("warning: {}:{}: skipped: {}", f.path.display(), line, reason);
                shown += 1;
            }
        }
    }
    if total > shown as u64 {
        crate::say!(
            "warning: {} more lines skipped (counts by reason in the data-quality section)",
            total - shown as u64
        );
    }
}

fn print_done(summary: &Summary, written: &[std::path::PathBuf]) {
    let i = &summary.inputs;
    crate::say!(
        "read {} files ({} lines): {} invocations of {} functions, {} lines skipped",
        i.files,
        i.lines,
        i.records,
        summary.functions.len(),
        i.skipped_lines
    );
    for p in written {
        crate::say!("wrote {}", p.display());
    }
}
