//! Golden tests on real CloudWatch lines from ../shared/real-logs: each value
//! below is read off the file by eye (its `# source` line says where it came from).

mod common;
use common::scan_real;
use lambdastat::parse::Status;

#[test]
fn text_in_get_log_events_json_with_xray_suffix() {
    let Some(c) = scan_real("get-log-events-json-python-ap-northeast-1-2025-01-09.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let r = c.get("c0d5710b-de30-43c0-bae0-27220db0a69c");
    assert_eq!(r.duration_us, Some(1_776_810));
    assert_eq!(r.billed_ms, Some(1777));
    assert_eq!(r.memory_size_mb, Some(256));
    assert_eq!(r.max_memory_used_mb, Some(131));
    assert_eq!(r.init_us, Some(1_987_450));
    assert_eq!(r.status, Status::Success);
    // The log group line before the entries names the function.
    assert_eq!(r.function.as_deref(), Some("melon_dev_get_fake_thesis_title_category_format"));
    let r2 = c.get("1a82f8fb-d1ec-4ab7-9742-b31958f617a3");
    assert_eq!(r2.function.as_deref(), Some("melon_dev_generate_prompt_parameters"));
    assert_eq!(r2.duration_us, Some(744_110));
}

#[test]
fn json_log_format_report_with_three_decimals() {
    let Some(c) = scan_real("json-format-nodejs18-eu-west-3-logresult-2024-05-20.txt") else {
        return;
    };
    assert_eq!(c.records.len(), 1);
    let r = &c.records[0];
    assert_eq!(r.request_id, "4b142fc3-17b8-4cdb-a46b-a8dbe7918715");
    assert_eq!(r.function.as_deref(), Some("ColdStartPerfStack-Function76856677-qnwBXhjb6klt"));
    assert_eq!(r.duration_us, Some(11_642));
    assert_eq!(r.billed_ms, Some(12));
    assert_eq!(r.memory_size_mb, Some(128));
    assert_eq!(r.max_memory_used_mb, Some(67));
    assert_eq!(r.init_us, Some(174_055));
    assert_eq!(r.timestamp_ms, Some(1_716_222_585_022));
}

#[test]
fn json_log_format_nested_in_get_log_events_python_dicts() {
    let Some(c) = scan_real("json-format-python312-us-east-2-get-log-events-2024-06-17.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let r = c.get("40f6c622-67a3-4159-97f2-ce364a0cb7a8");
    assert_eq!(r.duration_us, Some(18_593));
    assert_eq!(r.billed_ms, Some(19));
    assert_eq!(r.memory_size_mb, Some(2048));
    assert_eq!(r.max_memory_used_mb, Some(246));
    assert_eq!(r.init_us, None);
}

#[test]
fn snapstart_restore_fields_in_sam_logs() {
    let Some(c) = scan_real("sam-logs-snapstart-java11-us-east-1-2023-06-02.txt") else {
        return;
    };
    assert_eq!(c.records.len(), 1);
    let r = &c.records[0];
    assert_eq!(r.request_id, "8c360c87-d4b7-4423-b5f3-af02be3c1763");
    assert_eq!(r.duration_us, Some(2_338_660));
    assert_eq!(r.billed_ms, Some(2521));
    assert_eq!(r.memory_size_mb, Some(3009));
    assert_eq!(r.max_memory_used_mb, Some(173));
    assert_eq!(r.restore_us, Some(398_970));
    assert_eq!(r.billed_restore_ms, Some(182));
    assert_eq!(r.init_us, None);
    // sam logs prefix: '<stream> <timestamp> <message>'
    assert_eq!(r.log_stream.as_deref(), Some("2023/06/02/[72]88ab219a63d343d294d0a9947e8ab36a"));
    assert_eq!(r.timestamp_ms, Some(1_685_705_245_060));
}

#[test]
fn status_and_error_type_2026() {
    let Some(c) = scan_real("ops-contract-gate-python312-us-east-1-2026.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    assert_eq!(c.records.len(), 10);
    let oom = c.get("276ff3b9-1609-4ee7-a288-db3752630767");
    assert_eq!(oom.status, Status::Error);
    assert_eq!(oom.error_type.as_deref(), Some("Runtime.OutOfMemory"));
    assert_eq!(oom.max_memory_used_mb, Some(1024));
    let timeout = c.get("c4c2a78d-5976-4177-91ae-64e7418b9769");
    assert_eq!(timeout.status, Status::Timeout);
    assert_eq!(timeout.duration_us, Some(600_000_000));
    assert_eq!(timeout.billed_ms, Some(600_517));
    assert_eq!(timeout.init_us, Some(516_310));
    assert_eq!(c.records.iter().filter(|r| r.status == Status::Timeout).count(), 2);
    // The X-Ray block sits on the next line and is not a record or a skip.
    assert_eq!(c.get("8d5958b5-559f-43f3-b278-b71dd7dd0e01").init_us, Some(413_610));
}

#[test]
fn hundred_ms_billing_era_subscription_payload() {
    let Some(c) = scan_real("datadog-forwarder-cloudwatch_log_coldstart-2020.json.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let r = c.get("db275f87-a934-471a-8980-b63bf4dc1beb");
    assert_eq!(r.duration_us, Some(1_760));
    assert_eq!(r.billed_ms, Some(100));
    assert_eq!(r.init_us, Some(120_960));
    assert_eq!(r.memory_size_mb, Some(128));
    assert_eq!(r.max_memory_used_mb, Some(48));
}

#[test]
fn tabs_turned_to_spaces_and_old_failure_format() {
    let Some(c) = scan_real("astuyve-blog-timeout-oom-coldstarts-nodejs.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    assert_eq!(c.records.len(), 7);
    let warm = c.get("5a1560621e1b");
    assert_eq!(warm.duration_us, Some(1_320));
    assert_eq!(warm.billed_ms, Some(2));
    assert_eq!(warm.init_us, None);
    // Old-style timeout: Billed below Duration, no Status field in the REPORT.
    let t = c.get("fd9bb1b0dfd7");
    assert_eq!((t.duration_us, t.billed_ms), (Some(6_006_560), Some(6000)));
    assert_eq!(c.records.iter().filter(|r| r.init_us.is_some()).count(), 2);
}

#[test]
fn space_before_tab_2018_and_python_string_literals() {
    let Some(c) = scan_real("tensult-aws-automation-report-format-2018.txt") else {
        return;
    };
    let r = c.get("faff6a71-7ea0-11e8-ac94-1710ce2fc493");
    assert_eq!((r.duration_us, r.billed_ms, r.max_memory_used_mb), (Some(1_790), Some(100), Some(46)));

    let Some(c) = scan_real("python313-eu-west-2-test-fixture-2025-06-04.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let r = c.get("b947edca-4eed-4d1f-867a-69675d275389");
    assert_eq!((r.duration_us, r.billed_ms, r.init_us), (Some(3_262_820), Some(3263), Some(1_017_490)));
}

#[test]
fn tabs_turned_into_newlines_snapstart_copy() {
    let Some(c) = scan_real("snapstart-scala-java11-ja-notes.txt") else {
        return;
    };
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let r = c.get("7ec844a7-7c81-44fc-9746-16a5b8c22262");
    assert_eq!((r.duration_us, r.billed_ms, r.memory_size_mb), (Some(10_806_850), Some(10807), Some(512)));
    let restored = c.get("2f98d5aa-c63b-41e8-a9d2-0d2c21d7410d");
    assert_eq!((restored.duration_us, restored.billed_ms), (Some(13_820), Some(129)));
}

#[test]
fn events_joined_in_cli_text_output_init_billed() {
    let Some(c) = scan_real("filter-log-events-output-text-python312-us-east-1.txt") else {
        return;
    };
    let r = c.get("0954acab-ed3f-494f-97c8-9791e0728419");
    assert_eq!((r.duration_us, r.billed_ms, r.init_us), (Some(2_030), Some(90), Some(87_780)));
}

#[test]
fn a_regex_that_looks_like_a_report_is_skipped_not_parsed() {
    let Some(c) = scan_real("maxday-lambda-perf-report_log-rs.txt") else {
        return;
    };
    assert_eq!(c.records.len(), 2);
    assert_eq!(c.skipped, vec![(2, "REPORT with unreadable Duration".to_string())]);
}
