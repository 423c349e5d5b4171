//! Hostile and broken situations around the pipeline: reports written atomically and earlier runs'
//! leftovers removed, `check` refusing rules it cannot judge, control characters from file names and
//! logs never reaching the terminal or the pages raw, and a closed stderr that is not a panic.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;
use std::process::Stdio;

fn lambdastat() -> Command {
    let mut c = Command::cargo_bin("lambdastat").unwrap();
    c.current_dir(std::env::temp_dir());
    c
}

const REPORT: &str = "2026-11-01T10:00:01.200Z REPORT RequestId: 6f1d3f4e-1111-4000-8000-000000000001\tDuration: 12.50 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 60 MB\tInit Duration: 150.25 ms\t\n\
2026-11-01T10:00:02.200Z REPORT RequestId: 6f1d3f4e-1111-4000-8000-000000000002\tDuration: 4.50 ms\tBilled Duration: 5 ms\tMemory Size: 256 MB\tMax Memory Used: 61 MB\t\n";

fn logs(dir: &Path, name: &str) -> std::path::PathBuf {
    let p = dir.join("aws/lambda").join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, REPORT).unwrap();
    dir.join("aws")
}

fn report(input: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    lambdastat().args(["report", input.to_str().unwrap(), "--out", out.to_str().unwrap()]).args(extra).assert()
}

#[test]
fn reports_are_replaced_whole_and_leftovers_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let input = logs(tmp.path(), "Fn.log");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    report(&input, &out, &["--debug-context"]).success();
    assert!(out.join("index.html.context.json").is_file());
    let first = std::fs::read_to_string(out.join("index.html")).unwrap();

    // A run that fails while rendering (a broken template) leaves the previous report as it was, though
    // its inputs changed (another function) and its pages would differ.
    logs(tmp.path(), "Other.log");
    let templates = tmp.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(templates.join("report.md.j2"), "{{ summary.functions[0].name|no_such_filter }}").unwrap();
    report(&input, &out, &["--templates", templates.to_str().unwrap()]).code(2);
    assert_eq!(std::fs::read_to_string(out.join("index.html")).unwrap(), first);
    assert!(out.join("summary.json").is_file() && out.join("report.md").is_file());

    // A run without the debug dump removes the dump the earlier run wrote; files it did not write stay.
    report(&input, &out, &[]).success();
    assert!(!out.join("index.html.context.json").exists());
    assert!(!out.join("report.md.context.json").exists());
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn check_refuses_what_it_cannot_judge() {
    let tmp = tempfile::tempdir().unwrap();
    let input = logs(tmp.path(), "Fn.log");
    let out = tmp.path().join("out");
    report(&input, &out, &["-q"]).success();
    let summary = out.join("summary.json");
    let check = |args: &[&str]| lambdastat().arg("check").arg(&summary).args(args).assert();

    check(&["--max", "init_ms.p99=1000"]).success();
    check(&["--max", "cold_latency_ms.p50=1000"]).success();
    // A field that does not exist (a typo would otherwise pass as "no data" for ever).
    check(&["--max", "init_ms.p999=1000"])
        .code(2)
        .stderr(predicate::str::contains("--max init_ms.p999: no such field"));
    check(&["--min", "duration_ms.warm=1"]).code(2).stderr(predicate::str::contains("not a number"));
    check(&["--against", summary.to_str().unwrap(), "--metric", "nope.p50"])
        .code(2)
        .stderr(predicate::str::contains("--metric nope.p50"));
    // Limits that are not finite numbers.
    for bad in ["init_ms.p99=NaN", "init_ms.p99=inf", "init_ms.p99=-inf"] {
        check(&["--max", bad]).code(2).stderr(predicate::str::contains("not a finite number"));
    }
    // Summaries that cannot be read say why, naming the path.
    let broken = tmp.path().join("broken.json");
    std::fs::write(&broken, "{\n  \"lambdastat_version\": \"0.1.0\",\n  \"functions\": [\n}").unwrap();
    check(&["--against", broken.to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains("broken.json: not JSON").and(predicate::str::contains("line 4, column 1")));
    let other = tmp.path().join("other.json");
    std::fs::write(&other, r#"{"events": []}"#).unwrap();
    check(&["--against", other.to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains("other.json: not a lambdastat summary.json"));
    let missing = tmp.path().join("missing.json");
    check(&["--against", missing.to_str().unwrap()])
        .code(2)
        .stderr(predicate::str::contains("missing.json: cannot read"));
    let named = tmp.path().join("old").join("summary.json");
    std::fs::create_dir_all(named.parent().unwrap()).unwrap();
    std::fs::write(&named, "[1, 2]").unwrap();
    lambdastat()
        .args(["check", named.to_str().unwrap(), "--max", "init_ms.p99=1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a lambdastat summary.json: the top level is not an object"));
}

#[test]
fn control_characters_never_reach_the_terminal_or_the_pages_raw() {
    let tmp = tempfile::tempdir().unwrap();
    // A function name (from the path) and an error type carrying terminal escape sequences.
    let input = logs(tmp.path(), "Evil\u{1b}[2J\u{1b}]0;owned\u{7}.log");
    let bad_line =
        "2026-11-01T10:00:03.000Z REPORT RequestId: 6f1d3f4e-1111-4000-8000-000000000003\tDuration: x\u{1b}[31m ms\n";
    let p = std::fs::read_dir(tmp.path().join("aws/lambda")).unwrap().next().unwrap().unwrap().path();
    let mut text = std::fs::read_to_string(&p).unwrap();
    text.push_str(bad_line);
    std::fs::write(&p, text).unwrap();
    let out = tmp.path().join("out");
    let assert = report(&input, &out, &[]).success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{7}'), "{stderr:?}");
    assert!(stderr.contains("\\u{1b}"), "escaped, not dropped: {stderr:?}");
    for page in ["index.html", "report.md"] {
        let text = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{page} has raw control characters");
        assert!(text.contains("Evil\\u{1b}"), "{page}: the name is shown escaped");
    }
}

#[test]
fn a_closed_stderr_is_not_a_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let input = logs(tmp.path(), "Fn.log");
    let out = tmp.path().join("out");
    // stderr is a pipe whose reading end is closed before lambdastat writes its messages.
    let code = exit_code_with_closed_pipe(&["report", input.to_str().unwrap(), "--out", out.to_str().unwrap()], false);
    assert_eq!(code, Some(0), "a panic exits 101");
    assert!(out.join("summary.json").is_file());
    // stdout closed under `check`: its table goes nowhere, quietly.
    let summary = out.join("summary.json");
    let code = exit_code_with_closed_pipe(&["check", summary.to_str().unwrap(), "--max", "init_ms.p99=1000"], true);
    assert_eq!(code, Some(0));
}

/// Runs lambdastat with stdout (`close_stdout`) or stderr a pipe whose reading end is closed at once.
fn exit_code_with_closed_pipe(args: &[&str], close_stdout: bool) -> Option<i32> {
    let pipe_or_null = |piped: bool| if piped { Stdio::piped() } else { Stdio::null() };
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("lambdastat"))
        .args(args)
        .stdout(pipe_or_null(close_stdout))
        .stderr(pipe_or_null(!close_stdout))
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap().code()
}

#[test]
fn each_invocation_is_counted_once() {
    let tmp = tempfile::tempdir().unwrap();
    // The same hour of one function three times: an S3 export object, a console copy that renders every
    // event twice (the raw line, then a flattened copy), and an overlapping filter-log-events JSON.
    let reports: Vec<String> = (0..40)
        .map(|i| {
            let init = if i % 10 == 0 { "\tInit Duration: 120.50 ms" } else { "" };
            format!(
                "REPORT RequestId: 0b7e9c2a-0000-4000-8000-{i:012}\tDuration: {}.25 ms\tBilled Duration: {} ms\tMemory Size: 512 MB\tMax Memory Used: 70 MB{init}\t",
                10 + i,
                11 + i
            )
        })
        .collect();
    let export = tmp.path().join("logs/aws/lambda/Orders/2026/11/01/[$LATEST]ab/000000.log");
    std::fs::create_dir_all(export.parent().unwrap()).unwrap();
    let text: String = reports.iter().map(|r| format!("2026-11-01T10:00:00.000Z {r}\n")).collect();
    std::fs::write(&export, text).unwrap();
    let console = tmp.path().join("logs/aws/lambda/Orders.console.txt");
    let doubled: String =
        reports[..25].iter().map(|r| format!("2026-11-01T10:00:00.000Z {r}\n{}\n", r.replace('\t', " "))).collect();
    std::fs::write(&console, doubled).unwrap();
    let events: Vec<String> = reports[20..]
        .iter()
        .map(|r| {
            format!(
                r#"{{"logStreamName": "2026/11/01/[$LATEST]ab", "timestamp": 1793527200000, "message": "{}\n"}}"#,
                r.replace('\t', "\\t")
            )
        })
        .collect();
    let json = tmp.path().join("logs/aws/lambda/Orders.json");
    std::fs::write(&json, format!(r#"{{"events": [{}], "searchedLogStreams": []}}"#, events.join(", "))).unwrap();

    let run = |extra: &[&str]| {
        let out = tmp.path().join(format!("out{}", extra.len()));
        lambdastat()
            .args(["report", tmp.path().join("logs").to_str().unwrap(), "--out", out.to_str().unwrap(), "-q"])
            .args(extra)
            .assert()
            .success();
        let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
        s
    };
    for threads in ["1", "2"] {
        let s = run(&["--threads", threads]);
        let f = &s["functions"][0];
        assert_eq!(s["functions"].as_array().unwrap().len(), 1, "one function");
        assert_eq!(f["invocations"], 40, "threads {threads}");
        assert_eq!(f["cold_starts"], 4);
        assert_eq!(s["inputs"]["duplicates"], 25 + 25 + 20, "threads {threads}");
        assert_eq!(f["duration_ms"]["all"]["max"], 49.25);
        assert_eq!(f["billed_ms"]["n"], 40);
    }
    let all = run(&["--keep-duplicates"]);
    assert_eq!(all["functions"][0]["invocations"], 40 + 50 + 20);
    assert_eq!(all["inputs"]["duplicates"], 0);
}

#[test]
fn a_forced_format_that_reads_nothing_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let input = logs(tmp.path(), "Fn.log");
    let out = tmp.path().join("out");
    report(&input, &out, &["--input-format", "insights-csv"])
        .success()
        .stderr(predicate::str::contains("Fn.log: read as insights-csv (--input-format) but no record was found"));
    report(&input, &out, &["--input-format", "text"]).success().stderr(predicate::str::contains("no record").not());
}

#[test]
fn a_line_that_never_ends_stops_its_file_with_the_limit_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Standard input always streams (in 4 MiB blocks): a 6 MiB line without a newline, then a REPORT.
    let mut input = vec![b'x'; 6 << 20];
    input.extend_from_slice(REPORT.as_bytes());
    lambdastat()
        .args(["report", "-", "--out", out.to_str().unwrap(), "--max-line-bytes", "1048576"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("a line longer than 1048576 bytes")
                .and(predicate::str::contains("--max-line-bytes")),
        );
}

#[test]
fn a_small_gzip_that_inflates_past_the_whole_file_limit_streams() {
    // 600 MB of short lines (more than the 512 MiB lambdastat inflates whole) in a gzip of about 1 MB,
    // with REPORTs at both ends.
    let tmp = tempfile::tempdir().unwrap();
    let gz = tmp.path().join("aws/lambda/Bomb/000000.gz");
    std::fs::create_dir_all(gz.parent().unwrap()).unwrap();
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    use std::io::Write;
    enc.write_all(REPORT.lines().next().unwrap().as_bytes()).unwrap();
    enc.write_all(b"\n").unwrap();
    let filler = "app log line\n".repeat(1 << 16);
    for _ in 0..(600_000_000 / filler.len()) {
        enc.write_all(filler.as_bytes()).unwrap();
    }
    enc.write_all(REPORT.lines().nth(1).unwrap().as_bytes()).unwrap();
    enc.write_all(b"\n").unwrap();
    enc.finish().unwrap();
    assert!(std::fs::metadata(&gz).unwrap().len() < 32 << 20, "a small object");
    let out = tmp.path().join("out");
    report(&gz, &out, &["-q"]).success();
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(s["inputs"]["records"], 2);
    assert!(s["inputs"]["uncompressed_bytes"].as_u64().unwrap() > 590_000_000);
}
