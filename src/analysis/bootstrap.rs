//! Resampling statistics: a seeded generator, bootstrap confidence intervals
//! of a ratio of two statistics, and order-statistic intervals of a percentile.
//! Pure and deterministic: the same inputs and seed give the same interval.

use super::percentile::{quantile_sorted, Method};

/// The normal quantile of a two-sided 95% interval (rounded as textbooks print it).
pub const Z_95: f64 = 1.96;

/// xoshiro256++ seeded through SplitMix64: small, fast, and fixed here so that
/// results never change with a dependency's version.
#[derive(Debug, Clone)]
pub struct Rng([u64; 4]);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2^-32 for
    /// the sample sizes here).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

/// A stable 64-bit seed from a base seed and names (FNV-1a), so that each
/// (group, metric) gets its own stream whatever order threads run in.
pub fn seed_for(base: u64, parts: &[&str]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ base;
    for p in parts {
        for b in p.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

/// What is estimated from one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    Quantile(f64),
    Mean,
}

impl Statistic {
    fn of(self, scratch: &mut [f64], method: Method) -> f64 {
        match self {
            Statistic::Mean => scratch.iter().sum::<f64>() / scratch.len() as f64,
            Statistic::Quantile(p) => {
                scratch.sort_unstable_by(f64::total_cmp);
                quantile_sorted(scratch, p, method)
            }
        }
    }
}

/// Above this many values a bootstrap resample is drawn m-out-of-n with m =
/// this, and the interval's width rescaled by sqrt(m/n).
pub const MAX_RESAMPLE: usize = 100_000;

/// Bootstrap replicates of `stat` on `values`: `resamples` values, each the
/// statistic of a resample drawn with replacement. Also returns the scale to
/// apply to deviations from the point estimate (1 unless m-out-of-n).
pub fn replicates(values: &[f64], stat: Statistic, method: Method, resamples: usize, seed: u64) -> (Vec<f64>, f64) {
    let n = values.len();
    let m = n.min(MAX_RESAMPLE);
    let scale = (m as f64 / n.max(1) as f64).sqrt();
    let mut rng = Rng::new(seed);
    let mut scratch = vec![0.0; m];
    let reps = (0..resamples)
        .map(|_| {
            for slot in scratch.iter_mut() {
                *slot = values[rng.below(n)];
            }
            stat.of(&mut scratch, method)
        })
        .collect();
    (reps, scale)
}

/// The 95% percentile-bootstrap interval of `candidate stat / baseline stat`,
/// resampling both samples independently. `None` when a sample is empty or a
/// baseline replicate is zero.
pub fn ratio_ci(
    baseline: &[f64],
    candidate: &[f64],
    stat: Statistic,
    method: Method,
    resamples: usize,
    seeds: (u64, u64),
) -> Option<(f64, f64)> {
    if baseline.is_empty() || candidate.is_empty() || resamples == 0 {
        return None;
    }
    let point = |v: &[f64]| stat.of(&mut v.to_vec(), method);
    let (b0, c0) = (point(baseline), point(candidate));
    let (b, bs) = replicates(baseline, stat, method, resamples, seeds.0);
    let (c, cs) = replicates(candidate, stat, method, resamples, seeds.1);
    let mut ratios = Vec::with_capacity(resamples);
    for (bi, ci) in b.iter().zip(&c) {
        // m-out-of-n: shrink each replicate's deviation back to n-sample scale.
        let bi = b0 + (bi - b0) * bs;
        let ci = c0 + (ci - c0) * cs;
        if bi <= 0.0 {
            return None;
        }
        ratios.push(ci / bi);
    }
    ratios.sort_unstable_by(f64::total_cmp);
    Some((quantile_sorted(&ratios, 0.025, Method::Linear), quantile_sorted(&ratios, 0.975, Method::Linear)))
}

/// Distribution-free 95% interval of the `p` quantile of a sorted sample:
/// order statistics at the binomial(n, p) normal-approximation ranks
/// `np ± 1.96 sqrt(np(1-p))`. `None` below 10 values.
pub fn quantile_ci<T: Copy + Into<f64>>(sorted: &[T], p: f64) -> Option<(f64, f64)> {
    let n = sorted.len();
    if n < 10 {
        return None;
    }
    let np = n as f64 * p;
    let half = Z_95 * (np * (1.0 - p)).sqrt();
    let lo = ((np - half).floor().max(1.0) as usize).min(n) - 1;
    let hi = ((np + half).ceil().max(1.0) as usize).min(n) - 1;
    Some((sorted[lo].into(), sorted[hi].into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_is_reproducible_and_uniform() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        assert_eq!((0..5).map(|_| a.next_u64()).collect::<Vec<_>>(), (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        let mut r = Rng::new(7);
        let mut counts = [0u32; 10];
        for _ in 0..100_000 {
            counts[r.below(10)] += 1;
        }
        assert!(counts.iter().all(|&c| (9_500..10_500).contains(&c)), "{counts:?}");
    }

    #[test]
    fn ratio_of_a_scaled_copy_is_near_the_scale() {
        let base: Vec<f64> = (1..=400).map(|i| i as f64).collect();
        let fast: Vec<f64> = base.iter().map(|x| x / 7.0).collect();
        let (lo, hi) = ratio_ci(&base, &fast, Statistic::Quantile(0.5), Method::Linear, 2000, (1, 2)).unwrap();
        assert!(lo < 1.0 / 7.0 && 1.0 / 7.0 < hi, "{lo} {hi}");
        assert!(hi / lo < 1.5, "{lo} {hi}");
    }

    #[test]
    fn quantile_interval_brackets_the_median() {
        let v: Vec<u32> = (0..1000).collect();
        let (lo, hi) = quantile_ci(&v, 0.5).unwrap();
        assert!(lo < 500.0 && hi > 500.0 && hi - lo < 80.0, "{lo} {hi}");
        assert_eq!(quantile_ci(&v[..5], 0.5), None);
    }
}
