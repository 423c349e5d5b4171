//! Property tests: percentiles against a plain sort-based reference, merges of
//! accumulators, and the scanner on arbitrary bytes.

mod common;
use common::{numpy_linear, scan_bytes};
use lambdastat::aggregate::GroupAcc;
use lambdastat::analysis::percentile::{quantile_sorted, Method};
use lambdastat::analysis::stats::describe;
use lambdastat::parse::{Invocation, Status};
use proptest::prelude::*;

fn nearest_rank_reference(values: &[u32], p: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort();
    // Smallest value with at least p*n values at or below it.
    let need = p * v.len() as f64;
    for (i, x) in v.iter().enumerate() {
        if (i + 1) as f64 >= need {
            return *x as f64;
        }
    }
    *v.last().unwrap() as f64
}

proptest! {
    #[test]
    fn describe_matches_numpy_linear(values in prop::collection::vec(0u32..2_000_000_000, 1..400)) {
        let as_ms: Vec<f64> = values.iter().map(|&v| v as f64 / 1000.0).collect();
        let mut sorted = values.clone();
        sorted.sort_unstable();
        let d = describe(&sorted, 1000.0, Method::Linear);
        for (got, p) in [(d.p50, 0.5), (d.p90, 0.9), (d.p99, 0.99)] {
            let want = numpy_linear(&as_ms, p);
            prop_assert!((got.unwrap() - want).abs() <= 1e-9 * want.abs().max(1.0), "p{} {} vs {}", p, got.unwrap(), want);
        }
        let mean = as_ms.iter().sum::<f64>() / as_ms.len() as f64;
        prop_assert!((d.mean.unwrap() - mean).abs() <= 1e-6 * mean.max(1.0));
        prop_assert_eq!(d.min.unwrap(), as_ms.iter().cloned().fold(f64::MAX, f64::min));
        prop_assert_eq!(d.max.unwrap(), as_ms.iter().cloned().fold(0.0, f64::max));
        prop_assert!(d.min <= d.p50 && d.p50 <= d.p90 && d.p90 <= d.p99 && d.p99 <= d.max);
        prop_assert_eq!(d.n, values.len() as u64);
    }

    #[test]
    fn nearest_rank_matches_definition(values in prop::collection::vec(0u32..1000, 1..300), p in 0.0f64..=1.0) {
        let mut sorted = values.clone();
        sorted.sort();
        prop_assert_eq!(quantile_sorted(&sorted, p, Method::NearestRank), nearest_rank_reference(&values, p));
    }

    #[test]
    fn merging_is_associative_and_equals_one_pass(
        durations in prop::collection::vec((0u64..1_000_000, 1u64..1000, prop::bool::ANY, 0u8..4), 0..120),
        cut1 in 0usize..120, cut2 in 0usize..120,
    ) {
        let invs: Vec<Invocation> = durations.iter().map(|&(d, billed, cold, st)| Invocation {
            request_id: ["r1", "r2", "r3"][(d % 3) as usize],
            function: None,
            log_stream: None,
            timestamp_ms: Some(d as i64),
            duration_us: Some(d),
            billed_ms: Some(billed),
            memory_size_mb: Some(128 + (billed % 3) * 128),
            max_memory_used_mb: Some(billed % 200),
            init_us: cold.then_some(d / 2),
            restore_us: None,
            billed_restore_ms: None,
            status: [Status::Success, Status::Error, Status::Timeout, Status::Failure][st as usize],
            error_type: (st == 1).then_some("Runtime.ExitError"),
            ..Invocation::default()
        }).collect();
        let (a, b) = (cut1.min(invs.len()), cut2.min(invs.len()));
        let (lo, hi) = (a.min(b), a.max(b));
        let acc = |slice: &[Invocation]| {
            let mut g = GroupAcc::default();
            for inv in slice { g.add(inv).unwrap(); }
            g
        };
        let mut whole = acc(&invs);
        let mut left = acc(&invs[..lo]);
        let mut mid_right = acc(&invs[lo..hi]);
        mid_right.merge(acc(&invs[hi..]));
        left.merge(mid_right);
        let mut left2 = acc(&invs[..lo]);
        left2.merge(acc(&invs[lo..hi]));
        left2.merge(acc(&invs[hi..]));
        // Values that are only ever sorted may come out of a merge in any order; billed duration and
        // memory are resampled in pairs by place, so they must keep the input's order: not sorted here.
        for g in [&mut whole, &mut left, &mut left2] {
            g.cold_duration_us.sort(); g.init_us.sort();
            g.restore_us.sort(); g.cold_latency_us.sort();
        }
        prop_assert_eq!(&whole, &left);
        prop_assert_eq!(&whole, &left2);
    }

    #[test]
    fn scanner_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = scan_bytes(&bytes);
    }

    #[test]
    fn scanner_never_panics_on_mangled_reports(
        cut in 0usize..220, junk in "[ -~\\t\\n\"'\\\\{}]{0,40}",
    ) {
        let line = "2024-01-01T00:00:00.000Z REPORT RequestId: 1a82f8fb\tDuration: 744.11 ms\tBilled Duration: 745 ms\tMemory Size: 512 MB\tMax Memory Used: 125 MB\tInit Duration: 1542.73 ms\t\n{\"type\":\"platform.report\",\"record\":{}}\n";
        let cut = cut.min(line.len());
        let text = format!("{}{}{}", &line[..cut], junk, &line[cut..]);
        let _ = scan_bytes(text.as_bytes());
        let quoted = format!("\"message\": \"{}\"", text.escape_default());
        let _ = scan_bytes(quoted.as_bytes());
    }
}
