//! Percentiles of sorted samples, by a named method.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Linear interpolation between closest ranks: numpy's default (`linear`),
    /// Excel's PERCENTILE.INC, R type 7.
    #[default]
    Linear,
    /// Nearest rank: the smallest value with at least p% of values at or below it.
    NearestRank,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Linear => "linear",
            Method::NearestRank => "nearest-rank",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Method::Linear => "linear interpolation between closest ranks (numpy default): h = (n-1)p, x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h])",
            Method::NearestRank => "nearest rank: x[ceil(p n) - 1], the smallest value with at least p of the values at or below it",
        }
    }
}

/// The `p` quantile (0 <= p <= 1) of `sorted` (ascending, non-empty).
pub fn quantile_sorted<T: Copy + Into<f64>>(sorted: &[T], p: f64, method: Method) -> f64 {
    assert!(!sorted.is_empty(), "quantile of an empty sample");
    quantile_with(sorted.len(), p, method, |i| sorted[i].into())
}

/// The `p` quantile of `n` ascending values read through `at(i)` (the value at position `i`): what
/// [`quantile_sorted`] computes, for samples held another way (the bootstrap's order statistics).
pub fn quantile_with(n: usize, p: f64, method: Method, at: impl Fn(usize) -> f64) -> f64 {
    let (lo, hi, weight) = quantile_positions(n, p, method);
    match method {
        Method::Linear => {
            let (a, b) = (at(lo), at(hi));
            a + weight * (b - a)
        }
        Method::NearestRank => at(lo),
    }
}

/// The positions (0-based) of a sorted sample of `n` that the `p` quantile reads, `lo` and `hi`
/// (equal when it reads one), and the weight of the value at `hi` (linear interpolation).
pub fn quantile_positions(n: usize, p: f64, method: Method) -> (usize, usize, f64) {
    let p = p.clamp(0.0, 1.0);
    match method {
        Method::Linear => {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            (lo, (lo + 1).min(n - 1), h - lo as f64)
        }
        Method::NearestRank => {
            let rank = ((p * n as f64).ceil() as usize).clamp(1, n) - 1;
            (rank, rank, 0.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_linear_examples() {
        // numpy.percentile([1, 2, 3, 4], [50, 90, 99]) == [2.5, 3.7, 3.97]
        let x = [1u32, 2, 3, 4];
        assert_eq!(quantile_sorted(&x, 0.5, Method::Linear), 2.5);
        assert!((quantile_sorted(&x, 0.9, Method::Linear) - 3.7).abs() < 1e-12);
        assert!((quantile_sorted(&x, 0.99, Method::Linear) - 3.97).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[7u32], 0.99, Method::Linear), 7.0);
    }

    #[test]
    fn nearest_rank_examples() {
        // Wikipedia's nearest-rank example: {15, 20, 35, 40, 50}
        let x = [15u32, 20, 35, 40, 50];
        assert_eq!(quantile_sorted(&x, 0.05, Method::NearestRank), 15.0);
        assert_eq!(quantile_sorted(&x, 0.30, Method::NearestRank), 20.0);
        assert_eq!(quantile_sorted(&x, 0.40, Method::NearestRank), 20.0);
        assert_eq!(quantile_sorted(&x, 0.50, Method::NearestRank), 35.0);
        assert_eq!(quantile_sorted(&x, 1.0, Method::NearestRank), 50.0);
        assert_eq!(quantile_sorted(&x, 0.0, Method::NearestRank), 15.0);
    }
}
