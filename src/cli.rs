//! Command-line arguments as the user typed them (validated, not resolved);
//! `report.rs` turns them into the objects the pipeline needs.

use crate::analysis::{Arch, Method};
use crate::config::Dimension;
use crate::source::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "lambdastat",
    version,
    about = "Cold starts, latency percentiles, memory and cost of AWS Lambda functions, from exported CloudWatch logs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read logs and write index.html, report.md (+ SVG charts) and summary.json.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Log files or directories (walked recursively; .gz read transparently); `-` reads standard input.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Directory to write the reports into (created if missing).
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,

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

    /// Directory with index.html.j2 / report.md.j2 to use instead of the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Title of the reports [default: Lambda performance and cost report].
    #[arg(long)]
    pub title: Option<String>,

    /// Exit non-zero (1) when any line was skipped as unreadable.
    #[arg(long)]
    pub strict: bool,

    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// Also write each page's template context as <page>.context.json.
    #[arg(long)]
    pub debug_context: bool,

    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

/// `NAME=VALUE`, both non-empty.
fn parse_pair(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
            Ok((k.trim().to_string(), v.trim().to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}
