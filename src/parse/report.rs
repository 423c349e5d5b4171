//! The REPORT line grammar, written once for every input shape.
//!
//! A REPORT is a list of `Name: value [unit]` pairs after the word `REPORT`.
//! Fields are found by name, never by position; any run of spaces, tabs or
//! newlines separates tokens (copies of logs turn tabs into spaces or
//! newlines, and 2018-era lines have a space before the tab); the X-Ray block
//! (`XRAY TraceId: …`) ends the record; unknown fields (with their unit) are
//! skipped so that new fields AWS adds do not break old parsers; a field given
//! twice with two values, a known field in another unit and `Memory Size: 0`
//! are errors, never a guess.

use super::bytes::{find_stop, lanes_below, lanes_non_ascii};
use super::record::{parse_thousandths, parse_thousandths_bytes, parse_whole, parse_whole_bytes, Status, MAX_MS};
use thiserror::Error;

/// The fields of one REPORT (or INIT_REPORT / RESTORE_REPORT) line.
/// Durations in thousandths of a millisecond.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportFields<'a> {
    pub request_id: &'a str,
    /// `Phase: init|invoke` of INIT_REPORT lines.
    pub phase: Option<&'a str>,
    pub duration_us: Option<u64>,
    pub billed_ms: Option<u64>,
    pub memory_size_mb: Option<u64>,
    pub max_memory_used_mb: Option<u64>,
    pub init_us: Option<u64>,
    pub restore_us: Option<u64>,
    pub billed_restore_ms: Option<u64>,
    pub status: Option<Status>,
    pub error_type: Option<&'a str>,
}

/// Why a REPORT line could not be turned into a record. The `Display` text is
/// the reason counted in the data-quality section, so it names no values.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportError {
    #[error("REPORT without RequestId")]
    MissingRequestId,
    #[error("REPORT missing {0}")]
    MissingField(&'static str),
    #[error("REPORT with unreadable {0}")]
    BadValue(&'static str),
    #[error("REPORT with {0} in an unexpected unit")]
    BadUnit(&'static str),
    #[error("REPORT with two different values of {0}")]
    Conflict(&'static str),
}

/// Words that end a REPORT record when they stand where a field name would.
const STOP_WORDS: &[&str] = &[
    "XRAY",
    "START",
    "END",
    "REPORT",
    "INIT_START",
    "INIT_REPORT",
    "RESTORE_START",
    "RESTORE_REPORT",
    "EXTENSION",
    "TELEMETRY",
];

/// Field names the grammar knows, with the unit each value carries.
const KNOWN_KEYS: &[&str] = &[
    "RequestId",
    "Duration",
    "Billed Duration",
    "Memory Size",
    "Max Memory Used",
    "Init Duration",
    "Restore Duration",
    "Billed Restore Duration",
    "Status",
    "Error Type",
    "Phase",
];

/// True when `line` (leading whitespace allowed) starts with a REPORT field
/// name and colon, e.g. `Duration: 13.82 ms`. Used to join REPORT records whose
/// tabs a copy turned into newlines.
pub fn starts_with_report_field(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    // Every field name starts with an upper-case letter; most lines don't.
    if !t.first().is_some_and(u8::is_ascii_uppercase) {
        return false;
    }
    KNOWN_KEYS[1..]
        .iter()
        .any(|k| t.strip_prefix(k.as_bytes()).is_some_and(|rest| rest.trim_ascii_start().starts_with(b":")))
}

/// Parses the text that follows the word `REPORT`; the request id is required.
pub fn parse_report_fields(text: &str) -> Result<ReportFields<'_>, ReportError> {
    let fields = parse_fields(text)?;
    if fields.request_id.is_empty() {
        return Err(ReportError::MissingRequestId);
    }
    Ok(fields)
}

/// Parses `Name: value [unit]` pairs; `sls logs` writes `- <id>` for
/// `RequestId: <id>`, which is accepted as the first token.
///
/// A copy can lose the separator between fields (`RequestId: <id>Duration: …`,
/// `12.50 msBilled Duration: …`) or between events (`… msREPORT RequestId: …`).
/// When the plain reading looks broken (an error, a required field missing, a
/// value ending in a colon, an unknown field), the text is read again split
/// before every known field name and event keyword glued to what precedes it.
pub fn parse_fields(text: &str) -> Result<ReportFields<'_>, ReportError> {
    if let Some(fields) = parse_canonical(text.as_bytes()) {
        return Ok(fields);
    }
    let first = parse_tokens(text.split_ascii_whitespace());
    let retry = match &first {
        Ok((f, suspicious)) => {
            *suspicious
                || f.duration_us.is_none()
                || f.billed_ms.is_none()
                || f.memory_size_mb.is_none()
                || f.max_memory_used_mb.is_none()
        }
        Err(_) => true,
    };
    if retry {
        let points = glue_points(text);
        if !points.is_empty() {
            if let Ok((fields, _)) = parse_tokens(split_at_points(text, &points)) {
                return Ok(fields);
            }
        }
    }
    first.map(|(fields, _)| fields)
}

/// The REPORT nearly every line is, read without the general grammar's bookkeeping:
/// `RequestId: ID Duration: X ms Billed Duration: N ms Memory Size: N MB Max Memory Used: N MB`,
/// then maybe `Init Duration: X ms`, then nothing but an event keyword (`XRAY`). Any other token, or a
/// value the grammar would refuse or find suspicious, gives `None`, and the general grammar reads the
/// text; for the texts it accepts, the fields are the ones the general grammar gives (a test checks
/// this on random variants).
pub fn parse_canonical(text: &[u8]) -> Option<ReportFields<'_>> {
    exact_canonical(text).or_else(|| canonical_tokens(text))
}

/// The canonical REPORT exactly as Lambda prints it (one space after each key, a tab between
/// fields), matched piece by piece: about a fifth of the work of reading it token by token. Only
/// what [`canonical_tokens`] reads the same way is accepted (the test of [`parse_canonical`]
/// covers both); anything else gives `None`.
fn exact_canonical(text: &[u8]) -> Option<ReportFields<'_>> {
    let mut rest = text.strip_prefix(b" RequestId: ")?;
    // The id: ASCII up to a tab (anything else is left to the token reading).
    let id_len = ascii_token_len(rest);
    let (id, after) = rest.split_at(id_len);
    if id.is_empty() || id.ends_with(b":") {
        return None;
    }
    // SAFETY: every byte of `id` was found to be ASCII above, and ASCII is valid UTF-8.
    let request_id = unsafe { std::str::from_utf8_unchecked(id) };
    rest = after.strip_prefix(b"\tDuration: ")?;
    let r = &mut rest;
    let mut f = ReportFields { request_id, ..ReportFields::default() };
    f.duration_us = Some(thousandths_then(r, b" ms\tBilled Duration: ")?);
    f.billed_ms = Some(whole_then(r, b" ms\tMemory Size: ")?);
    // `Memory Size: 0` is an error the general grammar names.
    f.memory_size_mb = Some(whole_then(r, b" MB\tMax Memory Used: ")?).filter(|&mb| mb > 0);
    f.memory_size_mb?;
    f.max_memory_used_mb = Some(whole_then(r, b" MB")?);
    if let Some(init) = r.strip_prefix(b"\tInit Duration: ") {
        *r = init;
        f.init_us = Some(thousandths_then(r, b" ms")?);
    }
    rest.iter().all(u8::is_ascii_whitespace).then_some(f)
}

/// How many bytes at the start of `b` are ASCII and not whitespace: eight at a time while no byte
/// is under `!` or over 0x7F, then one by one.
fn ascii_token_len(b: &[u8]) -> usize {
    find_stop(b, 0, |w| lanes_below(w, b'!') | lanes_non_ascii(w), |c| !c.is_ascii() || c.is_ascii_whitespace())
}

/// A number of thousandths written as 1 to 12 digits and maybe a point and 1 to 3 more, then
/// `then` (which starts with a space, so the number is a whole token), as
/// [`parse_thousandths_bytes`] reads it; `rest` moves past both. `None` for any other number
/// (the token reading decides those).
fn thousandths_then<const N: usize>(rest: &mut &[u8], then: &[u8; N]) -> Option<u64> {
    let b = *rest;
    let mut i = 0;
    let mut t = 0u64;
    // Up to 13 digits read (no overflow), 12 kept.
    while let Some(d) = b.get(i).filter(|c| i < 13 && c.is_ascii_digit()) {
        t = t * 10 + u64::from(d - b'0');
        i += 1;
    }
    if !(1..=12).contains(&i) {
        return None;
    }
    t *= 1000;
    if b.get(i) == Some(&b'.') {
        let (mut frac, mut scale, start) = (0, 100, i + 1);
        i = start;
        while let Some(d) = b.get(i).filter(|c| c.is_ascii_digit()) {
            frac += u64::from(d - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if !(1..=3).contains(&(i - start)) {
            return None;
        }
        t += frac;
    }
    *rest = b[i..].strip_prefix(then.as_slice())?;
    (t <= MAX_MS * 1000).then_some(t)
}

/// A whole number as [`thousandths_then`] reads it (a zero fraction allowed, as
/// [`parse_whole_bytes`] allows it).
fn whole_then<const N: usize>(rest: &mut &[u8], then: &[u8; N]) -> Option<u64> {
    let t = thousandths_then(rest, then)?;
    (t % 1000 == 0).then_some(t / 1000)
}

/// The canonical fields read token by token, whatever the whitespace between them.
fn canonical_tokens(text: &[u8]) -> Option<ReportFields<'_>> {
    let t = &mut Tokens { text, at: 0 };
    let mut f = ReportFields::default();
    t.word(b"RequestId:")?;
    f.request_id = std::str::from_utf8(t.value()?).ok()?;
    t.word(b"Duration:")?;
    f.duration_us = Some(parse_thousandths_bytes(t.value()?)?);
    t.word(b"ms")?;
    t.word(b"Billed")?;
    t.word(b"Duration:")?;
    f.billed_ms = Some(parse_whole_bytes(t.value()?)?);
    t.word(b"ms")?;
    t.word(b"Memory")?;
    t.word(b"Size:")?;
    // `Memory Size: 0` is an error the general grammar names.
    f.memory_size_mb = Some(parse_whole_bytes(t.value()?)?).filter(|&mb| mb > 0);
    f.memory_size_mb?;
    t.word(b"MB")?;
    t.word(b"Max")?;
    t.word(b"Memory")?;
    t.word(b"Used:")?;
    f.max_memory_used_mb = Some(parse_whole_bytes(t.value()?)?);
    t.word(b"MB")?;
    if t.clone().at_end() {
        return Some(f);
    }
    t.word(b"Init")?;
    t.word(b"Duration:")?;
    f.init_us = Some(parse_thousandths_bytes(t.value()?)?);
    t.word(b"ms")?;
    t.at_end().then_some(f)
}

/// The tokens of a REPORT as `split_ascii_whitespace` cuts them, read as bytes.
#[derive(Clone)]
struct Tokens<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    #[inline(always)]
    fn skip_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        self.skip_space();
        let start = self.at;
        while self.text.get(self.at).is_some_and(|c| !c.is_ascii_whitespace()) {
            self.at += 1;
        }
        (self.at > start).then(|| &self.text[start..self.at])
    }

    /// The next token is `word` (then a value follows): compared where it stands, not cut out first.
    #[inline(always)]
    fn word(&mut self, word: &[u8]) -> Option<()> {
        self.skip_space();
        let rest = &self.text[self.at..];
        let whole = rest.starts_with(word) && rest.get(word.len()).is_none_or(u8::is_ascii_whitespace);
        whole.then(|| self.at += word.len())
    }

    /// A value: the next token, not looking glued to a key (the general grammar's retry).
    #[inline]
    fn value(&mut self) -> Option<&'a [u8]> {
        self.next().filter(|v| !v.ends_with(b":"))
    }

    /// Nothing more, or an event keyword (`XRAY`) that ends the record.
    fn at_end(&mut self) -> bool {
        // A stop word is ASCII: a token that is not UTF-8 is not one.
        self.next().is_none_or(|w| std::str::from_utf8(w).is_ok_and(is_stop_word))
    }
}

/// A unit a value may carry (of known fields and of fields AWS adds later).
fn is_unit(t: &str) -> bool {
    matches!(t, "ms" | "MB" | "s" | "us" | "µs" | "μs" | "ns" | "KB" | "GB" | "MiB" | "GiB" | "KiB" | "bytes")
}

/// One of [`STOP_WORDS`], checked by length first: this runs for every token of every REPORT.
fn is_stop_word(t: &str) -> bool {
    match t.len() {
        3 => t == "END",
        4 => t == "XRAY",
        5 => t == "START",
        6 => t == "REPORT",
        9 => t == "EXTENSION" || t == "TELEMETRY",
        10 => t == "INIT_START",
        11 => t == "INIT_REPORT",
        13 => t == "RESTORE_START",
        14 => t == "RESTORE_REPORT",
        _ => false,
    }
}

/// Reads the fields from whitespace-separated tokens; also says whether the
/// text looked glued (a value ending in a colon, an unknown field name).
fn parse_tokens<'a>(tokens: impl Iterator<Item = &'a str>) -> Result<(ReportFields<'a>, bool), ReportError> {
    let mut tokens = tokens.peekable();
    let mut fields = ReportFields::default();
    let mut suspicious = false;
    if tokens.peek() == Some(&"-") {
        tokens.next();
        fields.request_id = tokens.next().unwrap_or_default();
    }
    // The key being read, as up to four words (`Billed Restore Duration` is three).
    let mut key: [&str; 4] = [""; 4];
    let mut key_len = 0usize;
    while let Some(tok) = tokens.next() {
        // The X-Ray block, or the next event when a copy joined events on one line.
        if is_stop_word(tok) {
            break;
        }
        let (word, ends_key) = match tok.strip_suffix(':') {
            Some(w) => (w, true),
            None => (tok, false),
        };
        if key_len < key.len() {
            key[key_len] = word;
        }
        key_len += 1;
        if !ends_key {
            // `Runtime Version ARN` style keys can have many words; a word that
            // never reaches a colon is dropped once the key gets absurdly long.
            if key_len > 6 {
                key_len = 0;
            }
            continue;
        }
        let words = &key[..key_len.min(key.len())];
        key_len = 0;
        let value = match tokens.next() {
            Some(v) => v,
            None => break,
        };
        suspicious |= value.ends_with(':');
        let field = match_key(words);
        // A unit after the value belongs to it, known field or not (`Runtime Duration: 0.00 ms`).
        let unit = tokens.next_if(|t| is_unit(t));
        let Some(field) = field else {
            suspicious = true;
            continue;
        };
        if let (Some(unit), Some(expected)) = (unit, field.unit()) {
            if unit != expected {
                return Err(ReportError::BadUnit(field.name()));
            }
        }
        match field {
            Field::RequestId => set_text(&mut fields.request_id, value, "RequestId")?,
            Field::Phase => set(&mut fields.phase, value, "Phase")?,
            Field::Duration => set(&mut fields.duration_us, thousandths(value, "Duration")?, "Duration")?,
            Field::Billed => set(&mut fields.billed_ms, whole(value, "Billed Duration")?, "Billed Duration")?,
            Field::MemorySize => {
                let mb = whole(value, "Memory Size")?;
                if mb == 0 {
                    return Err(ReportError::BadValue("Memory Size"));
                }
                set(&mut fields.memory_size_mb, mb, "Memory Size")?
            }
            Field::MaxMemory => {
                set(&mut fields.max_memory_used_mb, whole(value, "Max Memory Used")?, "Max Memory Used")?
            }
            Field::Init => set(&mut fields.init_us, thousandths(value, "Init Duration")?, "Init Duration")?,
            Field::Restore => set(&mut fields.restore_us, thousandths(value, "Restore Duration")?, "Restore Duration")?,
            Field::BilledRestore => {
                set(&mut fields.billed_restore_ms, whole(value, "Billed Restore Duration")?, "Billed Restore Duration")?
            }
            Field::Status => {
                set(&mut fields.status, Status::from_word(value).ok_or(ReportError::BadValue("Status"))?, "Status")?
            }
            Field::ErrorType => set(&mut fields.error_type, value, "Error Type")?,
        }
    }
    Ok((fields, suspicious))
}

/// Sets a field once; the same value again (a doubled copy) is fine, another value is not.
fn set<T: PartialEq>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), ReportError> {
    match slot {
        Some(old) if *old != value => Err(ReportError::Conflict(name)),
        _ => {
            *slot = Some(value);
            Ok(())
        }
    }
}

fn set_text<'a>(slot: &mut &'a str, value: &'a str, name: &'static str) -> Result<(), ReportError> {
    if !slot.is_empty() && *slot != value {
        return Err(ReportError::Conflict(name));
    }
    *slot = value;
    Ok(())
}

/// Byte offsets where a known field name (followed by its colon) or an event
/// keyword (followed by whitespace) is glued to the text before it.
fn glue_points(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let glued = |i: usize| i > 0 && !b[i - 1].is_ascii_whitespace();
    let mut points = Vec::new();
    for key in KNOWN_KEYS {
        for (i, _) in text.match_indices(key) {
            if glued(i) && b.get(i + key.len()) == Some(&b':') {
                points.push(i);
            }
        }
    }
    for word in STOP_WORDS {
        for (i, _) in text.match_indices(word) {
            if glued(i) && b.get(i + word.len()).is_some_and(u8::is_ascii_whitespace) {
                points.push(i);
            }
        }
    }
    points.sort_unstable();
    points.dedup();
    points
}

/// The whitespace-separated tokens of `text`, also cut at `points`.
fn split_at_points<'a>(text: &'a str, points: &[usize]) -> impl Iterator<Item = &'a str> {
    let mut pieces = Vec::with_capacity(points.len() + 1);
    let mut start = 0;
    for &p in points {
        pieces.push(&text[start..p]);
        start = p;
    }
    pieces.push(&text[start..]);
    pieces.into_iter().flat_map(str::split_ascii_whitespace)
}

#[derive(Clone, Copy)]
enum Field {
    Phase,
    RequestId,
    Duration,
    Billed,
    MemorySize,
    MaxMemory,
    Init,
    Restore,
    BilledRestore,
    Status,
    ErrorType,
}

impl Field {
    /// The unit its values are written in, for numeric fields.
    fn unit(self) -> Option<&'static str> {
        match self {
            Field::Duration | Field::Billed | Field::Init | Field::Restore | Field::BilledRestore => Some("ms"),
            Field::MemorySize | Field::MaxMemory => Some("MB"),
            Field::RequestId | Field::Status | Field::ErrorType | Field::Phase => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Field::Phase => "Phase",
            Field::RequestId => "RequestId",
            Field::Duration => "Duration",
            Field::Billed => "Billed Duration",
            Field::MemorySize => "Memory Size",
            Field::MaxMemory => "Max Memory Used",
            Field::Init => "Init Duration",
            Field::Restore => "Restore Duration",
            Field::BilledRestore => "Billed Restore Duration",
            Field::Status => "Status",
            Field::ErrorType => "Error Type",
        }
    }
}

fn match_key(words: &[&str]) -> Option<Field> {
    Some(match words {
        ["RequestId"] => Field::RequestId,
        ["Duration"] => Field::Duration,
        ["Billed", "Duration"] => Field::Billed,
        ["Memory", "Size"] => Field::MemorySize,
        ["Max", "Memory", "Used"] => Field::MaxMemory,
        ["Init", "Duration"] => Field::Init,
        ["Restore", "Duration"] => Field::Restore,
        ["Billed", "Restore", "Duration"] => Field::BilledRestore,
        ["Status"] => Field::Status,
        ["Error", "Type"] => Field::ErrorType,
        ["Phase"] => Field::Phase,
        _ => return None,
    })
}

fn thousandths(v: &str, name: &'static str) -> Result<u64, ReportError> {
    parse_thousandths(v).ok_or(ReportError::BadValue(name))
}

fn whole(v: &str, name: &'static str) -> Result<u64, ReportError> {
    parse_whole(v).ok_or(ReportError::BadValue(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII token's length found eight bytes at a time is the one found byte by byte.
    #[test]
    fn ascii_token_lengths_are_found_as_byte_by_byte() {
        let alphabet = [b'a', b'-', b' ', b'\t', b'\n', b'\r', 0x0C, 0x01, 0x20, 0x21, 0x7F, 0x80, 0xC3, 0xFF];
        for text in super::super::bytes::mixed_texts(0x9e37_79b9_7f4a_7c15, &alphabet) {
            let want = text.iter().position(|c| !c.is_ascii() || c.is_ascii_whitespace()).unwrap_or(text.len());
            assert_eq!(ascii_token_len(&text), want, "{text:?}");
        }
    }

    /// The exact reading accepts only what the token reading reads the same way: every number
    /// shape, id and ending is set in a canonical line and read both ways.
    #[test]
    fn exact_canonical_agrees_with_the_token_reading() {
        let numbers = [
            "0",
            "1",
            "2",
            "15.31",
            "151.96",
            "1.5",
            "1.50",
            "1.500",
            "1.5000",
            "1.0005",
            "0012",
            ".5",
            "5.",
            "1.2.3",
            "1e3",
            "999999999999",
            "1000000000000",
            "1000000000000.001",
            "12345678901234567890123",
            "7:",
            "x",
            "-1",
            "\u{e9}",
        ];
        let ids = ["f2e36cea-4d97-41c3-a0fc-92e4d001fc37", "r:", "\u{e9}t", "a b"];
        let ends = [
            "",
            "\t",
            "\t\r",
            " ",
            "\tXRAY TraceId: 1-2",
            "\tx",
            "x",
            "\tInit Duration: N ms\t",
            "\tInit Duration: N ms x",
        ];
        let (mut exact, mut total) = (0, 0);
        for id in ids {
            for end in ends {
                // Each field in turn takes each number shape; the others stay plain.
                for field in 0..5 {
                    for n in numbers {
                        let mut v = ["15.31", "16", "256", "80", "943.86"];
                        v[field] = n;
                        let text = format!(
                            " RequestId: {id}\tDuration: {} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB{}",
                            v[0], v[1], v[2], v[3], end.replace('N', v[4])
                        );
                        total += 1;
                        if let Some(fields) = exact_canonical(text.as_bytes()) {
                            exact += 1;
                            assert_eq!(Some(fields), canonical_tokens(text.as_bytes()), "{text:?}");
                        }
                    }
                }
            }
        }
        assert!(exact >= total / 25, "the exact reading took {exact} of {total}");
        let line = " RequestId: a\tDuration: 151.96 ms\tBilled Duration: 1096 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\tInit Duration: 943.86 ms\t";
        let f = exact_canonical(line.as_bytes()).unwrap();
        assert_eq!((f.duration_us, f.billed_ms, f.init_us), (Some(151_960), Some(1096), Some(943_860)));
    }

    /// Where the canonical reading accepts a text, it gives what the general grammar gives.
    #[test]
    fn canonical_reading_agrees_with_the_grammar() {
        struct Gen(u64);
        impl Gen {
            fn below(&mut self, n: usize) -> usize {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                (self.0 % n as u64) as usize
            }
            fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
                v[self.below(v.len())]
            }
        }
        let mut g = Gen(0x2545_f491_4f6c_dd1d);
        let seps = ["\t", " ", " \t", "\n", "  "];
        let (good_ms, good_n) = (["12.34", "7", "1776.81", "0.5"], ["7", "128", "1769", "10240"]);
        let odd = ["0", "3.", "1e3", "12.34:", "-1", "99999999999999", "x", "1,5"];
        let (mut accepted, mut total) = (0, 0);
        for _ in 0..20_000 {
            let mut parts: Vec<String> = vec!["RequestId:".into(), "c0d5-71".into()];
            for (key, unit, good) in [
                ("Duration:", "ms", &good_ms),
                ("Billed Duration:", "ms", &good_n),
                ("Memory Size:", "MB", &good_n),
                ("Max Memory Used:", "MB", &good_n),
            ] {
                parts.push(key.into());
                parts.push(if g.below(8) == 0 { g.pick(&odd) } else { g.pick(good) }.into());
                parts.push(if g.below(40) == 0 { "GB" } else { unit }.into());
            }
            match g.below(6) {
                0 => parts.extend(["Init Duration:".into(), g.pick(&good_ms).into(), "ms".into()]),
                1 => parts.push("XRAY TraceId: 1-2-3".into()),
                2 => parts.extend(["Status:".into(), "timeout".into()]),
                3 => parts.push("Duration: 1.00 ms".into()),
                _ => {}
            }
            if g.below(20) == 0 {
                parts.swap(0, 2);
            }
            let sep = g.pick(&seps);
            let text = format!(" {}{sep}", parts.join(sep));
            total += 1;
            if let Some(fast) = parse_canonical(text.as_bytes()) {
                accepted += 1;
                let slow = parse_tokens(text.split_ascii_whitespace()).map(|(f, _)| f);
                assert_eq!(Ok(fast.clone()), slow, "{text:?}");
            }
        }
        assert!(accepted > total / 5 && accepted < total, "{accepted} of {total}");
    }

    #[test]
    fn tab_separated_cold_start_with_xray() {
        let f = parse_report_fields(
            " RequestId: c0d5710b-de30-43c0-bae0-27220db0a69c\tDuration: 1776.81 ms\tBilled Duration: 1777 ms\tMemory Size: 256 MB\tMax Memory Used: 131 MB\tInit Duration: 1987.45 ms\t\nXRAY TraceId: 1-677faf89-09a6b95269c6e56c4d1ab356\tSegmentId: 7e44b09386b9ab35\tSampled: true\t\n",
        )
        .unwrap();
        assert_eq!(f.request_id, "c0d5710b-de30-43c0-bae0-27220db0a69c");
        assert_eq!(f.duration_us, Some(1_776_810));
        assert_eq!(f.billed_ms, Some(1777));
        assert_eq!(f.memory_size_mb, Some(256));
        assert_eq!(f.max_memory_used_mb, Some(131));
        assert_eq!(f.init_us, Some(1_987_450));
        assert_eq!(f.status, None);
    }

    #[test]
    fn order_does_not_matter_and_status_is_read() {
        let f = parse_report_fields(
            " RequestId: x  Status: error  Max Memory Used: 1024 MB Error Type: Runtime.OutOfMemory Memory Size: 1024 MB Billed Duration: 5 ms Duration: 4.10 ms",
        )
        .unwrap();
        assert_eq!(f.status, Some(Status::Error));
        assert_eq!(f.error_type, Some("Runtime.OutOfMemory"));
        assert_eq!(f.duration_us, Some(4_100));
        assert_eq!(f.memory_size_mb, Some(1024));
    }

    #[test]
    fn snapstart_fields() {
        let f = parse_report_fields(" RequestId: a\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 3009 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t").unwrap();
        assert_eq!(f.restore_us, Some(398_970));
        assert_eq!(f.billed_restore_ms, Some(182));
        assert_eq!(f.init_us, None);
    }

    #[test]
    fn stops_at_the_next_event_on_the_same_line() {
        let f = parse_report_fields(" RequestId: a\tDuration: 2.03 ms\tBilled Duration: 90 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\tINIT_START Runtime Version: python:3.12\tSTART RequestId: b Version: $LATEST").unwrap();
        assert_eq!(f.request_id, "a");
        assert_eq!(f.billed_ms, Some(90));
    }

    #[test]
    fn init_report_and_sls_shapes() {
        let f =
            parse_fields(" Init Duration: 0.79 ms\tPhase: init\tStatus: error\tError Type: Runtime.InvalidEntrypoint")
                .unwrap();
        assert_eq!((f.init_us, f.phase, f.status), (Some(790), Some("init"), Some(Status::Error)));
        assert_eq!(f.error_type, Some("Runtime.InvalidEntrypoint"));
        let f = parse_report_fields(" - 5a15\nDuration: 1.32 ms\tBilled Duration: 2 ms").unwrap();
        assert_eq!((f.request_id, f.billed_ms), ("5a15", Some(2)));
    }

    #[test]
    fn bad_values_are_named() {
        assert_eq!(
            parse_report_fields(" RequestId: a Duration: fast ms").unwrap_err(),
            ReportError::BadValue("Duration")
        );
        assert_eq!(parse_report_fields(" Duration: 1.00 ms").unwrap_err(), ReportError::MissingRequestId);
        assert_eq!(parse_report_fields(" RequestId: a Status: weird").unwrap_err(), ReportError::BadValue("Status"));
    }

    #[test]
    fn unknown_fields_are_skipped_with_their_units() {
        let f = parse_report_fields(" RequestId: a\tDuration: 2.00 ms\tRuntime Duration: 0.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tSome Future Size: 12 KB\tInit Duration: 5.00 ms").unwrap();
        assert_eq!((f.duration_us, f.billed_ms, f.memory_size_mb), (Some(2_000), Some(3), Some(128)));
        assert_eq!((f.max_memory_used_mb, f.init_us), (Some(40), Some(5_000)));
    }

    #[test]
    fn glued_separators_are_read() {
        for text in [
            " RequestId: a1b2Duration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB",
            " RequestId: a1b2\tDuration: 2.50 msBilled Duration: 3 msMemory Size: 128 MBMax Memory Used: 40 MB",
            " RequestId: a1b2 Duration: 2.50 ms Billed Duration: 3 ms Memory Size: 128 MB Max Memory Used: 40 MBREPORT RequestId: zz Duration: 9.00 ms",
        ] {
            let f = parse_report_fields(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(f.request_id, "a1b2", "{text}");
            assert_eq!((f.duration_us, f.billed_ms), (Some(2_500), Some(3)), "{text}");
            assert_eq!((f.memory_size_mb, f.max_memory_used_mb), (Some(128), Some(40)), "{text}");
        }
        let f = parse_report_fields(" RequestId: a\tDuration: 1.00 ms\tStatus: errorError Type: Runtime.ExitError")
            .unwrap();
        assert_eq!((f.status, f.error_type), (Some(Status::Error), Some("Runtime.ExitError")));
    }

    #[test]
    fn contradictions_are_errors() {
        let e = |t| parse_report_fields(t).unwrap_err();
        assert_eq!(e(" RequestId: a Duration: 1.00 ms Duration: 2.00 ms"), ReportError::Conflict("Duration"));
        assert_eq!(e(" RequestId: a Duration: 1.00 s"), ReportError::BadUnit("Duration"));
        assert_eq!(e(" RequestId: a Memory Size: 128 KB"), ReportError::BadUnit("Memory Size"));
        assert_eq!(e(" RequestId: a Memory Size: 0 MB"), ReportError::BadValue("Memory Size"));
        assert_eq!(e(" RequestId: a Init Duration: -5.00 ms"), ReportError::BadValue("Init Duration"));
        // The same value twice (a doubled copy) is one value.
        let f = parse_report_fields(" RequestId: a Duration: 1.00 ms Duration: 1.00 ms").unwrap();
        assert_eq!(f.duration_us, Some(1_000));
        assert_eq!(e(" RequestId: a Duration: 1.00 s").to_string(), "REPORT with Duration in an unexpected unit");
    }

    #[test]
    fn stop_words_by_length_are_the_list() {
        for w in STOP_WORDS {
            assert!(is_stop_word(w), "{w}");
        }
        assert!(!is_stop_word("REPORTS") && !is_stop_word("Duration:"));
    }

    #[test]
    fn field_lines_are_recognised() {
        assert!(starts_with_report_field(b"Duration: 13.82 ms"));
        assert!(starts_with_report_field(b"  Billed Duration: 129 ms"));
        assert!(!starts_with_report_field(b"RequestId: x"));
        assert!(!starts_with_report_field(b"Durations are long"));
    }
}
