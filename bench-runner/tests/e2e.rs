//! End to end: build the test functions (the official Rust client
//! `lambda_runtime`, and the AWS tutorial's curl bootstrap), run them cold
//! and warm under a memory size, feed the logs to `lambdastat report`, and
//! check counts, cold starts with init durations, measured memory, the CSV,
//! every fault case, and that no process outlives the runner.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Once, RwLock, RwLockReadGuard, RwLockWriteGuard};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

static BUILD: Once = Once::new();

/// Tests run in parallel, but every runner that starts removes the cgroups of runners that died and kills
/// what ran in them. The test that SIGKILLs a runner holds this for writing, so that no other test's runner
/// cleans up after its dead one before it has looked; every other test holds it for reading.
static RUNNERS: RwLock<()> = RwLock::new(());

/// Builds (once) and holds the runners' lock for reading until the test ends.
fn build() -> RwLockReadGuard<'static, ()> {
    build_once();
    RUNNERS.read().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Builds (once) and holds the runners' lock alone until the test ends.
fn build_alone() -> RwLockWriteGuard<'static, ()> {
    build_once();
    RUNNERS.write().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Builds the runner, the functions (bench-runner/build.sh) and lambdastat, once.
fn build_once() {
    BUILD.call_once(|| {
        let ok = Command::new("bash").arg("bench-runner/build.sh").current_dir(root()).status().unwrap().success();
        assert!(ok, "bench-runner/build.sh failed");
        let ok = Command::new("cargo")
            .args(["build", "--release", "--locked", "-q", "-p", "lambdastat"])
            .current_dir(root())
            .status()
            .unwrap();
        assert!(ok.success());
    });
}

fn runner(out: &Path, function: &str, task: &str, args: &[&str]) -> std::process::Output {
    let task_root = root().join("bench-runner/build").join(task);
    let handler = std::fs::read_to_string(root().join(format!("bench-runner/build/{task}.handler"))).unwrap();
    let scratch = out.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    Command::new(root().join("target/release/bench-runner"))
        .env("TMPDIR", &scratch)
        .args(["run", "--function", function, "--task-root", task_root.to_str().unwrap(), "--handler", handler.trim()])
        .args([
            "--out",
            out.join("logs/aws/lambda").to_str().unwrap(),
            "--csv",
            out.join("benchmark.csv").to_str().unwrap(),
        ])
        .args(args)
        .output()
        .unwrap()
}

fn report(out: &Path) -> serde_json::Value {
    let status = Command::new(root().join("target/release/lambdastat"))
        .args(["report", out.join("logs").to_str().unwrap(), "-o", out.join("report").to_str().unwrap(), "-q"])
        .current_dir(out)
        .status()
        .unwrap();
    assert!(status.success());
    serde_json::from_slice(&std::fs::read(out.join("report/summary.json")).unwrap()).unwrap()
}

fn group<'a>(s: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    s["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == name)
        .unwrap_or_else(|| panic!("no {name} in {s}"))
}

fn event_file(dir: &Path, json: &str) -> String {
    let p = dir.join(format!(
        "event-{:x}.json",
        json.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
    ));
    std::fs::write(&p, json).unwrap();
    p.display().to_string()
}

fn event(dir: &Path, name: &str, json: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, json).unwrap();
    p.display().to_string()
}

/// Processes whose command line mentions `needle`.
fn processes_with(needle: &str) -> Vec<String> {
    processes_where(needle, None)
}

/// The function's `sleep 30` (curl-bootstrap's timeout case) running in `task_root`: tests run in
/// parallel, each with its own task root, so each looks only at its own.
fn sleeps_in(task_root: &Path) -> Vec<String> {
    processes_where("sleep 30", Some(&task_root.canonicalize().unwrap()))
}

/// Processes whose command line mentions `needle` (and whose working directory is `cwd`, if given).
fn processes_where(needle: &str, cwd: Option<&Path>) -> Vec<String> {
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            let in_dir = cwd.is_none_or(|d| std::fs::read_link(e.path().join("cwd")).is_ok_and(|c| c == d));
            if cmd.contains(needle) && !cmd.contains("cargo") && in_dir {
                let state = std::fs::read_to_string(e.path().join("stat")).unwrap_or_default();
                // Zombies (state Z) are dead; they do not run.
                if !state.rsplit(')').next().unwrap_or_default().trim_start().starts_with('Z') {
                    found.push(cmd);
                }
            }
        }
    }
    found
}

#[test]
fn cold_and_warm_with_both_clients_reported_by_lambdastat() {
    let _runners = build();
    let tmp = tempfile::tempdir().unwrap();
    for task in ["rust-hello", "curl-bootstrap"] {
        let out = runner(
            tmp.path(),
            task,
            task,
            &["--memory", "256", "--cold", "3", "--warm", "5", "--build-seconds", "1.5"],
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let s = report(tmp.path());
    for task in ["rust-hello", "curl-bootstrap"] {
        let f = group(&s, task);
        // 3 cold environments of one invocation, and one environment of 5 (its first is cold).
        assert_eq!(f["invocations"], 8, "{task}");
        assert_eq!(f["cold_starts"], 4, "{task}");
        assert_eq!(f["init_ms"]["n"], 4, "{task}: every cold start has an Init Duration");
        assert!(f["init_ms"]["min"].as_f64().unwrap() > 0.0);
        assert_eq!(f["errors"], 0);
        assert_eq!(f["timeouts"], 0);
        assert_eq!(f["memory_size_mb"], 256);
        let mem = f["max_memory_mb"]["max"].as_f64().unwrap();
        assert!((1.0..256.0).contains(&mem), "{task}: Max Memory Used {mem} MB is measured, not the memory size");
        assert_eq!(f["runtime_version"], "provided:al2023.v1");
        // Billed Duration includes Init on cold starts (custom runtime).
        assert!(f["billed_ms"]["max"].as_f64().unwrap() >= f["init_ms"]["min"].as_f64().unwrap());
    }
    assert_eq!(s["inputs"]["skipped_lines"], 0);
    let csv = std::fs::read_to_string(tmp.path().join("benchmark.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("function,variant,iteration,cold,init_ms,duration_ms,billed_ms,memory_size_mb,max_memory_mb,package_bytes,package_files,build_seconds"));
    assert_eq!(lines.len(), 1 + 16);
    assert!(lines[1].contains(",true,") && lines[1].contains(",1.5,"), "{}", lines[1]);
    // The CSV is a benchmark input of its own for lambdastat.
    let out = Command::new(root().join("target/release/lambdastat"))
        .args([
            "report",
            tmp.path().join("benchmark.csv").to_str().unwrap(),
            "-o",
            tmp.path().join("csv-report").to_str().unwrap(),
            "-q",
        ])
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(out.success());
    let c: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("csv-report/summary.json")).unwrap()).unwrap();
    assert_eq!(group(&c, "rust-hello")["invocations"], 8);
    assert!(group(&c, "rust-hello")["package"]["bytes"].as_u64().unwrap() > 100_000);
    assert!(processes_with(tmp.path().to_str().unwrap()).is_empty());
}

/// Each execution environment has its own temporary directory (Lambda's per-environment `/tmp`) as
/// `TMPDIR`, and it is removed with the environment: what the function wrote there, and the tutorial
/// bootstrap's header files (left behind whenever an environment is stopped while it waits for an
/// event), do not outlive the run.
#[test]
fn each_environment_has_its_own_tmp_removed_at_teardown() {
    let _runners = build();
    let tmp = tempfile::tempdir().unwrap();
    let ev = event_file(tmp.path(), r#"{"do":"scratch"}"#);
    let out = runner(
        tmp.path(),
        "scratch",
        "curl-bootstrap",
        &["--memory", "128", "--cold", "2", "--warm", "3", "--event", &ev],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let s = report(tmp.path());
    let f = group(&s, "scratch");
    assert_eq!((f["invocations"].as_u64(), f["errors"].as_u64()), (Some(5), Some(0)), "the handler found its TMPDIR");
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("scratch")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// A local run and a real-Lambda one of the same function, side by side in one report: the Lambda side
/// is what `bench-runner aws import` makes of real Invoke responses (the LogResults of
/// tests/fixtures/log-results.tsv, as `aws lambda invoke --log-type Tail` prints them).
#[test]
fn local_and_lambda_runs_side_by_side() {
    let _runners = build();
    let tmp = tempfile::tempdir().unwrap();
    let out = runner(tmp.path(), "hello", "curl-bootstrap", &["--memory", "128", "--cold", "2", "--variant", "Hello"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let fixtures = std::fs::read_to_string(root().join("bench-runner/tests/fixtures/log-results.tsv")).unwrap();
    let mut files = Vec::new();
    for (i, line) in fixtures.lines().filter(|l| !l.starts_with('#')).enumerate() {
        let log_result = line.rsplit('\t').next().unwrap();
        let file = tmp.path().join(format!("invoke-{i}.json"));
        let json = format!("{{\n    \"StatusCode\": 200,\n    \"LogResult\": \"{log_result}\",\n    \"ExecutedVersion\": \"$LATEST\"\n}}\n");
        std::fs::write(&file, json).unwrap();
        files.push(file.display().to_string());
    }
    let o = Command::new(root().join("target/release/bench-runner"))
        .args(["aws", "import", "--function", "hello-lambda", "--variant", "Hello"])
        .args(["--out", tmp.path().join("lambda/aws/lambda").to_str().unwrap()])
        .args(["--csv", tmp.path().join("benchmark.csv").to_str().unwrap()])
        .args(&files)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("2 invocations, 0 failed, 0 without a log tail"));
    // The CSV holds both runs, labelled; the Lambda side's logs are an S3 export lambdastat reads too.
    let status = Command::new(root().join("target/release/lambdastat"))
        .args(["report", "benchmark.csv", "-o", "both", "-q", "--baseline", "Hello"])
        .current_dir(tmp.path())
        .status()
        .unwrap();
    assert!(status.success());
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("both/summary.json")).unwrap()).unwrap();
    let local = group(&s, "Hello");
    let lambda = group(&s, "Hello · lambda");
    assert_eq!((local["invocations"].as_u64(), local["cold_starts"].as_u64()), (Some(2), Some(2)));
    assert_eq!((lambda["invocations"].as_u64(), lambda["cold_starts"].as_u64()), (Some(2), Some(1)));
    assert_eq!(lambda["init_ms"]["p50"], 158.39);
    assert_eq!(lambda["duration_ms"]["all"]["max"], 8.23);
    assert_eq!(lambda["billed_ms"]["max"], 9.0);
    assert_eq!(lambda["max_memory_mb"]["max"], 68.0);
    assert_eq!(s["baseline"], "Hello");
    assert_eq!(s["comparisons"][0]["name"], "Hello · lambda");
    let html = std::fs::read_to_string(tmp.path().join("both/index.html")).unwrap();
    assert!(html.contains("Hello · lambda") && html.contains("lambda"), "the report names the Lambda run");
    // Streams are `YYYY/MM/DD/[$LATEST]<id>` directories, each with its 000000.gz.
    let day =
        std::fs::read_dir(tmp.path().join("lambda/aws/lambda/hello-lambda")).unwrap().next().unwrap().unwrap().path();
    let day = std::fs::read_dir(day).unwrap().next().unwrap().unwrap().path();
    let day = std::fs::read_dir(day).unwrap().next().unwrap().unwrap().path();
    let streams =
        std::fs::read_dir(day).unwrap().filter(|e| e.as_ref().unwrap().path().join("000000.gz").is_file()).count();
    assert_eq!(streams, 2, "a warm invocation, then a cold one: a new execution environment, a new stream");
    let s2 = report_dir(&tmp.path().join("lambda"), &tmp.path().join("lambda-report"));
    let g = group(&s2, "hello-lambda");
    assert_eq!((g["invocations"].as_u64(), g["cold_starts"].as_u64()), (Some(2), Some(1)));
    let ledger = std::fs::read_to_string(tmp.path().join("aws-invocations.tsv")).unwrap();
    assert_eq!(ledger.lines().filter(|l| l.contains("\treport\t")).count(), 2, "{ledger}");
}

fn report_dir(logs: &Path, out: &Path) -> serde_json::Value {
    let status = Command::new(root().join("target/release/lambdastat"))
        .arg("report")
        .arg(logs)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .status()
        .unwrap();
    assert!(status.success());
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
}

#[test]
fn faults_get_the_report_lambda_writes() {
    let _runners = build();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let cases: Vec<(&str, &str, Vec<String>)> = vec![
        (
            "rh-timeout",
            "rust-hello",
            vec![
                "--timeout".into(),
                "1".into(),
                "--warm".into(),
                "2".into(),
                "--event".into(),
                event(d, "sleep.json", r#"{"sleep_ms": 3000}"#),
            ],
        ),
        (
            "rh-crash",
            "rust-hello",
            vec!["--warm".into(), "2".into(), "--event".into(), event(d, "crash.json", r#"{"crash": true}"#)],
        ),
        (
            "rh-fail",
            "rust-hello",
            vec!["--warm".into(), "3".into(), "--event".into(), event(d, "fail.json", r#"{"fail": "boom"}"#)],
        ),
        ("rh-init", "rust-hello", vec!["--cold".into(), "1".into(), "--env".into(), "FAIL_INIT=1".into()]),
        ("curl-init", "curl-bootstrap", vec!["--cold".into(), "1".into(), "--env".into(), "FAIL_INIT=1".into()]),
        (
            "curl-crash",
            "curl-bootstrap",
            vec!["--warm".into(), "1".into(), "--event".into(), event(d, "c.json", r#"{"crash": 1}"#)],
        ),
        (
            "curl-sleep",
            "curl-bootstrap",
            vec![
                "--timeout".into(),
                "1".into(),
                "--warm".into(),
                "1".into(),
                "--event".into(),
                event(d, "s.json", r#"{"sleep": 1}"#),
            ],
        ),
        (
            "rh-oom",
            "rust-hello",
            vec![
                "--memory".into(),
                "256".into(),
                // Page faults are slow on some virtual machines (12 µs a page has been seen) and 256 MB gets
                // 14% of a core: filling 256 MB can take 5 s there, beyond the default timeout of 3 s.
                "--timeout".into(),
                "30".into(),
                "--warm".into(),
                "1".into(),
                "--event".into(),
                event(d, "oom.json", r#"{"alloc_mb": 400}"#),
            ],
        ),
    ];
    let mut cgroups = true;
    for (name, task, args) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = runner(d, name, task, &args);
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        cgroups &= !String::from_utf8_lossy(&out.stderr).contains("unthrottled");
    }
    let s = report(d);
    let counts = |n: &str| {
        let f = group(&s, n);
        (
            f["invocations"].as_u64().unwrap(),
            f["errors"].as_u64().unwrap(),
            f["timeouts"].as_u64().unwrap(),
            f["init_failures"].as_u64().unwrap(),
        )
    };
    // A timed-out environment is not reused: each of the two invocations is a cold start.
    assert_eq!(counts("rh-timeout"), (2, 0, 2, 0));
    assert_eq!(group(&s, "rh-timeout")["cold_starts"], 2);
    assert_eq!(group(&s, "rh-timeout")["duration_ms"]["all"]["max"], 1000.0);
    assert_eq!(counts("rh-crash"), (2, 2, 0, 0));
    assert_eq!(group(&s, "rh-crash")["error_types"]["Runtime.ExitError"], 2);
    // A function error leaves the environment running: one cold start.
    assert_eq!(counts("rh-fail"), (3, 3, 0, 0));
    assert_eq!(group(&s, "rh-fail")["cold_starts"], 1);
    assert_eq!(group(&s, "rh-fail")["error_types"]["Function.Unhandled"], 3);
    assert_eq!(counts("rh-init"), (1, 1, 0, 1));
    assert_eq!(counts("curl-init"), (1, 1, 0, 1));
    assert_eq!(group(&s, "curl-init")["error_types"]["Runtime.InitError"], 1);
    assert_eq!(counts("curl-crash"), (1, 1, 0, 0));
    assert_eq!(counts("curl-sleep"), (1, 0, 1, 0));
    if cgroups {
        assert_eq!(counts("rh-oom"), (1, 1, 0, 0));
        assert_eq!(group(&s, "rh-oom")["error_types"]["Runtime.OutOfMemory"], 1);
    } else {
        eprintln!("notice: cgroups not writable here; the out-of-memory case ran unthrottled and is not checked");
    }
    assert!(
        processes_with(d.to_str().unwrap()).is_empty(),
        "processes left: {:?}",
        processes_with(d.to_str().unwrap())
    );
    assert!(sleeps_in(&root().join("bench-runner/build/curl-bootstrap")).is_empty());
}

#[test]
fn an_interrupted_runner_leaves_no_process() {
    let _runners = build();
    let tmp = tempfile::tempdir().unwrap();
    let ev = event(tmp.path(), "s.json", r#"{"sleep": 1}"#);
    // A task root of its own, so that no other test's processes match it.
    let task_root = tmp.path().join("task");
    std::fs::create_dir_all(&task_root).unwrap();
    for f in ["bootstrap", "function.sh"] {
        std::fs::copy(root().join("bench-runner/build/curl-bootstrap").join(f), task_root.join(f)).unwrap();
    }
    let mut child = Command::new(root().join("target/release/bench-runner"))
        .args([
            "run",
            "--function",
            "interrupted",
            "--task-root",
            task_root.to_str().unwrap(),
            "--handler",
            "function.handler",
        ])
        .args(["--timeout", "60", "--warm", "1", "--event", &ev, "--out", tmp.path().join("logs").to_str().unwrap()])
        .args(["--csv", tmp.path().join("b.csv").to_str().unwrap()])
        .spawn()
        .unwrap();
    // Wait until the function is sleeping inside its invocation.
    let start = std::time::Instant::now();
    while sleeps_in(&task_root).is_empty() || processes_with(task_root.to_str().unwrap()).len() < 2 {
        assert!(start.elapsed().as_secs() < 20, "the function never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // SIGTERM, as a CI job's cancellation sends.
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert!(!status.success());
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(sleeps_in(&task_root).is_empty(), "{:?}", sleeps_in(&task_root));
    assert!(processes_with(task_root.to_str().unwrap()).is_empty());
}

/// `sleep 31`: what curl-bootstrap's `escape` event leaves running outside its process group.
fn escapees_in(task_root: &Path) -> Vec<String> {
    processes_where("sleep 31", Some(&task_root.canonicalize().unwrap()))
}

fn cgroups_writable() -> bool {
    let probe = Path::new("/sys/fs/cgroup/cpu");
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").is_file();
    (v2 || probe.is_dir())
        && std::fs::create_dir(probe.join("bench-runner-probe"))
            .map(|_| {
                let _ = std::fs::remove_dir(probe.join("bench-runner-probe"));
            })
            .is_ok()
}

#[test]
fn processes_that_leave_the_group_die_with_the_environment() {
    let _alone = build_alone();
    if !cgroups_writable() {
        eprintln!("notice: cgroups are not writable here; a process that calls setsid cannot be followed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let task_root = tmp.path().join("task");
    std::fs::create_dir_all(&task_root).unwrap();
    for f in ["bootstrap", "function.sh"] {
        std::fs::copy(root().join("bench-runner/build/curl-bootstrap").join(f), task_root.join(f)).unwrap();
    }
    let run = |event: &str, extra: &[&str]| {
        let mut c = Command::new(root().join("target/release/bench-runner"));
        c.args([
            "run",
            "--function",
            "escapes",
            "--task-root",
            task_root.to_str().unwrap(),
            "--handler",
            "function.handler",
        ])
        .args(["--event", &event_file(tmp.path(), event), "--out", tmp.path().join("logs").to_str().unwrap()])
        .args(["--csv", tmp.path().join("b.csv").to_str().unwrap()])
        .args(extra);
        c
    };
    // A setsid'd process outlives the handler; the end of the environment kills it through the cgroup.
    let out = run(r#"{"escape": true}"#, &["--warm", "2"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(escapees_in(&task_root).is_empty(), "{:?}", escapees_in(&task_root));

    // A runner killed with SIGKILL cleans nothing; the next runner to start removes its cgroup and kills
    // what still ran there.
    let mut child = run(r#"{"escape-and-sleep": true}"#, &["--warm", "1", "--timeout", "60"]).spawn().unwrap();
    let start = std::time::Instant::now();
    while escapees_in(&task_root).is_empty() {
        assert!(start.elapsed().as_secs() < 20, "the function never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let dead = child.id();
    assert!(Command::new("kill").args(["-KILL", &dead.to_string()]).status().unwrap().success());
    child.wait().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(!escapees_in(&task_root).is_empty(), "the escaped process should have outlived a SIGKILLed runner");
    let out = run("{}", &["--warm", "1"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("left by runners that died"));
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(escapees_in(&task_root).is_empty(), "{:?}", escapees_in(&task_root));
    let stale = format!("bench-runner-{dead}-");
    for controller in ["cpu", "memory", ""] {
        let dir = Path::new("/sys/fs/cgroup").join(controller);
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            assert!(!e.file_name().to_string_lossy().starts_with(&stale), "{} left", e.path().display());
        }
    }
}

#[test]
fn bad_arguments_are_refused_and_help_is_printed() {
    let _runners = build();
    let bin = root().join("target/release/bench-runner");
    let tmp = tempfile::tempdir().unwrap();
    let task = tmp.path().to_str().unwrap();
    for (args, says) in [
        (vec!["--function", "f", "--timeout", "0"], "--timeout 0"),
        (vec!["--function", "../escape"], "a function name is"),
        (vec!["--function", "a/b"], "a function name is"),
        (vec!["--function", "f", "--event", "/nonexistent/event.json"], "/nonexistent/event.json"),
    ] {
        let out = Command::new(&bin).args(["run", "--task-root", task]).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for args in [vec!["run", "--help"], vec!["--help"]] {
        let out = Command::new(&bin).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("usage: bench-runner run"));
    }
}
