//! The few libc calls std does not wrap (std already links libc).

use std::os::raw::{c_int, c_long, c_ulong};

extern "C" {
    fn kill(pid: c_int, sig: c_int) -> c_int;
    fn setpgid(pid: c_int, pgid: c_int) -> c_int;
    fn prctl(option: c_int, arg2: c_ulong, arg3: c_ulong, arg4: c_ulong, arg5: c_ulong) -> c_int;
    fn signal(signum: c_int, handler: extern "C" fn(c_int)) -> c_long;
    fn _exit(code: c_int) -> !;
    fn write(fd: c_int, buf: *const u8, count: usize) -> isize;
    fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
}

const PR_SET_CHILD_SUBREAPER: c_int = 36;
const WNOHANG: c_int = 1;

/// Makes the runner the reaper of its descendants: processes a killed
/// function leaves behind come to the runner, which reaps them.
pub fn become_subreaper() {
    // SAFETY: PR_SET_CHILD_SUBREAPER takes an integer flag and no pointers, and only changes who
    // reaps this process's orphans; the signature matches prctl(2).
    unsafe { prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
}

/// Reaps every exited descendant (after an environment's process group is killed).
pub fn reap_all() {
    let mut status = 0;
    // SAFETY: `status` is a live, aligned c_int for the call's duration, the only pointer waitpid(2)
    // writes through; WNOHANG makes it return at once.
    while unsafe { waitpid(-1, &mut status, WNOHANG) } > 0 {}
}

pub const SIGKILL: c_int = 9;
const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;
const SIGHUP: c_int = 1;
const PR_SET_PDEATHSIG: c_int = 1;

/// Kills one process.
pub fn kill_process(pid: i32) {
    if pid > 0 {
        // SAFETY: kill(2) takes no pointers and touches no memory of ours; a pid that is gone gives
        // ESRCH, which is harmless here.
        unsafe { kill(pid, SIGKILL) };
    }
}

/// Kills a whole process group (the function and anything it started).
pub fn kill_group(pgid: i32) {
    if pgid > 0 {
        // SAFETY: as in `kill_process`: no pointers, and a negative pid only selects the group.
        unsafe { kill(-pgid, SIGKILL) };
    }
}

/// In the forked child, before exec: a process group of its own, death
/// with the runner, and joining the cgroups whose `cgroup.procs` are open as
/// `cgroup_fds`. Only async-signal-safe calls (no allocation).
///
/// # Safety
/// Call only in the child between fork and exec (a `pre_exec` hook): it moves
/// the calling process to another process group and cgroup, which would be
/// wrong for the runner itself. Each of `cgroup_fds` must be an open,
/// writable file descriptor that stays open until the call returns.
pub unsafe fn child_setup(cgroup_fds: &[i32]) -> std::io::Result<()> {
    // SAFETY: setpgid and prctl take no pointers; `write` reads one byte from a
    // static literal and writes to descriptors the caller guarantees are open.
    unsafe {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL as c_ulong, 0, 0, 0);
        for &fd in cgroup_fds {
            if write(fd, b"0".as_ptr(), 1) != 1 {
                return Err(std::io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

/// The process group of the environment being run, killed if the runner is
/// interrupted so that no function process outlives it.
pub static CURRENT_GROUP: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The process group of a service the run started (the local DynamoDB),
/// killed likewise.
pub static SERVICE_GROUP: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

extern "C" fn on_signal(sig: c_int) {
    // SAFETY: a signal handler may only call async-signal-safe functions: kill(2) and _exit(2)
    // are, and AtomicI32 loads are lock-free, so nothing here can deadlock or allocate.
    unsafe {
        for group in [&CURRENT_GROUP, &SERVICE_GROUP] {
            let pgid = group.load(std::sync::atomic::Ordering::SeqCst);
            if pgid > 0 {
                kill(-pgid, SIGKILL);
            }
        }
        _exit(128 + sig);
    }
}

pub fn install_signal_handlers() {
    // SAFETY: `on_signal` is an `extern "C" fn(c_int)`, the handler type signal(2) expects, and it
    // only calls async-signal-safe functions (see there).
    unsafe {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);
    }
}
