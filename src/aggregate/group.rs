//! The per-group accumulator: compact exact values, mergeable.

use crate::parse::{Invocation, Status};
use std::collections::BTreeMap;

/// Everything kept about one group's invocations. Values are stored as `u32`
/// (durations in microseconds, billed in ms, memory in MB), about 16 bytes an
/// invocation, so percentiles stay exact without keeping the text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GroupAcc {
    pub invocations: u64,
    pub warm_duration_us: Vec<u32>,
    pub cold_duration_us: Vec<u32>,
    pub init_us: Vec<u32>,
    pub restore_us: Vec<u32>,
    pub billed_ms: Vec<u32>,
    pub max_memory_mb: Vec<u32>,
    /// Invocations per configured Memory Size.
    pub memory_sizes: BTreeMap<u64, u64>,
    pub errors: u64,
    pub timeouts: u64,
    pub error_types: BTreeMap<String, u64>,
    /// Sum of Memory Size MB x Billed Duration ms, exact.
    pub mb_ms: u128,
    pub first_timestamp_ms: Option<i64>,
    pub last_timestamp_ms: Option<i64>,
}

/// A value that does not fit the compact store (over 71 minutes, or over 4 PB).
#[derive(Debug)]
pub struct OutOfRange(pub &'static str);

fn compact(v: u64, name: &'static str) -> Result<u32, OutOfRange> {
    u32::try_from(v).map_err(|_| OutOfRange(name))
}

impl GroupAcc {
    pub fn add(&mut self, inv: &Invocation<'_>) -> Result<(), OutOfRange> {
        let duration = compact(inv.duration_us, "Duration")?;
        let billed = compact(inv.billed_ms, "Billed Duration")?;
        let max_mem = compact(inv.max_memory_used_mb, "Max Memory Used")?;
        let init = inv
            .init_us
            .map(|v| compact(v, "Init Duration"))
            .transpose()?;
        let restore = inv
            .restore_us
            .map(|v| compact(v, "Restore Duration"))
            .transpose()?;
        self.invocations += 1;
        if inv.is_cold() {
            self.cold_duration_us.push(duration);
        } else {
            self.warm_duration_us.push(duration);
        }
        self.init_us.extend(init);
        self.restore_us.extend(restore);
        self.billed_ms.push(billed);
        self.max_memory_mb.push(max_mem);
        *self.memory_sizes.entry(inv.memory_size_mb).or_default() += 1;
        match inv.status {
            Status::Success => {}
            Status::Timeout => self.timeouts += 1,
            Status::Error | Status::Failure => self.errors += 1,
        }
        if let Some(t) = inv.error_type {
            *self.error_types.entry(t.to_string()).or_default() += 1;
        }
        self.mb_ms += u128::from(inv.memory_size_mb) * u128::from(inv.billed_ms);
        if let Some(ts) = inv.timestamp_ms {
            self.first_timestamp_ms = Some(self.first_timestamp_ms.map_or(ts, |f| f.min(ts)));
            self.last_timestamp_ms = Some(self.last_timestamp_ms.map_or(ts, |l| l.max(ts)));
        }
        Ok(())
    }

    /// Folds `other` into `self`; merging is associative and, up to the order
    /// of stored values, commutative.
    pub fn merge(&mut self, other: GroupAcc) {
        self.invocations += other.invocations;
        self.warm_duration_us.extend(other.warm_duration_us);
        self.cold_duration_us.extend(other.cold_duration_us);
        self.init_us.extend(other.init_us);
        self.restore_us.extend(other.restore_us);
        self.billed_ms.extend(other.billed_ms);
        self.max_memory_mb.extend(other.max_memory_mb);
        for (k, v) in other.memory_sizes {
            *self.memory_sizes.entry(k).or_default() += v;
        }
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        for (k, v) in other.error_types {
            *self.error_types.entry(k).or_default() += v;
        }
        self.mb_ms += other.mb_ms;
        self.first_timestamp_ms = min_opt(self.first_timestamp_ms, other.first_timestamp_ms);
        self.last_timestamp_ms = max_opt(self.last_timestamp_ms, other.last_timestamp_ms);
    }

    pub fn cold_starts(&self) -> u64 {
        self.cold_duration_us.len() as u64
    }
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}
