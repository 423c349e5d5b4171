//! Lambda cost from billed duration: GB-seconds and dollars.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
pub enum Arch {
    #[default]
    #[value(name = "x86_64")]
    #[serde(rename = "x86_64")]
    X86_64,
    #[value(name = "arm64")]
    #[serde(rename = "arm64")]
    Arm64,
}

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Arm64 => "arm64",
        }
    }

    /// First-tier on-demand duration price, USD per GB-second (us-east-1 and
    /// most Regions; AWS Lambda pricing page).
    pub fn usd_per_gb_second(self) -> f64 {
        match self {
            Arch::X86_64 => 0.000_016_666_7,
            Arch::Arm64 => 0.000_013_333_4,
        }
    }
}

/// USD per request: $0.20 per million.
pub const USD_PER_REQUEST: f64 = 0.20 / 1_000_000.0;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cost {
    pub gb_seconds: f64,
    pub compute_usd: f64,
    pub request_usd: f64,
    pub total_usd: f64,
    pub per_million_usd: Option<f64>,
    pub monthly_usd: Option<f64>,
}

/// GB-seconds from the exact sum of Memory Size MB x Billed Duration ms:
/// MB/1024 x ms/1000.
pub fn gb_seconds(mb_ms: u128) -> f64 {
    mb_ms as f64 / 1024.0 / 1000.0
}

/// Cost of `invocations` logged invocations whose MB x ms sum is `mb_ms`, and
/// the monthly projection at `requests_per_month` (same mix of cold and warm).
pub fn cost(mb_ms: u128, invocations: u64, arch: Arch, requests_per_month: Option<u64>) -> Cost {
    let gb_s = gb_seconds(mb_ms);
    let compute = gb_s * arch.usd_per_gb_second();
    let requests = invocations as f64 * USD_PER_REQUEST;
    let total = compute + requests;
    let per_million = (invocations > 0).then(|| total / invocations as f64 * 1_000_000.0);
    Cost {
        gb_seconds: gb_s,
        compute_usd: compute,
        request_usd: requests,
        total_usd: total,
        per_million_usd: per_million,
        monthly_usd: requests_per_month
            .and_then(|r| per_million.map(|pm| pm * r as f64 / 1_000_000.0)),
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
}
