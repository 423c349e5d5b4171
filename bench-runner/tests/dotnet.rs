//! The .NET variants (dotnet/), built and exercised for real: every variant of
//! bench-runner/dotnet.manifest is published (Regular, ReadyToRun, NativeAOT on
//! .NET 8/9/10), run cold and warm against a local DynamoDB (moto's server) by
//! bench-runner/dotnet-demo.sh, and reported by lambdastat. Checks the package
//! layouts, that every REPORT is read, that cold starts carry Init Duration,
//! that the table holds one item per successful invocation, that NativeAOT
//! starts faster than Regular in the same run, and the error paths (a throwing
//! handler, a DynamoDB that is down).
//!
//! Needs the .NET SDK 10 (with a NuGet feed), gcc, zlib1g-dev, zip, python3 with
//! moto and the AWS CLI: without them the tests print a notice and pass, except
//! under `CI=true`, where they fail.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// What is missing for these tests, if anything.
fn missing_tools() -> Vec<&'static str> {
    let works = |cmd: &str, args: &[&str]| Command::new(cmd).args(args).output().is_ok_and(|o| o.status.success());
    let mut missing = Vec::new();
    if !works("dotnet", &["--version"]) {
        missing.push("the .NET SDK (dotnet)");
    }
    if !works("python3", &["-c", "import moto.server"]) {
        missing.push("moto (pip install 'moto[server]')");
    }
    if !works("aws", &["--version"]) {
        missing.push("the AWS CLI (aws)");
    }
    if !works("zip", &["-v"]) {
        missing.push("zip");
    }
    missing
}

/// False (after a notice) where the tools are missing on a user's machine; a
/// failure under CI=true.
fn tools_present() -> bool {
    let missing = missing_tools();
    if missing.is_empty() {
        return true;
    }
    let msg = format!("the .NET variant tests need {}", missing.join(", "));
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg} (CI=true)");
    eprintln!("skipped: {msg}; see docs/bench-runner.md");
    false
}

const VARIANTS: [&str; 7] = [
    "dotnet8-regular",
    "dotnet8-r2r",
    "dotnet8-aot",
    "dotnet9-aot",
    "dotnet10-aot",
    "dotnet10-regular",
    "dotnet10-r2r",
];

/// Runs a command in the repository root; panics with `what` if it fails.
fn run_in_root(program: &str, args: &[&str], what: &str) {
    let ok = Command::new(program).args(args).current_dir(root()).status().unwrap();
    assert!(ok.success(), "{what} failed");
}

/// Builds every variant (bench-runner/build.sh, cached), bench-runner and lambdastat, once.
fn build() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        run_in_root("bash", &["bench-runner/build.sh", "bench-runner/dotnet.manifest"], "building the .NET variants");
        run_in_root("cargo", &["build", "--release", "--locked", "-q", "-p", "lambdastat"], "building lambdastat");
    });
}

fn build_dir(name: &str) -> PathBuf {
    root().join("bench-runner/build").join(name)
}

fn info(name: &str, key: &str) -> String {
    let text = std::fs::read_to_string(build_dir(name).with_extension("info")).unwrap();
    text.lines().filter_map(|l| l.strip_prefix(&format!("{key}="))).next_back().unwrap_or_default().to_string()
}

fn lambdastat_report(input: &Path, out: &Path) -> Value {
    let status = Command::new(root().join("target/release/lambdastat"))
        .args(["report", input.to_str().unwrap(), "-o", out.to_str().unwrap(), "-q"])
        .status()
        .unwrap();
    assert!(status.success());
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

fn group<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["functions"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap_or_else(|| panic!("no {name} in {s}"))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.file_type().unwrap().is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[test]
fn every_variant_against_a_local_dynamodb() {
    if !tools_present() {
        return;
    }
    build();
    // The packages: NativeAOT is one stripped executable named bootstrap; nothing ships symbols or docs.
    for name in VARIANTS {
        let mut dirs = vec![build_dir(name)];
        let lambda = PathBuf::from(format!("{}.lambda", build_dir(name).display()));
        if lambda.is_dir() {
            dirs.push(lambda);
        }
        for dir in dirs {
            for f in files_under(&dir) {
                let ext = f.extension().and_then(|e| e.to_str()).unwrap_or_default();
                assert!(!["dbg", "pdb", "xml"].contains(&ext), "{} is in a deployment package", f.display());
            }
        }
        let package: u64 = info(name, "package_bytes").parse().unwrap();
        assert!(package > 100_000, "{name}: package of {package} bytes");
        if name.ends_with("-aot") {
            let listing: Vec<String> = std::fs::read_dir(build_dir(name))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert_eq!(listing, ["bootstrap"], "{name}");
            let exe = std::fs::read(build_dir(name).join("bootstrap")).unwrap();
            assert_eq!(&exe[..4], b"\x7fELF", "{name}: bootstrap is not an executable");
            assert_eq!(info(name, "exe_bytes"), exe.len().to_string());
        } else {
            assert!(build_dir(name).join("Function.dll").is_file(), "{name}");
        }
    }
    // .NET 8 runs self-contained here (only the .NET 10 runtime is installed); its Lambda package is the
    // framework-dependent one, far smaller than what runs locally.
    let local: u64 = info("dotnet8-regular", "local_package_bytes").parse().unwrap();
    let lambda: u64 = info("dotnet8-regular", "package_bytes").parse().unwrap();
    assert!(local > 10 * lambda, "self-contained {local} vs framework-dependent {lambda}");

    // The demo: 2 fresh environments + 1 environment of 1 cold and 5 warm invocations per variant.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    // The variants are named, so the demo leaves the linux-arm64 variant to its own test below (which
    // builds it in parallel with this one).
    let run = Command::new("bash")
        .args(["bench-runner/dotnet-demo.sh", "2", "5"])
        .args(VARIANTS)
        .env("DEMO_OUT", &out)
        .current_dir(root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "dotnet-demo.sh failed:\n{stderr}");
    // bench-runner counted the table's items after each variant's run (it fails the run otherwise).
    assert_eq!(stderr.matches("holds 8 items, one per successful invocation").count(), VARIANTS.len(), "{stderr}");

    // Every REPORT in the logs is read; every cold start carries an Init Duration.
    let logs = lambdastat_report(&out.join("aws/lambda"), &tmp.path().join("from-logs"));
    assert_eq!(logs["inputs"]["skipped_lines"], 0);
    assert_eq!(logs["inputs"]["records"], 8 * VARIANTS.len() as u64);
    for name in VARIANTS {
        let f = group(&logs, name);
        assert_eq!(f["invocations"], 8, "{name}");
        assert_eq!(f["cold_starts"], 3, "{name}");
        assert_eq!(f["init_ms"]["n"], 3, "{name}");
        assert_eq!(f["cold_latency_ms"]["n"], 3, "{name}");
        assert_eq!(f["errors"], 0, "{name}");
        assert_eq!(f["duration_ms"]["warm"]["n"], 5, "{name}");
        assert!(f["max_memory_mb"]["max"].as_f64().unwrap() > 5.0, "{name}: memory measured");
    }

    // The report of the benchmark CSV: labels, package facts, the Variants table, the baseline.
    let s: Value = serde_json::from_slice(&std::fs::read(out.join("report/summary.json")).unwrap()).unwrap();
    assert_eq!(s["baseline"], "Regular .NET 8");
    for (label, mode, runtime) in [
        ("Regular .NET 8", "JIT", ".NET 8"),
        ("ReadyToRun .NET 8", "ReadyToRun", ".NET 8"),
        ("NativeAOT .NET 8", "NativeAOT", ".NET 8"),
        ("NativeAOT .NET 9", "NativeAOT", ".NET 9"),
        ("NativeAOT .NET 10", "NativeAOT", ".NET 10"),
        ("Regular .NET 10", "JIT", ".NET 10"),
        ("ReadyToRun .NET 10", "ReadyToRun", ".NET 10"),
    ] {
        let f = group(&s, label);
        assert_eq!(f["invocations"], 8, "{label}");
        assert_eq!(f["package"]["build_mode"], mode, "{label}");
        assert_eq!(f["package"]["environment"], "local", "{label}");
        assert_eq!(f["runtime_version"], runtime, "{label}");
        assert!(f["package"]["bytes"].as_u64().unwrap() > 100_000, "{label}");
        assert!(f["package"]["exe_bytes"].as_u64().unwrap() > 0, "{label}");
        assert!(f["package"]["build_seconds"].as_f64().unwrap() > 0.0, "{label}");
    }
    for page in ["index.html", "report.md"] {
        let text = std::fs::read_to_string(out.join("report").join(page)).unwrap();
        assert!(text.contains("Variants"), "{page}");
        assert!(text.contains("local emulation") || text.contains("Local emulation"), "{page}: the banner");
        assert!(text.contains("NativeAOT .NET 10") && text.contains("ReadyToRun .NET 8"), "{page}");
    }
    // In the same run, NativeAOT starts faster than Regular: Init and the cold latency a caller sees.
    for (aot, regular) in [("NativeAOT .NET 10", "Regular .NET 10"), ("NativeAOT .NET 8", "Regular .NET 8")] {
        for metric in ["init_ms", "cold_latency_ms"] {
            let a = group(&s, aot)[metric]["p50"].as_f64().unwrap();
            let r = group(&s, regular)[metric]["p50"].as_f64().unwrap();
            assert!(a < r, "{metric} P50: {aot} {a} ms is not below {regular} {r} ms");
        }
    }
}

#[test]
fn native_aot_for_linux_arm64_cross_built_and_run_under_qemu() {
    if !tools_present() {
        return;
    }
    let works =
        |cmd: &str| Command::new("sh").args(["-c", &format!("command -v {cmd}")]).output().unwrap().status.success();
    if !(works("aarch64-linux-gnu-gcc") && works("qemu-aarch64")) {
        let msg = "the linux-arm64 test needs Debian's gcc-aarch64-linux-gnu and qemu-user";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{msg} (CI=true)");
        eprintln!("skipped: {msg}");
        return;
    }
    run_in_root("bash", &["bench-runner/build.sh", "bench-runner/dotnet-arm64.manifest"], "cross-building linux-arm64");
    let name = "dotnet10-aot-arm64";
    let listing: Vec<String> = std::fs::read_dir(build_dir(name))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listing, ["bootstrap"]);
    let exe = std::fs::read(build_dir(name).join("bootstrap")).unwrap();
    // ELF, 64-bit, e_machine 183 = AArch64.
    assert_eq!((&exe[..4], exe[4], u16::from_le_bytes([exe[18], exe[19]])), (&b"\x7fELF"[..], 2, 183));
    assert_eq!(info(name, "emulated"), "qemu-user");

    let tmp = tempfile::tempdir().unwrap();
    let (run, log) = run_variant(name, tmp.path(), &["--warm", "2", "--timeout", "60", "--dynamodb-table", "items"]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("holds 2 items"), "{stderr}");
    assert_eq!(log.matches("REPORT RequestId").count(), 2, "{log}");
    assert!(!log.contains("Status:"), "{log}");
    let csv = std::fs::read_to_string(tmp.path().join(format!("{name}.csv"))).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let col = |c: &str| row[header.iter().position(|h| *h == c).unwrap()];
    assert_eq!((col("environment"), col("architecture"), col("build_mode")), ("emulated", "arm64", "NativeAOT"));
}

fn run_variant(name: &str, out: &Path, extra: &[&str]) -> (Output, String) {
    let command = info(name, "command");
    let mut cmd = Command::new(root().join("target/release/bench-runner"));
    cmd.args(["run", "--function", name, "--task-root", build_dir(name).to_str().unwrap()])
        .args(["--memory", "512", "--out", out.join("logs").to_str().unwrap()])
        .args(["--csv", out.join(format!("{name}.csv")).to_str().unwrap()])
        .args(["--build-info", build_dir(name).with_extension("info").to_str().unwrap()])
        .args(extra);
    if !command.is_empty() {
        cmd.args(["--command", &command]);
    }
    let output = cmd.output().unwrap();
    let mut text = String::new();
    for f in files_under(&out.join("logs").join(name)) {
        let gz = std::fs::read(&f).unwrap();
        let mut plain = Vec::new();
        // Stored deflate blocks: the payload sits between 5-byte block headers.
        let mut i = 10;
        while i + 5 <= gz.len() - 8 {
            let len = u16::from_le_bytes([gz[i + 1], gz[i + 2]]) as usize;
            plain.extend_from_slice(&gz[i + 5..i + 5 + len]);
            i += 5 + len;
        }
        text.push_str(&String::from_utf8_lossy(&plain));
    }
    (output, text)
}

#[test]
fn a_throwing_handler_and_a_dynamodb_that_is_down_are_errors() {
    if !tools_present() {
        return;
    }
    build();
    let tmp = tempfile::tempdir().unwrap();
    let event = tmp.path().join("fail.json");
    std::fs::write(&event, r#"{"fail": "asked to fail"}"#).unwrap();
    // A port nothing listens on: the DynamoDB the function is given is down.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    for name in ["dotnet10-aot", "dotnet10-regular"] {
        // A throwing handler: Status error with the exception's type; the table stays empty (checked by
        // bench-runner: 0 items for 0 successful invocations).
        let out = tmp.path().join(format!("{name}-throws"));
        let (run, log) = run_variant(
            name,
            &out,
            &["--warm", "2", "--timeout", "30", "--dynamodb-table", "items", "--event", event.to_str().unwrap()],
        );
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{name}: {stderr}");
        assert!(stderr.contains("holds 0 items"), "{name}: {stderr}");
        let reports: Vec<&str> = log.lines().filter(|l| l.contains("REPORT RequestId")).collect();
        assert_eq!(reports.len(), 2, "{name}: {log}");
        for r in &reports {
            assert!(r.contains("Status: error\tError Type: InvalidOperationException"), "{name}: {r}");
        }
        assert!(log.contains("asked to fail"), "{name}: the function's own log line");

        // DynamoDB down: the SDK's bounded retries end in an error well before the 20 s timeout.
        let out = tmp.path().join(format!("{name}-down"));
        let endpoint = format!("AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:{closed}");
        let (run, log) = run_variant(
            name,
            &out,
            &["--warm", "1", "--timeout", "20", "--env", &endpoint, "--env", "TABLE_NAME=items"],
        );
        assert!(run.status.success(), "{name}: {}", String::from_utf8_lossy(&run.stderr));
        let report = log.lines().find(|l| l.contains("REPORT RequestId")).unwrap_or_else(|| panic!("{name}: {log}"));
        assert!(report.contains("Status: error"), "{name}: {report}");
        let duration: f64 = report.split("\tDuration: ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        assert!(duration < 20_000.0, "{name}: gave up only at the timeout: {report}");
    }
}
