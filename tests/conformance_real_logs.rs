//! Conformance: every file in ../shared/real-logs is read with the right
//! format, and its REPORT records, cold starts, errors and timeouts are
//! counted as the file's `# source` line and content say. The expectations
//! were read off each file by hand (see the comments); lambda-perf counts
//! are the number of values in its JSON arrays.

mod common;
use common::real_logs_dir;
use lambdastat::aggregate::GroupSettings;
use lambdastat::aggregate::{collect, ReadOptions};
use lambdastat::source::expand_inputs;

struct Expect {
    file: &'static str,
    format: &'static str,
    records: u64,
    cold: u64,
    errors: u64,
    timeouts: u64,
    init_failures: u64,
    skipped: u64,
    /// Copies of a REPORT already counted (same function and request id).
    duplicates: u64,
}

const fn e(file: &'static str, format: &'static str, records: u64, cold: u64, errors: u64, timeouts: u64) -> Expect {
    Expect { file, format, records, cold, errors, timeouts, init_failures: 0, skipped: 0, duplicates: 0 }
}

const EXPECTED: &[Expect] = &[
    // Old failure format: timeout by 'Task timed out' line, OOM by 'RequestId: .. Error: Runtime exited';
    // the two 'is cold' invocations after failures carry no Init Duration (suppressed init).
    e("astuyve-blog-timeout-oom-coldstarts-nodejs.txt", "text", 7, 2, 1, 1),
    // 19 REPORTs of doc examples, several repeated across runtime pages: 9 request ids (4ce9340a… and
    // 57f231fb… six times each), so 9 invocations and 10 duplicates; 7 of the 9 with Init Duration.
    Expect { duplicates: 10, ..e("aws-docs-2023-runtime-logging-examples.txt", "text", 9, 7, 0, 0) },
    // old crash + new crash = 2 errors; old + new timeout = 2; 2 INIT_REPORT and 2 RESTORE_REPORT failures.
    Expect { init_failures: 2, ..e("aws-docs-runtime-environment-failure-examples.txt", "text", 5, 3, 2, 2) },
    e("console-csv-download-go-provided-al2023-2025-06-29.txt", "console-csv", 1, 1, 0, 0),
    e("datadog-forwarder-cloudwatch_log_coldstart-2020.json.txt", "subscription", 1, 1, 0, 0),
    e("datadog-forwarder-cloudwatch_log_timeout-2020.json.txt", "subscription", 1, 1, 0, 1),
    e("datadog-forwarder-test-report-lines-2019.txt", "text", 3, 0, 0, 0),
    // INIT_START/START/app/END only: no REPORT in this excerpt.
    e("exported-style-nodejs20-us-east-1-2024-02-13.txt", "s3-export", 0, 0, 0, 0),
    e("filter-log-events-output-text-python312-us-east-1.txt", "text", 4, 4, 0, 0),
    e("get-log-events-json-python-ap-northeast-1-2025-01-09.txt", "cloudwatch-json", 2, 2, 0, 0),
    // 'Process exited before completing request' after the REPORT.
    e("gist-a-h-go-oom-2018.txt", "text", 1, 0, 1, 0),
    e("gist-brianleroux-deno-provided-2022-11-16.txt", "text", 2, 1, 0, 0),
    e("go-test-report-xray-2020.txt", "text", 2, 1, 0, 0),
    // Two INIT_REPORT failures (init and the retried invoke phase) and the fault line of the one invocation.
    Expect { init_failures: 2, ..e("init-report-invalid-entrypoint-go.txt", "text", 1, 0, 1, 0) },
    e("json-format-nodejs18-eu-west-3-logresult-2024-05-20.txt", "lambda-json", 1, 1, 0, 0),
    // The report succeeded; the timeout is a separate platform.initReport.
    Expect {
        init_failures: 1,
        ..e("json-format-python312-us-east-2-get-log-events-2024-06-17.txt", "cloudwatch-json", 1, 0, 0, 0)
    },
    e("logs-insights-get-query-results-nodejs-us-east-1-2022-05-02.json.txt", "insights-json", 1, 0, 0, 0),
    // One cold start per value (Init, or Restore for SnapStart configurations).
    e("maxday-lambda-perf-data-2023-06-01.json", "lambda-perf", 1349, 1349, 0, 0),
    e("maxday-lambda-perf-data-2025-09-01.json", "lambda-perf", 5838, 5838, 0, 0),
    e("maxday-lambda-perf-data.SOURCE.txt", "text", 0, 0, 0, 0),
    // Two fixture lines (one cold); the regex source line looks like a REPORT and is skipped.
    // The same request id in two fixture lines (with and without Init Duration): the first is kept.
    Expect { skipped: 1, duplicates: 1, ..e("maxday-lambda-perf-report_log-rs.txt", "text", 1, 1, 0, 0) },
    e("ops-contract-gate-python312-us-east-1-2026.txt", "text", 10, 4, 2, 2),
    e("ops-intelligence-python312-2026-04-25.txt", "text", 1, 1, 0, 0),
    e("otel-lambda-pr2011-report-2025-10.txt", "text", 1, 1, 0, 0),
    e("provided-al2023-rust-extension-lines-2023-11-24.txt", "text", 2, 1, 0, 0),
    e("python313-eu-west-2-test-fixture-2025-06-04.txt", "text", 2, 2, 0, 0),
    e("sam-logs-python311-af-south-1-2023-10-13.txt", "sam-logs", 1, 1, 0, 0),
    e("sam-logs-snapstart-java11-us-east-1-2023-06-02.txt", "sam-logs", 1, 1, 0, 0),
    e("sam-logs-snapstart-java11-us-east-1-2023-07-05.txt", "sam-logs", 1, 1, 0, 0),
    // First copy has no Init Duration; the restored one has Restore Duration on its own line.
    e("snapstart-scala-java11-ja-notes.txt", "text", 2, 1, 0, 0),
    e("tensult-aws-automation-report-format-2018.txt", "text", 1, 0, 0, 0),
];

#[test]
fn every_real_log_file_reads_as_its_content_says() {
    let Some(dir) = real_logs_dir() else { return };
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let missing: Vec<&String> = names.iter().filter(|n| !EXPECTED.iter().any(|x| x.file == n.as_str())).collect();
    assert!(missing.is_empty(), "real-log files without expectations (add them to EXPECTED): {missing:?}");

    let mut failures = Vec::new();
    for x in EXPECTED {
        let (files, errors) = expand_inputs(&[dir.join(x.file)]);
        assert!(errors.is_empty(), "{}: {errors:?}", x.file);
        let data = collect(&files, &ReadOptions::default(), &GroupSettings::default());
        assert!(data.errors.is_empty(), "{}: {:?}", x.file, data.errors);
        let f = &data.files[0];
        let sum =
            |get: fn(&lambdastat::aggregate::GroupAcc) -> u64| data.groups.iter().map(|g| get(&g.acc)).sum::<u64>();
        let got = (
            f.format.label(),
            f.records,
            sum(|a| a.cold_starts),
            sum(|a| a.errors),
            sum(|a| a.timeouts),
            sum(|a| a.init_failures),
            f.skips().total(),
            f.duplicates,
        );
        let want = (x.format, x.records, x.cold, x.errors, x.timeouts, x.init_failures, x.skipped, x.duplicates);
        if got != want {
            failures.push(format!(
                "{}: got (format, records, cold, errors, timeouts, init failures, skipped, duplicates) {got:?}, want {want:?}",
                x.file
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn init_and_restore_failures_keep_their_status_and_type() {
    let Some(dir) = real_logs_dir() else { return };
    let (files, _) = expand_inputs(&[dir.join("aws-docs-runtime-environment-failure-examples.txt")]);
    let data = collect(&files, &ReadOptions::default(), &GroupSettings::default());
    let mut kinds = std::collections::BTreeMap::new();
    for g in &data.groups {
        for (k, v) in &g.acc.failure_kinds {
            *kinds.entry(k.clone()).or_insert(0u64) += v;
        }
    }
    let want: std::collections::BTreeMap<String, u64> = [
        ("init error: Extension.Crash", 1),
        ("init timeout", 1),
        ("restore error: Runtime.ExitError", 1),
        ("restore timeout", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(kinds, want);
}
