//! Command-line arguments as the user typed them (validated, not resolved);
//! `report.rs` turns them into the objects the pipeline needs.

use crate::analysis::{Arch, Method};
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

    /// How percentiles are computed.
    #[arg(long, value_enum, default_value_t = Method::Linear)]
    pub percentile_method: Method,

    /// Architecture the functions ran on; sets the price per GB-second.
    #[arg(long, value_enum, default_value_t = Arch::X86_64)]
    pub arch: Arch,

    /// Project the monthly cost at this many requests per month.
    #[arg(long, value_name = "N")]
    pub requests_per_month: Option<u64>,

    /// Directory with index.html.j2 / report.md.j2 to use instead of the built-in templates.
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Title of the reports.
    #[arg(long, default_value = "Lambda performance and cost report")]
    pub title: String,

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
