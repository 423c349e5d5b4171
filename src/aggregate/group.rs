//! The per-group accumulator: compact exact values, mergeable.

use crate::parse::{Invocation, Status};
use std::collections::BTreeMap;

/// Everything kept about one group's invocations. Values are stored as `u32` (durations in
/// microseconds) and [`Usage`] (warm duration, billed ms, memory in MB), 12 bytes a warm invocation,
/// so percentiles stay exact without keeping the text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct GroupAcc {
    pub invocations: u64,
    pub cold_starts: u64,
    pub cold_duration_us: Vec<u32>,
    pub init_us: Vec<u32>,
    pub restore_us: Vec<u32>,
    /// Init (or Restore) Duration + Duration of each cold invocation: the
    /// cold-start latency a caller sees, as AWS's .NET benchmark defines it.
    pub cold_latency_us: Vec<u32>,
    /// What each invocation gave of a warm Duration, a Billed Duration and a Max Memory Used (one
    /// that gave any of them), in input order (each invocation's cost is resampled by its place: the
    /// cost comparison's bootstrap). One vector, not one for each value: a growing vector keeps its
    /// last huge page partly filled (`memory.rs`), a MiB on average, for every group; the warm
    /// durations in a vector of their own were one huge page more for each large file's group
    /// (five of text's 29).
    pub usage: Vec<Usage>,
    /// Invocations per configured Memory Size.
    pub memory_sizes: BTreeMap<u64, u64>,
    pub errors: u64,
    pub timeouts: u64,
    pub error_types: BTreeMap<String, u64>,
    /// Sum of Memory Size MB x Billed Duration ms, exact, over the
    /// `billed_invocations` that report both.
    pub mb_ms: u128,
    pub billed_invocations: u64,
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

/// One invocation's warm duration, billed duration, memory size and peak memory: 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Duration in µs of a warm invocation; [`Usage::NO_DURATION`] for a cold one (its duration is
    /// in `cold_duration_us`) or where the record gave none.
    pub warm_duration_us: u32,
    /// Billed Duration in ms; [`Usage::NO_BILLED`] where the record gave none.
    pub billed_ms: u32,
    /// Memory Size in MB; 0 where the record gave none (or one over 65,535 MB: Lambda's largest is
    /// 10,240), which leaves the invocation out of the resampled cost.
    pub memory_size_mb: u16,
    /// Max Memory Used in MB; [`Usage::NO_MAX_MEMORY`] where the record gave none.
    pub max_memory_mb: u16,
}

// The size the accumulators' memory is reckoned with (docs/performance.md).
const _: () = assert!(std::mem::size_of::<Usage>() == 12);

impl Usage {
    /// No warm Duration (a value no longer kept: over 71 minutes).
    pub const NO_DURATION: u32 = u32::MAX;
    /// No Billed Duration (a value no longer kept: over 49 days).
    pub const NO_BILLED: u32 = u32::MAX;
    /// No Max Memory Used (a value no longer kept: over 65,534 MB, six times Lambda's largest).
    pub const NO_MAX_MEMORY: u16 = u16::MAX;

    pub fn warm_duration(&self) -> Option<u32> {
        (self.warm_duration_us != Self::NO_DURATION).then_some(self.warm_duration_us)
    }

    pub fn billed(&self) -> Option<u32> {
        (self.billed_ms != Self::NO_BILLED).then_some(self.billed_ms)
    }

    pub fn max_memory(&self) -> Option<u32> {
        (self.max_memory_mb != Self::NO_MAX_MEMORY).then_some(self.max_memory_mb.into())
    }
}

/// A value that does not fit the compact store (a duration over 71 minutes, a billed duration over
/// 49 days, a Max Memory Used over 65,534 MB).
#[derive(Debug)]
pub struct OutOfRange(pub &'static str);

fn compact(v: u64, name: &'static str) -> Result<u32, OutOfRange> {
    u32::try_from(v).map_err(|_| OutOfRange(name))
}

/// `v`, if it is below `none` (the value that stands for no value).
fn below<T: TryFrom<u64> + PartialOrd>(v: u64, none: T, name: &'static str) -> Result<T, OutOfRange> {
    T::try_from(v).ok().filter(|v| *v < none).ok_or(OutOfRange(name))
}

/// The room a warm slice starts with: a stream's warm invocations in a file or block are usually
/// dozens, and starting at 32 spares the vectors three of their reallocations on the way there.
const WARM_SLICE_ROOM: usize = 32;

impl GroupAcc {
    /// An empty accumulator for one slice: a warm one with room for its first values.
    pub fn for_slice(cold: bool) -> GroupAcc {
        let room = if cold { 0 } else { WARM_SLICE_ROOM };
        GroupAcc { usage: Vec::with_capacity(room), ..GroupAcc::default() }
    }

    pub fn add(&mut self, inv: &Invocation<'_>) -> Result<(), OutOfRange> {
        let opt = |v: Option<u64>, name| v.map(|v| compact(v, name)).transpose();
        let duration = inv.duration_us.map(|v| below(v, Usage::NO_DURATION, "Duration")).transpose()?;
        let billed = inv.billed_ms.map(|v| below(v, Usage::NO_BILLED, "Billed Duration")).transpose()?;
        let max_mem = inv.max_memory_used_mb.map(|v| below(v, Usage::NO_MAX_MEMORY, "Max Memory Used")).transpose()?;
        let init = opt(inv.init_us, "Init Duration")?;
        let restore = opt(inv.restore_us, "Restore Duration")?;
        self.invocations += 1;
        let warm_duration = match inv.is_cold() {
            true => {
                self.cold_duration_us.extend(duration);
                self.cold_starts += 1;
                if let (Some(d), Some(start)) = (duration, init.or(restore)) {
                    self.cold_latency_us.push(compact(u64::from(d) + u64::from(start), "Init Duration + Duration")?);
                }
                None
            }
            false => duration,
        };
        self.init_us.extend(init);
        self.restore_us.extend(restore);
        if warm_duration.is_some() || billed.is_some() || max_mem.is_some() {
            self.usage.push(Usage {
                warm_duration_us: warm_duration.unwrap_or(Usage::NO_DURATION),
                billed_ms: billed.unwrap_or(Usage::NO_BILLED),
                memory_size_mb: inv.memory_size_mb.and_then(|m| u16::try_from(m).ok()).unwrap_or(0),
                max_memory_mb: max_mem.unwrap_or(Usage::NO_MAX_MEMORY),
            });
        }
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
            cold_duration_us,
            init_us,
            restore_us,
            cold_latency_us,
            usage,
            memory_sizes,
            errors,
            timeouts,
            error_types,
            mb_ms,
            billed_invocations,
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
            && [cold_duration_us, init_us, restore_us, cold_latency_us].iter().all(|v| v.is_empty())
            && usage.is_empty()
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
        append(&mut self.cold_duration_us, other.cold_duration_us);
        append(&mut self.init_us, other.init_us);
        append(&mut self.restore_us, other.restore_us);
        append(&mut self.cold_latency_us, other.cold_latency_us);
        // In input order: each invocation's cost is resampled by its place (the cost comparison's
        // bootstrap), so the order is part of the result.
        self.usage.extend(other.usage);
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

    /// Each warm Duration (µs), in input order.
    pub fn warm_duration_each(&self) -> impl Iterator<Item = u32> + '_ {
        self.usage.iter().filter_map(Usage::warm_duration)
    }

    /// Memory Size MB x Billed Duration ms of each billed invocation whose memory is known, in
    /// input order.
    pub fn mb_ms_each(&self) -> impl Iterator<Item = u64> + '_ {
        self.usage
            .iter()
            .filter(|u| u.memory_size_mb > 0)
            .filter_map(|u| u.billed().map(|b| u64::from(b) * u64::from(u.memory_size_mb)))
    }

    /// Each Max Memory Used (MB), in input order.
    pub fn max_memory_each(&self) -> impl Iterator<Item = u32> + '_ {
        self.usage.iter().filter_map(Usage::max_memory)
    }

    /// Takes the usage records apart, in input order: each warm Duration (µs), each Billed Duration
    /// (ms) and each Max Memory Used (MB). In turn: the warm durations out, then the rest of each
    /// record kept in the records' own memory (its last third given back), then the other two out of
    /// that; so the records and all three lists are never held at once (four bytes an invocation
    /// more at the summary's peak).
    pub fn take_values(&mut self) -> [Vec<u32>; 3] {
        let warm = self.warm_duration_each().collect();
        let mut rest: Vec<[u32; 2]> =
            std::mem::take(&mut self.usage).into_iter().map(|u| [u.billed_ms, u.max_memory_mb.into()]).collect();
        rest.shrink_to_fit();
        let billed = rest.iter().map(|r| r[0]).filter(|&b| b != Usage::NO_BILLED).collect();
        let max_memory = rest.iter().map(|r| r[1]).filter(|&m| m != u32::from(Usage::NO_MAX_MEMORY)).collect();
        [warm, billed, max_memory]
    }

    /// Gives back spare capacity (vectors grow by doubling).
    pub fn shrink(&mut self) {
        for v in [&mut self.cold_duration_us, &mut self.init_us, &mut self.restore_us, &mut self.cold_latency_us] {
            v.shrink_to_fit();
        }
        self.usage.shrink_to_fit();
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
            GroupAcc { cold_duration_us: vec![1], ..d() },
            GroupAcc { init_us: vec![1], ..d() },
            GroupAcc { restore_us: vec![1], ..d() },
            GroupAcc { cold_latency_us: vec![1], ..d() },
            GroupAcc {
                usage: vec![Usage { warm_duration_us: 1, billed_ms: 1, memory_size_mb: 0, max_memory_mb: 0 }],
                ..d()
            },
            GroupAcc { memory_sizes: [(128, 1)].into(), ..d() },
            GroupAcc { errors: 1, ..d() },
            GroupAcc { timeouts: 1, ..d() },
            GroupAcc { error_types: [("E".into(), 1)].into(), ..d() },
            GroupAcc { mb_ms: 1, ..d() },
            GroupAcc { billed_invocations: 1, ..d() },
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

    /// Warm durations, billed durations and peak memory are kept together, in input order, whichever
    /// of them a record gives (a cold invocation's duration apart); a value that stands for none is
    /// out of range, not taken for one.
    #[test]
    fn usage_keeps_each_value_given_in_input_order() {
        let inv = |duration, billed, size, max| Invocation {
            request_id: "r",
            duration_us: duration,
            billed_ms: billed,
            memory_size_mb: size,
            max_memory_used_mb: max,
            ..Invocation::default()
        };
        let cold = Invocation { init_us: Some(250_000), ..inv(Some(4_000), Some(300), Some(512), Some(95)) };
        let mut g = GroupAcc::for_slice(false);
        for i in [
            inv(Some(1_000), Some(7), Some(512), Some(90)),
            inv(None, None, Some(512), Some(80)),
            inv(Some(2_000), Some(3), None, None),
            inv(None, None, None, None),
            cold,
            inv(Some(3_000), None, Some(512), None),
            inv(Some(5_000), Some(5), Some(70_000), Some(65_534)),
        ] {
            g.add(&i).unwrap();
        }
        assert_eq!(g.invocations, 7);
        assert_eq!(g.usage.len(), 6, "an invocation with none of the values adds none");
        let [warm, billed, max_memory] = g.clone().take_values();
        assert_eq!(warm, [1_000, 2_000, 3_000, 5_000], "a cold one's duration is apart");
        assert_eq!(g.cold_duration_us, [4_000]);
        assert_eq!(billed, [7, 3, 300, 5]);
        assert_eq!(max_memory, [90, 80, 95, 65_534]);
        // Only where both are known, and a memory size over 65,535 MB is not.
        assert_eq!(g.mb_ms_each().collect::<Vec<_>>(), [7 * 512, 300 * 512]);
        let mut merged = g.clone();
        merged.merge(g.clone());
        let [warm, billed, _] = merged.take_values();
        assert_eq!(billed, [7, 3, 300, 5, 7, 3, 300, 5]);
        assert_eq!(warm, [1_000, 2_000, 3_000, 5_000, 1_000, 2_000, 3_000, 5_000]);
        assert!(merged.usage.is_empty(), "the records taken");
        let out = |i: Invocation| GroupAcc::default().add(&i).unwrap_err().0;
        assert_eq!(out(inv(Some(u64::from(u32::MAX)), None, None, None)), "Duration");
        assert_eq!(out(inv(None, Some(u64::from(u32::MAX)), None, None)), "Billed Duration");
        assert_eq!(out(inv(None, None, None, Some(65_535))), "Max Memory Used");
        assert_eq!(out(inv(None, None, None, Some(1 << 40))), "Max Memory Used");
    }
}
