//! One pass over a buffer of log text, in any of the text or JSON shapes.
//!
//! The scanner jumps from needle to needle with a SIMD multi-substring search
//! ([`super::needles`]), so the text between platform events (application logs,
//! JSON punctuation) is only counted, never tokenized. Around each hit it takes the
//! message: the rest of the line for plain text, or the quoted string
//! (unescaped) when the message sits inside a JSON document, a CSV cell or a
//! source-code literal. Every shape therefore goes through the same REPORT
//! grammar and the same JSON platform-event parser.

use super::bytes::{find_stop, lanes_below, lanes_equal};
use super::escape::{opening_quote, quoted_literal, unescape_fully};
use super::json_event::{parse_event, parse_event_at, report_invocation, PlatformEvent};
use super::needles::{count_newlines, next_needle, Needle};
use super::record::{thousandths_of, Invocation, Platform, PlatformLine, Status};
use super::report::{
    parse_canonical, parse_fields, parse_report_fields, starts_with_report_field, ReportError, ReportFields,
};
use crate::source::names::looks_like_stream_bytes;
use crate::time::{parse_timestamp_bytes, parse_timestamp_in, parse_timestamp_ms, LastMinute};
use std::borrow::Cow;

/// Where parsed records and skipped lines go (ripgrep's `Sink` shape).
pub trait Sink {
    /// One invocation; `line` is the 1-based line where its message starts.
    fn invocation(&mut self, inv: &Invocation<'_>, line: u64);
    /// A platform line that looked like a record but could not be read.
    fn skipped(&mut self, line: u64, reason: String);
    /// A platform event other than an invocation.
    fn platform(&mut self, _event: &PlatformLine<'_>, _line: u64) {}
}

/// How much of a line before a keyword is read for its timestamp and log
/// stream, and searched for a quote that opens the message. What stands
/// further back on a very long line (events joined without line breaks) is
/// earlier events, not this one's prefix.
const PREFIX_WINDOW: usize = 256;
/// How much text after a keyword one message can hold (a REPORT line is a few
/// hundred bytes). The rest of a longer line is scanned, not parsed as part of it.
const MESSAGE_WINDOW: usize = 2 << 10;
/// How far back the `{` that opens a JSON platform event is looked for, and
/// how much text one event can hold.
const EVENT_WINDOW: usize = 64 << 10;

/// Scans log text. Remembers what the data says about where the next records
/// belong: the function (log group, `functionName`), the log stream
/// (`logStreamName`) and the event timestamp of JSON shapes.
#[derive(Default)]
pub struct Scanner {
    current_function: Option<String>,
    current_stream: Option<String>,
    default_stream: Option<String>,
    pending_timestamp: Option<i64>,
    /// The timestamp of a table row whose message is scanned.
    default_timestamp: Option<i64>,
    /// The bounds of the line found last, so that each line's ends are
    /// searched for once however many keywords it holds.
    line: (usize, usize),
    /// Where the JSON platform event read last ends: the brace that opens the
    /// next one is not looked for before it.
    event_floor: usize,
    /// The stream name and the minute of the last common prefix read (see [`common_prefix_known`]).
    memo: PrefixMemo,
    /// Every REPORT through the general reading (a test sets the two readings side by side).
    #[cfg(test)]
    general_only: bool,
}

/// A message found around a needle hit.
struct Message<'b> {
    /// The message text from the platform keyword on (unescaped if quoted).
    text: Cow<'b, str>,
    timestamp_ms: Option<i64>,
    stream: Option<&'b str>,
    /// Where scanning goes on.
    end: usize,
}

impl Scanner {
    pub fn new() -> Self {
        Self::default()
    }

    /// A scanner for a file whose log stream is known from its path (S3 export).
    pub fn with_stream(stream: Option<String>) -> Self {
        Scanner { default_stream: stream, ..Self::default() }
    }

    /// A scanner for one message whose function and stream a table row names.
    pub fn named(function: Option<String>, stream: Option<String>, timestamp_ms: Option<i64>) -> Self {
        Scanner {
            current_function: function,
            default_stream: stream,
            default_timestamp: timestamp_ms,
            ..Self::default()
        }
    }

    /// The function named most recently by the data, if any.
    pub fn current_function(&self) -> Option<&str> {
        self.current_function.as_deref()
    }

    /// Scans `buf`; returns the number of lines in it.
    pub fn scan(&mut self, buf: &[u8], sink: &mut dyn Sink) -> u64 {
        self.line = (usize::MAX, 0);
        self.event_floor = 0;
        let mut pos = 0;
        let mut counted = 0;
        let mut line_no: u64 = 1;
        while pos < buf.len() {
            // The newlines of the text a handler read past its keyword, then those before the next.
            line_no += count_newlines(&buf[counted..pos]);
            let (found, newlines) = next_needle(buf, pos);
            line_no += newlines;
            let Some((hit, needle)) = found else { return line_no - 1 + u64::from(!ends_with_newline(buf)) };
            counted = hit;
            let next = match needle {
                Needle::Report => self.on_report(buf, hit, line_no, sink),
                Needle::PlatformEvent => self.on_platform_event(buf, hit, line_no, sink),
                Needle::LogGroup => self.on_log_group(buf, hit),
                Needle::RuntimeStart => self.on_runtime_start(buf, hit, line_no, sink),
                Needle::TaskTimedOut => self.on_task_timed_out(buf, hit, line_no, sink),
                Needle::FaultError | Needle::ProcessExited => self.on_fault(buf, hit, line_no, sink),
                Needle::LogStream => self.on_log_stream(buf, hit),
                Needle::Timestamp => self.on_timestamp(buf, hit),
            };
            pos = next.max(hit + 1);
        }
        let newlines = line_no - 1 + count_newlines(&buf[counted..]);
        newlines + u64::from(!ends_with_newline(buf))
    }

    /// Start and end (exclusive, before `\n`) of the line holding `pos`. The
    /// line found last is remembered: the keywords of one long line cost one
    /// search for its ends, not one each (time linear in the input).
    fn line_bounds(&mut self, buf: &[u8], pos: usize) -> (usize, usize) {
        let (start, end) = self.line;
        if start <= pos && pos <= end {
            return self.line;
        }
        // Past the line found last, its end (a newline) bounds the search back.
        let lo = if start <= pos && end < pos { end } else { 0 };
        let start = memchr::memrchr(b'\n', &buf[lo..pos]).map_or(lo, |i| lo + i + 1);
        let end = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i);
        self.line = (start, end);
        self.line
    }

    fn stream<'s>(&'s self, from_line: Option<&'s str>) -> Option<&'s str> {
        from_line.or(self.current_stream.as_deref()).or(self.default_stream.as_deref())
    }

    /// The message holding the keyword at `kw`: a quoted literal when an
    /// unescaped quote opens before it on the line, else the rest of the line.
    fn message<'b>(&mut self, buf: &'b [u8], kw: usize, keyword: &str) -> Option<Message<'b>> {
        let (ls, le) = self.line_bounds(buf, kw);
        let near = ls.max(kw.saturating_sub(PREFIX_WINDOW));
        if let Some((open, quote)) = opening_quote(&buf[near..le], kw - near) {
            let open = near + open;
            let (literal, end) = quoted_literal(buf, open, quote, le);
            let text = unescape_fully(&String::from_utf8_lossy(&literal));
            let at = text.find(keyword)?;
            let (ts, stream) = prefix_timestamp_and_stream(prefix(buf, ls, open));
            let timestamp_ms = ts.or(self.pending_timestamp.take());
            return Some(Message { text: Cow::Owned(text[at..].to_string()), timestamp_ms, stream, end });
        }
        let (timestamp_ms, stream) = prefix_timestamp_and_stream(prefix(buf, ls, kw));
        Some(Message { text: utf8(window(buf, kw, le)), timestamp_ms, stream, end: le })
    }

    fn on_report(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + "REPORT".len();
        if hit > 0 && buf[hit - 1] == b'_' {
            return self.on_phase_report(buf, hit, line, sink);
        }
        // Words like "REPORTS" are not platform lines; `msREPORT RequestId: …` is one glued to the
        // event before it (a copy that lost the separator between events).
        if !followed_by_request_id(&buf[after..]) {
            return after;
        }
        if self.canonical_report(buf, hit, line, sink) {
            return after;
        }
        let Some(mut msg) = self.message(buf, hit, "REPORT") else { return after };
        let quoted = matches!(msg.text, Cow::Owned(_));
        if !quoted {
            // A copy may have turned the tabs into newlines (or `sls logs`
            // split the line): then the fields follow on lines of their own.
            let mut end = msg.end;
            while end < buf.len() {
                let (_, next_end) = self.line_bounds(buf, end + 1);
                if next_end <= end + 1 || !starts_with_report_field(&buf[end + 1..next_end]) {
                    break;
                }
                end = next_end;
            }
            if end > msg.end {
                msg.text = utf8(window(buf, hit, end));
            }
        }
        self.emit_report(&msg.text["REPORT".len()..], msg.timestamp_ms, msg.stream, line, sink);
        // Plain text goes on from just after the keyword: a copy may have
        // joined the next events onto this line (`--output text` does).
        if quoted {
            msg.end
        } else {
            after
        }
    }

    /// The common case read straight from the bytes: an unquoted REPORT line in the canonical
    /// form ([`parse_canonical`]) whose fields do not go on on the next line. What
    /// [`Self::message`] and [`Self::emit_report`] would make of it, without copying or
    /// validating the line first; false (and nothing emitted) for anything else.
    fn canonical_report(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> bool {
        #[cfg(test)]
        if self.general_only {
            return false;
        }
        let (ls, le) = self.line_bounds(buf, hit);
        let near = ls.max(hit.saturating_sub(PREFIX_WINDOW));
        let p = prefix(buf, ls, hit);
        let common = common_prefix_known(p, Some(&mut self.memo));
        // A whole line's prefix with the remembered stream name holds no quote: no string opens in it.
        let quote_free = near == ls && common.is_some_and(|(_, _, remembered)| remembered);
        if !quote_free && opening_quote(&buf[near..le], hit - near).is_some() {
            return false;
        }
        if continues_on_next_line(buf, le) {
            return false;
        }
        let Some(fields) = parse_canonical(&window(buf, hit, le)["REPORT".len()..]) else { return false };
        let (ts, stream) = common.map_or_else(|| any_prefix(p), |(ts, stream, _)| (ts, stream));
        self.emit_fields(fields, ts, stream, line, sink);
        true
    }

    fn emit_report(&self, text: &str, ts: Option<i64>, stream: Option<&str>, line: u64, sink: &mut dyn Sink) {
        match parse_report_fields(text).and_then(require_fields) {
            Ok(f) => self.emit_fields(f, ts, stream, line, sink),
            Err(e) => sink.skipped(line, e.to_string()),
        }
    }

    fn emit_fields(&self, f: ReportFields<'_>, ts: Option<i64>, stream: Option<&str>, line: u64, sink: &mut dyn Sink) {
        let inv = Invocation {
            request_id: f.request_id,
            function: self.current_function.as_deref(),
            log_stream: self.stream(stream),
            timestamp_ms: ts.or(self.default_timestamp),
            duration_us: f.duration_us,
            billed_ms: f.billed_ms,
            memory_size_mb: f.memory_size_mb,
            max_memory_used_mb: f.max_memory_used_mb,
            init_us: f.init_us,
            restore_us: f.restore_us,
            billed_restore_ms: f.billed_restore_ms,
            status: f.status.unwrap_or(Status::Success),
            error_type: f.error_type,
            ..Invocation::default()
        };
        sink.invocation(&inv, line);
    }

    /// `INIT_REPORT …` / `RESTORE_REPORT …` (the hit is on `REPORT`).
    fn on_phase_report(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + "REPORT".len();
        let Some((restore, start)) = init_or_restore(buf, hit, "_") else { return after };
        let keyword = if restore { "RESTORE_REPORT" } else { "INIT_REPORT" };
        let Some(msg) = self.message(buf, start, keyword) else { return after };
        let Ok(f) = parse_fields(&msg.text[keyword.len()..]) else {
            sink.skipped(line, format!("{keyword} with unreadable fields"));
            return after;
        };
        let status = f.status.unwrap_or(Status::Success);
        let event = if restore {
            Platform::RestoreReport { duration_us: f.restore_us, status, error_type: f.error_type }
        } else {
            Platform::InitReport { duration_us: f.init_us, phase: f.phase, status, error_type: f.error_type }
        };
        let stream = self.stream(msg.stream);
        sink.platform(&PlatformLine { function: self.current_function.as_deref(), stream, event }, line);
        after.max(if matches!(msg.text, Cow::Owned(_)) { msg.end } else { after })
    }

    /// `INIT_START Runtime Version: dotnet:8.v47\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:…`
    fn on_runtime_start(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + "_START Runtime Version".len();
        let Some((restore, start)) = init_or_restore(buf, hit, "") else { return after };
        let keyword = if restore { "RESTORE_START" } else { "INIT_START" };
        let Some(msg) = self.message(buf, start, keyword) else { return after };
        let mut words = msg.text.split_ascii_whitespace().skip_while(|w| *w != "Version:");
        let Some(runtime_version) = words.nth(1) else { return after };
        let region = msg.text.find(LAMBDA_ARN).and_then(|i| arn_region(&msg.text[i..]));
        let event = Platform::RuntimeStart { runtime_version, region, restore };
        let stream = self.stream(msg.stream);
        sink.platform(&PlatformLine { function: self.current_function.as_deref(), stream, event }, line);
        after
    }

    /// `<timestamp> <request id> Task timed out after 3.00 seconds`
    fn on_task_timed_out(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + "Task timed out after".len();
        let mut end = hit;
        while end > 0 && (buf[end - 1] == b' ' || buf[end - 1] == b'\t') {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && !buf[start - 1].is_ascii_whitespace() && !matches!(buf[start - 1], b'"' | b'\'') {
            start -= 1;
        }
        let Ok(id) = std::str::from_utf8(&buf[start..end]) else { return after };
        if !looks_like_request_id(id) {
            return after;
        }
        let (ls, _) = self.line_bounds(buf, hit);
        let (_, stream) = prefix_timestamp_and_stream(prefix(buf, ls, start));
        let event = Platform::Fault { request_id: id, status: Status::Timeout, error_type: Some("Sandbox.Timedout") };
        let stream = self.stream(stream);
        sink.platform(&PlatformLine { function: self.current_function.as_deref(), stream, event }, line);
        after
    }

    /// `RequestId: <id> Error: Runtime exited with error: signal: killed` and
    /// `RequestId: <id> Process exited before completing request` (the hit is
    /// on `Error:` or `Process exited`); the error type (`Runtime.ExitError`)
    /// may follow on the next line.
    fn on_fault(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + 1;
        // Back from the anchor: one space, the request id, one space, `RequestId:`.
        let mut i = hit;
        if i == 0 || buf[i - 1] != b' ' {
            return after;
        }
        i -= 1;
        let id_end = i;
        while i > 0 && !buf[i - 1].is_ascii_whitespace() && i + 64 > id_end {
            i -= 1;
        }
        let id_start = i;
        if !buf[..id_start].ends_with(b"RequestId: ") {
            return after;
        }
        let Ok(id) = std::str::from_utf8(&buf[id_start..id_end]) else { return after };
        if !looks_like_request_id(id) {
            return after;
        }
        // The text of the fault up to the end of the line; the error type, if
        // any, stands alone on the next line (or after an escaped `\n`).
        let tail = &buf[hit..buf.len().min(hit + 4096)];
        let line_end = memchr::memchr(b'\n', tail).unwrap_or(tail.len());
        let fault_text = String::from_utf8_lossy(&tail[..line_end]);
        let next_line = tail.get(line_end + 1..).unwrap_or_default();
        let next_line = &next_line[..memchr::memchr(b'\n', next_line).unwrap_or(next_line.len())];
        let error_type = match fault_text.find("\\n") {
            Some(i) => error_type_word(fault_text[i + 2..].as_bytes()),
            None => error_type_word(next_line),
        };
        let status = if fault_text.contains("Task timed out") { Status::Timeout } else { Status::Error };
        let (ls, _) = self.line_bounds(buf, hit);
        let (_, stream) = prefix_timestamp_and_stream(prefix(buf, ls, id_start));
        let event = Platform::Fault { request_id: id, status, error_type: error_type.as_deref() };
        let stream = self.stream(stream);
        sink.platform(&PlatformLine { function: self.current_function.as_deref(), stream, event }, line);
        hit + line_end
    }

    fn on_platform_event(&mut self, buf: &[u8], hit: usize, line: u64, sink: &mut dyn Sink) -> usize {
        let after = hit + "platform.".len();
        let escaped = hit >= 2 && &buf[hit - 2..hit] == b"\\\"";
        if !(escaped || hit >= 1 && buf[hit - 1] == b'"') {
            return after;
        }
        let kind_len = buf[after..].iter().take_while(|c| c.is_ascii_alphabetic()).count();
        let kind = &buf[after..after + kind_len];
        if !matches!(kind, b"report" | b"initStart" | b"restoreStart" | b"initReport" | b"restoreReport") {
            return after;
        }
        let (ls, le) = self.line_bounds(buf, hit);
        // The text an event is read from, when it had to be copied (unescaped, or not UTF-8).
        let owned: String;
        let (ev, end) = if escaped {
            let near = ls.max(hit.saturating_sub(PREFIX_WINDOW));
            let Some((open, quote)) = opening_quote(&buf[near..le], hit - 2 - near) else { return after };
            let (literal, end) = quoted_literal(buf, near + open, quote, le);
            owned = unescape_fully(&String::from_utf8_lossy(&literal));
            (first_event(&owned), end)
        } else {
            // The event is the object around the hit: on this line, or opened lines before (a
            // pretty-printed event: a console copy of the JSON log format, `jq .` output), or one
            // of many joined on one line. Never search back past an event already read.
            let lo = self.event_floor.max(hit.saturating_sub(EVENT_WINDOW));
            self.event_floor = self.event_floor.max(hit);
            match enclosing_object(buf, lo, hit - 1).map(|open| (open, object_text(buf, open))) {
                Some((open, Cow::Borrowed(text))) => match parse_event_at(text) {
                    Some((ev, len)) => {
                        self.event_floor = open + len;
                        (Some(ev), open + len)
                    }
                    None => (None, le),
                },
                Some((_, Cow::Owned(text))) => {
                    owned = text;
                    (first_event(&owned), le)
                }
                None => (None, le),
            }
        };
        let Some(ev) = ev else {
            if kind == b"report" {
                sink.skipped(line, "malformed platform.report JSON".to_string());
            }
            return end;
        };
        let r = &ev.record;
        if let Some(name) = r.function_name.as_deref().filter(|n| valid_function_name(n)) {
            self.current_function = Some(name.to_string());
        }
        let stream = self.stream(r.instance_id.as_deref());
        let function = self.current_function.as_deref();
        let status = r.status.as_deref().and_then(Status::from_word).unwrap_or(Status::Success);
        let error_type = r.error_type.as_deref();
        let duration_us = r.metrics.duration_ms.and_then(thousandths_of);
        let event = match kind {
            b"report" => {
                match report_invocation(&ev) {
                    Ok(mut inv) => {
                        inv.function = function;
                        inv.log_stream = stream;
                        sink.invocation(&inv, line);
                    }
                    Err(reason) => sink.skipped(line, reason.to_string()),
                }
                return end;
            }
            b"initStart" | b"restoreStart" => match r.runtime_version.as_deref() {
                Some(runtime_version) => Platform::RuntimeStart {
                    runtime_version,
                    region: r.runtime_version_arn.as_deref().and_then(arn_region),
                    restore: kind == b"restoreStart",
                },
                None => return end,
            },
            b"initReport" => Platform::InitReport { duration_us, phase: r.phase.as_deref(), status, error_type },
            _ => Platform::RestoreReport { duration_us, status, error_type },
        };
        sink.platform(&PlatformLine { function, stream, event }, line);
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
        let len = buf[after..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'_').count();
        if len > 0 {
            self.current_function = Some(String::from_utf8_lossy(&buf[after..after + len]).into_owned());
        }
        after + len
    }

    /// `"logStreamName": "2024/01/01/[$LATEST]…"` or `"logStream": …` in JSON.
    fn on_log_stream(&mut self, buf: &[u8], hit: usize) -> usize {
        let after = hit + "logStream".len();
        if let Some((value, end)) = json_string_value(buf, after, &[b"Name"]) {
            self.current_stream = Some(value);
            return end;
        }
        after
    }

    /// `"timestamp": 1591714946151` (or an ISO string) before a JSON event's message.
    fn on_timestamp(&mut self, buf: &[u8], hit: usize) -> usize {
        let after = hit + "\"timestamp\"".len();
        let rest = &buf[after..buf.len().min(after + 64)];
        let rest = rest.trim_ascii_start();
        let Some(rest) = rest.strip_prefix(b":") else { return after };
        let rest = rest.trim_ascii_start();
        let token: Vec<u8> = if let Some(q) = rest.strip_prefix(b"\"") {
            q.iter().take_while(|c| **c != b'"').copied().collect()
        } else {
            rest.iter().take_while(|c| c.is_ascii_digit()).copied().collect()
        };
        self.pending_timestamp = std::str::from_utf8(&token).ok().and_then(parse_timestamp_ms);
        after
    }
}

/// Whether `RESTORE` or `INIT` (then `sep`) stands right before `hit`:
/// `(is restore, where the keyword starts)`.
fn init_or_restore(buf: &[u8], hit: usize, sep: &str) -> Option<(bool, usize)> {
    let before = &buf[..hit];
    let before = before.strip_suffix(sep.as_bytes())?;
    if before.ends_with(b"RESTORE") {
        Some((true, before.len() - "RESTORE".len()))
    } else if before.ends_with(b"INIT") {
        Some((false, before.len() - "INIT".len()))
    } else {
        None
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
    !name.is_empty() && name.len() <= 140 && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// How a Lambda ARN starts.
const LAMBDA_ARN: &str = "arn:aws:lambda:";
/// Longer than any Region name (the longest today has 14 characters): a guard against garbage.
const MAX_REGION_LEN: usize = 32;

/// The Region in a runtime version ARN `arn:aws:lambda:<region>::runtime:…`.
pub fn arn_region(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix(LAMBDA_ARN)?;
    rest.split(':').next().filter(|r| !r.is_empty() && r.len() < MAX_REGION_LEN)
}

/// Request ids are UUIDs in real logs, sometimes shortened or masked in
/// copies: 8 or more characters of hex digits, dashes and masking letters.
fn looks_like_request_id(s: &str) -> bool {
    s.len() >= 8
        && s.len() <= 64
        && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        && s.bytes().any(|c| c.is_ascii_digit())
}

/// `Runtime.ExitError`-style error types: `Word.Word` alone on a line.
fn error_type_word(line: &[u8]) -> Option<String> {
    let t = std::str::from_utf8(line).ok()?.trim().trim_end_matches(['"', ',', '\\']);
    let (a, b) = t.split_once('.')?;
    let word = |w: &str| !w.is_empty() && w.bytes().all(|c| c.is_ascii_alphanumeric());
    (word(a) && word(b) && a.as_bytes()[0].is_ascii_uppercase()).then(|| t.to_string())
}

/// The string value of a JSON key whose name continues with one of
/// `suffixes` (or ends) at `at`: `Name": "value"` -> `value`.
fn json_string_value(buf: &[u8], at: usize, suffixes: &[&[u8]]) -> Option<(String, usize)> {
    let mut i = at;
    for s in suffixes {
        if buf[i..].starts_with(s) {
            i += s.len();
            break;
        }
    }
    let close = *buf.get(i)?;
    if close != b'"' && close != b'\'' {
        return None;
    }
    i += 1;
    while i < buf.len() && (buf[i] == b' ' || buf[i] == b'\t') {
        i += 1;
    }
    if buf.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    while i < buf.len() && buf[i].is_ascii_whitespace() {
        i += 1;
    }
    let quote = *buf.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let start = i + 1;
    let len = buf[start..buf.len().min(start + 512)].iter().take_while(|c| **c != quote && **c != b'\n').count();
    Some((String::from_utf8_lossy(&buf[start..start + len]).into_owned(), start + len))
}

/// The `{` of the JSON object that holds position `at` (the innermost one
/// still open there), searching back no further than `lo`. Braces inside
/// strings are skipped over.
fn enclosing_object(buf: &[u8], lo: usize, at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    for i in (lo..at).rev() {
        match buf[i] {
            b'"' if i == 0 || buf[i - 1] != b'\\' => in_string = !in_string,
            b'}' if !in_string => depth += 1,
            b'{' if !in_string => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
    }
    None
}

/// The text from the `{` at `open`: at most [`EVENT_WINDOW`] bytes, cut at
/// a character boundary; read lossily (and then owned) only when it holds bytes
/// that are not UTF-8.
fn object_text(buf: &[u8], open: usize) -> Cow<'_, str> {
    let bytes = &buf[open..buf.len().min(open + EVENT_WINDOW)];
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(e) if e.error_len().is_none() => {
            Cow::Borrowed(std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default())
        }
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// The first JSON platform event in `text`, from its first `{`.
fn first_event(text: &str) -> Option<PlatformEvent<'_>> {
    text.find('{').and_then(|brace| parse_event(&text[brace..]))
}

/// `REPORT` is followed by whitespace (or an escaped tab) and `RequestId`,
/// or by ` - <id>` as `sls logs` prints it.
fn followed_by_request_id(rest: &[u8]) -> bool {
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b' ' | b'\t' => i += 1,
            b'\\' if rest.get(i + 1) == Some(&b't') => i += 2,
            _ => break,
        }
    }
    i > 0 && (rest[i..].starts_with(b"RequestId") || rest[i..].starts_with(b"- "))
}

/// Whether the line after the one ending at `line_end` starts with a REPORT field (the
/// fields of a REPORT whose tabs a copy turned into newlines). Most lines start with a
/// digit: their end is not searched for.
fn continues_on_next_line(buf: &[u8], line_end: usize) -> bool {
    let Some(next) = buf.get(line_end + 1..) else { return false };
    match next.iter().find(|c| !matches!(c, b' ' | b'\t' | b'\r' | b'\x0C')) {
        Some(c) if c.is_ascii_uppercase() => {
            starts_with_report_field(&next[..memchr::memchr(b'\n', next).unwrap_or(next.len())])
        }
        _ => false,
    }
}

/// Whether `buf` is empty or its last line is whole: its lines are its newlines.
fn ends_with_newline(buf: &[u8]) -> bool {
    buf.last().is_none_or(|&c| c == b'\n')
}

/// Text of valid UTF-8 without a copy (the common case), else lossily.
fn utf8(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(b),
    }
}

/// The part of a line before `at` that can be a message's prefix: at most
/// [`PREFIX_WINDOW`] bytes, starting at a whole token.
fn prefix(buf: &[u8], line_start: usize, at: usize) -> &[u8] {
    let from = line_start.max(at.saturating_sub(PREFIX_WINDOW));
    let mut p = &buf[from..at];
    if from > line_start {
        // Cut inside the line: drop the partial token.
        let cut = p.iter().position(|c| c.is_ascii_whitespace()).map_or(p.len(), |i| i + 1);
        p = &p[cut..];
    }
    p
}

/// The text of one message from `at` to `line_end`, at most [`MESSAGE_WINDOW`]
/// bytes of it.
fn window(buf: &[u8], at: usize, line_end: usize) -> &[u8] {
    &buf[at..line_end.min(at + MESSAGE_WINDOW)]
}

/// What stands before a platform keyword on a line: an ISO or epoch-ms
/// timestamp (S3 export, `aws logs tail`, `sam logs`, console CSV) and maybe a
/// log stream name (`2023/06/02/[72]88ab…`).
/// A separator between a prefix's tokens.
fn is_sep(c: u8) -> bool {
    c.is_ascii_whitespace() || c == b','
}

/// A quote around a prefix's token (trimmed off it).
fn is_quote(c: u8) -> bool {
    c == b'`' || c == b'"'
}

/// Where the token that starts at `b[from]` ends: at the first separator, or at the end of `b`.
/// Eight bytes at a time while none of them can be a separator (no byte under `!`, no comma).
fn token_end(b: &[u8], from: usize) -> usize {
    find_stop(b, from, |w| lanes_below(w, b'!') | lanes_equal(w, b','), is_sep)
}

/// Text that is ASCII (as ids and stream names are) without the general UTF-8 check, else checked.
fn ascii_or_utf8(b: &[u8]) -> Option<&str> {
    if b.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        Some(unsafe { std::str::from_utf8_unchecked(b) })
    } else {
        std::str::from_utf8(b).ok()
    }
}

fn prefix_timestamp_and_stream(prefix: &[u8]) -> (Option<i64>, Option<&str>) {
    common_prefix(prefix).unwrap_or_else(|| any_prefix(prefix))
}

/// The two prefixes nearly every line has, `<ISO timestamp> ` (S3 export) and `<ISO timestamp>
/// <stream> ` (`aws logs tail`), read without splitting them into tokens first: what
/// [`any_prefix`] gives for them (a test checks), or `None` for any other prefix.
fn common_prefix(p: &[u8]) -> Option<(Option<i64>, Option<&str>)> {
    common_prefix_known(p, None).map(|(ts, stream, _)| (ts, stream))
}

/// What [`common_prefix_known`] remembers from one line to the next.
#[derive(Debug, Default)]
struct PrefixMemo {
    /// The last stream name accepted that holds no quote, and the space after it.
    stream: Vec<u8>,
    /// The minute of the last timestamp.
    minute: LastMinute,
}

/// [`common_prefix`]; with `memo`, the last stream name it accepted that holds no quote (and the
/// space after it) is remembered there, and a prefix with that same name (most REPORTs follow one of
/// their own stream) skips the name's checks; so is the last timestamp's minute. The third value says
/// the name was the remembered one: then the prefix holds no quote (`"` or `'`) at all.
fn common_prefix_known<'p>(
    p: &'p [u8],
    mut memo: Option<&mut PrefixMemo>,
) -> Option<(Option<i64>, Option<&'p str>, bool)> {
    // `2026-11-01T02:19:24.834Z` or `2026-11-01T23:53:36.049000+00:00`, then one space. With the
    // `T`, a timestamp that parses holds no separator or quote: it is one token.
    let ts_len = match p.len() {
        25.. if p[24] == b' ' => 24,
        33.. if p[32] == b' ' => 32,
        _ => return None,
    };
    if p[10] != b'T' {
        return None;
    }
    let ts = match memo.as_deref_mut() {
        Some(memo) => parse_timestamp_in(&p[..ts_len], &mut memo.minute)?,
        None => parse_timestamp_bytes(&p[..ts_len])?,
    };
    let rest = &p[ts_len + 1..];
    if rest.is_empty() {
        return Some((Some(ts), None, false));
    }
    if let Some(known) = memo.as_deref().map(|m| &m.stream).filter(|k| !k.is_empty() && k.as_slice() == rest) {
        // SAFETY: these bytes equal a name accepted before (and its space), which `ascii_or_utf8`
        // found to be UTF-8.
        let name = unsafe { std::str::from_utf8_unchecked(&rest[..known.len() - 1]) };
        return Some((Some(ts), Some(name), true));
    }
    // One more token, then one space: a stream's name (which, with its `/` at 4, is no timestamp).
    let (&b' ', stream) = rest.split_last()? else { return None };
    if stream.first().is_none_or(|&c| is_quote(c))
        || stream.last().is_none_or(|&c| is_quote(c))
        || token_end(stream, 0) != stream.len()
        || !looks_like_stream_bytes(stream)
    {
        return None;
    }
    let name = ascii_or_utf8(stream);
    if let (Some(memo), Some(_), None) = (memo, name, memchr::memchr2(b'"', b'\'', stream)) {
        memo.stream.clear();
        memo.stream.extend_from_slice(rest);
    }
    Some((Some(ts), name, false))
}

/// Any prefix: its tokens (split at whitespace and commas, quotes trimmed) read one by one.
fn any_prefix(prefix: &[u8]) -> (Option<i64>, Option<&str>) {
    let mut ts = None;
    let mut stream = None;
    // Tokens cut as bytes: every separator and quote is ASCII, so a token of valid UTF-8 is a
    // `str` as it is. Only a stream's name is checked to be UTF-8 (a timestamp is read as ASCII).
    let b = prefix;
    let mut i = 0;
    while i < b.len() {
        if is_sep(b[i]) {
            i += 1;
            continue;
        }
        let (mut start, mut end) = (i, token_end(b, i));
        i = end;
        while start < end && is_quote(b[start]) {
            start += 1;
        }
        while end > start && is_quote(b[end - 1]) {
            end -= 1;
        }
        let tok = &b[start..end];
        // The last timestamp (and stream) wins: one nearer the keyword belongs to it, one
        // further back to an event joined onto the same line.
        if let Some(t) = parse_timestamp_bytes(tok) {
            ts = Some(t);
        } else if looks_like_stream_bytes(tok) {
            stream = ascii_or_utf8(tok).or(stream);
        }
    }
    (ts, stream)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// line, request id, function, duration, init, timestamp, stream
    type Row = (u64, String, Option<String>, Option<u64>, Option<u64>, Option<i64>, Option<String>);

    #[derive(Default)]
    struct Collect {
        records: Vec<Row>,
        skipped: Vec<(u64, String)>,
        platform: Vec<String>,
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
                inv.log_stream.map(str::to_string),
            ));
        }
        fn skipped(&mut self, line: u64, reason: String) {
            self.skipped.push((line, reason));
        }
        fn platform(&mut self, event: &PlatformLine<'_>, line: u64) {
            self.platform.push(format!("{line} {:?} {:?} {:?}", event.function, event.stream, event.event));
        }
    }

    fn scan(text: &str) -> (Collect, u64) {
        let mut c = Collect::default();
        let lines = Scanner::new().scan(text.as_bytes(), &mut c);
        (c, lines)
    }

    /// Every event a scan gives, in order, with its line.
    #[derive(Default)]
    struct Everything(Vec<String>);

    impl Sink for Everything {
        fn invocation(&mut self, inv: &Invocation<'_>, line: u64) {
            self.0.push(format!("{line} {inv:?}"));
        }
        fn skipped(&mut self, line: u64, reason: String) {
            self.0.push(format!("{line} skipped {reason}"));
        }
        fn platform(&mut self, event: &PlatformLine<'_>, line: u64) {
            self.0.push(format!("{line} {:?} {:?} {:?}", event.function, event.stream, event.event));
        }
    }

    /// The two common prefixes read directly give what reading any prefix token by token gives, on
    /// random prefixes near them (other lengths, quotes, commas, tabs, a date with a space, a second
    /// timestamp, names that are and are not streams).
    #[test]
    fn common_prefixes_read_as_any_prefix() {
        let pieces = [
            "2026-11-01T02:19:24.834Z",
            "2026-11-01T23:53:36.049000+00:00",
            "2026-11-01 23:53:36.049000+00:00",
            "2026-13-01T02:19:24.834Z",
            "2026/11/01/[$LATEST]63cbe1e459320dd7044c3cd7f43c661c",
            "2026/11/01/[$LATEST]63cb\u{e9}",
            "\"2026/11/01/[7]ab",
            "2026/11/01/[7]ab`",
            "\"abc/11/01/[7]ab",
            "2026/11/01/x",
            "1707858064046",
            " ",
            "\t",
            ",",
            "\"",
            "x",
        ];
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let (mut common, mut total) = (0, 0);
        let (mut memo, mut remembered) = (PrefixMemo::default(), 0);
        for _ in 0..20_000 {
            let mut p = String::new();
            for k in 0..1 + state % 4 {
                state = next();
                // Half of the prefixes start with one of the two common timestamps.
                let n = if k == 0 && state.is_multiple_of(2) { 2 } else { pieces.len() };
                p.push_str(pieces[(state >> 20) as usize % n]);
                if !state.is_multiple_of(3) {
                    p.push(' ');
                }
            }
            let b = p.as_bytes();
            let fast = common_prefix(b);
            // With the last accepted name remembered, and the prefix read twice (the second time
            // the name is known): the same answer.
            for _ in 0..2 {
                let got = common_prefix_known(b, Some(&mut memo));
                assert_eq!(got.map(|(ts, stream, _)| (ts, stream)), fast, "{p:?} after {memo:?}");
                // The remembered name vouches for a prefix without quotes.
                if got.is_some_and(|(_, _, remembered)| remembered) {
                    assert!(!b.iter().any(|&c| c == b'"' || c == b'\''), "{p:?}");
                    remembered += 1;
                }
            }
            common += usize::from(fast.is_some());
            total += 1;
            assert_eq!(prefix_timestamp_and_stream(b), any_prefix(b), "{p:?}");
            if let Some(f) = fast {
                assert_eq!(f, any_prefix(b), "{p:?}");
            }
        }
        // Both readings are exercised, and the remembered name.
        assert!(common > total / 10 && common < total / 2, "{common} of {total}");
        assert!(remembered > common / 20, "{remembered} of {common}");
    }

    /// The eight-at-a-time search for a token's end finds what a byte-by-byte one finds, whatever
    /// bytes stand around the separators (control bytes, commas, bytes over 0x80, quotes).
    #[test]
    fn token_ends_are_found_as_byte_by_byte() {
        let alphabet = [b'a', b'0', b' ', b'\t', b',', b'\r', 0x0C, 0x01, 0x20, 0x21, b'"', 0xC3, 0xA9, 0xFF, b'['];
        for text in super::super::bytes::mixed_texts(0x853c_49e6_748f_ea9b, &alphabet) {
            for from in 0..=text.len() {
                let want = (from..text.len())
                    .find(|&i| text[i].is_ascii_whitespace() || text[i] == b',')
                    .unwrap_or(text.len());
                assert_eq!(token_end(&text, from), want, "{text:?} from {from}");
            }
        }
    }

    /// The canonical REPORT read straight from the bytes gives what the general reading gives,
    /// on random texts of REPORT lines in and out of the canonical form: quoted or not, fields
    /// continued on the next line, odd separators and values, blank lines, other events.
    #[test]
    fn the_canonical_fast_path_agrees_with_the_general_reading() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        let mut below = |n: usize| (next() % n as u64) as usize;
        let prefixes = [
            "",
            "2024-02-13T21:01:05.411Z ",
            "2026-11-03T04:18:42.285000+00:00 2026/11/01/[$LATEST]58f ",
            "  \t",
            "x \"",
            "1707858064046,\"",
        ];
        let seps = ["\t", " ", "\n", "  ", " \t"];
        let values = ["1.50", "2", "128", "60", "0", "1e3", "7:", "x", "100.00", "\u{e9}"];
        let tails =
            ["", "\t", "XRAY TraceId: 1-2", "Init Duration: 9.10 ms", "Status: error", "\"", "REPORT RequestId: b"];
        let (mut fast, mut total) = (0, 0);
        for _ in 0..4_000 {
            let mut text = String::new();
            for _ in 0..1 + below(4) {
                let sep = seps[below(seps.len())];
                let id = below(3);
                let mut v = || if below(5) == 0 { values[below(values.len())] } else { values[below(4)] };
                let fields = [
                    format!("RequestId: r{id}"),
                    format!("Duration: {} ms", v()),
                    format!("Billed Duration: {} ms", v()),
                    format!("Memory Size: {} MB", v()),
                    format!("Max Memory Used: {} MB", v()),
                ];
                text += prefixes[below(prefixes.len())];
                text += "REPORT ";
                text += &fields.join(sep);
                text += sep;
                text += tails[below(tails.len())];
                text += ["\n", "\n\n", "\n  Init Duration: 3.00 ms\n", "\nEND RequestId: r1\n"][below(4)];
            }
            let run = |general_only| {
                let mut sink = Everything::default();
                let lines = Scanner { general_only, ..Scanner::default() }.scan(text.as_bytes(), &mut sink);
                (sink.0, lines)
            };
            let (general, with_fast) = (run(true), run(false));
            total += 1;
            fast += usize::from(!general.0.is_empty());
            assert_eq!(with_fast, general, "{text:?}");
        }
        assert!(fast > total / 2, "most texts hold a record: {fast} of {total}");
    }

    #[test]
    fn plain_text_with_timestamps_and_noise() {
        let (c, lines) = scan(
            "2024-02-13T21:01:04.046Z INIT_START Runtime Version: nodejs:20.v15\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:ab\n\n\
             2024-02-13T21:01:05.410Z END RequestId: a\n\n\
             2024-02-13T21:01:05.411Z REPORT RequestId: a\tDuration: 1.50 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\tInit Duration: 100.00 ms\t\n\
             app says REPORTS are due\n\
             RESTORE_REPORT Restore Duration: 1.00 ms\n",
        );
        assert_eq!(lines, 7);
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.records[0].0, 5);
        assert_eq!(c.records[0].3, Some(1_500));
        assert_eq!(c.records[0].4, Some(100_000));
        assert_eq!(c.records[0].5, Some(1_707_858_065_411));
        assert!(c.skipped.is_empty());
        assert_eq!(
            c.platform,
            vec![
                "1 None None RuntimeStart { runtime_version: \"nodejs:20.v15\", region: Some(\"eu-west-1\"), restore: false }",
                "7 None None RestoreReport { duration_us: Some(1000), status: Success, error_type: None }",
            ]
        );
    }

    #[test]
    fn escaped_message_in_pretty_json_with_group_stream_and_timestamp() {
        let (c, _) = scan(
            "{\"logGroupName\": \"/aws/lambda/my-fn\", \"events\": [\n  {\"logStreamName\": \"2024/01/01/[$LATEST]ab\", \"timestamp\": 1707858065411, \"message\": \"REPORT RequestId: b\\tDuration: 2.00 ms\\tBilled Duration: 3 ms\\tMemory Size: 256 MB\\tMax Memory Used: 70 MB\\t\\n\"},\n  {\"message\": \"REPORT RequestId: c\\tDuration: 4.00 ms\\tBilled Duration: 4 ms\\tMemory Size: 256 MB\\tMax Memory Used: 70 MB\\t\\n\"}]}",
        );
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.records[0].1, "b");
        assert_eq!(c.records[0].5, Some(1_707_858_065_411));
        assert_eq!(c.records[0].6.as_deref(), Some("2024/01/01/[$LATEST]ab"));
        assert_eq!(c.records[1].1, "c");
        assert_eq!(c.records[1].2.as_deref(), Some("my-fn"));
        assert_eq!(c.records[1].0, 3);
        assert_eq!(c.records[1].5, None, "a timestamp is used once");
    }

    #[test]
    fn events_joined_on_one_line_are_all_read() {
        // JSON platform events with no line break between them (a compact array, a copy that lost
        // its line breaks): each one is read from its own brace, not the line's first.
        let event = |id: &str, init: &str| {
            format!(
                r#"{{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{{"requestId":"{id}","metrics":{{"durationMs":2.5,"billedDurationMs":3,"memorySizeMB":128,"maxMemoryUsedMB":60{init}}}}}}}"#
            )
        };
        let line = format!("[{},{}, {}]", event("a", ",\"initDurationMs\":100"), event("b", ""), event("c", ""));
        let (c, lines) = scan(&line);
        assert_eq!(lines, 1);
        let ids: Vec<_> = c.records.iter().map(|r| (r.1.as_str(), r.4)).collect();
        assert_eq!(ids, [("a", Some(100_000)), ("b", None), ("c", None)], "{:?}", c.skipped);
        // REPORT lines joined by tabs into one line, each with a timestamp before it: every
        // REPORT is read, with its own timestamp, not the line's first.
        let mut line = String::new();
        for i in 0..3 {
            line.push_str(&format!(
                "2024-01-0{}T00:00:00.000Z REPORT RequestId: r{i}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t",
                i + 1
            ));
        }
        let (c, _) = scan(&line);
        let got: Vec<_> = c.records.iter().map(|r| (r.1.as_str(), r.5)).collect();
        assert_eq!(
            got,
            [("r0", Some(1_704_067_200_000)), ("r1", Some(1_704_153_600_000)), ("r2", Some(1_704_240_000_000))]
        );
    }

    #[test]
    fn json_platform_events_raw_and_nested() {
        let (c, _) = scan(concat!(
            r#"{"time":"2024-05-20T16:29:44.833Z","type":"platform.initStart","record":{"runtimeVersion":"nodejs:18.v28","runtimeVersionArn":"arn:aws:lambda:eu-west-3::runtime:b4","functionName":"Fn1","functionVersion":"$LATEST"}}"#,
            "\n",
            r#"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"r1","status":"success","metrics":{"durationMs":11.642,"billedDurationMs":12,"memorySizeMB":128,"maxMemoryUsedMB":67,"initDurationMs":174.055}}}"#,
            "\n",
            r#"    "message": "{\"time\":\"2024-06-17T17:23:55.826Z\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"r2\",\"metrics\":{\"durationMs\":18.593,\"billedDurationMs\":19,\"memorySizeMB\":2048,\"maxMemoryUsedMB\":246},\"status\":\"timeout\"}}","#,
            "\n",
            // Lambda Managed Instances: durationMs only; an invocation with what it has.
            r#"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"r3","metrics":{"durationMs":1}}}"#,
            "\n",
            r#"{"time":"2024-05-20T16:29:45.022Z","type":"platform.report","record":{"requestId":"r4","metrics":{"durationMs":1,"billedDurationMs":2,"memorySizeMB":128,"maxMemoryUsedMB":60,"initDurationMs":-5}}}"#,
            "\n",
            r#"{"time":"2024-06-17T17:48:06.348Z","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init","status":"timeout","metrics":{"durationMs":10000.487}}}"#,
            "\n",
        ));
        assert_eq!(c.records.len(), 3, "{:?}", c.skipped);
        assert_eq!(c.records[0].1, "r1");
        assert_eq!(c.records[0].2.as_deref(), Some("Fn1"));
        assert_eq!(c.records[0].3, Some(11_642));
        assert_eq!(c.records[0].4, Some(174_055));
        assert_eq!(c.records[1].1, "r2");
        assert_eq!(c.records[1].3, Some(18_593));
        assert_eq!((c.records[2].1.as_str(), c.records[2].3), ("r3", Some(1_000)));
        assert_eq!(c.skipped, vec![(5, "platform.report with unreadable initDurationMs".to_string())]);
        assert_eq!(c.platform.len(), 2);
        assert!(c.platform[0].contains("region: Some(\"eu-west-3\")"), "{}", c.platform[0]);
        assert!(
            c.platform[1].contains("InitReport { duration_us: Some(10000487), phase: Some(\"init\"), status: Timeout"),
            "{}",
            c.platform[1]
        );
    }

    #[test]
    fn old_style_faults() {
        let (c, _) = scan(concat!(
            "RequestId: c3252230-c73d-49f6-8844-968c01d1e2e1 Error: Runtime exited without providing a reason\n",
            "Runtime.ExitError\n",
            "END RequestId: c3252230-c73d-49f6-8844-968c01d1e2e1\n",
            "2024-03-04T17:22:38.033Z b70435cc-261c-4438-b9b6-efe4c8f04b21 Task timed out after 3.00 seconds\n",
            "fd9bb1b0dfd7 INFO RequestId: not a fault\n",
            "RequestId: 16f8d3a2-26fc-11e8-bca6-73dbc61c39e7 Process exited before completing request\n",
        ));
        assert_eq!(c.platform.len(), 3, "{:?}", c.platform);
        assert!(c.platform[0].contains("request_id: \"c3252230-c73d-49f6-8844-968c01d1e2e1\", status: Error, error_type: Some(\"Runtime.ExitError\")"));
        assert!(c.platform[1].contains("b70435cc-261c-4438-b9b6-efe4c8f04b21\", status: Timeout"));
        assert!(c.platform[2].contains("16f8d3a2-26fc-11e8-bca6-73dbc61c39e7\", status: Error, error_type: None"));
    }

    #[test]
    fn events_joined_on_one_line() {
        let (c, _) = scan("INIT_START Runtime Version: python:3.12\tSTART RequestId: a Version: $LATEST\tREPORT RequestId: a\tDuration: 2.03 ms\tBilled Duration: 90 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 87.78 ms\tSTART RequestId: b Version: $LATEST\tREPORT RequestId: b\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\n");
        assert_eq!(c.records.len(), 2);
        assert_eq!(c.records[1].1, "b");
        assert_eq!(c.records[0].4, Some(87_780));
    }

    #[test]
    fn pretty_printed_json_events() {
        // `jq .` output of the JSON log format: each event spread over lines.
        let text = r#"{
  "time": "2024-05-20T16:29:44.833Z",
  "type": "platform.initStart",
  "record": {
    "runtimeVersion": "nodejs:18.v28",
    "runtimeVersionArn": "arn:aws:lambda:eu-west-3::runtime:b4",
    "functionName": "Fn1"
  }
}
{
  "time": "2024-05-20T16:29:45.022Z",
  "type": "platform.report",
  "record": {
    "requestId": "r1",
    "metrics": {
      "durationMs": 11.642,
      "billedDurationMs": 12,
      "memorySizeMB": 128,
      "maxMemoryUsedMB": 67,
      "initDurationMs": 174.055
    },
    "status": "success",
    "tracing": { "spanId": "{x}", "type": "X-Amzn-Trace-Id" }
  }
}
{"time":"2024-05-20T16:29:46.022Z","type":"platform.report","record":{"requestId":"r2","metrics":{"durationMs":2.5,"billedDurationMs":3,"memorySizeMB":128,"maxMemoryUsedMB":67}}}
"#;
        let (c, _) = scan(text);
        assert!(c.skipped.is_empty(), "{:?}", c.skipped);
        assert_eq!(c.records.len(), 2);
        assert_eq!((c.records[0].1.as_str(), c.records[0].2.as_deref()), ("r1", Some("Fn1")));
        assert_eq!((c.records[0].3, c.records[0].4), (Some(11_642), Some(174_055)));
        assert_eq!(c.records[1].1, "r2");
        assert!(c.platform[0].contains("region: Some(\"eu-west-3\")"), "{}", c.platform[0]);
    }

    #[test]
    fn events_glued_without_a_separator() {
        let (c, _) = scan("REPORT RequestId: a\tDuration: 2.03 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MBREPORT RequestId: b\tDuration: 1.00 msBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\n");
        assert_eq!(c.records.len(), 2, "{:?}", c.skipped);
        assert_eq!((c.records[0].1.as_str(), c.records[1].1.as_str()), ("a", "b"));
        assert!(c.skipped.is_empty());
    }

    #[test]
    fn tabs_turned_into_newlines_and_sls_logs_are_joined() {
        let (c, _) = scan("REPORT RequestId: 7ec8\nDuration: 10806.85 ms\nBilled Duration: 10807 ms\nMemory Size: 512 MB\nMax Memory Used: 20 MB\n```\nREPORT - 5a15\nDuration: 1.32 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 56 MB\n");
        assert_eq!(c.records.len(), 2, "{:?}", c.skipped);
        assert_eq!(c.records[0].3, Some(10_806_850));
        assert_eq!(c.records[1].1, "5a15");
    }

    #[test]
    fn sam_logs_prefix_gives_stream_and_timestamp() {
        let (c, _) = scan("2023/06/02/[72]88ab 2023-06-02T11:27:25.060000 REPORT RequestId: x\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\n");
        assert_eq!(c.records[0].6.as_deref(), Some("2023/06/02/[72]88ab"));
        assert_eq!(c.records[0].5, Some(1_685_705_245_060));
    }

    #[test]
    fn malformed_report_is_skipped_with_line() {
        let (c, _) = scan("x\nREPORT RequestId: a Duration: 1.00 ms Memory Size: 128 MB\n");
        assert!(c.records.is_empty());
        assert_eq!(c.skipped, vec![(2, "REPORT missing Billed Duration".to_string())]);
    }
}
