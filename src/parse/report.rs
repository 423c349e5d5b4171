//! The REPORT line grammar, written once for every input shape.
//!
//! A REPORT is a list of `Name: value [unit]` pairs after the word `REPORT`.
//! Fields are found by name, never by position; any run of spaces, tabs or
//! newlines separates tokens (copies of logs turn tabs into spaces or
//! newlines, and 2018-era lines have a space before the tab); the X-Ray block
//! (`XRAY TraceId: …`) ends the record; unknown fields are ignored so that new
//! fields AWS adds do not break old parsers.

use super::record::{parse_thousandths, parse_whole, Status};
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
pub fn parse_fields(text: &str) -> Result<ReportFields<'_>, ReportError> {
    let mut fields = ReportFields::default();
    let mut tokens = text.split_ascii_whitespace().peekable();
    if tokens.peek() == Some(&"-") {
        tokens.next();
        fields.request_id = tokens.next().unwrap_or_default();
    }
    // The key being read, as up to four words (`Billed Restore Duration` is three).
    let mut key: [&str; 4] = [""; 4];
    let mut key_len = 0usize;
    while let Some(tok) = tokens.next() {
        // The X-Ray block, or the next event when a copy joined events on one line.
        if key_len == 0 && STOP_WORDS.contains(&tok) {
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
        let field = match_key(words);
        // Numeric fields are followed by their unit; consume it.
        if matches!(tokens.peek(), Some(&"ms") | Some(&"MB")) && field.is_some_and(|f| f.numeric()) {
            tokens.next();
        }
        let Some(field) = field else { continue };
        match field {
            Field::RequestId => fields.request_id = value,
            Field::Phase => fields.phase = Some(value),
            Field::Duration => fields.duration_us = Some(thousandths(value, "Duration")?),
            Field::Billed => fields.billed_ms = Some(whole(value, "Billed Duration")?),
            Field::MemorySize => fields.memory_size_mb = Some(whole(value, "Memory Size")?),
            Field::MaxMemory => fields.max_memory_used_mb = Some(whole(value, "Max Memory Used")?),
            Field::Init => fields.init_us = Some(thousandths(value, "Init Duration")?),
            Field::Restore => fields.restore_us = Some(thousandths(value, "Restore Duration")?),
            Field::BilledRestore => fields.billed_restore_ms = Some(whole(value, "Billed Restore Duration")?),
            Field::Status => fields.status = Some(Status::from_word(value).ok_or(ReportError::BadValue("Status"))?),
            Field::ErrorType => fields.error_type = Some(value),
        }
    }
    Ok(fields)
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
    fn numeric(self) -> bool {
        !matches!(self, Field::RequestId | Field::Status | Field::ErrorType | Field::Phase)
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
    fn field_lines_are_recognised() {
        assert!(starts_with_report_field(b"Duration: 13.82 ms"));
        assert!(starts_with_report_field(b"  Billed Duration: 129 ms"));
        assert!(!starts_with_report_field(b"RequestId: x"));
        assert!(!starts_with_report_field(b"Durations are long"));
    }
}
