//! Descriptive statistics of one sample: n, mean, min, P50/P90/P99, max.

use super::bootstrap::quantile_ci;
use super::percentile::{quantile_sorted, Method};
use serde::Serialize;

/// Below this many values a P99 is just the largest value or close to it.
pub const P99_MIN_N: u64 = 100;

/// A sample's statistics, in the unit of the field that holds it. With `n == 0`
/// every value is `None` (JSON `null`), never zero.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Distribution {
    pub n: u64,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p99: Option<f64>,
    pub max: Option<f64>,
    /// False when the P99 rests on fewer than 100 values.
    pub p99_reliable: bool,
    /// Distribution-free 95% confidence intervals of the percentiles
    /// (order statistics at the binomial ranks); `null` below 10 values.
    pub p50_ci95: Option<[f64; 2]>,
    pub p90_ci95: Option<[f64; 2]>,
    pub p99_ci95: Option<[f64; 2]>,
}

/// Statistics of `values`, sorted ascending, divided by `scale` (1000 turns microseconds into
/// milliseconds).
pub fn describe(values: &[u32], scale: f64, method: Method) -> Distribution {
    if values.is_empty() {
        return Distribution::default();
    }
    let n = values.len() as u64;
    let sum: u128 = values.iter().map(|&v| u128::from(v)).sum();
    let q = |p| quantile_sorted(values, p, method) / scale;
    let ci = |p| quantile_ci(values, p).map(|(lo, hi)| [lo / scale, hi / scale]);
    Distribution {
        n,
        mean: Some(sum as f64 / n as f64 / scale),
        min: Some(f64::from(values[0]) / scale),
        p50: Some(q(0.50)),
        p90: Some(q(0.90)),
        p99: Some(q(0.99)),
        max: Some(f64::from(values[values.len() - 1]) / scale),
        p99_reliable: n >= P99_MIN_N,
        p50_ci95: ci(0.50),
        p90_ci95: ci(0.90),
        p99_ci95: ci(0.99),
    }
}

/// The values of two sorted samples, sorted (a merge: linear, where sorting the two joined again
/// would cost a sort).
pub fn merge_sorted(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if b[j] < a[i] {
            out.push(b[j]);
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

/// Points of the empirical CDF of a sorted sample, thinned to at most
/// `max_points` (always keeping the first and last), scaled like [`describe`].
pub fn ecdf_points(sorted: &[u32], scale: f64, max_points: usize) -> Vec<(f64, f64)> {
    let n = sorted.len();
    if n == 0 || max_points == 0 {
        return Vec::new();
    }
    let step = n.div_ceil(max_points).max(1);
    let mut pts: Vec<(f64, f64)> =
        (0..n).step_by(step).map(|i| (f64::from(sorted[i]) / scale, (i + 1) as f64 / n as f64)).collect();
    if !(n - 1).is_multiple_of(step) {
        pts.push((f64::from(sorted[n - 1]) / scale, 1.0));
    }
    pts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_null_not_zero() {
        let d = describe(&[], 1.0, Method::Linear);
        assert_eq!(d.n, 0);
        assert_eq!(d.p50, None);
        assert_eq!(d.mean, None);
    }

    #[test]
    fn describes_in_milliseconds() {
        let mut v = vec![3000, 1000, 2000, 4000];
        v.sort_unstable();
        let d = describe(&v, 1000.0, Method::Linear);
        assert_eq!(d.n, 4);
        assert_eq!(d.mean, Some(2.5));
        assert_eq!(d.min, Some(1.0));
        assert_eq!(d.p50, Some(2.5));
        assert_eq!(d.max, Some(4.0));
        assert!(!d.p99_reliable);
    }

    #[test]
    fn merging_two_sorted_samples_sorts_them_together() {
        let (a, b) = (vec![1, 4, 4, 9], vec![0, 4, 5, 10, 11]);
        assert_eq!(merge_sorted(&a, &b), vec![0, 1, 4, 4, 4, 5, 9, 10, 11]);
        assert_eq!(merge_sorted(&[], &b), b);
        assert_eq!(merge_sorted(&a, &[]), a);
    }

    #[test]
    fn ecdf_keeps_ends() {
        let v: Vec<u32> = (1..=1000).collect();
        let pts = ecdf_points(&v, 1.0, 100);
        assert!(pts.len() <= 101);
        assert_eq!(pts[0], (1.0, 0.001));
        assert_eq!(*pts.last().unwrap(), (1000.0, 1.0));
    }
}
