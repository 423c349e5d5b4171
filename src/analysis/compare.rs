//! Comparisons against a baseline group: for each other group, the ratio of
//! key statistics with a 95% bootstrap confidence interval and a Mann-Whitney U
//! p-value, phrased the way a reader needs it. Pure: no I/O.

use super::bootstrap::{seed_for, Bootstrap, Statistic};
use super::mannwhitney::mann_whitney_u;
use super::percentile::Method;
use super::stats::P99_MIN_N;
use rayon::prelude::*;
use serde::Serialize;

/// Below this many values in either sample, a comparison is "too few to say".
pub const MIN_N: usize = 30;

/// What a comparison concludes about one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Verdict {
    /// The whole 95% interval of the ratio is below 1.
    #[serde(rename = "better")]
    Better,
    /// The whole 95% interval of the ratio is above 1.
    #[serde(rename = "worse")]
    Worse,
    #[serde(rename = "no clear difference")]
    NoClearDifference,
    /// Fewer than [`MIN_N`] values on one side.
    #[serde(rename = "too few to say")]
    TooFew,
    #[serde(rename = "no data")]
    NoData,
}

/// A group as a comparison sees it: its name and its values.
#[derive(Debug, Clone, Copy)]
pub struct Sampled<'a> {
    pub name: &'a str,
    pub samples: &'a Samples,
}

/// The raw values a group's comparisons need (kept only when comparing).
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Init Duration, or Restore Duration for SnapStart groups, ms.
    pub cold_start_ms: Vec<f64>,
    /// Init (or Restore) Duration + Duration of each cold invocation, ms.
    pub cold_latency_ms: Vec<f64>,
    pub warm_ms: Vec<f64>,
    pub max_memory_mb: Vec<f64>,
    /// Cost of each billed invocation, USD (compute at the group's price + request).
    pub cost_usd: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Time,
    Memory,
    Cost,
}

struct Metric {
    id: &'static str,
    label: &'static str,
    stat: Statistic,
    kind: Kind,
    sample: fn(&Samples) -> &[f64],
}

const METRICS: &[Metric] = &[
    Metric {
        id: "cold_start_p50",
        label: "cold start P50",
        stat: Statistic::Quantile(0.50),
        kind: Kind::Time,
        sample: |s| &s.cold_start_ms,
    },
    Metric {
        id: "cold_start_p90",
        label: "cold start P90",
        stat: Statistic::Quantile(0.90),
        kind: Kind::Time,
        sample: |s| &s.cold_start_ms,
    },
    Metric {
        id: "cold_start_p99",
        label: "cold start P99",
        stat: Statistic::Quantile(0.99),
        kind: Kind::Time,
        sample: |s| &s.cold_start_ms,
    },
    Metric {
        id: "cold_latency_p50",
        label: "cold-start latency P50",
        stat: Statistic::Quantile(0.50),
        kind: Kind::Time,
        sample: |s| &s.cold_latency_ms,
    },
    Metric {
        id: "cold_latency_p99",
        label: "cold-start latency P99",
        stat: Statistic::Quantile(0.99),
        kind: Kind::Time,
        sample: |s| &s.cold_latency_ms,
    },
    Metric {
        id: "warm_p50",
        label: "warm duration P50",
        stat: Statistic::Quantile(0.50),
        kind: Kind::Time,
        sample: |s| &s.warm_ms,
    },
    Metric {
        id: "warm_p99",
        label: "warm duration P99",
        stat: Statistic::Quantile(0.99),
        kind: Kind::Time,
        sample: |s| &s.warm_ms,
    },
    Metric {
        id: "max_memory_p99",
        label: "Max Memory Used P99",
        stat: Statistic::Quantile(0.99),
        kind: Kind::Memory,
        sample: |s| &s.max_memory_mb,
    },
    Metric {
        id: "cost_per_million",
        label: "cost per million invocations",
        stat: Statistic::Mean,
        kind: Kind::Cost,
        sample: |s| &s.cost_usd,
    },
];

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub name: String,
    pub baseline: String,
    pub metrics: Vec<MetricComparison>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MetricComparison {
    pub metric: &'static str,
    pub label: &'static str,
    pub baseline_value: Option<f64>,
    pub value: Option<f64>,
    /// This group's value divided by the baseline's.
    pub ratio: Option<f64>,
    /// 95% bootstrap confidence interval of the ratio.
    pub ci95: Option<[f64; 2]>,
    /// Mann-Whitney U two-sided p-value: do the two samples differ at all?
    pub p_value: Option<f64>,
    pub n_baseline: u64,
    pub n: u64,
    /// `better`, `worse`, `no clear difference`, `too few to say`, or `no data`.
    pub verdict: Verdict,
    /// "AOT .NET 10: cold start P50 7.0x faster than Regular, 95% CI 6.6-7.4x, p < 0.001".
    pub sentence: String,
    pub note: Option<String>,
}

/// How comparisons are computed.
#[derive(Debug, Clone, Copy)]
pub struct CompareSettings {
    pub method: Method,
    pub resamples: usize,
    pub seed: u64,
}

/// Compares each of `others` with the baseline.
pub fn compare(baseline: Sampled, others: &[Sampled], s: CompareSettings) -> Vec<Comparison> {
    // The baseline's bootstrap of each metric, drawn once: every comparison sets the same one against
    // its candidate's (the seed depends on the group and metric, not on the comparison).
    let base: Vec<Option<Bootstrap>> = METRICS
        .par_iter()
        .map(|m| {
            let seed = seed_for(s.seed, &[baseline.name, m.id]);
            Bootstrap::of((m.sample)(baseline.samples), m.stat, s.method, s.resamples, seed)
        })
        .collect();
    // Every (group, metric) on its own: the work spreads evenly over the cores.
    let pairs: Vec<(usize, usize)> = (0..others.len()).flat_map(|g| (0..METRICS.len()).map(move |m| (g, m))).collect();
    let results: Vec<MetricComparison> =
        pairs.par_iter().map(|&(g, m)| compare_metric(&METRICS[m], baseline, others[g], base[m].as_ref(), s)).collect();
    others
        .iter()
        .zip(results.chunks(METRICS.len()))
        .map(|(g, metrics)| Comparison {
            name: g.name.to_string(),
            baseline: baseline.name.to_string(),
            metrics: metrics.to_vec(),
        })
        .collect()
}

fn compare_metric(
    m: &Metric,
    base: Sampled,
    cand: Sampled,
    base_boot: Option<&Bootstrap>,
    s: CompareSettings,
) -> MetricComparison {
    let (bx, cx) = ((m.sample)(base.samples), (m.sample)(cand.samples));
    let point = |v: &[f64]| (!v.is_empty()).then(|| m.stat.of(&mut v.to_vec(), s.method));
    let per_million = |v: Option<f64>| if m.kind == Kind::Cost { v.map(|x| x * 1e6) } else { v };
    let (b, c) = (point(bx), point(cx));
    let ratio = match (b, c) {
        (Some(b), Some(c)) if b > 0.0 => Some(c / b),
        _ => None,
    };
    let seed = seed_for(s.seed, &[cand.name, m.id]);
    let ci = match (ratio, base_boot) {
        (Some(_), Some(b)) => Bootstrap::of(cx, m.stat, s.method, s.resamples, seed).and_then(|c| b.ratio_ci(&c)),
        _ => None,
    }
    .map(|(lo, hi)| [lo, hi]);
    let p_value = mann_whitney_u(cx, bx).map(|(_, p)| p);
    let (nb, nc) = (bx.len(), cx.len());
    let verdict = match (ratio, ci) {
        (None, _) => Verdict::NoData,
        _ if nb < MIN_N || nc < MIN_N => Verdict::TooFew,
        (_, Some([_, hi])) if hi < 1.0 => Verdict::Better,
        (_, Some([lo, _])) if lo > 1.0 => Verdict::Worse,
        _ => Verdict::NoClearDifference,
    };
    let note = match m.stat {
        Statistic::Quantile(p) if p >= 0.99 && (nb.min(nc) as u64) < P99_MIN_N => {
            Some(format!("P99 of fewer than {P99_MIN_N} values is effectively the maximum"))
        }
        _ => None,
    };
    let sentence = sentence(cand.name, base.name, m, ratio, ci, p_value, verdict, nb, nc);
    MetricComparison {
        metric: m.id,
        label: m.label,
        baseline_value: per_million(b),
        value: per_million(c),
        ratio,
        ci95: ci,
        p_value,
        n_baseline: nb as u64,
        n: nc as u64,
        verdict,
        sentence,
        note,
    }
}

/// Decimals for a factor: `1.05`, `7.0`, `120`; one more when the interval
/// bounds would otherwise print alike.
fn factor_digits(x: f64, interval: Option<(f64, f64)>) -> usize {
    let digits = if x < 1.5 {
        2
    } else if x < 100.0 {
        1
    } else {
        0
    };
    match interval {
        Some((lo, hi)) if format!("{lo:.digits$}") == format!("{hi:.digits$}") => digits + 1,
        _ => digits,
    }
}

pub fn format_p(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

#[allow(clippy::too_many_arguments)]
fn sentence(
    name: &str,
    base: &str,
    m: &Metric,
    ratio: Option<f64>,
    ci: Option<[f64; 2]>,
    p: Option<f64>,
    verdict: Verdict,
    nb: usize,
    nc: usize,
) -> String {
    let Some(r) = ratio else {
        return format!("{name}: {} not available (n = {nc} vs {nb})", m.label);
    };
    let (better, worse) = match m.kind {
        Kind::Time => ("faster", "slower"),
        Kind::Memory => ("less", "more"),
        Kind::Cost => ("cheaper", "more expensive"),
    };
    // State the factor the way it reads naturally: "7.0x faster", "1.3x slower".
    let (word, f, interval) = if r <= 1.0 {
        (better, 1.0 / r, ci.map(|[lo, hi]| (1.0 / hi, 1.0 / lo)))
    } else {
        (worse, r, ci.map(|[lo, hi]| (lo, hi)))
    };
    let d = factor_digits(f, interval);
    let mut s = format!("{name}: {} {f:.d$}x {word} than {base}", m.label);
    if let Some((lo, hi)) = interval {
        s.push_str(&format!(", 95% CI {lo:.d$}-{hi:.d$}x"));
    }
    if let Some(p) = p {
        s.push_str(&format!(", {}", format_p(p)));
    }
    match verdict {
        Verdict::TooFew => s.push_str(&format!(" (too few to say: n = {nc} vs {nb})")),
        Verdict::NoClearDifference => s.push_str(" (no clear difference)"),
        Verdict::Better | Verdict::Worse | Verdict::NoData => {}
    }
    s
}
