//! Every "how to get it from AWS" recipe of docs/input-formats.md that the installed AWS
//! CLI can run, run as a user would against a real implementation of the AWS
//! APIs (moto's server on loopback): known invocations go into CloudWatch Logs
//! with `put-log-events`, each recipe writes its files, and lambdastat must
//! give back exactly the known numbers. `aws logs tail` is AWS CLI v2 only and
//! is marked so there.

mod common;

use assert_cmd::Command;
use common::{numpy_linear, Moto};
use serde_json::Value;
use std::path::Path;

/// (function, stream, request id, duration ms, billed ms, init ms, status)
type Known = (&'static str, &'static str, &'static str, f64, u64, Option<f64>, &'static str);

const S1: &str = "2026/11/01/[$LATEST]0123456789abcdef0123456789abcdef";
const S2: &str = "2026/11/01/[$LATEST]fedcba9876543210fedcba9876543210";
const S3: &str = "2026/11/02/[$LATEST]00112233445566778899aabbccddeeff";

const KNOWN: &[Known] = &[
    ("OrderFn", S1, "a0000000-0000-4000-8000-000000000001", 30.25, 31, Some(210.5), "success"),
    ("OrderFn", S1, "a0000000-0000-4000-8000-000000000002", 5.5, 6, None, "success"),
    ("OrderFn", S1, "a0000000-0000-4000-8000-000000000003", 5.75, 6, None, "success"),
    ("OrderFn", S1, "a0000000-0000-4000-8000-000000000004", 4.12, 5, None, "error"),
    ("OrderFn", S2, "a0000000-0000-4000-8000-000000000005", 28.0, 28, Some(190.0), "success"),
    ("OrderFn", S2, "a0000000-0000-4000-8000-000000000006", 6.0, 6, None, "success"),
    ("PayFn", S3, "b0000000-0000-4000-8000-000000000001", 50.0, 50, Some(400.0), "success"),
    ("PayFn", S3, "b0000000-0000-4000-8000-000000000002", 3000.0, 3000, None, "timeout"),
    ("PayFn", S3, "b0000000-0000-4000-8000-000000000003", 7.25, 8, None, "success"),
];

/// When the known invocations start (one a second): an hour ago, on the
/// second, as CloudWatch Logs refuses events older than 14 days.
fn t0() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    (now - 3600) * 1000
}

/// The log events of each (function, stream), as Lambda writes them.
fn events(function: &str, stream: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut push = |t: i64, m: String| out.push(serde_json::json!({"timestamp": t, "message": m}));
    for (i, k) in KNOWN.iter().enumerate().filter(|(_, k)| k.0 == function && k.1 == stream) {
        let t = t0() + 1000 * i as i64;
        let (_, _, id, d, billed, init, status) = *k;
        if init.is_some() {
            push(t - 300, "INIT_START Runtime Version: dotnet:8.v47\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:abc\n".into());
        }
        push(t, format!("START RequestId: {id} Version: $LATEST\n"));
        push(t + 1, format!("{id}\tinfo\tapplication output\n"));
        push(t + 2, format!("END RequestId: {id}\n"));
        let init = init.map(|x| format!("\tInit Duration: {x:.2} ms")).unwrap_or_default();
        let status = if status == "success" { String::new() } else { format!("\tStatus: {status}") };
        push(
            t + 3,
            format!("REPORT RequestId: {id}\tDuration: {d:.2} ms\tBilled Duration: {billed} ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB{init}{status}\t\n"),
        );
    }
    out
}

fn functions() -> Vec<&'static str> {
    let mut f: Vec<_> = KNOWN.iter().map(|k| k.0).collect();
    f.dedup();
    f
}

fn streams(function: &str) -> Vec<&'static str> {
    let mut s: Vec<_> = KNOWN.iter().filter(|k| k.0 == function).map(|k| k.1).collect();
    s.dedup();
    s
}

fn load(moto: &Moto, dir: &Path) {
    for f in functions() {
        let group = format!("/aws/lambda/{f}");
        moto.aws(&["logs", "create-log-group", "--log-group-name", &group]);
        for s in streams(f) {
            moto.aws(&["logs", "create-log-stream", "--log-group-name", &group, "--log-stream-name", s]);
            let file = dir.join("events.json");
            std::fs::write(&file, serde_json::to_vec(&events(f, s)).unwrap()).unwrap();
            let events = format!("file://{}", file.display());
            moto.aws(&[
                "logs",
                "put-log-events",
                "--log-group-name",
                &group,
                "--log-stream-name",
                s,
                "--log-events",
                &events,
            ]);
        }
    }
}

/// Runs `lambdastat report` on `input` and checks every function's numbers against the known ones.
fn check(input: &Path, out: &Path, recipe: &str) {
    Command::cargo_bin("lambdastat").unwrap().args(["report", "-q", "--out"]).arg(out).arg(input).assert().success();
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let got = summary["functions"].as_array().unwrap();
    let names: Vec<&str> = got.iter().map(|g| g["function"].as_str().unwrap()).collect();
    assert_eq!(names, functions(), "{recipe}: one function per function, named after it");
    assert_eq!(summary["inputs"]["skipped_lines"], 0, "{recipe}");
    assert_eq!(summary["inputs"]["duplicates"], 0, "{recipe}");
    for g in got {
        let f = g["function"].as_str().unwrap();
        let known: Vec<&Known> = KNOWN.iter().filter(|k| k.0 == f).collect();
        let count = |s: &str| known.iter().filter(|k| k.6 == s).count() as u64;
        assert_eq!(g["invocations"], known.len() as u64, "{recipe} {f}");
        assert_eq!(g["cold_starts"], known.iter().filter(|k| k.5.is_some()).count() as u64, "{recipe} {f}");
        assert_eq!(
            (g["errors"].as_u64(), g["timeouts"].as_u64()),
            (Some(count("error")), Some(count("timeout"))),
            "{recipe} {f}"
        );
        let durations: Vec<f64> = known.iter().map(|k| k.3).collect();
        for (p, key) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99")] {
            let want = numpy_linear(&durations, p);
            let have = g["duration_ms"]["all"][key].as_f64().unwrap();
            assert!((have - want).abs() < 1e-9, "{recipe} {f} duration {key}: {have} vs {want}");
        }
        let gb_s: f64 = known.iter().map(|k| 512.0 / 1024.0 * k.4 as f64 / 1000.0).sum();
        assert!((g["gb_seconds"].as_f64().unwrap() - gb_s).abs() < 1e-9, "{recipe} {f} GB-s");
        assert_eq!(g["region"], "eu-west-1", "{recipe} {f}: the Region from INIT_START");
    }
}

#[test]
fn every_readme_recipe_gives_back_the_known_numbers() {
    let Some(moto) = Moto::start() else { return };
    let tmp = tempfile::tempdir().unwrap();
    load(&moto, tmp.path());
    let t0 = t0();
    let (from, to) = ((t0 - 60_000).to_string(), (t0 + 3_600_000).to_string());

    // filter-log-events, one file per function in one folder: as JSON with --page-size 2 (the CLI
    // follows nextToken through many pages and joins them), and with --output text.
    for (name, extension, extra) in
        [("filter", "json", ["--page-size", "2"]), ("filter-text", "log", ["--output", "text"])]
    {
        let folder = tmp.path().join(name);
        std::fs::create_dir(&folder).unwrap();
        for f in functions() {
            let group = format!("/aws/lambda/{f}");
            let mut args = vec!["logs", "filter-log-events", "--log-group-name", &group, "--start-time", &from];
            args.extend(extra);
            std::fs::write(folder.join(format!("{f}.{extension}")), moto.aws(&args)).unwrap();
        }
        check(&folder, &tmp.path().join(format!("r-{name}")), &format!("filter-log-events {}", extra.join(" ")));
    }

    // get-log-events, one file per stream under logs/aws/lambda/FN/.
    let folder = tmp.path().join("get");
    for f in functions() {
        let dir = folder.join("aws/lambda").join(f);
        std::fs::create_dir_all(&dir).unwrap();
        for (i, s) in streams(f).into_iter().enumerate() {
            let json = moto.aws(&[
                "logs",
                "get-log-events",
                "--log-group-name",
                &format!("/aws/lambda/{f}"),
                "--log-stream-name",
                s,
                "--start-from-head",
            ]);
            std::fs::write(dir.join(format!("stream-{i}.json")), json).unwrap();
        }
    }
    check(&folder, &tmp.path().join("r-get"), "get-log-events");

    // create-export-task, then aws s3 cp --recursive of each function's prefix.
    moto.aws(&["s3", "mb", "s3://exports-bucket"]);
    let folder = tmp.path().join("export");
    for f in functions() {
        let prefix = format!("aws/lambda/{f}");
        moto.aws(&[
            "logs",
            "create-export-task",
            "--log-group-name",
            &format!("/aws/lambda/{f}"),
            "--from",
            &from,
            "--to",
            &to,
            "--destination",
            "exports-bucket",
            "--destination-prefix",
            &prefix,
        ]);
        let dest = folder.join(&prefix);
        moto.aws(&[
            "s3",
            "cp",
            "--recursive",
            "--quiet",
            &format!("s3://exports-bucket/{prefix}"),
            dest.to_str().unwrap(),
        ]);
    }
    check(&folder, &tmp.path().join("r-export"), "create-export-task + s3 cp");
    // And the same export tree straight from S3.
    let out = tmp.path().join("r-export-s3");
    Command::cargo_bin("lambdastat")
        .unwrap()
        .args(["report", "-q", "s3://exports-bucket/aws/lambda/", "--endpoint-url", &moto.endpoint, "--out"])
        .arg(&out)
        .envs(Moto::ENV)
        .assert()
        .success();
    let a: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let b: Value = serde_json::from_slice(&std::fs::read(tmp.path().join("r-export/summary.json")).unwrap()).unwrap();
    assert_eq!(a["functions"], b["functions"], "an export read from S3 equals its download");

    // Logs Insights: start-query, then get-query-results, one results file per function.
    let folder = tmp.path().join("insights");
    std::fs::create_dir(&folder).unwrap();
    for f in functions() {
        let query = r#"filter @type = "REPORT" | fields @timestamp, @log, @logStream, @message"#;
        let id = moto.aws(&[
            "logs",
            "start-query",
            "--log-group-name",
            &format!("/aws/lambda/{f}"),
            "--start-time",
            &(t0 / 1000 - 60).to_string(),
            "--end-time",
            &(t0 / 1000 + 3600).to_string(),
            "--query-string",
            query,
            "--output",
            "text",
        ]);
        let json = moto.aws(&["logs", "get-query-results", "--query-id", id.trim()]);
        assert!(json.contains("\"Complete\""), "{json}");
        std::fs::write(folder.join(format!("{f}.json")), json).unwrap();
    }
    check(&folder, &tmp.path().join("r-insights"), "start-query + get-query-results");
}
