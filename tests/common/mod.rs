//! Shared test helpers: the real-log corpus and a collecting sink.
#![allow(dead_code)]

use lambdastat::parse::{Invocation, PlatformLine, Scanner, Sink, Status};
use std::path::PathBuf;

/// `../shared/real-logs`, beside the repository. When it is absent the caller
/// skips with a printed notice; under `CI=true` absence is a failure.
pub fn real_logs_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/real-logs");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} is missing: real-log conformance tests are required under CI=true", dir.display());
    }
    eprintln!("notice: {} not found; skipping real-log tests", dir.display());
    None
}

/// An owned copy of a parsed invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rec {
    pub line: u64,
    pub request_id: String,
    pub function: Option<String>,
    pub log_stream: Option<String>,
    pub timestamp_ms: Option<i64>,
    pub duration_us: Option<u64>,
    pub billed_ms: Option<u64>,
    pub memory_size_mb: Option<u64>,
    pub max_memory_used_mb: Option<u64>,
    pub init_us: Option<u64>,
    pub restore_us: Option<u64>,
    pub billed_restore_ms: Option<u64>,
    pub status: Status,
    pub error_type: Option<String>,
}

#[derive(Default)]
pub struct Collected {
    pub records: Vec<Rec>,
    pub platform: Vec<String>,
    pub skipped: Vec<(u64, String)>,
    pub lines: u64,
}

impl Collected {
    pub fn get(&self, request_id: &str) -> &Rec {
        self.records.iter().find(|r| r.request_id == request_id).unwrap_or_else(|| panic!("no record {request_id}"))
    }
}

impl Sink for Collected {
    fn invocation(&mut self, inv: &Invocation<'_>, line: u64) {
        self.records.push(Rec {
            line,
            request_id: inv.request_id.to_string(),
            function: inv.function.map(str::to_string),
            log_stream: inv.log_stream.map(str::to_string),
            timestamp_ms: inv.timestamp_ms,
            duration_us: inv.duration_us,
            billed_ms: inv.billed_ms,
            memory_size_mb: inv.memory_size_mb,
            max_memory_used_mb: inv.max_memory_used_mb,
            init_us: inv.init_us,
            restore_us: inv.restore_us,
            billed_restore_ms: inv.billed_restore_ms,
            status: inv.status,
            error_type: inv.error_type.map(str::to_string),
        });
    }
    fn skipped(&mut self, line: u64, reason: String) {
        self.skipped.push((line, reason));
    }
    fn platform(&mut self, ev: &PlatformLine<'_>, line: u64) {
        self.platform.push(format!("{line} {:?}", ev.event));
    }
}

pub fn scan_bytes(bytes: &[u8]) -> Collected {
    let mut c = Collected::default();
    c.lines = Scanner::new().scan(bytes, &mut c);
    c
}

pub fn scan_real(name: &str) -> Option<Collected> {
    let dir = real_logs_dir()?;
    let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Some(scan_bytes(&bytes))
}

/// numpy.percentile(x, 100p) with the default `linear` method, by plain sorting:
/// the reference the tool's percentiles are checked against.
pub fn numpy_linear(values: &[f64], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

mod moto;
#[allow(unused_imports)] // not every test binary that shares these helpers starts moto
pub use moto::Moto;
