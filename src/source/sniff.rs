//! Which shape a file is in, told from its first bytes (and, for S3 export
//! objects, its name). The shape decides which reader reads it and how it is
//! labelled in the data-quality section.

use super::names::{is_s3_export_object, looks_like_stream};
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Plain CloudWatch lines of no more specific shape (console copies, excerpts).
    Text,
    /// CloudWatch Logs export to S3: `<ISO>Z <message>` lines, blank lines between events.
    S3Export,
    /// `aws logs tail` output, `--format detailed` or `short`.
    LogsTail,
    /// `sam logs` output: `<stream> <timestamp> <message>`.
    SamLogs,
    /// `sls logs` output: `REPORT - <id>` with fields on the next line.
    SlsLogs,
    /// The CloudWatch console's "Download (CSV)": `timestamp,message`.
    ConsoleCsv,
    /// `aws logs filter-log-events` / `get-log-events` JSON output.
    CloudwatchJson,
    /// CloudWatch Logs subscription payloads (`DATA_MESSAGE`; gzip and base64 decoded).
    Subscription,
    /// Lambda JSON log format: one `{"time":…,"type":"platform.…"}` per line.
    LambdaJson,
    /// Logs Insights `get-query-results` JSON.
    InsightsJson,
    /// Logs Insights results exported as CSV (`@timestamp,@message,…`).
    InsightsCsv,
    /// bench-runner's benchmark CSV (one row per invocation).
    BenchmarkCsv,
    /// Any other CSV, read through `--csv-map`.
    Csv,
    /// The lambda-perf project's daily JSON.
    LambdaPerf,
    /// Parquet records, as `--records` writes them (or others with the same columns).
    Parquet,
}

impl Format {
    /// Shapes read by the log scanner, which can stream them in blocks.
    pub fn is_log_text(self) -> bool {
        !matches!(
            self,
            Format::InsightsJson
                | Format::InsightsCsv
                | Format::BenchmarkCsv
                | Format::Csv
                | Format::LambdaPerf
                | Format::Parquet
                | Format::Subscription
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::S3Export => "s3-export",
            Format::LogsTail => "logs-tail",
            Format::SamLogs => "sam-logs",
            Format::SlsLogs => "sls-logs",
            Format::ConsoleCsv => "console-csv",
            Format::CloudwatchJson => "cloudwatch-json",
            Format::Subscription => "subscription",
            Format::LambdaJson => "lambda-json",
            Format::InsightsJson => "insights-json",
            Format::InsightsCsv => "insights-csv",
            Format::BenchmarkCsv => "benchmark-csv",
            Format::Csv => "csv",
            Format::LambdaPerf => "lambda-perf",
            Format::Parquet => "parquet",
        }
    }
}

/// How much of a file sniffing looks at.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// Sniffs the shape from the first [`SNIFF_BYTES`]. `csv_columns` are the columns a
/// `--csv-map` names: a CSV having them all is read through the map.
pub fn sniff(buf: &[u8], path: &Path, csv_columns: &[&str]) -> Format {
    let head = &buf[..buf.len().min(SNIFF_BYTES)];
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    if super::payload::is_base64_gzip(head) {
        return Format::Subscription;
    }
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    let mut lines =
        head.split(|&c| c == b'\n').map(|l| l.trim_ascii()).filter(|l| !l.is_empty() && !l.starts_with(b"#"));
    let first = lines.next().unwrap_or_default();
    let first = first.strip_prefix(b"`").unwrap_or(first);
    let platform_object = |l: &[u8]| memchr::memmem::find(l, b"\"type\":\"platform.").is_some();

    let json_like =
        first.starts_with(b"{") || first.starts_with(b"[") || first.starts_with(b"\"") || first.ends_with(b"{");
    if json_like {
        if has(b"\"messageType\"") {
            return Format::Subscription;
        }
        if has(b"\"runtimeData\"") {
            return Format::LambdaPerf;
        }
        if has(b"\"results\"") && has(b"\"field\"") {
            return Format::InsightsJson;
        }
        if platform_object(first) {
            return Format::LambdaJson;
        }
        if has(b"\"events\"") || has(b"\"logEvents\"") || has(b"\"message\"") || has(b"'message'") {
            return Format::CloudwatchJson;
        }
    }
    if let Some(f) = sniff_csv(first, csv_columns) {
        return f;
    }
    if let Some(f) = sniff_text_prefix(first) {
        return f;
    }
    if has(b"\nREPORT - ") || has(b"\nSTART - ") || first.starts_with(b"START - ") {
        return Format::SlsLogs;
    }
    if platform_object(head) && !has(b"\"message\"") {
        return Format::LambdaJson;
    }
    if is_s3_export_object(path) {
        return Format::S3Export;
    }
    Format::Text
}

fn sniff_csv(first: &[u8], csv_columns: &[&str]) -> Option<Format> {
    let line = std::str::from_utf8(first).ok()?;
    if !line.contains(',') {
        return None;
    }
    let cols: Vec<&str> = line.split(',').map(|c| c.trim().trim_matches('"')).collect();
    if cols == ["timestamp", "message"] {
        return Some(Format::ConsoleCsv);
    }
    if cols.iter().filter(|c| c.starts_with('@')).count() >= 2 {
        return Some(Format::InsightsCsv);
    }
    let named = |n: &str| cols.contains(&n);
    if (named("function") || named("variant")) && (named("duration_ms") || named("init_ms")) {
        return Some(Format::BenchmarkCsv);
    }
    if !csv_columns.is_empty() && csv_columns.iter().all(|c| cols.contains(c)) {
        return Some(Format::Csv);
    }
    None
}

/// `aws logs tail`, `sam logs` and S3-export lines by their leading tokens.
fn sniff_text_prefix(first: &[u8]) -> Option<Format> {
    let line = std::str::from_utf8(first).ok()?;
    let mut tokens = line.split_ascii_whitespace();
    let t0 = tokens.next()?;
    let t1 = tokens.next().unwrap_or_default();
    let is_ts = |t: &str| crate::time::parse_timestamp_ms(t).is_some();
    // The lengths of the timestamps each shape prints.
    const EPOCH_MS: usize = "1709651897870".len();
    const SECONDS: usize = "2024-03-05T15:18:17".len();
    const MILLIS_Z: usize = "2024-02-13T21:01:04.046Z".len();
    if looks_like_stream(t0) && is_ts(t1) {
        return Some(Format::SamLogs);
    }
    if !is_ts(t0) || t0.len() == EPOCH_MS {
        return None;
    }
    if t0.ends_with("+00:00") && looks_like_stream(t1) {
        return Some(Format::LogsTail); // --format detailed
    }
    if t0.len() == SECONDS {
        return Some(Format::LogsTail); // --format short drops the milliseconds
    }
    if t0.ends_with('Z') && t0.len() == MILLIS_Z {
        return Some(Format::S3Export);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Format {
        sniff(text.as_bytes(), Path::new("x.log"), &[])
    }

    #[test]
    fn shapes() {
        assert_eq!(s("{\n  \"events\": [{\"message\": \"START\"}]}"), Format::CloudwatchJson);
        assert_eq!(s("{\"time\":\"x\",\"type\":\"platform.start\",\"record\":{}}\n"), Format::LambdaJson);
        assert_eq!(s("2024-01-01T00:00:00.000Z {\"time\":\"x\",\"type\":\"platform.report\"}\n"), Format::S3Export);
        assert_eq!(s("# note\nSTART RequestId: x Version: $LATEST\n"), Format::Text);
        assert_eq!(s("{\"messageType\": \"DATA_MESSAGE\", \"logEvents\": []}"), Format::Subscription);
        assert_eq!(s("H4sIAAAAAAAA/wEAAP//AAAAAAAAAAA=\n"), Format::Subscription);
        assert_eq!(s("{\"results\": [[{\"field\": \"@message\", \"value\": \"x\"}]]}"), Format::InsightsJson);
        assert_eq!(s("{\"metadata\":{},\"runtimeData\":[]}"), Format::LambdaPerf);
        assert_eq!(s("timestamp,message\n1,\"START\"\n"), Format::ConsoleCsv);
        assert_eq!(s("@timestamp,@message,@log\n"), Format::InsightsCsv);
        assert_eq!(s("function,variant,iteration,cold,init_ms,duration_ms\n"), Format::BenchmarkCsv);
        assert_eq!(sniff(b"Fn,InitDuration\n", Path::new("b.csv"), &["InitDuration"]), Format::Csv);
        assert_eq!(s("2023/06/02/[72]88ab 2023-06-02T11:27:22.355000 RESTORE_START x\n"), Format::SamLogs);
        assert_eq!(s("2024-03-05T15:18:17.870000+00:00 2024/03/05/fn[$LATEST]6e67 INIT_START\n"), Format::LogsTail);
        assert_eq!(s("2024-03-05T15:18:17 START RequestId: x\n"), Format::LogsTail);
        assert_eq!(s("2024-02-13T21:01:04.046Z INIT_START Runtime Version: nodejs:20.v15\n"), Format::S3Export);
        assert_eq!(s("START - abc - Version: $LATEST\nREPORT - abc\nDuration: 1 ms\n"), Format::SlsLogs);
        assert_eq!(sniff(b"anything\n", Path::new("t/abc/000001.gz"), &[]), Format::S3Export);
    }
}
