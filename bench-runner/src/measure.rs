//! Max Memory Used, measured: the peak resident memory of the environment's
//! process tree. The main process's `VmHWM` is its exact peak; processes it
//! starts (curl in a shell bootstrap) are added by sampling every process in
//! the environment's process group. A running maximum over the environment's
//! life, as Lambda reports it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Samples the process group of `pid` until stopped; `peak()` is the maximum
/// so far, in bytes.
pub struct MemorySampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    pid: i32,
}

impl MemorySampler {
    pub fn start(pid: i32, every: Duration) -> MemorySampler {
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                p.fetch_max(group_rss(pid), Ordering::Relaxed);
                std::thread::sleep(every);
            }
        });
        MemorySampler { peak, stop, pid }
    }

    /// The peak so far, taking one more sample and the main process's own
    /// high-water mark now.
    pub fn peak(&self) -> u64 {
        self.peak.fetch_max(group_rss(self.pid), Ordering::Relaxed);
        self.peak.fetch_max(status_kb(self.pid, "VmHWM:").unwrap_or(0) * 1024, Ordering::Relaxed);
        self.peak.load(Ordering::Relaxed)
    }
}

impl Drop for MemorySampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// `VmRSS`-style field of `/proc/<pid>/status`, in kB.
fn status_kb(pid: i32, field: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line[field.len()..].split_whitespace().next()?.parse().ok()
}

/// Sum of `VmRSS` over the processes whose process group is `pgid`.
fn group_rss(pgid: i32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    let mut total = 0;
    for entry in dir.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // Fields after the command (which may hold spaces) in parentheses.
        let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else { continue };
        let mut f = after.split_whitespace();
        let pg = f.nth(2).and_then(|v| v.parse::<i32>().ok());
        if pg == Some(pgid) {
            total += status_kb(pid, "VmRSS:").unwrap_or(0) * 1024;
        }
    }
    total
}

/// Whole MB (MiB) the way Lambda prints Max Memory Used: rounded up.
pub fn to_mb(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}
