//! Which shape a file is in, told from its first bytes. The shape decides how
//! the file is labelled in the data-quality section; all three shapes here are
//! read by the same message scanner.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Plain-text CloudWatch lines (S3 export, `aws logs tail`, console copy).
    Text,
    /// `aws logs filter-log-events` / `get-log-events` JSON output.
    CloudwatchJson,
    /// Lambda JSON log format: one `{"time":…,"type":"platform.…"}` per line.
    LambdaJson,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::CloudwatchJson => "cloudwatch-json",
            Format::LambdaJson => "lambda-json",
        }
    }
}

/// Looks at the first 64 KiB: a JSON document holding `"events"`/`"message"`
/// keys is CloudWatch JSON; lines that are platform-event objects are the
/// Lambda JSON log format; anything else is text.
pub fn sniff(buf: &[u8]) -> Format {
    let head = &buf[..buf.len().min(64 * 1024)];
    let first = head
        .split(|&c| c == b'\n')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty() && !l.starts_with(b"#"))
        .unwrap_or_default();
    let has = |needle: &[u8]| memchr::memmem::find(head, needle).is_some();
    let platform_object = |l: &[u8]| memchr::memmem::find(l, b"\"type\":\"platform.").is_some();
    if first.starts_with(b"{") || first.starts_with(b"[") {
        if platform_object(first) {
            return Format::LambdaJson;
        }
        if has(b"\"events\"") || has(b"\"logEvents\"") || has(b"\"message\"") {
            return Format::CloudwatchJson;
        }
    }
    if has(b"\"type\":\"platform.") && !has(b"\"message\"") {
        return Format::LambdaJson;
    }
    Format::Text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            sniff(b"{\n  \"events\": [{\"message\": \"START\"}]}"),
            Format::CloudwatchJson
        );
        assert_eq!(
            sniff(b"{\"time\":\"x\",\"type\":\"platform.start\",\"record\":{}}\n"),
            Format::LambdaJson
        );
        assert_eq!(
            sniff(b"2024-01-01T00:00:00.000Z {\"time\":\"x\",\"type\":\"platform.report\"}\n"),
            Format::LambdaJson
        );
        assert_eq!(
            sniff(b"# note\nSTART RequestId: x Version: $LATEST\n"),
            Format::Text
        );
    }
}
