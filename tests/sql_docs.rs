//! The SQL in `docs/sql/` gives lambdastat's numbers: DuckDB runs the DuckDB
//! query, and the portable exact-percentile formulation of the Athena query,
//! on an S3 export tree, and every figure must equal `summary.json` (to
//! floating-point rounding of the sums). Skipped with a notice where the
//! Python package `duckdb` is missing; required under `CI=true` (.ci/run
//! installs it from ../shared/wheels).

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const RUN: &str = r#"
import duckdb, json, sys
sql, objects, athena = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3] == "athena"
if athena:
    # Athena's table of lines becomes DuckDB's read_csv of the same objects; the rest is run as written.
    body = sql[sql.index("WITH reports AS"):]
    source = """WITH lines AS (
        SELECT filename AS "$path", line
        FROM read_csv(getvariable('objects'), columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '',
                      escape = '', header = false, filename = true, auto_detect = false, null_padding = true)
    ), reports AS ("""
    sql = body.replace("WITH reports AS (", source, 1).replace("FROM lambda_export", "FROM lines")
con = duckdb.connect()
con.execute("SET threads TO 2")
con.execute(f"SET VARIABLE {sys.argv[4]} = ?", [objects])
cur = con.execute(sql)
names = [d[0] for d in cur.description]
print(json.dumps([dict(zip(names, row)) for row in cur.fetchall()]))
"#;

fn duckdb_available() -> bool {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import duckdb"])
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("the Python package duckdb is required under CI=true: pip install --no-index --find-links ../shared/wheels duckdb");
        }
        eprintln!("notice: the Python package duckdb is missing (pip install duckdb); skipping the SQL test");
    }
    ok
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir(from) {
        let rel = entry.strip_prefix(from).unwrap();
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, to.join(rel)).unwrap();
    }
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-9)
}

#[test]
fn the_documented_sql_reproduces_summary_json() {
    if !duckdb_available() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    // Two functions: the sample export, and the same objects under a second name.
    let sample = root.join("sample-logs/s3-export/aws/lambda/LambdaRegularDemo");
    let tree = tmp.path().join("export");
    copy_tree(&sample, &tree.join("aws/lambda/OrdersFn"));
    copy_tree(&sample, &tree.join("aws/lambda/PaymentsFn"));
    let out = tmp.path().join("report");
    Command::cargo_bin("lambdastat")
        .unwrap()
        .current_dir(tmp.path())
        .args(["report", "-q", "--out"])
        .arg(&out)
        .arg(&tree)
        .assert()
        .success();
    let summary: Value = serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let functions = summary["functions"].as_array().unwrap();
    assert_eq!(functions.len(), 2);
    let objects = format!("{}/aws/lambda/**/000000.gz", tree.display());
    for (file, mode) in [("duckdb-s3-export.sql", "duckdb"), ("athena-s3-export.sql", "athena")] {
        let output = std::process::Command::new("python3")
            .args(["-c", RUN])
            .arg(root.join("docs/sql").join(file))
            .arg(&objects)
            .arg(mode)
            .arg("objects")
            .output()
            .unwrap();
        assert!(output.status.success(), "{file}: {}", String::from_utf8_lossy(&output.stderr));
        let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
        compare(file, &rows, functions);
    }
}

/// Every figure of the SQL's rows equals the summary's functions, in order.
fn compare(file: &str, rows: &[Value], functions: &[Value]) {
    assert_eq!(rows.len(), functions.len(), "{file}");
    for (row, f) in rows.iter().zip(functions) {
        assert_eq!(row["function"], f["function"], "{file}");
        assert_eq!(row["invocations"], f["invocations"], "{file}");
        assert_eq!(row["cold_starts"], f["cold_starts"], "{file}");
        let figures = [
            ("init_p50", &f["init_ms"]["p50"]),
            ("init_p90", &f["init_ms"]["p90"]),
            ("init_p99", &f["init_ms"]["p99"]),
            ("warm_p50", &f["duration_ms"]["warm"]["p50"]),
            ("warm_p90", &f["duration_ms"]["warm"]["p90"]),
            ("warm_p99", &f["duration_ms"]["warm"]["p99"]),
            ("gb_seconds", &f["gb_seconds"]),
            ("cost_usd", &f["cost_usd"]),
        ];
        for (name, want) in figures {
            let (have, want) = (row[name].as_f64().unwrap(), want.as_f64().unwrap());
            assert!(close(have, want), "{file} {} {name}: SQL {have} vs summary.json {want}", f["function"]);
        }
    }
}

/// `--records` written as Parquet, read by DuckDB with `docs/sql/duckdb-records.sql`, and read back by
/// lambdastat: the same figures as the report that wrote them.
#[cfg(feature = "parquet")]
#[test]
fn parquet_records_give_the_same_numbers_in_duckdb_and_read_back() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let report = |input: &Path, out: &Path, extra: &[&str]| -> Value {
        Command::cargo_bin("lambdastat")
            .unwrap()
            .current_dir(tmp.path())
            .args(["report", "-q", "--out"])
            .arg(out)
            .arg(input)
            .args(extra)
            .assert()
            .success();
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap()
    };
    let records = tmp.path().join("records");
    let original = report(&root.join("sample-logs"), &tmp.path().join("r1"), &["--records", records.to_str().unwrap()]);
    let functions = original["functions"].as_array().unwrap();
    assert_eq!(functions.len(), 5);
    // Hive partitions, one per function.
    let mut parts: Vec<String> =
        std::fs::read_dir(&records).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    parts.sort();
    let names: Vec<String> =
        functions.iter().map(|f| format!("function={}", f["function"].as_str().unwrap())).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(parts, sorted);

    // Read back: every figure of every function as before.
    let again = report(&records, &tmp.path().join("r2"), &[]);
    for (a, b) in again["functions"].as_array().unwrap().iter().zip(functions) {
        for key in [
            "function",
            "invocations",
            "cold_starts",
            "errors",
            "timeouts",
            "duration_ms",
            "init_ms",
            "billed_ms",
            "max_memory_mb",
            "gb_seconds",
            "cost_usd",
            "region",
            "runtime_version",
            "memory_size_mb",
        ] {
            assert_eq!(a[key], b[key], "{} {key}", b["function"]);
        }
    }
    assert_eq!(again["inputs"]["formats"]["parquet"], 5);
    assert_eq!(again["inputs"]["skipped_lines"], 0);

    // One file, and DuckDB's figures from it.
    let file = tmp.path().join("all.parquet");
    report(&root.join("sample-logs"), &tmp.path().join("r3"), &["--records", file.to_str().unwrap()]);
    if !duckdb_available() {
        return;
    }
    let output = std::process::Command::new("python3")
        .args(["-c", RUN])
        .arg(root.join("docs/sql/duckdb-records.sql"))
        .arg(&file)
        .arg("duckdb")
        .arg("records")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let mut by_name: Vec<&Value> = functions.iter().collect();
    by_name.sort_by_key(|f| f["function"].as_str().unwrap().to_string());
    let by_name: Vec<Value> = by_name.into_iter().cloned().collect();
    compare("duckdb-records.sql", &rows, &by_name);
}
