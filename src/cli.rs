//! Command-line arguments as the user typed them (validated, not resolved);
//! `report.rs` and `check.rs` turn them into the objects the pipeline needs.

use crate::aggregate::Dimension;
use crate::analysis::{Arch, Method};
use crate::source::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  Report on a folder of exported logs (any shape, .gz or not):
    lambdastat report logs/ --out report/
  Compare every variant with one, as the configuration file or a flag says:
    lambdastat report logs/ --out report/ --group-by label --baseline \"Regular .NET 8\"
  Read an S3 export where it lies:
    lambdastat report s3://my-bucket/exports/ --out report/
  Fail a CI job on a limit or a regression:
    lambdastat check report/summary.json --max init_ms.p99=1000 --against main/summary.json

More: `lambdastat man`, and docs/ in the source tree (input formats, statistics, summary.json).";

const REPORT_EXAMPLES: &str = "\
Examples:
  lambdastat report sample-logs --out report
  lambdastat report logs/*.log.gz --group-by function,cold --arch arm64 --out report
  aws logs filter-log-events --log-group-name /aws/lambda/Fn | lambdastat report - --out report
  lambdastat report exports/ --history runs/ --records records/ --out report";

const CHECK_EXAMPLES: &str = "\
Examples:
  lambdastat check report/summary.json --max init_ms.p99=1000 --max cost_per_million_usd=2.5
  lambdastat check report/summary.json --against baseline/summary.json --max-regression 10%
  lambdastat check logs/ --min invocations=100 --markdown \"$GITHUB_STEP_SUMMARY\"";

#[derive(Debug, Parser)]
#[command(
    name = "lambdastat",
    version,
    about = "Cold starts, latency percentiles, memory and cost of AWS Lambda functions, from exported CloudWatch logs",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read logs and write index.html, report.md (+ SVG charts) and summary.json.
    #[command(after_help = REPORT_EXAMPLES)]
    Report(ReportArgs),
    /// Gate a CI job: exit 1 when a limit or a regression rule breaks.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Print a shell completion script: `lambdastat completions bash > /etc/bash_completion.d/lambdastat`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `lambdastat man > /usr/local/share/man/man1/lambdastat.1`.
    Man,
}

/// A command-line value that does not parse; clap prints it beside the flag.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadValue(String);

/// How inputs are read and summarized: shared by `report` and `check`.
#[derive(Debug, Args, Clone, Default)]
pub struct ReadArgs {
    /// Log files or directories (walked recursively; .gz read transparently); `-` reads standard input;
    /// `s3://BUCKET/PREFIX` reads the objects under the prefix from S3.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Read every input as this format instead of sniffing each file.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub input_format: Option<Format>,

    /// Attribute every record to this function name, whatever the data or paths say.
    #[arg(long, value_name = "NAME")]
    pub function: Option<String>,

    /// Settings file [default: lambdastat.toml in the working directory, if present].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// How percentiles are computed [default: linear].
    #[arg(long, value_enum)]
    pub percentile_method: Option<Method>,

    /// Architecture the functions ran on (sets the price per GB-second) [default: x86_64].
    #[arg(long, value_enum)]
    pub arch: Option<Arch>,

    /// Region whose prices apply when the logs do not name one [default: us-east-1 prices].
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Dimensions to group by, comma-separated [default: function].
    #[arg(long, value_enum, value_delimiter = ',', value_name = "DIM,...")]
    pub group_by: Option<Vec<Dimension>>,

    /// Display label for a function, e.g. `--label LambdaAOTDemo9="AOT .NET 9"` (repeatable).
    #[arg(long, value_name = "FUNCTION=LABEL", value_parser = parse_pair)]
    pub label: Vec<(String, String)>,

    /// Columns of other CSVs: `--csv-map init_ms=InitDuration,duration_ms=Duration`.
    #[arg(long, value_delimiter = ',', value_name = "FIELD=COLUMN,...", value_parser = parse_pair)]
    pub csv_map: Vec<(String, String)>,

    /// Project the monthly cost at this many requests per month.
    #[arg(long, value_name = "N")]
    pub requests_per_month: Option<u64>,

    /// Compare every group with this one: a group name, label or function.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,

    /// Bootstrap resamples for the comparisons' confidence intervals.
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub resamples: usize,

    /// Seed of the bootstrap (the same seed gives the same intervals).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub seed: u64,

    /// What to call this run in trends (e.g. a commit id) [default: its date].
    #[arg(long, value_name = "TEXT")]
    pub run_label: Option<String>,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// Count every copy of an invocation; by default a request id counts once per function (copies
    /// from overlapping exports are counted as duplicates in the data-quality section).
    #[arg(long)]
    pub keep_duplicates: bool,

    /// The longest line read from a streamed input (a large file, a large .gz, stdin); a longer one
    /// stops that file with an error naming it [default: 268435456, 256 MiB].
    #[arg(long, value_name = "BYTES")]
    pub max_line_bytes: Option<usize>,

    /// Also write one row per invocation as Parquet: a `.parquet` file, or a directory of files
    /// Hive-partitioned by function (`DIR/function=NAME/records.parquet`).
    #[arg(long, value_name = "PATH")]
    pub records: Option<PathBuf>,

    /// The S3 endpoint for `s3://` inputs (an S3-compatible store, a local one); else
    /// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS's endpoint for the Region.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub read: ReadArgs,

    /// Directory to write the reports into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

    /// Directory of earlier summary.json files (searched recursively) to draw trends from.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,

    /// Directory with index.html.j2 / report.md.j2 to use instead of the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Title of the reports [default: Lambda performance and cost report].
    #[arg(long)]
    pub title: Option<String>,

    /// Exit non-zero (1) when any line was skipped as unreadable.
    #[arg(long)]
    pub strict: bool,

    /// Also write each page's template context as <page>.context.json.
    #[arg(long)]
    pub debug_context: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A summary.json written by `lambdastat report`, or log inputs to summarize first
    /// (read with the same options as `report`).
    #[command(flatten)]
    pub read: ReadArgs,

    /// Upper limit for a field of every group: `--max init_ms.p99=1000` (repeatable).
    #[arg(long, value_name = "PATH=VALUE", value_parser = parse_limit)]
    pub max: Vec<(String, f64)>,

    /// Lower limit for a field of every group: `--min invocations=1000` (repeatable).
    #[arg(long, value_name = "PATH=VALUE", value_parser = parse_limit)]
    pub min: Vec<(String, f64)>,

    /// A previous summary.json to judge regressions against.
    #[arg(long, value_name = "FILE")]
    pub against: Option<PathBuf>,

    /// Largest allowed increase against --against, judged with the 95% intervals: `10%`.
    #[arg(long, value_name = "PERCENT", default_value = "10%", value_parser = parse_percent)]
    pub max_regression: f64,

    /// Fields judged for regressions (repeatable) [default: init_ms.p50, init_ms.p99,
    /// duration_ms.warm.p50, duration_ms.warm.p99, max_memory_mb.p99, cost_per_million_usd].
    #[arg(long, value_name = "PATH")]
    pub metric: Vec<String>,

    /// Only judge these groups (by name or function; repeatable).
    #[arg(long, value_name = "NAME")]
    pub group: Vec<String>,

    /// Also write the table as markdown to FILE (appended; e.g. "$GITHUB_STEP_SUMMARY"), `-` for stdout.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
}

/// `NAME=VALUE`, both non-empty.
fn parse_pair(s: &str) -> Result<(String, String), BadValue> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(BadValue(format!("expected NAME=VALUE, got `{s}`"))),
    }
}

/// `PATH=NUMBER`.
fn parse_limit(s: &str) -> Result<(String, f64), BadValue> {
    let (path, value) = parse_pair(s)?;
    let v: f64 = value.parse().map_err(|_| BadValue(format!("`{value}` is not a number (in `{s}`)")))?;
    if !v.is_finite() {
        return Err(BadValue(format!("`{value}` is not a finite number (in `{s}`)")));
    }
    Ok((path, v))
}

/// `10%` or `10` -> 0.10.
fn parse_percent(s: &str) -> Result<f64, BadValue> {
    let t = s.trim().trim_end_matches('%');
    let v: f64 = t.parse().map_err(|_| BadValue(format!("`{s}` is not a percentage")))?;
    if !(0.0..=1000.0).contains(&v) {
        return Err(BadValue(format!("`{s}` is out of range")));
    }
    Ok(v / 100.0)
}
