//! Entry points of the fuzz targets (`fuzz/`), kept here so that the crashes
//! they found run as regression tests (`tests/fuzz_regressions.rs`) through
//! the very same code. Each takes any bytes and panics only on a broken
//! promise: besides "no panic, no hang, no blow-up", every record and skipped
//! line names a line that exists in the input, every skip says why, and no
//! duration is out of range.

use crate::parse::record::MAX_MS;
use crate::parse::table::{read_csv, read_insights_json, read_lambda_perf, TableKind};
use crate::parse::{json_event, report, Invocation, PlatformLine, Scanner, Sink};
use crate::source::payload;
use base64::Engine;
use flate2::{write::GzEncoder, Compression};
use std::collections::BTreeMap;
use std::io::Write;

/// A fuzz target: any bytes in, a panic only on a broken promise.
pub type Target = fn(&[u8]);

/// The targets, by the name `fuzz/run.sh` takes.
pub const TARGETS: &[(&str, Target)] =
    &[("scan", scan), ("json_event", json_event), ("tables", tables), ("subscription", subscription)];

/// The log scanner: every text shape (REPORT lines, JSON events, console
/// copies, sam/sls/tail output) goes through it.
pub fn scan(data: &[u8]) {
    let mut sink = CheckSink::default();
    let lines = Scanner::new().scan(data, &mut sink);
    sink.check_lines(data, lines);
}

/// The JSON log format's platform events, and the REPORT field grammar.
pub fn json_event(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some((event, end)) = json_event::parse_event_at(text) {
        assert!(end <= text.len(), "event ends at {end}, past the text's {} bytes", text.len());
        if let Ok(inv) = json_event::report_invocation(&event) {
            check_invocation(&inv);
        }
    }
    let _ = report::parse_report_fields(text);
    let _ = report::parse_fields(text);
}

/// The table readers: the first byte picks Logs Insights CSV or JSON,
/// benchmark CSV (with or without a column map) or lambda-perf JSON.
pub fn tables(data: &[u8]) {
    let Some((&selector, data)) = data.split_first() else { return };
    let mut map = BTreeMap::new();
    if selector & 0x10 != 0 {
        map.insert("duration_ms".to_string(), "Duration (ms)".to_string());
        map.insert("init_ms".to_string(), "Init".to_string());
        map.insert("function".to_string(), "fn".to_string());
    }
    let mut sink = CheckSink::default();
    let lines = match selector % 4 {
        0 => read_csv(data, TableKind::Insights, &map, &mut sink),
        1 => read_csv(data, TableKind::Benchmark, &map, &mut sink),
        2 => read_insights_json(data, &mut sink),
        _ => read_lambda_perf(data, &mut sink),
    };
    if selector % 4 < 2 {
        sink.check_lines(data, lines);
    }
}

/// Subscription payloads: with the first byte odd, the decoder on the raw
/// rest; else the rest split at NUL bytes into payloads, each gzip'ed and
/// base64-encoded on a line of its own (as a forwarder stores them), which must
/// decode to exactly those payloads, then be scanned.
pub fn subscription(data: &[u8]) {
    let Some((&selector, data)) = data.split_first() else { return };
    let raw = selector & 1 == 1;
    let payloads: Vec<&[u8]> = data.split(|&b| b == 0).collect();
    let encoded = if raw {
        data.to_vec()
    } else {
        let mut lines = Vec::new();
        for payload in &payloads {
            let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(payload).expect("gzip into memory");
            let bytes = gz.finish().expect("gzip into memory");
            lines.extend_from_slice(base64::engine::general_purpose::STANDARD.encode(bytes).as_bytes());
            lines.push(b'\n');
        }
        lines
    };
    let _ = payload::is_base64_gzip(&encoded);
    match payload::decode(&encoded, crate::source::decompress::WHOLE_TABLE_MAX) {
        Ok(text) => {
            if !raw {
                let expected: usize = payloads.iter().map(|p| p.len() + 1).sum();
                assert_eq!(text.len(), expected, "every payload decoded, in full");
            }
            scan(&text);
        }
        Err(message) => assert!(raw, "a valid encoding failed to decode: {message}"),
    }
}

fn check_invocation(inv: &Invocation<'_>) {
    for us in [inv.duration_us, inv.init_us, inv.restore_us].into_iter().flatten() {
        assert!(us <= MAX_MS * 1000, "duration {us} µs is out of range");
    }
}

/// A sink that checks each record and remembers the highest line it was given.
#[derive(Default)]
struct CheckSink {
    max_line: u64,
}

impl Sink for CheckSink {
    fn invocation(&mut self, inv: &Invocation<'_>, line: u64) {
        assert!(line >= 1, "records are numbered from line 1");
        check_invocation(inv);
        self.max_line = self.max_line.max(line);
    }

    fn skipped(&mut self, line: u64, reason: String) {
        assert!(line >= 1, "skips are numbered from line 1");
        assert!(!reason.trim().is_empty(), "a skip says why");
        self.max_line = self.max_line.max(line);
    }

    fn platform(&mut self, _event: &PlatformLine<'_>, line: u64) {
        self.max_line = self.max_line.max(line);
    }
}

impl CheckSink {
    /// The lines counted and named are within the input's own count of lines.
    fn check_lines(&self, input: &[u8], lines: u64) {
        let breaks = memchr::memchr_iter(b'\n', input).count() as u64;
        assert!(lines <= breaks + 1, "{lines} lines counted in an input of {breaks} line breaks");
        assert!(self.max_line <= breaks + 1, "line {} named in an input of {breaks} line breaks", self.max_line);
    }
}
