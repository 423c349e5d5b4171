//! Lambda's CPU share and memory cap through cgroups: CPU quota = period x
//! memory MB / 1769 (1,769 MB is one vCPU), memory limit = the memory size,
//! no swap. cgroup v2 (`cpu.max`, `memory.max`) or v1 (`cpu.cfs_quota_us`,
//! `memory.limit_in_bytes`) is detected; when neither is writable the run goes
//! on unthrottled, with a message saying so.

use std::fs;
use std::path::{Path, PathBuf};

/// CFS period: 20 ms gives smoother throttling than 100 ms for small shares.
pub const PERIOD_US: u64 = 20_000;

pub struct Limits {
    /// Directories created (removed on drop).
    dirs: Vec<PathBuf>,
    /// Open `cgroup.procs` files, written "0" by the child before exec.
    pub procs: Vec<fs::File>,
    memory_events: Option<PathBuf>,
    oom_before: u64,
    pub description: String,
}

/// CPU quota in µs per period for `memory_mb`, capped at the host's cores.
pub fn quota_us(memory_mb: u64, cores: u64) -> u64 {
    (PERIOD_US * memory_mb / 1769).clamp(1000, PERIOD_US * cores.max(1))
}

impl Limits {
    /// Creates the cgroups for one environment, or explains why not.
    pub fn create(name: &str, memory_mb: u64) -> Result<Limits, String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
        let quota = quota_us(memory_mb, cores);
        let bytes = memory_mb << 20;
        let root = Path::new("/sys/fs/cgroup");
        if root.join("cgroup.controllers").is_file() {
            return v2(root, name, quota, bytes);
        }
        if root.join("cpu").is_dir() && root.join("memory").is_dir() {
            return v1(root, name, quota, bytes);
        }
        Err("no cgroup v1 or v2 hierarchy under /sys/fs/cgroup".to_string())
    }

    /// Whether the kernel killed a process of this environment for memory.
    pub fn oom_killed(&self) -> bool {
        self.memory_events.as_ref().and_then(|p| oom_count(p)).is_some_and(|n| n > self.oom_before)
    }
}

impl Limits {
    /// Kills every process in the environment's cgroups, also those that left its process group
    /// (`setsid`, a double fork): membership of a cgroup is inherited and cannot be shed.
    pub fn kill_all(&self) {
        for d in &self.dirs {
            kill_members(d);
        }
    }
}

/// SIGKILLs the processes listed in `dir/cgroup.procs` until none is left (a process may fork
/// while the list is read); gives up after about a second.
fn kill_members(dir: &Path) {
    for _ in 0..100 {
        let pids: Vec<i32> = fs::read_to_string(dir.join("cgroup.procs"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        if pids.is_empty() {
            return;
        }
        for pid in pids {
            crate::sys::kill_process(pid);
        }
        crate::sys::reap_all();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

impl Drop for Limits {
    fn drop(&mut self) {
        self.procs.clear();
        self.kill_all();
        for d in self.dirs.iter().rev() {
            let _ = fs::remove_dir(d);
        }
    }
}

/// The prefix of every cgroup a runner creates; the runner's pid follows it.
pub const NAME_PREFIX: &str = "bench-runner-";

/// Removes the cgroups of runners that died without cleaning up (killed with SIGKILL, say), after
/// killing whatever still runs in them. Returns how many were removed.
pub fn clean_stale() -> usize {
    let root = Path::new("/sys/fs/cgroup");
    let parents: Vec<PathBuf> = if root.join("cgroup.controllers").is_file() {
        vec![root.join(own_path("").trim_start_matches('/'))]
    } else {
        ["cpu", "memory"].iter().map(|c| root.join(c).join(own_path(c).trim_start_matches('/'))).collect()
    };
    let mut removed = 0;
    for parent in parents {
        let Ok(entries) = fs::read_dir(&parent) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix(NAME_PREFIX).and_then(|r| r.split('-').next()?.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists() {
                continue; // its runner is alive
            }
            kill_members(&e.path());
            if fs::remove_dir(e.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

fn write(path: &Path, value: &str) -> Result<(), String> {
    fs::write(path, value).map_err(|e| format!("{}: {e}", path.display()))
}

fn own_path(controller: &str) -> String {
    // /proc/self/cgroup: "N:controllers:/path" (v1) or "0::/path" (v2).
    let text = fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, ctrls, path) = (f.next()?, f.next()?, f.next()?);
            (ctrls.split(',').any(|c| c == controller) || (controller.is_empty() && ctrls.is_empty()))
                .then(|| path.to_string())
        })
        .next()
        .unwrap_or_else(|| "/".to_string())
}

fn oom_count(path: &Path) -> Option<u64> {
    let text = fs::read_to_string(path).ok()?;
    text.lines().find_map(|l| l.strip_prefix("oom_kill ")).and_then(|v| v.trim().parse().ok())
}

fn v1(root: &Path, name: &str, quota: u64, bytes: u64) -> Result<Limits, String> {
    let cpu = root.join("cpu").join(own_path("cpu").trim_start_matches('/')).join(name);
    let mem = root.join("memory").join(own_path("memory").trim_start_matches('/')).join(name);
    let mut l =
        Limits { dirs: Vec::new(), procs: Vec::new(), memory_events: None, oom_before: 0, description: String::new() };
    for d in [&cpu, &mem] {
        fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
        l.dirs.push(d.clone());
    }
    write(&cpu.join("cpu.cfs_period_us"), &PERIOD_US.to_string())?;
    write(&cpu.join("cpu.cfs_quota_us"), &quota.to_string())?;
    write(&mem.join("memory.limit_in_bytes"), &bytes.to_string())?;
    let _ = write(&mem.join("memory.memsw.limit_in_bytes"), &bytes.to_string());
    l.memory_events = Some(mem.join("memory.oom_control"));
    l.oom_before = oom_count(&mem.join("memory.oom_control")).unwrap_or(0);
    for d in [&cpu, &mem] {
        let f = fs::OpenOptions::new()
            .write(true)
            .open(d.join("cgroup.procs"))
            .map_err(|e| format!("{}: {e}", d.display()))?;
        l.procs.push(f);
    }
    l.description = format!("cgroup v1: cpu {quota}/{PERIOD_US} µs, memory {} MiB", bytes >> 20);
    Ok(l)
}

fn v2(root: &Path, name: &str, quota: u64, bytes: u64) -> Result<Limits, String> {
    let parent = root.join(own_path("").trim_start_matches('/'));
    let dir = parent.join(name);
    let _ = write(&parent.join("cgroup.subtree_control"), "+cpu +memory");
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut l = Limits {
        dirs: vec![dir.clone()],
        procs: Vec::new(),
        memory_events: None,
        oom_before: 0,
        description: String::new(),
    };
    write(&dir.join("cpu.max"), &format!("{quota} {PERIOD_US}"))?;
    write(&dir.join("memory.max"), &bytes.to_string())?;
    let _ = write(&dir.join("memory.swap.max"), "0");
    l.memory_events = Some(dir.join("memory.events"));
    l.oom_before = oom_count(&dir.join("memory.events")).unwrap_or(0);
    l.procs.push(
        fs::OpenOptions::new()
            .write(true)
            .open(dir.join("cgroup.procs"))
            .map_err(|e| format!("{}: {e}", dir.display()))?,
    );
    l.description = format!("cgroup v2: cpu.max {quota} {PERIOD_US}, memory.max {} MiB", bytes >> 20);
    Ok(l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_follows_memory() {
        assert_eq!(quota_us(1769, 2), PERIOD_US);
        assert_eq!(quota_us(256, 2), 2894);
        assert_eq!(quota_us(128, 2), 1447);
        assert_eq!(quota_us(10240, 2), 2 * PERIOD_US);
        assert_eq!(quota_us(64, 2), 1000);
    }
}
