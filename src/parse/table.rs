//! Inputs that are tables of invocations rather than log text: CloudWatch
//! Logs Insights results (console CSV, `get-query-results` JSON), benchmark CSVs
//! (bench-runner's schema, or any CSV through a column map) and the daily JSON
//! of the lambda-perf project.

use super::record::{parse_thousandths, thousandths_of, Arch, Invocation, Platform, PlatformLine, Status};
use super::scan::{Scanner, Sink};
use crate::time::parse_timestamp_ms;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

/// Canonical fields a table column can be mapped to (`--csv-map FIELD=Column`).
/// The first nine (and the package fields) are bench-runner's CSV schema.
pub const FIELDS: &[&str] = &[
    "function",
    "variant",
    "iteration",
    "cold",
    "init_ms",
    "duration_ms",
    "billed_ms",
    "memory_size_mb",
    "max_memory_mb",
    "package_bytes",
    "package_files",
    "build_seconds",
    "exe_bytes",
    "build_mode",
    "environment",
    "restore_ms",
    "request_id",
    "timestamp",
    "status",
    "error_type",
    "architecture",
    "runtime",
    "log_stream",
];

/// Logs Insights field names and the canonical field each one fills.
const INSIGHTS_FIELDS: &[(&str, &str)] = &[
    ("@requestId", "request_id"),
    ("@timestamp", "timestamp"),
    ("@logStream", "log_stream"),
    ("@duration", "duration_ms"),
    ("@billedDuration", "billed_ms"),
    ("@initDuration", "init_ms"),
    ("@memorySize", "memory_size_bytes"),
    ("@maxMemoryUsed", "max_memory_bytes"),
    ("record.requestId", "request_id"),
    ("record.metrics.durationMs", "duration_ms"),
    ("record.metrics.billedDurationMs", "billed_ms"),
    ("record.metrics.initDurationMs", "init_ms"),
    ("record.metrics.restoreDurationMs", "restore_ms"),
    ("record.metrics.memorySizeMB", "memory_size_mb"),
    ("record.metrics.maxMemoryUsedMB", "max_memory_mb"),
    ("record.status", "status"),
    ("record.errorType", "error_type"),
];

/// What a table is, for the field names it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// Logs Insights results: `@`-fields, memory in bytes (1 MB = 1,000,000).
    Insights,
    /// bench-runner's CSV, or any CSV whose columns the map names.
    Benchmark,
}

/// One row as canonical field -> value.
type Row<'r> = HashMap<&'static str, &'r str>;

/// Reads a CSV file; returns its line count. Rows that cannot be read are
/// skipped with their line number.
pub fn read_csv(buf: &[u8], kind: TableKind, map: &BTreeMap<String, String>, sink: &mut dyn Sink) -> u64 {
    let mut reader = csv::ReaderBuilder::new().flexible(true).comment(Some(b'#')).from_reader(buf);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            sink.skipped(1, format!("unreadable CSV header: {e}"));
            return count_lines(buf);
        }
    };
    let columns: Vec<Option<&'static str>> = headers.iter().map(|h| canonical(h.trim(), kind, map)).collect();
    let message_col = headers.iter().position(|h| h.trim() == "@message");
    let log_col = headers.iter().position(|h| h.trim() == "@log");
    let mut record = csv::StringRecord::new();
    // Where the rows start, and the line of that place: a stray quote makes the
    // reader start again on the line after it.
    let mut offset = reader.position().byte() as usize;
    let mut line_base = reader.position().line() - 1;
    'segments: while offset < buf.len() {
        let mut reader =
            csv::ReaderBuilder::new().flexible(true).comment(Some(b'#')).has_headers(false).from_reader(&buf[offset..]);
        loop {
            let line = line_base + reader.position().line();
            match reader.read_record(&mut record) {
                Ok(false) => break 'segments,
                Ok(true) => {
                    let start = record.position().map_or(0, |p| p.byte() as usize);
                    let line = record.position().map_or(line, |p| line_base + p.line());
                    let raw = &buf[offset + start..offset + reader.position().byte() as usize];
                    let spans = memchr::memchr(b'\n', raw.trim_ascii_end()).is_some();
                    // A field over several lines is a stray quote, unless it is a Logs Insights
                    // message (they hold line breaks) in a row that is whole.
                    if spans && (kind == TableKind::Benchmark || record.len() != headers.len()) {
                        sink.skipped(line, "unterminated quote: a quoted field opens here and is not closed on this line (the lines after it are read again)".to_string());
                        let next =
                            memchr::memchr(b'\n', &buf[offset + start..]).map_or(buf.len(), |i| offset + start + i + 1);
                        line_base = line;
                        offset = next;
                        continue 'segments;
                    }
                    if record.len() != headers.len() {
                        let what = if record.len() < headers.len() { "short row" } else { "long row" };
                        sink.skipped(
                            line,
                            format!("{what}: {} fields where the header has {}", record.len(), headers.len()),
                        );
                        continue;
                    }
                    let row: Row =
                        columns.iter().zip(record.iter()).filter_map(|(c, v)| c.map(|c| (c, v.trim()))).collect();
                    let function = log_col.and_then(|i| record.get(i)).and_then(function_from_log);
                    let message = message_col.and_then(|i| record.get(i));
                    emit_row(&row, function, message, kind, line, sink);
                }
                Err(e) => {
                    let line = e.position().map_or(line, |p| line_base + p.line());
                    sink.skipped(line, format!("unreadable CSV row: {}", csv_error_kind(&e)));
                    if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }) {
                        break 'segments;
                    }
                }
            }
        }
    }
    count_lines(buf)
}

fn csv_error_kind(e: &csv::Error) -> &'static str {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8",
        csv::ErrorKind::UnequalLengths { .. } => "wrong number of fields",
        _ => "malformed",
    }
}

/// The canonical field a column header stands for.
fn canonical(header: &str, kind: TableKind, map: &BTreeMap<String, String>) -> Option<&'static str> {
    if let Some((field, _)) = map.iter().find(|(_, col)| col.as_str() == header) {
        return FIELDS.iter().copied().find(|f| *f == field);
    }
    match kind {
        TableKind::Insights => INSIGHTS_FIELDS.iter().find(|(h, _)| *h == header).map(|(_, f)| *f),
        TableKind::Benchmark => FIELDS.iter().copied().find(|f| *f == header),
    }
}

/// `622370397643:/aws/lambda/NAME` -> `NAME`.
fn function_from_log(log: &str) -> Option<&str> {
    let name = log.split("/aws/lambda/").nth(1)?;
    (!name.is_empty()).then_some(name)
}

/// `get-query-results` JSON: `{"results": [[{"field": "@timestamp", "value": "…"}, …], …]}`.
pub fn read_insights_json(buf: &[u8], sink: &mut dyn Sink) -> u64 {
    #[derive(Deserialize)]
    struct Cell {
        field: String,
        value: Option<String>,
    }
    #[derive(Deserialize)]
    struct Results {
        results: Vec<Vec<Cell>>,
    }
    let lines = count_lines(buf);
    let text = String::from_utf8_lossy(buf);
    // Read from the `"results"` key on, as one object: this also reads
    // captures quoted in source code (no outer brace, trailing commas).
    let Some(start) = text.find("\"results\"") else { return lines };
    let object = format!("{{{}", strip_trailing_commas(&text[start..]));
    let Some(parsed) = parse_json::<Results>(&object, &text, start, "Logs Insights", sink) else { return lines };
    for (i, row) in parsed.results.iter().enumerate() {
        let get = |name: &str| row.iter().find(|c| c.field == name).and_then(|c| c.value.as_deref());
        let fields: Row = row
            .iter()
            .filter_map(|c| {
                let f = INSIGHTS_FIELDS.iter().find(|(h, _)| *h == c.field)?.1;
                Some((f, c.value.as_deref()?.trim()))
            })
            .collect();
        let function = get("@log").and_then(function_from_log);
        // JSON gives no line per row; name the row (1-based) instead.
        emit_row(&fields, function, get("@message"), TableKind::Insights, (i + 1) as u64, sink);
    }
    lines
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}
impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "I/O",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

/// Removes commas that stand before a closing `]` or `}` (outside strings),
/// which JSON forbids and Python and JavaScript literals allow.
fn strip_trailing_commas(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if in_string {
            out.push(c);
            if c == b'\\' && i + 1 < b.len() {
                out.push(b[i + 1]);
                i += 1;
            } else if c == b'"' {
                in_string = false;
            }
        } else if c == b'"' {
            in_string = true;
            out.push(c);
        } else if c == b',' {
            let next = b[i + 1..].iter().find(|x| !x.is_ascii_whitespace());
            if !matches!(next, Some(b']') | Some(b'}')) {
                out.push(c);
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The first JSON value of `json` (which starts at byte `start` of the
/// file's `text`); a parse error is skipped with its line in the file.
fn parse_json<T: serde::de::DeserializeOwned>(
    json: &str,
    text: &str,
    start: usize,
    what: &str,
    sink: &mut dyn Sink,
) -> Option<T> {
    match serde_json::Deserializer::from_str(json).into_iter().next()? {
        Ok(v) => Some(v),
        Err(e) => {
            sink.skipped(
                e.line() as u64 + line_of(text, start) - 1,
                format!("malformed {what} JSON: {}", e.classify_name()),
            );
            None
        }
    }
}

fn line_of(text: &str, offset: usize) -> u64 {
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..offset]).count() as u64
}

/// One table row -> one invocation (or, with only a raw `@message`, whatever
/// the message holds, through the log scanner).
fn emit_row(row: &Row, function: Option<&str>, message: Option<&str>, kind: TableKind, line: u64, sink: &mut dyn Sink) {
    // A raw message with a platform record is complete: prefer it to the
    // discovered fields (which a query may have kept only some of).
    let message_record = message.filter(|m| m.contains("REPORT") || m.contains("platform.") || m.contains("_START"));
    let has_measure =
        ["duration_ms", "init_ms", "restore_ms", "billed_ms"].iter().any(|f| row.get(f).is_some_and(|v| !v.is_empty()));
    if message_record.is_some() || !has_measure {
        if let Some(msg) = message_record {
            let stream = row.get("log_stream").map(|s| s.to_string());
            let ts = row.get("timestamp").and_then(|t| parse_timestamp_ms(t));
            let mut scanner = Scanner::named(function.map(str::to_string), stream, ts);
            let mut relay = LineRelay { inner: sink, line };
            scanner.scan(msg.as_bytes(), &mut relay);
        }
        return;
    }
    match row_invocation(row, function, kind) {
        Ok(inv) => sink.invocation(&inv, line),
        Err(reason) => sink.skipped(line, reason),
    }
    let package = |f| row.get(f).filter(|v| !v.is_empty()).and_then(|v| v.parse::<f64>().ok());
    let (bytes, files, secs) = (package("package_bytes"), package("package_files"), package("build_seconds"));
    let exe_bytes = package("exe_bytes");
    let text = |f: &str| row.get(f).copied().filter(|v| !v.is_empty());
    let (build_mode, environment) = (text("build_mode"), text("environment"));
    if bytes.is_some() || files.is_some() || secs.is_some() || exe_bytes.is_some() || build_mode.is_some() {
        let function = row_function(row, function);
        let event = Platform::Package {
            bytes: bytes.map(|b| b as u64),
            files: files.map(|f| f as u64),
            build_seconds: secs,
            exe_bytes: exe_bytes.map(|b| b as u64),
            build_mode,
            environment,
        };
        sink.platform(&PlatformLine { function, stream: None, event }, line);
    }
}

/// Gives every record and skip of an embedded message the row's line.
struct LineRelay<'s> {
    inner: &'s mut dyn Sink,
    line: u64,
}

impl Sink for LineRelay<'_> {
    fn invocation(&mut self, inv: &Invocation<'_>, _line: u64) {
        self.inner.invocation(inv, self.line);
    }
    fn skipped(&mut self, _line: u64, reason: String) {
        self.inner.skipped(self.line, reason);
    }
    fn platform(&mut self, ev: &PlatformLine<'_>, _line: u64) {
        self.inner.platform(ev, self.line);
    }
}

/// A benchmark row's group name: its `variant` when set, else its `function`.
fn row_function<'r>(row: &Row<'r>, function: Option<&'r str>) -> Option<&'r str> {
    row.get("variant").or(row.get("function")).copied().filter(|v| !v.is_empty()).or(function)
}

fn row_invocation<'r>(row: &Row<'r>, function: Option<&'r str>, kind: TableKind) -> Result<Invocation<'r>, String> {
    let get = |f: &str| row.get(f).copied().filter(|v| !v.is_empty() && *v != "-");
    let ms =
        |f: &'static str| get(f).map(|v| parse_thousandths(v).ok_or_else(|| format!("unreadable {f}"))).transpose();
    let whole = |f: &'static str| {
        get(f)
            .map(|v| match parse_thousandths(v) {
                Some(t) if t % 1000 == 0 => Ok(t / 1000),
                Some(t) => Ok(t.div_ceil(1000)),
                None => Err(format!("unreadable {f}")),
            })
            .transpose()
    };
    // Insights gives memory in bytes with 1 MB = 1,000,000 bytes (`512000000`, `1.28E8`).
    let mb_from_bytes = |f: &'static str| {
        get(f)
            .map(|v| {
                let bytes: f64 = v.parse().map_err(|_| format!("unreadable {f}"))?;
                let mb = bytes / 1_000_000.0;
                if !(0.0..1.0e7).contains(&mb) || (bytes - mb.round() * 1_000_000.0).abs() >= 0.5 {
                    return Err(format!("{f} is not a whole number of MB"));
                }
                Ok(mb.round() as u64)
            })
            .transpose()
    };
    let (memory, max_memory) = match kind {
        TableKind::Insights => (
            mb_from_bytes("memory_size_bytes")?.or(whole("memory_size_mb")?),
            mb_from_bytes("max_memory_bytes")?.or(whole("max_memory_mb")?),
        ),
        TableKind::Benchmark => (whole("memory_size_mb")?, whole("max_memory_mb")?),
    };
    let init = ms("init_ms")?;
    let cold_flag = match get("cold").map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("true" | "1" | "yes" | "cold" | "y") => Some(true),
        Some("false" | "0" | "no" | "warm" | "n") => Some(false),
        Some(_) => return Err("unreadable cold (want true/false)".to_string()),
    };
    if cold_flag == Some(true) && init.is_none() && get("restore_ms").is_none() {
        return Err("cold row without init_ms".to_string());
    }
    let init = if cold_flag == Some(false) { None } else { init };
    let status = match get("status") {
        None => Status::Success,
        Some(s) => Status::from_word(s).ok_or("unreadable status")?,
    };
    let architecture = get("architecture").map(|a| Arch::parse(a).ok_or("unreadable architecture")).transpose()?;
    Ok(Invocation {
        request_id: get("request_id").unwrap_or_default(),
        function: row_function(row, function),
        log_stream: get("log_stream"),
        timestamp_ms: get("timestamp").and_then(parse_timestamp_ms),
        duration_us: ms("duration_ms")?,
        billed_ms: whole("billed_ms")?,
        memory_size_mb: memory,
        max_memory_used_mb: max_memory,
        init_us: init,
        restore_us: ms("restore_ms")?,
        billed_restore_ms: None,
        status,
        error_type: get("error_type"),
        architecture,
        runtime_version: get("runtime"),
    })
}

/// The lambda-perf daily JSON (github.com/maxday/lambda-perf): per
/// configuration up to ten cold-start values. Each value is one cold start:
/// its Init Duration, or its Restore Duration for SnapStart configurations.
/// The file keeps only means of Duration and Max Memory Used, which are not
/// per-invocation values and are not used.
pub fn read_lambda_perf(buf: &[u8], sink: &mut dyn Sink) -> u64 {
    #[derive(Deserialize)]
    struct Metadata {
        #[serde(rename = "generatedAt")]
        generated_at: Option<String>,
    }
    #[derive(Deserialize)]
    struct Entry {
        #[serde(alias = "runtime")]
        r: String,
        #[serde(alias = "displayName", default)]
        d: String,
        #[serde(alias = "initDurations", default)]
        i: Vec<f64>,
        #[serde(alias = "memorySize")]
        m: Option<u64>,
        #[serde(alias = "architecture")]
        a: Option<String>,
    }
    #[derive(Deserialize)]
    struct Daily {
        metadata: Option<Metadata>,
        #[serde(rename = "runtimeData")]
        runtime_data: Vec<Entry>,
    }
    let lines = count_lines(buf);
    let text = String::from_utf8_lossy(buf);
    let Some(start) = text.find('{') else { return lines };
    let Some(daily) = parse_json::<Daily>(&text[start..], &text, start, "lambda-perf", sink) else { return lines };
    let ts = daily.metadata.and_then(|m| m.generated_at).and_then(|t| parse_timestamp_ms(&t));
    for (n, e) in daily.runtime_data.iter().enumerate() {
        let snapstart = e.d.contains("snapstart") || e.r.contains("snapstart");
        let arch = e.a.as_deref().and_then(Arch::parse);
        for (k, v) in e.i.iter().enumerate() {
            let Some(us) = thousandths_of(*v) else {
                sink.skipped((n + 1) as u64, format!("lambda-perf value {k} of {} is not a duration", e.r));
                continue;
            };
            let inv = Invocation {
                function: Some(&e.r),
                timestamp_ms: ts,
                memory_size_mb: e.m,
                init_us: (!snapstart).then_some(us),
                restore_us: snapstart.then_some(us),
                architecture: arch,
                ..Invocation::default()
            };
            sink.invocation(&inv, (n + 1) as u64);
        }
    }
    lines
}

fn count_lines(buf: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', buf).count() as u64 + u64::from(!buf.is_empty() && !buf.ends_with(b"\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct C {
        inv: Vec<String>,
        skipped: Vec<(u64, String)>,
        platform: Vec<String>,
    }
    impl Sink for C {
        fn invocation(&mut self, i: &Invocation<'_>, line: u64) {
            self.inv.push(format!(
                "{line} {:?} {:?} d={:?} b={:?} m={:?} mx={:?} i={:?} r={:?} {:?} {:?}",
                i.function,
                i.request_id,
                i.duration_us,
                i.billed_ms,
                i.memory_size_mb,
                i.max_memory_used_mb,
                i.init_us,
                i.restore_us,
                i.architecture,
                i.status
            ));
        }
        fn skipped(&mut self, line: u64, reason: String) {
            self.skipped.push((line, reason));
        }
        fn platform(&mut self, ev: &PlatformLine<'_>, line: u64) {
            self.platform.push(format!("{line} {:?} {:?}", ev.function, ev.event));
        }
    }

    #[test]
    fn insights_csv_in_bytes_and_e_notation() {
        let csv = "@timestamp,@requestId,@log,@duration,@billedDuration,@memorySize,@maxMemoryUsed,@initDuration\n\
                   2023-03-04 07:38:52.235,r1,1:/aws/lambda/Fn,11.5,12,1.28E8,7.9E7,170.25\n\
                   2023-03-04 07:38:53.000,r2,1:/aws/lambda/Fn,2.03,3,512000000,70000000,\n\
                   2023-03-04 07:38:54.000,r3,1:/aws/lambda/Fn,2.03,3,512000001,70000000,\n";
        let mut c = C::default();
        assert_eq!(read_csv(csv.as_bytes(), TableKind::Insights, &BTreeMap::new(), &mut c), 4);
        assert_eq!(
            c.inv[0],
            "2 Some(\"Fn\") \"r1\" d=Some(11500) b=Some(12) m=Some(128) mx=Some(79) i=Some(170250) r=None None Success"
        );
        assert_eq!(
            c.inv[1],
            "3 Some(\"Fn\") \"r2\" d=Some(2030) b=Some(3) m=Some(512) mx=Some(70) i=None r=None None Success"
        );
        assert_eq!(c.skipped, vec![(4, "memory_size_bytes is not a whole number of MB".to_string())]);
    }

    #[test]
    fn stray_quotes_and_short_rows_are_said_and_lose_nothing_else() {
        let csv = "function,cold,duration_ms,billed_ms,memory_size_mb,max_memory_mb\n\
                   f,false,20.1,21,512,80\n\
                   f,false,\"10.5,11,512,80\n\
                   f,false,10.5,11,512\n\
                   f,false,10.5,11,512,80,9\n\
                   f,false,12.5,13,512,80\n";
        let mut c = C::default();
        assert_eq!(read_csv(csv.as_bytes(), TableKind::Benchmark, &BTreeMap::new(), &mut c), 6);
        // The rows after the stray quote are read again, not swallowed into its field.
        assert_eq!(c.inv.len(), 2, "{:?}", c.skipped);
        assert!(c.inv[1].starts_with("6 "), "{}", c.inv[1]);
        let reasons: Vec<(u64, &str)> = c.skipped.iter().map(|(l, r)| (*l, &r[..r.find(':').unwrap()])).collect();
        assert_eq!(reasons, [(3, "unterminated quote"), (4, "short row"), (5, "long row")]);
        // A Logs Insights message may hold line breaks in a whole row: that is no stray quote.
        let csv = "@timestamp,@message\n2024-01-01 00:00:00.000,\"REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\n\"\n";
        let mut c = C::default();
        read_csv(csv.as_bytes(), TableKind::Insights, &BTreeMap::new(), &mut c);
        assert_eq!((c.inv.len(), c.skipped.len()), (1, 0), "{:?}", c.skipped);
    }

    #[test]
    fn benchmark_csv_and_column_map() {
        let csv = "function,variant,iteration,cold,init_ms,duration_ms,billed_ms,memory_size_mb,max_memory_mb,package_bytes,package_files,build_seconds,exe_bytes,build_mode,environment\n\
                   hello,aot9,1,true,101.5,20.25,122,256,40,1048576,3,61.5,2500000,NativeAOT,local\n\
                   hello,aot9,2,false,,14.00,14,256,41,,,,,,\n\
                   hello,aot9,3,maybe,,1,1,256,41,,,,,,\n";
        let mut c = C::default();
        read_csv(csv.as_bytes(), TableKind::Benchmark, &BTreeMap::new(), &mut c);
        assert_eq!(c.inv.len(), 2);
        assert!(
            c.inv[0]
                .starts_with("2 Some(\"aot9\") \"\" d=Some(20250) b=Some(122) m=Some(256) mx=Some(40) i=Some(101500)"),
            "{}",
            c.inv[0]
        );
        assert!(c.inv[1].contains("i=None"));
        assert_eq!(c.skipped, vec![(4, "unreadable cold (want true/false)".to_string())]);
        assert_eq!(
            c.platform,
            vec!["2 Some(\"aot9\") Package { bytes: Some(1048576), files: Some(3), build_seconds: Some(61.5), exe_bytes: Some(2500000), build_mode: Some(\"NativeAOT\"), environment: Some(\"local\") }"]
        );

        let map: BTreeMap<String, String> =
            [("init_ms", "InitDuration"), ("duration_ms", "Duration"), ("function", "Fn")]
                .into_iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
        let mut c = C::default();
        read_csv(b"Fn,InitDuration,Duration\nx,5.5,1.25\n", TableKind::Benchmark, &map, &mut c);
        assert_eq!(c.inv.len(), 1);
        assert!(c.inv[0].contains("Some(\"x\") \"\" d=Some(1250) b=None m=None mx=None i=Some(5500)"), "{}", c.inv[0]);
    }

    #[test]
    fn trailing_commas() {
        assert_eq!(strip_trailing_commas(r#"{"a": [1, 2,], "b": "x,]",}"#), r#"{"a": [1, 2], "b": "x,]"}"#);
    }

    #[test]
    fn lambda_perf_both_schemas() {
        let new = br#"{"metadata":{"generatedAt":"2025-09-01T14:00:07.725Z"},"runtimeData":[{"r":"lambda-perf-java21-snapstart-zip-1024-arm64","p":"zip","d":"java21 snapstart","i":[100.5,200.25],"m":1024,"a":"arm64","mu":36,"ad":13.0,"acd":150.0}]}"#;
        let mut c = C::default();
        read_lambda_perf(new, &mut c);
        assert_eq!(c.inv.len(), 2);
        assert!(c.inv[0].contains("i=None r=Some(100500) Some(Arm64)"), "{}", c.inv[0]);
        let old = br#"{"metadata":{"generatedAt":"2023-06-01T14:00:08.320Z"},"runtimeData":[{"runtime":"lambda-perf-java11-512-x86_64","displayName":"java11","initDurations":[460.71],"memorySize":512,"architecture":"x86_64","averageMemoryUsed":75}]}"#;
        let mut c = C::default();
        read_lambda_perf(old, &mut c);
        assert!(c.inv[0].contains("m=Some(512) mx=None i=Some(460710) r=None Some(X86_64)"), "{}", c.inv[0]);
    }

    #[test]
    fn insights_json_structured_and_message_only() {
        let j = br#"{"results":[[{"field":"@timestamp","value":"2022-05-02 20:58:14.456"},{"field":"@message","value":"REPORT RequestId: f6\tDuration: 2.03 ms\tBilled Duration: 3 ms\tMemory Size: 512 MB\tMax Memory Used: 70 MB\t\n"},{"field":"@log","value":"6:/aws/lambda/Cart"},{"field":"@requestId","value":"f6"},{"field":"@memorySize","value":"512000000"},{"field":"@billedDuration","value":"3"},{"field":"@maxMemoryUsed","value":"70000000"},{"field":"@duration","value":"2.03"}],
            [{"field":"@message","value":"REPORT RequestId: a1\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t"},{"field":"@log","value":"6:/aws/lambda/Other"}]],"status":"Complete"}"#;
        let mut c = C::default();
        read_insights_json(j, &mut c);
        assert_eq!(c.inv.len(), 2, "{:?}", c.skipped);
        assert!(
            c.inv[0].starts_with("1 Some(\"Cart\") \"f6\" d=Some(2030) b=Some(3) m=Some(512) mx=Some(70)"),
            "{}",
            c.inv[0]
        );
        assert!(c.inv[1].starts_with("2 Some(\"Other\") \"a1\" d=Some(1000)"), "{}", c.inv[1]);
    }
}
