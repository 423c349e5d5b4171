//! One pass over a buffer of log text, in any of the text or JSON shapes.
//!
//! The scanner jumps from needle to needle (`REPORT`, `platform.`,
//! `/aws/lambda/`) with a SIMD multi-substring search, so the text between
//! platform events (application logs, JSON punctuation) is only counted, never
//! tokenized. Around each hit it takes the message: the rest of the line for
//! plain text, or the quoted string (unescaped) when the message sits inside a
//! JSON document or a source-code literal. Every shape therefore goes through the
//! same REPORT grammar and the same JSON platform-event parser.

use super::escape::{opening_quote, quoted_literal, unescape_fully};
use super::json_event::{parse_event, report_invocation};
use super::record::{Invocation, Status};
use super::report::{parse_report_fields, starts_with_report_field, ReportError, ReportFields};
use super::time::parse_timestamp_ms;
use aho_corasick::{AhoCorasick, Input};
use std::borrow::Cow;
use std::sync::LazyLock;

/// Where parsed records and skipped lines go (ripgrep's `Sink` shape).
pub trait Sink {
    /// One invocation; `line` is the 1-based line where its message starts.
    fn invocation(&mut self, inv: &Invocation<'_>, line: u64);
    /// A platform line that looked like a record but could not be read.
    fn skipped(&mut self, line: u64, reason: String);
}

const NEEDLES: [&str; 3] = ["REPORT", "platform.", "/aws/lambda/"];
static FINDER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::new(NEEDLES).expect("static needles"));

/// How far the scanner looks back or ahead for the bounds of one line. Lines
/// longer than this (a whole JSON document on one line) are handled through
/// their quoted messages instead.
const LINE_WINDOW: usize = 1 << 20;

/// Scans log text; remembers the function the data names (log group or
/// `functionName`) so that records after it are attributed to it.
#[derive(Default)]
pub struct Scanner {
    current_function: Option<String>,
}

impl Scanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// The function named most recently by the data, if any.
    pub fn current_function(&self) -> Option<&str> {
        self.current_function.as_deref()
    }

    /// Scans `buf`; returns the number of lines in it.
    pub fn scan(&mut self, buf: &[u8], sink: &mut dyn Sink) -> u64 {
        let mut pos = 0;
        let mut counted = 0;
        let mut line_no: u64 = 1;
        while pos < buf.len() {
            let Some(m) = FINDER.find(Input::new(buf).span(pos..buf.len())) else {
                break;
            };
            let hit = m.start();
            line_no += count_newlines(&buf[counted..hit]);
            counted = hit;
            let next = match m.pattern().as_usize() {
                0 => self.on_report(buf, hit, line_no, sink),
                1 => self.on_platform_event(buf, hit, line_no, sink),
                _ => self.on_log_group(buf, hit),
            };
            pos = next.max(hit + 1);
        }
        let newlines = line_no - 1 + count_newlines(&buf[counted..]);
        newlines + u64::from(!buf.is_empty() && buf[buf.len() - 1] != b'\n')
    }

    fn on_report(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + "REPORT".len();
        // INIT_REPORT, RESTORE_REPORT and words like "REPORTS" are not invocations.
        if hit > 0 && (buf[hit - 1] == b'_' || buf[hit - 1].is_ascii_alphanumeric()) {
            return after;
        }
        if !followed_by_request_id(&buf[after..]) {
            return after;
        }
        let (ls, le) = line_bounds(buf, hit);
        if let Some((open, quote)) = opening_quote(&buf[ls..le], hit - ls) {
            // The message is a quoted string: JSON, CSV or a source-code literal.
            let (literal, end) = quoted_literal(buf, ls + open, quote, le);
            let message = unescape_fully(&String::from_utf8_lossy(&literal));
            if let Some(at) = message.find("REPORT") {
                self.emit_report(&message[at + "REPORT".len()..], None, None, line, sink);
            }
            return end;
        }
        // Plain text; a copy may have turned the tabs into newlines, in which
        // case the fields follow on lines of their own.
        let mut end = le;
        while end < buf.len() {
            let (_, next_end) = line_bounds(buf, end + 1);
            if next_end <= end + 1
                || !starts_with_report_field(&String::from_utf8_lossy(&buf[end + 1..next_end]))
            {
                break;
            }
            end = next_end;
        }
        let text = String::from_utf8_lossy(&buf[after..end]);
        let prefix = String::from_utf8_lossy(&buf[ls..hit]);
        let (ts, stream) = prefix_timestamp_and_stream(&prefix);
        self.emit_report(&text, ts, stream, line, sink);
        // Go on from just after the keyword: a copy may have joined the next
        // events onto this line (`--output text` joins them with tabs).
        after
    }

    fn emit_report(
        &self,
        text: &str,
        ts: Option<i64>,
        stream: Option<&str>,
        line: u64,
        sink: &mut dyn Sink,
    ) {
        match parse_report_fields(text).and_then(require_fields) {
            Ok(f) => {
                let inv = Invocation {
                    request_id: f.request_id,
                    function: self.current_function.as_deref(),
                    log_stream: stream,
                    timestamp_ms: ts,
                    duration_us: f.duration_us.unwrap_or_default(),
                    billed_ms: f.billed_ms.unwrap_or_default(),
                    memory_size_mb: f.memory_size_mb.unwrap_or_default(),
                    max_memory_used_mb: f.max_memory_used_mb.unwrap_or_default(),
                    init_us: f.init_us,
                    restore_us: f.restore_us,
                    billed_restore_ms: f.billed_restore_ms,
                    status: f.status.unwrap_or(Status::Success),
                    error_type: f.error_type,
                };
                sink.invocation(&inv, line);
            }
            Err(e) => sink.skipped(line, e.to_string()),
        }
    }

    fn on_platform_event(
        &mut self,
        buf: &[u8],
        hit: usize,
        line: u64,
        sink: &mut dyn Sink,
    ) -> usize {
        let after = hit + "platform.".len();
        let escaped = hit >= 2 && &buf[hit - 2..hit] == b"\\\"";
        if !(escaped || hit >= 1 && buf[hit - 1] == b'"') {
            return after;
        }
        let kind_len = buf[after..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let kind = &buf[after..after + kind_len];
        if kind != b"report" && kind != b"initStart" {
            return after;
        }
        let (ls, le) = line_bounds(buf, hit);
        let (text, end): (Cow<str>, usize) = if escaped {
            let Some((open, quote)) = opening_quote(&buf[ls..le], hit - 2 - ls) else {
                return after;
            };
            let (literal, end) = quoted_literal(buf, ls + open, quote, le);
            (
                Cow::Owned(unescape_fully(&String::from_utf8_lossy(&literal))),
                end,
            )
        } else {
            (String::from_utf8_lossy(&buf[ls..le]), le)
        };
        let event = text.find('{').and_then(|brace| parse_event(&text[brace..]));
        match (event, kind) {
            (Some(ev), b"report") => match report_invocation(&ev) {
                Ok(mut inv) => {
                    inv.function = self.current_function.as_deref();
                    sink.invocation(&inv, line);
                }
                Err(reason) => sink.skipped(line, reason.to_string()),
            },
            (Some(ev), _) => {
                if let Some(name) = ev
                    .record
                    .function_name
                    .as_deref()
                    .filter(|n| valid_function_name(n))
                {
                    self.current_function = Some(name.to_string());
                }
            }
            (None, b"report") => sink.skipped(line, "malformed platform.report JSON".to_string()),
            (None, _) => {}
        }
        end
    }

    /// `"logGroup": "/aws/lambda/NAME"` (also `logGroupName`, Insights `@log`).
    fn on_log_group(&mut self, buf: &[u8], hit: usize) -> usize {
        let after = hit + "/aws/lambda/".len();
        let look_back = &buf[hit.saturating_sub(40)..hit];
        let is_group_key = memchr::memmem::find(look_back, b"logGroup").is_some()
            || memchr::memmem::find(look_back, b"@log").is_some();
        if !is_group_key {
            return after;
        }
        let len = buf[after..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'_')
            .count();
        if len > 0 {
            self.current_function =
                Some(String::from_utf8_lossy(&buf[after..after + len]).into_owned());
        }
        after + len
    }
}

fn require_fields(f: ReportFields<'_>) -> Result<ReportFields<'_>, ReportError> {
    if f.duration_us.is_none() {
        return Err(ReportError::MissingField("Duration"));
    }
    if f.billed_ms.is_none() {
        return Err(ReportError::MissingField("Billed Duration"));
    }
    if f.memory_size_mb.is_none() {
        return Err(ReportError::MissingField("Memory Size"));
    }
    if f.max_memory_used_mb.is_none() {
        return Err(ReportError::MissingField("Max Memory Used"));
    }
    Ok(f)
}

/// Lambda function names: letters, digits, `-` and `_`, at most 140 characters.
pub fn valid_function_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 140
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// `REPORT` is followed by whitespace (or an escaped tab) and `RequestId`.
fn followed_by_request_id(rest: &[u8]) -> bool {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b' ' | b'\t' => i += 1,
            b'\\' if rest.get(i + 1) == Some(&b't') => i += 2,
            _ => break,
        }
    }
    i > 0 && rest[i..].starts_with(b"RequestId")
}

fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// Start and end (exclusive, before `\n`) of the line holding `pos`.
fn line_bounds(buf: &[u8], pos: usize) -> (usize, usize) {
    let lo = pos.saturating_sub(LINE_WINDOW);
    let start = memchr::memrchr(b'\n', &buf[lo..pos]).map_or(lo, |i| lo + i + 1);
    let hi = (pos + LINE_WINDOW).min(buf.len());
    let end = memchr::memchr(b'\n', &buf[pos..hi]).map_or(hi, |i| pos + i);
    (start, end)
}

/// What stands before a platform keyword on a text line: an ISO timestamp
/// (S3 export, `aws logs tail`, `sam logs`) and maybe a log stream name
/// (`2023/06/02/[72]88ab…`).
fn prefix_timestamp_and_stream(prefix: &str) -> (Option<i64>, Option<&str>) {
    let mut ts = None;
    let mut stream = None;
    for tok in prefix.split_ascii_whitespace() {
        if ts.is_none() {
            if let Some(t) = parse_timestamp_ms(tok) {
                ts = Some(t);
                continue;
            }
        }
        if stream.is_none() && tok.len() > 11 && tok.as_bytes()[4] == b'/' && tok.contains('[') {
            stream = Some(tok);
        }
    }
    (ts, stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// line, request id, function, duration, init, timestamp
    type Row = (u64, String, Option<String>, u64, Option<u64>, Option<i64>);

    #[derive(Default)]
    struct Collect {
        records: Vec<Row>,
        skipped: Vec<(u64, String)>,
    }

    impl Sink for Collect {
        fn invocation(&mut self, inv: &Invocation<'_>, line: u64) {
            self.records.push((
                line,
                inv.request_id.to_string(),
                inv.function.map(str::to_string),
                inv.duration_us,
                inv.init_us,
                inv.timestamp_ms,
            ));
        }
        fn skipped(&mut self, line: u64, reason: String) {
            self.skipped.push((line, reason));
        }
    }

    fn scan(text: &str) -> (Collect, u64) {
        let mut c = Collect::default();
        let lines = Scanner::new().scan(text.as_bytes(), &mut c);
        (c, lines)
    }

    #[test]
    fn plain_text_with_timestamps_and_noise() {
        let (c, lines) = scan(
            "2024-02-13T21:01:04.046Z INIT_START Runtime Version: nodejs:20.v15\n\n\
             2024-02-13T21:01:05.410Z END RequestId: a\n\n\
             2024-02-13T21:01:05.411Z REPORT RequestId: a\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 100.00 ms\t\n\
             app says REPORTS are due\n\
             RESTORE_REPORT Restore Duration: 1.00 ms\n",
        );
        assert_eq!(lines, 7);
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.records[0].0, 5);
        assert_eq!(c.records[0].3, 1_500);
        assert_eq!(c.records[0].4, Some(100_000));
        assert_eq!(c.records[0].5, Some(1_707_858_065_411));
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn escaped_message_in_pretty_json_and_log_group() {
        let (c, _) = scan(
            "{\"logGroupName\": \"/aws/lambda/my-fn\", \"events\": [\n  {\"message\": \"REPORT RequestId: b\\tDuration: 2.00 ms\\tBilled Duration: 3 ms\\tMemory Size: 256 MB\\tMax Memory Used: 70 MB\\t\\n\"},\n  {\"message\": \"REPORT RequestId: c\\tDuration: 4.00 ms\\tBilled Duration: 4 ms\\tMemory Size: 256 MB\\tMax Memory Used: 70 MB\\t\\n\"}]}",
        );
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.records[0].1, "b");
        assert_eq!(c.records[1].1, "c");
        assert_eq!(c.records[1].2.as_deref(), Some("my-fn"));
        assert_eq!(c.records[1].0, 3);
    }

    #[test]
    fn json_platform_events_raw_and_nested() {
        let (c, _) = scan(concat!(
            r#"{"time":"2024-05-20T16:29:44.833Z","type":"platform.initStart","record":{"functionName":"Fn1","functionVersion":"$LATEST"}}"#,
            "\n",
            r#"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"r1","status":"success","metrics":{"durationMs":11.642,"billedDurationMs":12,"memorySizeMB":128,"maxMemoryUsedMB":67,"initDurationMs":174.055}}}"#,
            "\n",
            r#"    "message": "{\"time\":\"2024-06-17T17:23:55.826Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"r2\",\"metrics\":{\"durationMs\":18.593,\"billedDurationMs\":19,\"memorySizeMB\":2048,\"maxMemoryUsedMB\":246},\"status\":\"timeout\"}}","#,
            "\n",
            r#"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"r3","metrics":{"durationMs":1}}}"#,
            "\n",
        ));
        assert_eq!(c.records.len(), 2, "{:?}", c.skipped);
        assert_eq!(c.records[0].1, "r1");
        assert_eq!(c.records[0].2.as_deref(), Some("Fn1"));
        assert_eq!(c.records[0].3, 11_642);
        assert_eq!(c.records[0].4, Some(174_055));
        assert_eq!(c.records[1].1, "r2");
        assert_eq!(c.records[1].3, 18_593);
        assert_eq!(
            c.skipped,
            vec![(4, "platform.report missing billedDurationMs".to_string())]
        );
    }

    #[test]
    fn events_joined_on_one_line() {
        let (c, _) = scan("INIT_START Runtime Version: python:3.12\tSTART RequestId: a Version: $LATEST\tREPORT RequestId: a\tDuration: 2.03 ms\tBilled Duration: 90 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 87.78 ms\tSTART RequestId: b Version: $LATEST\tREPORT RequestId: b\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\n");
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.records[1].1, "b");
        assert_eq!(c.records[0].4, Some(87_780));
    }

    #[test]
    fn tabs_turned_into_newlines_are_joined() {
        let (c, _) = scan("REPORT RequestId: 7ec8\nDuration: 10806.85 ms\nBilled Duration: 10807 ms\nMemory Size: 512 MB\nMax Memory Used: 20 MB\n```\n");
        assert_eq!(c.records.len(), 1, "{:?}", c.skipped);
        assert_eq!(c.records[0].3, 10_806_850);
    }

    #[test]
    fn malformed_report_is_skipped_with_line() {
        let (c, _) = scan("x\nREPORT RequestId: a Duration: 1.00 ms Memory Size: 128 MB\n");
        assert!(c.records.is_empty());
        assert_eq!(
            c.skipped,
            vec![(2, "REPORT missing Billed Duration".to_string())]
        );
    }
}
