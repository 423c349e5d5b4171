//! The Mann-Whitney U test (Wilcoxon rank-sum): do two samples come from the
//! same distribution? Two-sided p-value by the normal approximation with tie
//! correction and continuity correction, as scipy's
//! `mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")`.

/// `(U of x, two-sided p)`; `None` when a sample is empty.
pub fn mann_whitney_u(x: &[f64], y: &[f64]) -> Option<(f64, f64)> {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return None;
    }
    let mut all: Vec<(f64, bool)> = x.iter().map(|&v| (v, true)).chain(y.iter().map(|&v| (v, false))).collect();
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let t = (j - i + 1) as f64;
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_x += avg_rank * all[i..=j].iter().filter(|e| e.1).count() as f64;
        tie_term += t * t * t - t;
        i = j + 1;
    }
    let (n1f, n2f, nf) = (n1 as f64, n2 as f64, n as f64);
    let u1 = rank_sum_x - n1f * (n1f + 1.0) / 2.0;
    let mu = n1f * n2f / 2.0;
    let var = n1f * n2f / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)).max(1.0));
    if var <= 0.0 {
        return Some((u1, 1.0));
    }
    let z = ((u1 - mu).abs() - 0.5).max(0.0) / var.sqrt();
    let p = libm::erfc(z / std::f64::consts::SQRT_2);
    Some((u1, p.clamp(0.0, 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_samples_are_not_different() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let (u, p) = mann_whitney_u(&x, &x).unwrap();
        assert_eq!(u, 12.5);
        assert!(p > 0.9, "{p}");
    }

    #[test]
    fn separated_samples_are() {
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let y: Vec<f64> = (100..150).map(f64::from).collect();
        let (u, p) = mann_whitney_u(&x, &y).unwrap();
        assert_eq!(u, 0.0);
        assert!(p < 1e-15, "{p}");
        assert_eq!(mann_whitney_u(&[], &y), None);
    }
}
