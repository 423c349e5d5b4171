//! Starting a function the way Lambda does: an executable `bootstrap` (custom
//! runtime) or a command line (managed-style runtimes such as `dotnet
//! Function.dll`), in the task root, with the environment Lambda sets, its
//! stdout and stderr captured line by line as log events.

use crate::cloudwatch::{now_ms, LogEvent};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::io::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct Spec {
    pub function: String,
    pub task_root: PathBuf,
    /// The program and its arguments; `bootstrap` in the task root by default.
    pub command: Vec<String>,
    pub handler: String,
    pub memory_mb: u64,
    pub timeout_s: u64,
    pub region: String,
    pub extra_env: Vec<(String, String)>,
}

/// The environment variables Lambda sets for a function; `tmp` is the environment's own temporary
/// directory (Lambda's per-environment `/tmp`), given as `TMPDIR`.
pub fn lambda_env(spec: &Spec, api: &str, stream: &str, tmp: &Path) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    let mut set = |k: &str, v: String| {
        env.insert(k.to_string(), v);
    };
    set("AWS_LAMBDA_RUNTIME_API", api.to_string());
    set("AWS_LAMBDA_FUNCTION_NAME", spec.function.clone());
    set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", spec.memory_mb.to_string());
    set("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string());
    set("AWS_LAMBDA_FUNCTION_TIMEOUT", spec.timeout_s.to_string());
    set("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string());
    set("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{}", spec.function));
    set("AWS_LAMBDA_LOG_STREAM_NAME", stream.to_string());
    set("LAMBDA_TASK_ROOT", spec.task_root.display().to_string());
    set("LAMBDA_RUNTIME_DIR", spec.task_root.display().to_string());
    set("_HANDLER", spec.handler.clone());
    set("AWS_REGION", spec.region.clone());
    set("AWS_DEFAULT_REGION", spec.region.clone());
    set("AWS_ACCESS_KEY_ID", "AKIALOCALBENCHRUNNER".to_string());
    set("AWS_SECRET_ACCESS_KEY", "local-bench-runner-dummy-secret".to_string());
    set("AWS_SESSION_TOKEN", "local-bench-runner-dummy-token".to_string());
    set("TZ", "UTC".to_string());
    set("LANG", "en_US.UTF-8".to_string());
    set("PATH", std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".to_string()));
    set("HOME", std::env::var("HOME").unwrap_or_else(|_| "/tmp".to_string()));
    set("TMPDIR", tmp.display().to_string());
    for (k, v) in &spec.extra_env {
        env.insert(k.clone(), v.clone());
    }
    env
}

/// Starts the function in its own process group (killed as a whole), with
/// death on the runner's exit, inside the cgroups whose `cgroup.procs` are
/// given. Output lines go to `log` with their arrival time.
pub fn spawn(
    spec: &Spec,
    env: &BTreeMap<String, String>,
    cgroup_procs: &[std::fs::File],
    log: Arc<Mutex<Vec<LogEvent>>>,
) -> std::io::Result<Child> {
    let program = if spec.command[0].contains('/') || spec.command[0] == "bootstrap" {
        spec.task_root.join(&spec.command[0]).display().to_string()
    } else {
        spec.command[0].clone()
    };
    let program = if spec.command[0].starts_with('/') { spec.command[0].clone() } else { program };
    let mut cmd = Command::new(program);
    cmd.args(&spec.command[1..])
        .current_dir(&spec.task_root)
        .env_clear()
        .envs(env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let fds: Vec<i32> = cgroup_procs.iter().map(|f| f.as_raw_fd()).collect();
    // SAFETY: pre_exec runs the hook in the child between fork and exec, which is what
    // `child_setup` requires; it allocates nothing (the fds vector was built before the fork) and
    // makes only async-signal-safe calls; the files behind `fds` are the `cgroup_procs` borrowed
    // for this whole function, so they stay open across the spawn.
    unsafe {
        cmd.pre_exec(move || crate::sys::child_setup(&fds));
    }
    let mut child = cmd.spawn()?;
    for pipe in [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    {
        let log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                log.lock().unwrap().push((now_ms(), format!("{line}\n")));
            }
        });
    }
    Ok(child)
}

/// Bytes and files under a directory (the deployment package).
pub fn package_size(dir: &std::path::Path) -> (u64, u64) {
    let mut bytes = 0;
    let mut files = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let Ok(meta) = e.metadata() else { continue };
            if meta.is_dir() {
                stack.push(e.path());
            } else {
                bytes += meta.len();
                files += 1;
            }
        }
    }
    (bytes, files)
}
