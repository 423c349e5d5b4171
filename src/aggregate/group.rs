//! The per-group accumulator: compact exact values, mergeable.

use crate::parse::{Invocation, Status};
use std::collections::BTreeMap;

/// Everything kept about one group's invocations. Values are stored as `u32`
/// (durations in microseconds, billed in ms, memory in MB), about 16 bytes an
/// invocation, so percentiles stay exact without keeping the text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GroupAcc {
    pub invocations: u64,
    pub cold_starts: u64,
    pub warm_duration_us: Vec<u32>,
    pub cold_duration_us: Vec<u32>,
    pub init_us: Vec<u32>,
    pub restore_us: Vec<u32>,
    /// Init (or Restore) Duration + Duration of each cold invocation: the
    /// cold-start latency a caller sees, as AWS's .NET benchmark defines it.
    pub cold_latency_us: Vec<u32>,
    pub billed_ms: Vec<u32>,
    pub max_memory_mb: Vec<u32>,
    /// Invocations per configured Memory Size.
    pub memory_sizes: BTreeMap<u64, u64>,
    pub errors: u64,
    pub timeouts: u64,
    pub error_types: BTreeMap<String, u64>,
    /// Sum of Memory Size MB x Billed Duration ms, exact, over the
    /// `billed_invocations` that report both.
    pub mb_ms: u128,
    pub billed_invocations: u64,
    /// Memory Size of each value in `billed_ms`, in the same order (0 where
    /// the record gave none), so each invocation's cost can be resampled.
    /// Two bytes: Lambda memory sizes go up to 10,240 MB.
    pub billed_memory_mb: Vec<u16>,
    /// Request ids of invocations whose REPORT says error or timeout, to join
    /// old-style fault lines without counting a failure twice.
    pub failed_ids: BTreeMap<String, Status>,
    /// Init phases that failed (INIT_REPORT with an error or timeout status).
    pub init_failures: u64,
    /// SnapStart restores that failed (RESTORE_REPORT with a status).
    pub restore_failures: u64,
    /// Init and restore failures by how they failed: `init timeout`,
    /// `init error: Runtime.InvalidEntrypoint`, `restore error: …`.
    pub failure_kinds: BTreeMap<String, u64>,
    pub first_timestamp_ms: Option<i64>,
    pub last_timestamp_ms: Option<i64>,
}

/// A value that does not fit the compact store (over 71 minutes, or over 4 PB).
#[derive(Debug)]
pub struct OutOfRange(pub &'static str);

fn compact(v: u64, name: &'static str) -> Result<u32, OutOfRange> {
    u32::try_from(v).map_err(|_| OutOfRange(name))
}

/// The room a warm slice starts with: a stream's warm invocations in a file or block are usually
/// dozens, and starting at 32 spares the vectors three of their reallocations on the way there.
const WARM_SLICE_ROOM: usize = 32;

impl GroupAcc {
    /// An empty accumulator for one slice: a warm one with room for its first values.
    pub fn for_slice(cold: bool) -> GroupAcc {
        let room = if cold { 0 } else { WARM_SLICE_ROOM };
        GroupAcc {
            warm_duration_us: Vec::with_capacity(room),
            billed_ms: Vec::with_capacity(room),
            max_memory_mb: Vec::with_capacity(room),
            billed_memory_mb: Vec::with_capacity(room),
            ..GroupAcc::default()
        }
    }

    pub fn add(&mut self, inv: &Invocation<'_>) -> Result<(), OutOfRange> {
        let opt = |v: Option<u64>, name| v.map(|v| compact(v, name)).transpose();
        let duration = opt(inv.duration_us, "Duration")?;
        let billed = opt(inv.billed_ms, "Billed Duration")?;
        let max_mem = opt(inv.max_memory_used_mb, "Max Memory Used")?;
        let init = opt(inv.init_us, "Init Duration")?;
        let restore = opt(inv.restore_us, "Restore Duration")?;
        self.invocations += 1;
        if inv.is_cold() {
            self.cold_duration_us.extend(duration);
            self.cold_starts += 1;
            if let (Some(d), Some(start)) = (duration, init.or(restore)) {
                self.cold_latency_us.push(compact(u64::from(d) + u64::from(start), "Init Duration + Duration")?);
            }
        } else {
            self.warm_duration_us.extend(duration);
        }
        self.init_us.extend(init);
        self.restore_us.extend(restore);
        if let Some(b) = billed {
            self.billed_ms.push(b);
            self.billed_memory_mb.push(inv.memory_size_mb.and_then(|m| u16::try_from(m).ok()).unwrap_or(0));
        }
        self.max_memory_mb.extend(max_mem);
        if let Some(size) = inv.memory_size_mb {
            // A slice holds one memory size: its count is there already but for the first time.
            match self.memory_sizes.get_mut(&size) {
                Some(n) => *n += 1,
                None => {
                    self.memory_sizes.insert(size, 1);
                }
            }
        }
        match inv.status {
            Status::Success => {}
            Status::Timeout => self.timeouts += 1,
            Status::Error | Status::Failure => self.errors += 1,
        }
        if inv.status != Status::Success && !inv.request_id.is_empty() {
            self.failed_ids.insert(inv.request_id.to_string(), inv.status);
        }
        if let Some(t) = inv.error_type {
            *self.error_types.entry(t.to_string()).or_default() += 1;
        }
        if let (Some(size), Some(billed)) = (inv.memory_size_mb, inv.billed_ms) {
            self.mb_ms += u128::from(size) * u128::from(billed);
            self.billed_invocations += 1;
        }
        if let Some(ts) = inv.timestamp_ms {
            self.first_timestamp_ms = Some(self.first_timestamp_ms.map_or(ts, |f| f.min(ts)));
            self.last_timestamp_ms = Some(self.last_timestamp_ms.map_or(ts, |l| l.max(ts)));
        }
        Ok(())
    }

    /// Nothing added or merged yet (the same as `== GroupAcc::default()`, without making one to
    /// compare with and drop: slices are merged into empty ones tens of thousands of times).
    pub fn is_empty(&self) -> bool {
        // Every field named, so that a new one cannot be forgotten here.
        let GroupAcc {
            invocations,
            cold_starts,
            warm_duration_us,
            cold_duration_us,
            init_us,
            restore_us,
            cold_latency_us,
            billed_ms,
            max_memory_mb,
            memory_sizes,
            errors,
            timeouts,
            error_types,
            mb_ms,
            billed_invocations,
            billed_memory_mb,
            failed_ids,
            init_failures,
            restore_failures,
            failure_kinds,
            first_timestamp_ms,
            last_timestamp_ms,
        } = self;
        [*invocations, *cold_starts, *errors, *timeouts, *billed_invocations, *init_failures, *restore_failures]
            .iter()
            .all(|n| *n == 0)
            && *mb_ms == 0
            && [warm_duration_us, cold_duration_us, init_us, restore_us, cold_latency_us, billed_ms, max_memory_mb]
                .iter()
                .all(|v| v.is_empty())
            && billed_memory_mb.is_empty()
            && memory_sizes.is_empty()
            && error_types.is_empty()
            && failed_ids.is_empty()
            && failure_kinds.is_empty()
            && first_timestamp_ms.is_none()
            && last_timestamp_ms.is_none()
    }

    /// Folds `other` into `self`; merging is associative and, up to the order
    /// of stored values, commutative.
    pub fn merge(&mut self, other: GroupAcc) {
        if self.is_empty() {
            // An empty accumulator (a slice seen first) becomes the other as it is: no map rebuilt.
            *self = other;
            return;
        }
        self.invocations += other.invocations;
        append(&mut self.warm_duration_us, other.warm_duration_us);
        append(&mut self.cold_duration_us, other.cold_duration_us);
        append(&mut self.init_us, other.init_us);
        append(&mut self.restore_us, other.restore_us);
        append(&mut self.cold_latency_us, other.cold_latency_us);
        // Billed duration and memory stay in input order, paired: each invocation's cost is resampled
        // by its place (the cost comparison's bootstrap), so their order is part of the result.
        self.billed_ms.extend(other.billed_ms);
        self.billed_memory_mb.extend(other.billed_memory_mb);
        append(&mut self.max_memory_mb, other.max_memory_mb);
        for (k, v) in other.memory_sizes {
            *self.memory_sizes.entry(k).or_default() += v;
        }
        self.errors += other.errors;
        self.timeouts += other.timeouts;
        for (k, v) in other.error_types {
            *self.error_types.entry(k).or_default() += v;
        }
        self.mb_ms += other.mb_ms;
        self.billed_invocations += other.billed_invocations;
        self.cold_starts += other.cold_starts;
        self.failed_ids.extend(other.failed_ids);
        self.init_failures += other.init_failures;
        self.restore_failures += other.restore_failures;
        for (k, v) in other.failure_kinds {
            *self.failure_kinds.entry(k).or_default() += v;
        }
        self.first_timestamp_ms = min_opt(self.first_timestamp_ms, other.first_timestamp_ms);
        self.last_timestamp_ms = max_opt(self.last_timestamp_ms, other.last_timestamp_ms);
    }

    /// Memory Size MB x Billed Duration ms of each billed invocation whose
    /// memory is known (call before `billed_ms` is sorted).
    pub fn mb_ms_each(&self) -> impl Iterator<Item = u64> + '_ {
        self.billed_ms
            .iter()
            .zip(&self.billed_memory_mb)
            .filter(|(_, m)| **m > 0)
            .map(|(b, m)| u64::from(*b) * u64::from(*m))
    }

    /// Gives back spare capacity (vectors grow by doubling).
    pub fn shrink(&mut self) {
        for v in [
            &mut self.warm_duration_us,
            &mut self.cold_duration_us,
            &mut self.init_us,
            &mut self.restore_us,
            &mut self.cold_latency_us,
            &mut self.billed_ms,
            &mut self.max_memory_mb,
        ] {
            v.shrink_to_fit();
        }
        self.billed_memory_mb.shrink_to_fit();
    }

    /// Counts an old-style fault line (`Task timed out`, `RequestId: … Error`)
    /// unless the invocation's REPORT already said so.
    pub fn add_fault(&mut self, request_id: &str, status: Status, error_type: Option<&str>) {
        if self.failed_ids.contains_key(request_id) {
            return;
        }
        self.failed_ids.insert(request_id.to_string(), status);
        match status {
            Status::Timeout => self.timeouts += 1,
            _ => self.errors += 1,
        }
        if let Some(t) = error_type {
            *self.error_types.entry(t.to_string()).or_default() += 1;
        }
    }
}

/// `b`'s values added to `a`'s: the shorter copied onto the end of the longer (the merge of two large
/// halves copies the smaller, and an empty accumulator takes the other's vector as it is). The
/// values' order is not kept: these are only ever sorted (percentiles, order statistics).
fn append<T>(a: &mut Vec<T>, mut b: Vec<T>) {
    if a.len() < b.len() {
        std::mem::swap(a, &mut b);
    }
    a.extend(b);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_empty` is `== GroupAcc::default()`: true for the default, false when any one field is set.
    #[test]
    fn empty_means_equal_to_the_default() {
        let d = GroupAcc::default;
        assert!(d().is_empty() && GroupAcc::for_slice(false).is_empty());
        let one: Vec<GroupAcc> = vec![
            GroupAcc { invocations: 1, ..d() },
            GroupAcc { cold_starts: 1, ..d() },
            GroupAcc { warm_duration_us: vec![1], ..d() },
            GroupAcc { cold_duration_us: vec![1], ..d() },
            GroupAcc { init_us: vec![1], ..d() },
            GroupAcc { restore_us: vec![1], ..d() },
            GroupAcc { cold_latency_us: vec![1], ..d() },
            GroupAcc { billed_ms: vec![1], ..d() },
            GroupAcc { max_memory_mb: vec![1], ..d() },
            GroupAcc { memory_sizes: [(128, 1)].into(), ..d() },
            GroupAcc { errors: 1, ..d() },
            GroupAcc { timeouts: 1, ..d() },
            GroupAcc { error_types: [("E".into(), 1)].into(), ..d() },
            GroupAcc { mb_ms: 1, ..d() },
            GroupAcc { billed_invocations: 1, ..d() },
            GroupAcc { billed_memory_mb: vec![1], ..d() },
            GroupAcc { failed_ids: [("id".into(), Status::Error)].into(), ..d() },
            GroupAcc { init_failures: 1, ..d() },
            GroupAcc { restore_failures: 1, ..d() },
            GroupAcc { failure_kinds: [("init timeout".into(), 1)].into(), ..d() },
            GroupAcc { first_timestamp_ms: Some(0), ..d() },
            GroupAcc { last_timestamp_ms: Some(0), ..d() },
        ];
        for (i, acc) in one.iter().enumerate() {
            assert!(!acc.is_empty() && *acc != d(), "field {i}");
        }
    }
}
