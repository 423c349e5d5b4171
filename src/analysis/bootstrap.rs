//! Resampling statistics: a seeded generator, bootstrap confidence intervals
//! of a ratio of two statistics, and order-statistic intervals of a percentile.
//! Pure and deterministic: the same inputs and seed give the same interval.

use super::percentile::{quantile_positions, quantile_sorted, quantile_with, Method};

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

    /// Uniform in the open interval (0, 1), from 53 random bits.
    pub fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.unit(), self.unit());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Gamma(`shape`, 1) for `shape` >= 1 (Marsaglia and Tsang, 2000).
    fn gamma(&mut self, shape: f64) -> f64 {
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = 1.0 + c * x;
            if v <= 0.0 {
                continue;
            }
            let v = v * v * v;
            if self.unit().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    /// Beta(`a`, `b`) for `a`, `b` >= 1.
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
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
    /// The statistic of `scratch` (sorted in place for a quantile).
    pub fn of(self, scratch: &mut [f64], method: Method) -> f64 {
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
///
/// A quantile needs only one or two order statistics of its resample, and
/// those are drawn directly rather than drawing and sorting m values: a
/// resample of m draws from the n sorted values is `sorted[floor(U n)]` for m
/// uniforms U, so its j-th smallest value is `sorted[floor(U(j) n)]` with U(j)
/// the j-th order statistic of m uniforms, which is Beta(j, m - j + 1); the
/// next one is U(j) + (1 - U(j)) (1 - V^(1/(m-j))) for a uniform V. Same
/// distribution as resampling, O(1) a replicate instead of O(m log m).
pub fn replicates(values: &[f64], stat: Statistic, method: Method, resamples: usize, seed: u64) -> (Vec<f64>, f64) {
    let n = values.len();
    let m = n.min(MAX_RESAMPLE);
    let scale = (m as f64 / n.max(1) as f64).sqrt();
    let mut rng = Rng::new(seed);
    let reps = match stat {
        Statistic::Mean => (0..resamples)
            .map(|_| {
                let mut sum = 0.0;
                for _ in 0..m {
                    sum += values[rng.below(n)];
                }
                sum / m as f64
            })
            .collect(),
        Statistic::Quantile(p) => {
            let mut sorted = values.to_vec();
            sorted.sort_unstable_by(f64::total_cmp);
            let index = |u: f64| ((u * n as f64) as usize).min(n - 1);
            // The positions (0-based) of the resample the quantile reads: one, or two neighbours.
            let (lo, hi, _) = quantile_positions(m, p, method);
            (0..resamples)
                .map(|_| {
                    let u = rng.beta(lo as f64 + 1.0, (m - lo) as f64);
                    let u_next =
                        if hi > lo { u + (1.0 - u) * (1.0 - rng.unit().powf(1.0 / (m - lo - 1) as f64)) } else { u };
                    let (a, b) = (sorted[index(u)], sorted[index(u_next)]);
                    quantile_with(m, p, method, |j| if j == lo { a } else { b })
                })
                .collect()
        }
    };
    (reps, scale)
}

/// One sample's bootstrap: its point estimate and replicates (see [`replicates`]). A baseline's is
/// computed once and set against every candidate's.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    point: f64,
    replicates: Vec<f64>,
    scale: f64,
}

impl Bootstrap {
    /// `None` for an empty sample or no resamples.
    pub fn of(values: &[f64], stat: Statistic, method: Method, resamples: usize, seed: u64) -> Option<Bootstrap> {
        if values.is_empty() || resamples == 0 {
            return None;
        }
        let point = stat.of(&mut values.to_vec(), method);
        let (replicates, scale) = replicates(values, stat, method, resamples, seed);
        Some(Bootstrap { point, replicates, scale })
    }

    /// The 95% percentile-bootstrap interval of `candidate / baseline` (`self` is the baseline), the
    /// samples resampled independently. `None` when a baseline replicate is zero.
    pub fn ratio_ci(&self, candidate: &Bootstrap) -> Option<(f64, f64)> {
        let (b0, bs, c0, cs) = (self.point, self.scale, candidate.point, candidate.scale);
        let mut ratios = Vec::with_capacity(self.replicates.len());
        for (bi, ci) in self.replicates.iter().zip(&candidate.replicates) {
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
    let b = Bootstrap::of(baseline, stat, method, resamples, seeds.0)?;
    b.ratio_ci(&Bootstrap::of(candidate, stat, method, resamples, seeds.1)?)
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

    /// Drawing the order statistics gives the distribution resampling and sorting gives: the two sets
    /// of replicates pass a Kolmogorov-Smirnov test, for several quantiles, methods and samples.
    #[test]
    fn drawn_order_statistics_match_resampling() {
        let mut r = Rng::new(3);
        let tails: Vec<f64> = (0..400).map(|_| (r.below(50) as f64).powi(2) / 7.0 + r.unit()).collect();
        let ties: Vec<f64> = (0..150).map(|_| r.below(12) as f64).collect();
        for values in [&tails, &ties] {
            for (stat, method) in [
                (Statistic::Quantile(0.5), Method::Linear),
                (Statistic::Quantile(0.99), Method::Linear),
                (Statistic::Quantile(0.9), Method::NearestRank),
                (Statistic::Quantile(0.25), Method::Linear),
            ] {
                let k = 20_000;
                let (mut fast, _) = replicates(values, stat, method, k, 11);
                let mut rng = Rng::new(12);
                let mut slow: Vec<f64> = (0..k)
                    .map(|_| {
                        let mut s: Vec<f64> = (0..values.len()).map(|_| values[rng.below(values.len())]).collect();
                        stat.of(&mut s, method)
                    })
                    .collect();
                // Two-sample Kolmogorov-Smirnov distance: about 0.02 is the 0.1% critical value here.
                fast.sort_by(f64::total_cmp);
                slow.sort_by(f64::total_cmp);
                let (mut i, mut j, mut ks) = (0, 0, 0.0f64);
                while i < k && j < k {
                    let x = fast[i].min(slow[j]);
                    while i < k && fast[i] <= x {
                        i += 1;
                    }
                    while j < k && slow[j] <= x {
                        j += 1;
                    }
                    ks = ks.max((i as f64 - j as f64).abs() / k as f64);
                }
                assert!(ks < 0.025, "{stat:?} {method:?}: KS distance {ks}");
            }
        }
        let mut g = Rng::new(5);
        let draws: Vec<f64> = (0..50_000).map(|_| g.beta(3.0, 7.0)).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.3).abs() < 0.003, "Beta(3, 7) mean {mean}");
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
