//! The one typed record every input shape is parsed into.

/// How an invocation ended, as the REPORT line (text `Status:`) or the JSON
/// `platform.report` `status` says. Text REPORT lines of successful invocations
/// carry no status at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Success,
    Error,
    Timeout,
    /// JSON log format only (`"status":"failure"`): a platform-side failure.
    Failure,
}

impl Status {
    /// How REPORT lines and JSON events spell it.
    pub fn word(self) -> &'static str {
        match self {
            Status::Success => "success",
            Status::Error => "error",
            Status::Timeout => "timeout",
            Status::Failure => "failure",
        }
    }

    pub fn from_word(word: &str) -> Option<Status> {
        match word.to_ascii_lowercase().as_str() {
            "success" => Some(Status::Success),
            "error" => Some(Status::Error),
            "timeout" => Some(Status::Timeout),
            "failure" => Some(Status::Failure),
            _ => None,
        }
    }
}

/// The instruction set a function runs on; sets its price per GB-second.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
pub enum Arch {
    #[default]
    #[value(name = "x86_64")]
    #[serde(rename = "x86_64")]
    X86_64,
    #[value(name = "arm64")]
    #[serde(rename = "arm64")]
    Arm64,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// `x86_64`/`x86`/`amd64` or `arm64`/`aarch64`/`graviton`.
    pub fn parse(s: &str) -> Option<Arch> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x86_64" | "x86" | "amd64" | "x86-64" => Some(Arch::X86_64),
            "arm64" | "aarch64" | "arm" | "graviton" => Some(Arch::Arm64),
            _ => None,
        }
    }
}

/// One Lambda invocation, from one REPORT line, `platform.report` event,
/// Logs Insights row or benchmark result.
///
/// Durations are kept exactly as fixed-point integers: `*_us` fields are
/// microseconds (thousandths of a millisecond; text logs give two decimals,
/// JSON logs up to three), billed fields whole milliseconds, memory in MB.
/// REPORT lines always carry the four core measures; benchmark sources may
/// not (lambda-perf keeps only init durations), and then they are `None`,
/// never zero. Strings borrow from the input, so a record costs no allocation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Invocation<'a> {
    pub request_id: &'a str,
    /// Function named by the data itself (log group, JSON `functionName`), if any.
    pub function: Option<&'a str>,
    pub log_stream: Option<&'a str>,
    /// Epoch milliseconds of the event, when the input carries a timestamp.
    pub timestamp_ms: Option<i64>,
    pub duration_us: Option<u64>,
    pub billed_ms: Option<u64>,
    pub memory_size_mb: Option<u64>,
    pub max_memory_used_mb: Option<u64>,
    pub init_us: Option<u64>,
    pub restore_us: Option<u64>,
    pub billed_restore_ms: Option<u64>,
    pub status: Status,
    pub error_type: Option<&'a str>,
    /// Architecture, when the data says it (benchmark results do; logs don't).
    pub architecture: Option<Arch>,
    /// Runtime version, when the record itself says it (benchmark results).
    pub runtime_version: Option<&'a str>,
}

/// A platform line that is not an invocation, with the function and log
/// stream it belongs to as far as the scanner knows them.
#[derive(Debug, Clone, PartialEq)]
pub struct PlatformLine<'a> {
    pub function: Option<&'a str>,
    pub stream: Option<&'a str>,
    pub event: Platform<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Platform<'a> {
    /// `INIT_START` / `RESTORE_START`: a new execution environment and its
    /// runtime version; the region comes from the runtime version ARN.
    RuntimeStart { runtime_version: &'a str, region: Option<&'a str>, restore: bool },
    /// `INIT_REPORT`: the outcome of an Init phase (Lambda writes it for
    /// failures, and always for SnapStart).
    InitReport { duration_us: Option<u64>, phase: Option<&'a str>, status: Status, error_type: Option<&'a str> },
    /// `RESTORE_REPORT`: the outcome of a SnapStart restore.
    RestoreReport { duration_us: Option<u64>, status: Status, error_type: Option<&'a str> },
    /// An old-style fault line about one request: `<id> Task timed out after
    /// N seconds`, `RequestId: <id> Error: …`, `… Process exited before completing request`.
    Fault { request_id: &'a str, status: Status, error_type: Option<&'a str> },
    /// Package facts of a benchmarked variant (bench-runner CSV).
    Package {
        bytes: Option<u64>,
        files: Option<u64>,
        build_seconds: Option<f64>,
        exe_bytes: Option<u64>,
        build_mode: Option<&'a str>,
        /// Where it ran: `local` (bench-runner's emulation) or `lambda`.
        environment: Option<&'a str>,
    },
}

impl Invocation<'_> {
    /// A cold start is an invocation that reports an Init Duration, or a
    /// Restore Duration (SnapStart).
    pub fn is_cold(&self) -> bool {
        self.init_us.is_some() || self.restore_us.is_some()
    }
}

/// The largest value read as a duration, in milliseconds (about 31 years):
/// a larger one is not a duration, and sums of many stay far from overflow.
pub const MAX_MS: u64 = 1_000_000_000_000;

/// A number of milliseconds as thousandths (microseconds), rounded; `None`
/// unless it is finite, non-negative and at most [`MAX_MS`].
pub fn thousandths_of(ms: f64) -> Option<u64> {
    (ms.is_finite() && (0.0..=MAX_MS as f64).contains(&ms)).then(|| (ms * 1000.0).round() as u64)
}

/// Parses a non-negative decimal like `2338.66` into thousandths (`2338660`),
/// exactly; a fourth decimal and beyond rounds half up; at most [`MAX_MS`]. Accepts E-notation
/// (`1.28E8`) through a float fallback, rounded to the nearest thousandth.
pub fn parse_thousandths(s: &str) -> Option<u64> {
    parse_thousandths_bytes(s.as_bytes())
}

/// [`parse_thousandths`] of bytes (a REPORT read without a UTF-8 check first).
pub fn parse_thousandths_bytes(b: &[u8]) -> Option<u64> {
    if b.is_empty() {
        return None;
    }
    let mut int: u64 = 0;
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        int = int.checked_mul(10)?.checked_add((b[i] - b'0') as u64)?;
        i += 1;
    }
    let int_digits = i;
    let mut frac: u64 = 0;
    let mut frac_digits = 0;
    let mut round_up = false;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            if frac_digits < 3 {
                frac = frac * 10 + (b[i] - b'0') as u64;
            } else if frac_digits == 3 {
                round_up = b[i] >= b'5';
            }
            frac_digits += 1;
            i += 1;
        }
    }
    if i != b.len() || (int_digits == 0 && frac_digits == 0) {
        // E-notation or something else: let the float parser decide.
        return thousandths_of(std::str::from_utf8(b).ok()?.parse().ok()?);
    }
    for _ in frac_digits.min(3)..3 {
        frac *= 10;
    }
    int.checked_mul(1000)?.checked_add(frac + round_up as u64).filter(|&t| t <= MAX_MS * 1000)
}

/// Parses a whole number (`1777`); a value with decimals (`1395.0`) is accepted
/// when its fraction is zero.
pub fn parse_whole(s: &str) -> Option<u64> {
    parse_whole_bytes(s.as_bytes())
}

/// [`parse_whole`] of bytes.
pub fn parse_whole_bytes(b: &[u8]) -> Option<u64> {
    let t = parse_thousandths_bytes(b)?;
    (t % 1000 == 0).then_some(t / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousandths_are_exact() {
        assert_eq!(parse_thousandths("2338.66"), Some(2_338_660));
        assert_eq!(parse_thousandths("0.62"), Some(620));
        assert_eq!(parse_thousandths("463.512"), Some(463_512));
        assert_eq!(parse_thousandths("1.0005"), Some(1_001));
        assert_eq!(parse_thousandths("17"), Some(17_000));
        assert_eq!(parse_thousandths("1.28E8"), Some(128_000_000_000));
        assert_eq!(parse_thousandths("-1"), None);
        assert_eq!(parse_thousandths("."), None);
        assert_eq!(parse_thousandths("abc"), None);
        assert_eq!(parse_thousandths(""), None);
    }

    #[test]
    fn whole_numbers() {
        assert_eq!(parse_whole("1777"), Some(1777));
        assert_eq!(parse_whole("1395.0"), Some(1395));
        assert_eq!(parse_whole("2.5"), None);
    }
}
