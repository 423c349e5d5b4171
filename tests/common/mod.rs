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

/// moto's server (a real implementation of the S3, CloudWatch Logs and
/// Lambda APIs) on a free loopback port, for as long as this value lives.
/// `None` with a printed notice when moto is not installed; under `CI=true`
/// that is a failure.
pub struct Moto {
    child: std::process::Child,
    pub endpoint: String,
}

impl Moto {
    pub fn start() -> Option<Moto> {
        use std::process::{Command, Stdio};
        let installed = Command::new("python3")
            .args(["-c", "import moto.server"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        let aws = Command::new("aws").arg("--version").output().is_ok_and(|o| o.status.success());
        if !installed || !aws {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("moto's server and the AWS CLI are required under CI=true: pip install 'moto[server]' awscli");
            }
            eprintln!("notice: moto's server or the AWS CLI is missing (pip install 'moto[server]' awscli); skipping");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto's server");
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed().as_secs() < 60, "moto's server did not listen on port {port} within 60 s");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(Moto { child, endpoint: format!("http://127.0.0.1:{port}") })
    }

    /// Dummy credentials and a Region: moto accepts any signature.
    pub const ENV: [(&'static str, &'static str); 3] =
        [("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"), ("AWS_DEFAULT_REGION", "us-east-1")];

    /// Runs the AWS CLI against this server; its stdout, or a panic with its stderr.
    pub fn aws(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("aws")
            .args(["--endpoint-url", &self.endpoint])
            .args(args)
            .envs(Self::ENV)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .output()
            .expect("run the AWS CLI");
        assert!(out.status.success(), "aws {}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
