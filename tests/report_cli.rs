//! End-to-end runs of `lambdastat report` in temp dirs; numbers in
//! summary.json are checked against an independent computation.

mod common;
use assert_cmd::Command;
use common::numpy_linear;
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

/// Runs in a fresh working directory, so no lambdastat.toml applies.
fn lambdastat() -> Command {
    let mut c = Command::cargo_bin("lambdastat").unwrap();
    c.current_dir(std::env::temp_dir());
    c
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

fn function<'a>(s: &'a Value, name: &str) -> &'a Value {
    s["functions"].as_array().unwrap().iter().find(|f| f["function"] == name).unwrap_or_else(|| panic!("no {name}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

/// A small deterministic generator (64-bit LCG), independent of the tool.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

struct Inv {
    duration_cs: u64, // hundredths of a ms, as text logs print them
    billed: u64,
    memory: u64,
    max_mem: u64,
    init_cs: Option<u64>,
    status: Option<&'static str>,
}

fn write_text_log(path: &Path, invs: &[Inv]) {
    let mut out = String::new();
    // Request ids unique across files (each file's own prefix), as Lambda's are.
    let salt = path.to_string_lossy().bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    for (i, v) in invs.iter().enumerate() {
        let rid = format!("{salt:08x}-0000-4000-8000-{i:012}");
        if v.init_cs.is_some() {
            out.push_str("2026-11-01T10:00:00.000Z INIT_START Runtime Version: dotnet:8.v47\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:ab\n\n");
        }
        out.push_str(&format!("2026-11-01T10:00:01.000Z START RequestId: {rid} Version: $LATEST\n\n"));
        out.push_str(&format!(
            "2026-11-01T10:00:01.100Z 2026-11-01T10:00:01.100Z\t{rid}\tinfo\tREPORTING order {i}\n\n"
        ));
        let mut report = format!(
            "REPORT RequestId: {rid}\tDuration: {}.{:02} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {} MB\t",
            v.duration_cs / 100, v.duration_cs % 100, v.billed, v.memory, v.max_mem
        );
        if let Some(init) = v.init_cs {
            report.push_str(&format!("Init Duration: {}.{:02} ms\t", init / 100, init % 100));
        }
        if let Some(status) = v.status {
            report.push_str(&format!("Status: {status}\t"));
        }
        out.push_str(&format!("2026-11-01T10:00:01.200Z {report}\n\n"));
    }
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, out).unwrap();
}

fn random_invocations(seed: u64, n: usize, memory: u64) -> Vec<Inv> {
    let mut rng = Lcg(seed);
    (0..n)
        .map(|_| {
            let cold = rng.next(10) == 0;
            let duration_cs = 1_000 + rng.next(20_000) + if rng.next(20) == 0 { rng.next(200_000) } else { 0 };
            let init_cs = cold.then(|| 90_000 + rng.next(60_000));
            let status = match rng.next(100) {
                0 => Some("timeout"),
                1 | 2 => Some("error"),
                _ => None,
            };
            Inv {
                duration_cs,
                billed: (duration_cs + init_cs.unwrap_or(0)).div_ceil(100),
                memory,
                max_mem: 60 + rng.next(40),
                init_cs,
                status,
            }
        })
        .collect()
}

#[test]
fn report_numbers_match_an_independent_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    let fast = random_invocations(7, 700, 256);
    let slow = random_invocations(11, 450, 1024);
    write_text_log(&logs.join("aws/lambda/FastFn/2026/11/01/000000.log"), &fast[..300]);
    write_text_log(&logs.join("aws/lambda/FastFn/2026/11/02/000000.log"), &fast[300..]);
    write_text_log(&logs.join("aws/lambda/SlowFn.log"), &slow);
    let out = tmp.path().join("out");
    lambdastat()
        .args([
            "report",
            logs.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--arch",
            "arm64",
            "--requests-per-month",
            "5000000",
        ])
        .assert()
        .success();
    let s = summary(&out);
    assert_eq!(s["percentile_method"]["name"], "linear");
    assert_eq!(s["inputs"]["files"], 3);
    assert_eq!(s["inputs"]["records"], 1150);
    assert_eq!(s["inputs"]["skipped_lines"], 0);
    assert_eq!(s["inputs"]["formats"]["s3-export"], 3);

    for (name, invs) in [("FastFn", &fast), ("SlowFn", &slow)] {
        let f = function(&s, name);
        let ms = |cs: u64| cs as f64 / 100.0;
        let warm: Vec<f64> = invs.iter().filter(|v| v.init_cs.is_none()).map(|v| ms(v.duration_cs)).collect();
        let init: Vec<f64> = invs.iter().filter_map(|v| v.init_cs.map(ms)).collect();
        let all: Vec<f64> = invs.iter().map(|v| ms(v.duration_cs)).collect();
        // Cold-start latency as a caller sees it: Init Duration + Duration of each cold invocation.
        let cold_latency: Vec<f64> = invs.iter().filter_map(|v| v.init_cs.map(|i| ms(i + v.duration_cs))).collect();
        assert_eq!(f["invocations"], invs.len() as u64);
        assert_eq!(f["cold_latency_ms"]["n"], cold_latency.len() as u64);
        let max = cold_latency.iter().cloned().fold(f64::MIN, f64::max);
        assert!(close(f["cold_latency_ms"]["max"].as_f64().unwrap(), max), "{name} cold latency max");
        assert_eq!(f["cold_starts"], init.len() as u64);
        assert_eq!(f["timeouts"], invs.iter().filter(|v| v.status == Some("timeout")).count() as u64);
        assert_eq!(f["errors"], invs.iter().filter(|v| v.status == Some("error")).count() as u64);
        assert_eq!(f["architecture"], "arm64");
        assert_eq!(f["duration_ms"]["warm"]["n"], warm.len() as u64);
        for (key, p) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            assert!(
                close(f["duration_ms"]["warm"][key].as_f64().unwrap(), numpy_linear(&warm, p)),
                "{name} warm {key}"
            );
            assert!(close(f["duration_ms"]["all"][key].as_f64().unwrap(), numpy_linear(&all, p)), "{name} all {key}");
            assert!(close(f["init_ms"][key].as_f64().unwrap(), numpy_linear(&init, p)), "{name} init {key}");
            assert!(
                close(f["cold_latency_ms"][key].as_f64().unwrap(), numpy_linear(&cold_latency, p)),
                "{name} cold latency {key}"
            );
        }
        let mean = warm.iter().sum::<f64>() / warm.len() as f64;
        assert!(close(f["duration_ms"]["warm"]["mean"].as_f64().unwrap(), mean));
        assert_eq!(f["init_ms"]["p99_reliable"], init.len() >= 100);
        // Cost: GB-s = MB/1024 x billed ms/1000; arm64 $0.0000133334/GB-s; $0.20 per 1M requests.
        let gb_s: f64 = invs.iter().map(|v| v.memory as f64 / 1024.0 * v.billed as f64 / 1000.0).sum();
        let cost = gb_s * 0.0000133334 + invs.len() as f64 * 0.2 / 1e6;
        assert!(close(f["gb_seconds"].as_f64().unwrap(), gb_s));
        assert!(close(f["cost_usd"].as_f64().unwrap(), cost));
        let per_million = cost / invs.len() as f64 * 1e6;
        assert!(close(f["cost_per_million_usd"].as_f64().unwrap(), per_million));
        assert!(close(f["monthly_cost_usd"].as_f64().unwrap(), per_million * 5.0));
        assert_eq!(f["memory_size_mb"], invs[0].memory);
        let max_mem = invs.iter().map(|v| v.max_mem).max().unwrap();
        assert_eq!(f["max_memory_mb"]["max"].as_f64().unwrap(), max_mem as f64);
    }
    for page in ["index.html", "report.md", "cold-start.svg", "warm-duration-ecdf.svg", "memory.svg"] {
        assert!(out.join(page).is_file(), "{page} missing");
    }
}

#[test]
fn nearest_rank_method_is_named_and_used() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("aws/lambda/Fn.log");
    let invs = random_invocations(3, 50, 128);
    write_text_log(&log, &invs);
    let out = tmp.path().join("out");
    lambdastat()
        .args([
            "report",
            log.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--percentile-method",
            "nearest-rank",
            "-q",
        ])
        .assert()
        .success()
        .stderr("");
    let s = summary(&out);
    assert_eq!(s["percentile_method"]["name"], "nearest-rank");
    let mut all: Vec<u64> = invs.iter().map(|v| v.duration_cs).collect();
    all.sort();
    let p90 = all[(0.9f64 * 50.0).ceil() as usize - 1] as f64 / 100.0;
    assert_eq!(function(&s, "Fn")["duration_ms"]["all"]["p90"].as_f64().unwrap(), p90);
    assert!(std::fs::read_to_string(out.join("index.html")).unwrap().contains("nearest-rank"));
}

#[test]
fn sample_logs_give_the_five_variants_in_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    lambdastat().args(["report", sample.to_str().unwrap(), "--out", tmp.path().to_str().unwrap()]).assert().success();
    let s = summary(tmp.path());
    let names: Vec<&str> = s["functions"].as_array().unwrap().iter().map(|f| f["function"].as_str().unwrap()).collect();
    assert_eq!(names, ["LambdaAOTDemo8", "LambdaAOTDemo9", "LambdaAOTDemo10", "LambdaR2RDemo", "LambdaRegularDemo"]);
    assert_eq!(s["inputs"]["records"], 7500);
    assert_eq!(s["inputs"]["skipped_lines"], 0);
    assert_eq!(s["inputs"]["unreadable_files"].as_array().unwrap().len(), 0);
    for fmt in ["s3-export", "cloudwatch-json", "lambda-json", "logs-tail"] {
        assert!(s["inputs"]["formats"][fmt].as_u64().unwrap() >= 1, "{fmt}");
    }
    // The modelled ordering of cold starts holds: Regular > R2R > AOT 8 > AOT 9, AOT 10.
    let init = |n: &str| function(&s, n)["init_ms"]["p50"].as_f64().unwrap();
    assert!(init("LambdaRegularDemo") > init("LambdaR2RDemo"));
    assert!(init("LambdaR2RDemo") > init("LambdaAOTDemo8"));
    assert!(init("LambdaAOTDemo8") > init("LambdaAOTDemo9"));
}

#[test]
fn corrupt_gzip_is_named_and_the_other_files_still_count() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("aws/lambda/Fn");
    write_text_log(&logs.join("good.log"), &random_invocations(5, 20, 128));
    std::fs::write(logs.join("broken.gz"), [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).unwrap();
    let out = tmp.path().join("out");
    lambdastat()
        .args(["report", logs.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("broken.gz").and(predicate::str::contains("gzip")));
    let s = summary(&out);
    assert_eq!(s["inputs"]["records"], 20);
    let unreadable = s["inputs"]["unreadable_files"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1);
    assert!(unreadable[0].as_str().unwrap().contains("broken.gz"));
    assert!(std::fs::read_to_string(out.join("index.html")).unwrap().contains("broken.gz"));
}

#[test]
fn malformed_report_is_counted_and_strict_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("aws/lambda/Fn.log");
    write_text_log(&log, &random_invocations(9, 10, 128));
    let mut text = std::fs::read_to_string(&log).unwrap();
    text.push_str("REPORT RequestId: bad\tDuration: 1.00 ms\tMemory Size: 128 MB\tMax Memory Used: 1 MB\n");
    let bad_line = text.lines().count();
    std::fs::write(&log, text).unwrap();
    let out = tmp.path().join("out");
    let run = |strict: bool| {
        let mut cmd = lambdastat();
        cmd.args(["report", log.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        if strict {
            cmd.arg("--strict");
        }
        cmd.assert()
    };
    let named = format!("Fn.log:{bad_line}: skipped: REPORT missing Billed Duration");
    run(false).success().stderr(predicate::str::contains(named.clone()));
    let s = summary(&out);
    assert_eq!(s["inputs"]["records"], 10);
    assert_eq!(s["inputs"]["skipped_by_reason"]["REPORT missing Billed Duration"], 1);
    assert_eq!(s["inputs"]["per_file"][0]["first_skipped"][0]["line"], bad_line as u64);
    run(true).code(1).stderr(predicate::str::contains("--strict"));
}

#[test]
fn missing_input_and_garbage_do_not_crash() {
    let tmp = tempfile::tempdir().unwrap();
    lambdastat()
        .args(["report", tmp.path().join("nope").to_str().unwrap(), "-o", tmp.path().join("o").to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope"));
    let junk = tmp.path().join("junk.bin");
    let bytes: Vec<u8> = (0..100_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    std::fs::write(&junk, bytes).unwrap();
    lambdastat()
        .args(["report", junk.to_str().unwrap(), "-o", tmp.path().join("o").to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(summary(&tmp.path().join("o"))["functions"].as_array().unwrap().len(), 0);
}

#[test]
fn stdin_and_function_override() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("x.log");
    write_text_log(&log, &random_invocations(1, 30, 128));
    let out = tmp.path().join("out");
    lambdastat()
        .args(["report", "-", "-o", out.to_str().unwrap(), "--function", "Piped"])
        .write_stdin(std::fs::read(&log).unwrap())
        .assert()
        .success();
    let s = summary(&out);
    assert_eq!(function(&s, "Piped")["invocations"], 30);
    assert_eq!(s["inputs"]["per_file"][0]["path"], "-");
}

#[test]
fn names_from_logs_are_inert_in_html_and_markdown() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("x.log");
    write_text_log(&log, &random_invocations(2, 5, 128));
    let out = tmp.path().join("out");
    let evil = r#""><img src=x onerror=alert(1)><script>alert(2)</script>"#;
    lambdastat()
        .args(["report", log.to_str().unwrap(), "-o", out.to_str().unwrap(), "--function", evil])
        .assert()
        .success();
    let html = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(!html.contains("<script"), "raw script tag in HTML");
    assert!(!html.contains("<img"), "raw img tag in HTML");
    assert!(
        html.contains("&lt;script&gt;alert(2)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(2)&lt;/script&gt;")
    );
    // Self-contained: no external resources.
    for needle in ["src=\"http", "href=\"http", "<link", "url(", "@import"] {
        assert!(!html.contains(needle), "external resource: {needle}");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("<script") && !md.contains("<img"));
}

#[test]
fn templates_can_be_overridden() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("aws/lambda/Fn.log");
    write_text_log(&log, &random_invocations(4, 12, 128));
    let tpl = tmp.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::write(
        tpl.join("report.md.j2"),
        "{% for f in summary.functions %}{{ f.function }}={{ f.invocations }}\n{% endfor %}",
    )
    .unwrap();
    let out = tmp.path().join("out");
    lambdastat()
        .args([
            "report",
            log.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--templates",
            tpl.to_str().unwrap(),
            "--debug-context",
        ])
        .assert()
        .success();
    assert_eq!(std::fs::read_to_string(out.join("report.md")).unwrap(), "Fn=12\n");
    assert!(std::fs::read_to_string(out.join("index.html")).unwrap().contains("<!DOCTYPE html>"));
    let ctx: Value = serde_json::from_slice(&std::fs::read(out.join("index.html.context.json")).unwrap()).unwrap();
    assert_eq!(ctx["summary"]["functions"][0]["function"], "Fn");
    // The dump is what the templates see: the files the page lists, not summary.json's list of all.
    assert_eq!(ctx["summary"]["inputs"]["files"], 1);
    assert!(ctx["summary"]["inputs"].get("per_file").is_none(), "{}", ctx["summary"]["inputs"]);
    assert!(ctx["files_shown"][0]["path"].as_str().unwrap().ends_with(log.file_name().unwrap().to_str().unwrap()));
}

#[test]
fn same_numbers_whatever_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-logs");
    for (threads, out) in [("1", "one"), ("2", "two")] {
        lambdastat()
            .args([
                "report",
                sample.to_str().unwrap(),
                "-o",
                tmp.path().join(out).to_str().unwrap(),
                "-q",
                "-j",
                threads,
            ])
            .assert()
            .success();
    }
    assert_eq!(summary(&tmp.path().join("one"))["functions"], summary(&tmp.path().join("two"))["functions"]);
}

/// The page lists the first 200 files and every later file with something to say (a skipped
/// line); it says how many more summary.json holds, which lists every file.
#[test]
fn the_page_lists_200_files_and_every_file_with_skipped_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let report = "REPORT RequestId: r{i}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\n";
    for i in 0..230 {
        let text = if i == 217 {
            "REPORT RequestId: bad\tDuration: 1.00 ms\n".to_string() // no Billed Duration: skipped
        } else {
            report.replace("{i}", &i.to_string())
        };
        std::fs::write(logs.join(format!("f{i:03}.log")), text).unwrap();
    }
    let out = tmp.path().join("out");
    lambdastat().args(["report", "-q", "-o"]).arg(&out).arg(&logs).assert().code(0);
    let s = summary(&out);
    assert_eq!(s["inputs"]["per_file"].as_array().unwrap().len(), 230);
    let page = std::fs::read_to_string(out.join("index.html")).unwrap();
    let listed = (0..230).filter(|i| page.contains(&format!("f{i:03}.log</td>"))).collect::<Vec<_>>();
    assert_eq!(listed, (0..200).chain([217]).collect::<Vec<_>>());
    assert!(page.contains("29 more files, none with skipped lines or duplicates"), "{}", &page[page.len() - 2000..]);
}

/// mimalloc's options are set before its start-up (an `.init_array` entry in `main.rs`): its arena is
/// committed as it is used, not whole (which kept 20 MB more at the peak of an S3 export tree).
#[test]
fn the_small_allocator_commits_its_arena_as_used() {
    let out = lambdastat().arg("--version").env("MIMALLOC_VERBOSE", "1").output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("option 'arena_eager_commit': 0"), "{stderr}");
}

/// On Linux the binary is linked at a fixed address (`build.rs`): the loader has no pointers to fix
/// up at every start. `LAMBDASTAT_PIE=1` at build time keeps a position-independent build.
#[cfg(target_os = "linux")]
#[test]
fn the_binary_is_linked_at_a_fixed_address() {
    use std::io::Read;
    if option_env!("LAMBDASTAT_PIE").is_some_and(|v| !v.is_empty() && v != "0") {
        return;
    }
    let mut header = [0u8; 18];
    std::fs::File::open(env!("CARGO_BIN_EXE_lambdastat")).unwrap().read_exact(&mut header).unwrap();
    assert_eq!(&header[..4], b"\x7fELF");
    // e_type: 2 is an executable at a fixed address, 3 a shared object (which a PIE is).
    assert_eq!(u16::from_le_bytes([header[16], header[17]]), 2, "e_type");
}
