//! moto's server on loopback, for tests that need AWS (never a hand-written mock): shared by the
//! lambdastat tests (`tests/common`) and bench-runner's (`bench-runner/tests/aws.rs`), so std only.

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

impl Moto {
    /// Switches moto's Lambda to its backend that runs no code (no Docker here): create, update,
    /// wait and invoke then work, and an invoke returns its payload with no log tail.
    pub fn lambda_without_docker(&self) {
        use std::io::{Read, Write};
        let body = r#"{"lambda": {"use_docker": false}}"#;
        let host = self.endpoint.trim_start_matches("http://");
        let mut s = std::net::TcpStream::connect(host).unwrap();
        write!(
            s,
            "POST /moto-api/config HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 20"), "moto-api/config: {answer}");
    }
}
