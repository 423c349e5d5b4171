//! The `check` command: judge limits and regressions, print the table, set
//! the exit code.

use crate::analysis::gate::{
    check_limits, check_regressions, render, Limit, Regression, Status, DEFAULT_REGRESSION_METRICS,
};
use crate::cli::CheckArgs;
use crate::summary_file;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

/// A summary.json given as the input: a file named `summary.json` must be one (its errors are fatal);
/// another `.json` file is one if it reads as one, else it is read as logs.
fn input_summary(path: &Path) -> Result<Option<Value>> {
    if path.file_name().is_some_and(|n| n == "summary.json") {
        return Ok(Some(summary_file::load(path)?));
    }
    if path.extension().and_then(|e| e.to_str()) != Some("json") || !path.is_file() {
        return Ok(None);
    }
    Ok(summary_file::load(path).ok())
}

/// Every dotted path a rule names must exist in the summary's groups (a typo would otherwise pass
/// as "no data" for ever).
fn check_paths(current: &Value, args: &CheckArgs) -> Result<()> {
    let Some(group) = summary_file::groups(current).first() else {
        return Ok(()); // no groups: "nothing to check" says so below
    };
    let named = args.max.iter().map(|(p, _)| ("--max", p)).chain(args.min.iter().map(|(p, _)| ("--min", p)));
    for (flag, path) in named.chain(args.metric.iter().map(|p| ("--metric", p))) {
        let leaf = summary_file::at(group, path);
        match leaf {
            Some(v) if v.is_number() || v.is_null() => {}
            Some(_) => bail!("{flag} {path}: not a number in the summary's groups (name a field below it)"),
            None => bail!(
                "{flag} {path}: no such field in the summary's groups; fields are e.g. init_ms.p99, \
                 cold_latency_ms.p50, duration_ms.warm.p99, max_memory_mb.max, cost_per_million_usd, invocations"
            ),
        }
    }
    Ok(())
}

/// Returns whether every rule passed.
pub fn run(args: &CheckArgs) -> Result<bool> {
    let given = match args.read.inputs.as_slice() {
        [one] => input_summary(one)?,
        _ => None,
    };
    let current = match given {
        Some(v) => v,
        None => serde_json::to_value(crate::report::build_summary(&args.read)?.0)?,
    };
    check_paths(&current, args)?;
    let mut limits: Vec<Limit> =
        args.max.iter().map(|(p, v)| Limit { path: p.clone(), bound: *v, upper: true }).collect();
    limits.extend(args.min.iter().map(|(p, v)| Limit { path: p.clone(), bound: *v, upper: false }));
    let mut outcomes = check_limits(&current, &limits, &args.group);
    if let Some(old_path) = &args.against {
        let old = summary_file::load(old_path).context("--against")?;
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
    for o in &mut outcomes {
        o.group = crate::term::printable(&o.group).into_owned();
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
