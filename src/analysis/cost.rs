//! Lambda cost from billed duration: GB-seconds and dollars.

use serde::Serialize;

pub use crate::parse::Arch;

/// The price table, `data/lambda-prices.tsv` (bench-runner's cost guard reads the same file).
const PRICE_TABLE: &str = include_str!("../../data/lambda-prices.tsv");

/// `(region, x86_64 per GB-s, arm64 per GB-s, per million requests)` of each line of the table.
fn price_rows() -> impl Iterator<Item = (&'static str, f64, f64, f64)> {
    PRICE_TABLE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(|l| {
        let f: Vec<&str> = l.split('\t').collect();
        let num = |i: usize| f[i].trim().parse::<f64>().expect("data/lambda-prices.tsv: a price is not a number");
        (f[0].trim(), num(1), num(2), num(3))
    })
}

/// First-tier on-demand duration price, USD per GB-second, and request price,
/// USD per million, by Region; `None` and Regions not listed use the us-east-1
/// prices (AWS Lambda pricing page and AWS price list; see docs/statistics-and-cost.md).
pub fn prices(arch: Arch, region: Option<&str>) -> (f64, f64) {
    let row = |name: &str| price_rows().find(|r| r.0 == name);
    let (_, x86, arm, requests) =
        region.and_then(row).or_else(|| row("default")).expect("data/lambda-prices.tsv has a default row");
    (if arch == Arch::Arm64 { arm } else { x86 }, requests)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    pub gb_seconds: f64,
    pub compute_usd: f64,
    pub request_usd: f64,
    pub total_usd: f64,
    pub per_million_usd: Option<f64>,
    pub monthly_usd: Option<f64>,
}

/// Memory Size MB x Billed Duration ms in one GB-second: MB/1024 x ms/1000.
/// (Dividing by it rounds exactly as dividing by 1024, then 1000, does.)
pub const MB_MS_PER_GB_S: f64 = 1024.0 * 1000.0;

/// GB-seconds from the exact sum of Memory Size MB x Billed Duration ms.
pub fn gb_seconds(mb_ms: u128) -> f64 {
    mb_ms as f64 / MB_MS_PER_GB_S
}

/// Cost of `invocations` logged invocations whose MB x ms sum is `mb_ms`, and
/// the monthly projection at `requests_per_month` (same mix of cold and warm).
pub fn cost(mb_ms: u128, invocations: u64, arch: Arch, requests_per_month: Option<u64>) -> Cost {
    cost_of(&[(arch, None, mb_ms, invocations)], requests_per_month)
}

/// Cost of usage priced per (architecture, region): `(arch, region, MB x ms, invocations)`.
pub fn cost_of(usage: &[(Arch, Option<&str>, u128, u64)], requests_per_month: Option<u64>) -> Cost {
    let mut gb_s = 0.0;
    let mut compute = 0.0;
    let mut requests = 0.0;
    let mut invocations = 0u64;
    for &(arch, region, mb_ms, n) in usage {
        let (per_gb_s, per_million) = prices(arch, region);
        gb_s += gb_seconds(mb_ms);
        compute += gb_seconds(mb_ms) * per_gb_s;
        requests += n as f64 * per_million / 1_000_000.0;
        invocations += n;
    }
    let total = compute + requests;
    let per_million = (invocations > 0).then(|| total / invocations as f64 * 1_000_000.0);
    Cost {
        gb_seconds: gb_s,
        compute_usd: compute,
        request_usd: requests,
        total_usd: total,
        per_million_usd: per_million,
        monthly_usd: requests_per_month.and_then(|r| per_million.map(|pm| pm * r as f64 / 1_000_000.0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pricing_page_example() {
        // 3,000,000 requests of 120 ms billed at 512 MB: 180,000 GB-s (old
        // pricing-page example, before the free tier).
        let mb_ms = 3_000_000u128 * 512 * 120;
        let c = cost(mb_ms, 3_000_000, Arch::X86_64, Some(6_000_000));
        assert!((c.gb_seconds - 180_000.0).abs() < 1e-6);
        assert!((c.compute_usd - 180_000.0 * 0.0000166667).abs() < 1e-9);
        assert!((c.request_usd - 0.60).abs() < 1e-12);
        assert!((c.monthly_usd.unwrap() - 2.0 * c.total_usd).abs() < 1e-9);
        assert_eq!(cost(0, 0, Arch::Arm64, Some(5)).per_million_usd, None);
    }

    #[test]
    fn regional_prices() {
        assert_eq!(prices(Arch::Arm64, Some("eu-central-2")), (0.0000146667, 0.22));
        assert_eq!(prices(Arch::X86_64, Some("us-west-2")), (0.0000166667, 0.20));
        let c = cost_of(&[(Arch::X86_64, Some("af-south-1"), 1_024_000, 1), (Arch::Arm64, None, 1_024_000, 1)], None);
        assert!((c.gb_seconds - 2.0).abs() < 1e-12);
        assert!((c.compute_usd - (0.0000221 + 0.0000133334)).abs() < 1e-15);
    }
}
