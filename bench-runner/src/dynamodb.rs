//! A real DynamoDB-compatible server on loopback for the functions under test:
//! moto's server (`python3 -m moto.server`), started in a process group of its
//! own, the table created through the AWS CLI, and stopped (the whole group
//! killed) when the run ends, also when the runner is interrupted. The items
//! are counted at the end, so a run can check that every successful invocation
//! wrote exactly one.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub struct LocalDynamo {
    child: Child,
    pub endpoint: String,
    pub table: String,
    pub region: String,
}

/// Dummy credentials: moto accepts any signature, but routes on a signed request.
const CREDENTIALS: [(&str, &str); 2] =
    [("AWS_ACCESS_KEY_ID", "AKIALOCALBENCHRUNNER"), ("AWS_SECRET_ACCESS_KEY", "local-bench-runner-dummy-secret")];

impl LocalDynamo {
    /// Starts the server on a free loopback port and creates `table` (key `Id`, a string).
    pub fn start(table: &str, region: &str, log: &Path) -> Result<LocalDynamo, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free loopback port for DynamoDB: {e}"))?
            .port();
        let log_file = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().map_err(|e| format!("{}: {e}", log.display()))?)
            .stderr(log_file);
        // SAFETY: pre_exec runs the hook in the child between fork and exec, as `child_setup` requires;
        // with no cgroup descriptors it only calls setpgid and prctl, which are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| crate::sys::child_setup(&[]));
        }
        let child = cmd.spawn().map_err(|e| {
            format!("cannot start moto's server (python3 -m moto.server): {e}; install it with `pip install 'moto[server]'`")
        })?;
        crate::sys::SERVICE_GROUP.store(child.id() as i32, Ordering::SeqCst);
        let mut server = LocalDynamo {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
            table: table.to_string(),
            region: region.to_string(),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "moto's server exited ({status}) before listening; its output is in {}",
                    log.display()
                ));
            }
            if started.elapsed() > Duration::from_secs(30) {
                return Err(format!("moto's server did not listen on port {port} within 30 s; see {}", log.display()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        server.aws(&[
            "create-table",
            "--table-name",
            table,
            "--attribute-definitions",
            "AttributeName=Id,AttributeType=S",
            "--key-schema",
            "AttributeName=Id,KeyType=HASH",
            "--billing-mode",
            "PAY_PER_REQUEST",
        ])?;
        Ok(server)
    }

    /// The environment a function needs to reach the table.
    pub fn function_env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ENDPOINT_URL_DYNAMODB".to_string(), self.endpoint.clone()),
            ("TABLE_NAME".to_string(), self.table.clone()),
        ]
    }

    /// How many items the table holds.
    pub fn count(&self) -> Result<u64, String> {
        let out = self.aws(&[
            "scan",
            "--table-name",
            &self.table,
            "--select",
            "COUNT",
            "--query",
            "Count",
            "--output",
            "text",
        ])?;
        out.trim().parse().map_err(|_| format!("aws dynamodb scan answered `{}`, not a count", out.trim()))
    }

    /// Runs `aws dynamodb ARGS` against the server; its stdout.
    fn aws(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new("aws")
            .args(["--endpoint-url", &self.endpoint, "--region", &self.region, "dynamodb"])
            .args(args)
            .envs(CREDENTIALS)
            .env_remove("AWS_PROFILE")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the AWS CLI (`aws`): {e}; install it with `pip install awscli`"))?;
        if !out.status.success() {
            return Err(format!(
                "aws dynamodb {} failed against {}: {}",
                args[0],
                self.endpoint,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for LocalDynamo {
    fn drop(&mut self) {
        crate::sys::kill_group(self.child.id() as i32);
        let _ = self.child.wait();
        crate::sys::SERVICE_GROUP.store(0, Ordering::SeqCst);
    }
}
