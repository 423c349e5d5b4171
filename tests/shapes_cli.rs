//! End-to-end: a directory mixing every export shape, read in one run;
//! INIT_START joined across files of one stream; grouping, labels and
//! Regional pricing from lambdastat.toml; bad configuration named by key.

use assert_cmd::Command;
use base64::Engine;
use flate2::{write::GzEncoder, Compression};
use predicates::prelude::*;
use serde_json::Value;
use std::io::Write;
use std::path::Path;

fn lambdastat(cwd: &Path) -> Command {
    let mut c = Command::cargo_bin("lambdastat").unwrap();
    c.current_dir(cwd);
    c
}

fn gz(text: &str) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn report(id: &str, duration: &str, billed: u64, mem: u64, init: Option<&str>) -> String {
    let mut r = format!("REPORT RequestId: {id}\tDuration: {duration} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: 50 MB\t");
    if let Some(i) = init {
        r.push_str(&format!("Init Duration: {i} ms\t"));
    }
    r
}

fn build_mixed_dir(root: &Path) {
    // S3 export: one stream in two objects; INIT_START only in the first.
    let stream = root.join("s3/aws/lambda/Exported/task-1/2026/11/01/[$LATEST]aaaa");
    write(
        &stream.join("000000.gz"),
        gz(&format!(
            "2026-11-01T00:00:00.000Z INIT_START Runtime Version: dotnet:8.v47\tRuntime Version ARN: arn:aws:lambda:eu-central-2::runtime:ab\n\n2026-11-01T00:00:01.000Z {}\n\n",
            report("e1", "100.00", 1101, 1024, Some("1000.00"))
        )),
    );
    write(
        &stream.join("000001.gz"),
        gz(&format!(
            "2026-11-01T00:01:00.000Z {}\n\n2026-11-01T00:02:00.000Z {}\n\n",
            report("e2", "10.00", 10, 1024, None),
            report("e3", "20.00", 20, 1024, None)
        )),
    );
    write(&root.join("s3/aws/lambda/Exported/aws-logs-write-test"), "Permission Check Successful");
    // Logs Insights console CSV: memory in bytes.
    write(
        &root.join("insights.csv"),
        "@timestamp,@requestId,@log,@duration,@billedDuration,@memorySize,@maxMemoryUsed,@initDuration\n\
         2026-11-01 00:00:00.000,i1,1:/aws/lambda/Queried,5.5,6,1.28E8,6E7,200.5\n\
         2026-11-01 00:00:01.000,i2,1:/aws/lambda/Queried,1.25,2,128000000,61000000,\n",
    );
    // bench-runner CSV.
    write(
        &root.join("bench/results.csv"),
        "function,variant,iteration,cold,init_ms,duration_ms,billed_ms,memory_size_mb,max_memory_mb,package_bytes,package_files,build_seconds\n\
         hello,hello-aot,1,true,90.5,3.25,94,256,30,7340032,2,75.5\n\
         hello,hello-aot,2,false,,1.5,2,256,31,,,\n",
    );
    // A CSV of another shape, read through --csv-map.
    write(&root.join("other/timings.csv"), "Fn,InitDuration,Duration\nmapped,120.5,7.75\nmapped,,2.5\n");
    // A subscription payload stored base64(gzip(JSON)) by a forwarder.
    let payload = r#"{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/aws/lambda/Subscribed","logStream":"2026/11/01/[$LATEST]bbbb","subscriptionFilters":["f"],"logEvents":[{"id":"1","timestamp":1793491200000,"message":"REPORT RequestId: 5a1a0001-aaaa\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\t\n"},{"id":"2","timestamp":1793491201000,"message":"2026-11-01T00:00:01.000Z 5a1a0002-bbbb Task timed out after 3.00 seconds\n"},{"id":"3","timestamp":1793491201000,"message":"REPORT RequestId: 5a1a0002-bbbb\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB\t\n"}]}"#;
    let line = base64::engine::general_purpose::STANDARD.encode(gz(payload));
    write(&root.join("firehose/records.b64"), format!("{line}\n"));
    // sls logs: 'REPORT - <id>' with the fields on the next line.
    write(
        &root.join("sls/aws/lambda/Served.log"),
        "START - 0001aaaa - Version: $LATEST\nEND - 0001aaaa\nREPORT - 0001aaaa\nDuration: 4.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 150.00 ms\n",
    );
}

fn summary(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

fn group<'a>(s: &'a Value, function: &str) -> &'a Value {
    s["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["function"] == function)
        .unwrap_or_else(|| panic!("no {function}: {s}"))
}

#[test]
fn a_directory_of_every_shape_reads_in_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tmp.path().join("logs");
    build_mixed_dir(&logs);
    let out = tmp.path().join("out");
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out", "--csv-map", "function=Fn,init_ms=InitDuration,duration_ms=Duration"])
        .assert()
        .success();
    let s = summary(&out);
    let formats = &s["inputs"]["formats"];
    for (fmt, n) in
        [("s3-export", 2), ("insights-csv", 1), ("benchmark-csv", 1), ("csv", 1), ("subscription", 1), ("sls-logs", 1)]
    {
        assert_eq!(formats[fmt], n, "{fmt}: {formats}");
    }
    assert_eq!(s["inputs"]["files"], 7, "the aws-logs-write-test object is not a log");
    assert_eq!(s["inputs"]["skipped_lines"], 0, "{}", s["inputs"]);

    let exported = group(&s, "Exported");
    assert_eq!((exported["invocations"].as_u64(), exported["cold_starts"].as_u64()), (Some(3), Some(1)));
    // The stream's INIT_START (in 000000.gz) gives all three records its runtime and Region.
    assert_eq!(exported["runtime_version"], "dotnet:8.v47");
    assert_eq!(exported["region"], "eu-central-2");
    // eu-central-2 prices: $0.0000183334 per GB-s (x86_64), $0.22 per million requests.
    let gb_s = 1024.0 / 1024.0 * (1101.0 + 10.0 + 20.0) / 1000.0;
    let cost = gb_s * 0.0000183334 + 3.0 * 0.22 / 1e6;
    assert!((exported["cost_usd"].as_f64().unwrap() - cost).abs() < 1e-12, "{}", exported["cost_usd"]);

    let queried = group(&s, "Queried");
    assert_eq!(queried["memory_size_mb"], 128);
    assert_eq!(queried["max_memory_mb"]["max"], 61.0);
    assert_eq!(queried["init_ms"]["p50"], 200.5);

    let bench = group(&s, "hello-aot");
    assert_eq!((bench["invocations"].as_u64(), bench["cold_starts"].as_u64()), (Some(2), Some(1)));
    assert_eq!(bench["package"]["bytes"], 7340032);
    assert_eq!(bench["package"]["build_seconds"], 75.5);

    let mapped = group(&s, "mapped");
    assert_eq!(mapped["invocations"], 2);
    assert_eq!(mapped["init_ms"]["max"], 120.5);
    assert_eq!(mapped["billed_invocations"], 0, "no billed column: no cost");
    assert_eq!(mapped["cost_usd"], 0.0);
    assert!(mapped["cost_per_million_usd"].is_null());

    let sub = group(&s, "Subscribed");
    assert_eq!((sub["invocations"].as_u64(), sub["timeouts"].as_u64()), (Some(2), Some(1)));

    let sls = group(&s, "Served");
    assert_eq!((sls["invocations"].as_u64(), sls["cold_starts"].as_u64()), (Some(1), Some(1)));
}

#[test]
fn config_file_labels_groups_and_prices() {
    let tmp = tempfile::tempdir().unwrap();
    build_mixed_dir(&tmp.path().join("logs"));
    write(
        &tmp.path().join("lambdastat.toml"),
        r#"
title = "Mixed shapes"
group_by = ["label", "cold"]
[labels]
Exported = "Exported .NET"
[functions.Served]
label = "Served by sls"
architecture = "arm64"
"#,
    );
    lambdastat(tmp.path()).args(["report", "logs", "-o", "out"]).assert().success();
    let s = summary(&tmp.path().join("out"));
    assert_eq!(s["group_by"], serde_json::json!(["label", "cold"]));
    let names: Vec<&str> = s["functions"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Exported .NET · cold") && names.contains(&"Exported .NET · warm"), "{names:?}");
    let served = s["functions"].as_array().unwrap().iter().find(|f| f["name"] == "Served by sls · cold").unwrap();
    assert_eq!(served["architecture"], "arm64");
    let gb_s = 128.0 / 1024.0 * 5.0 / 1000.0;
    assert!((served["cost_usd"].as_f64().unwrap() - (gb_s * 0.0000133334 + 0.2 / 1e6)).abs() < 1e-15);
    assert!(std::fs::read_to_string(tmp.path().join("out/index.html"))
        .unwrap()
        .contains("<title>Mixed shapes</title>"));

    // A flag beats the file.
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out2", "--group-by", "function", "--arch", "x86_64"])
        .assert()
        .success();
    let s = summary(&tmp.path().join("out2"));
    assert_eq!(group(&s, "Served")["architecture"], "x86_64");
}

#[test]
fn bad_config_names_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("logs/x.log"), report("a", "1.00", 1, 128, None));
    write(&tmp.path().join("bad.toml"), "[functions.Fn]\narchitecture = \"sparc\"\n");
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out", "--config", "bad.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml").and(predicate::str::contains("architecture")));
    write(&tmp.path().join("lambdastat.toml"), "group_by = [\"colour\"]\n");
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("group_by"));
    lambdastat(tmp.path())
        .args(["report", "logs", "-o", "out", "--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.toml"));
}
