//! Each invocation once: overlapping exports (two `filter-log-events` runs over overlapping windows, an
//! S3 export beside a console download of the same hours) and the console's habit of rendering every
//! event twice give the same REPORT more than once. A request id is counted once per function; later
//! copies are counted as duplicates, not as invocations.
//!
//! The set is shared by every thread (64 shards, each behind its own lock) and holds a 64-bit hash of
//! (function, request id): 8 bytes an invocation plus the table's spare room. Two different ids of one
//! function collide with a probability of about n²/2⁶⁵ (under 10⁻⁷ for a million invocations).
//! Which copy is kept is the one read first; copies of one REPORT carry the same values, so the numbers
//! do not depend on it.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

const SHARDS: usize = 64;

/// The keys are already hashes: use them as they are.
#[derive(Default)]
struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys")
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type KeySet = HashSet<u64, BuildHasherDefault<Identity>>;

pub struct Dedup {
    shards: Vec<Mutex<KeySet>>,
}

impl Default for Dedup {
    fn default() -> Self {
        Dedup { shards: (0..SHARDS).map(|_| Mutex::new(KeySet::default())).collect() }
    }
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Dedup")
    }
}

impl Dedup {
    /// True the first time this function's request id is seen. Records without a request id (some
    /// benchmark CSVs, lambda-perf) are never duplicates.
    pub fn first(&self, function: &str, request_id: &str) -> bool {
        if request_id.is_empty() {
            return true;
        }
        // SipHash with fixed keys: the same on every run and machine.
        let mut h = std::hash::DefaultHasher::new();
        function.hash(&mut h);
        request_id.hash(&mut h);
        let key = h.finish();
        let shard = (key >> 58) as usize % SHARDS;
        self.shards[shard].lock().unwrap_or_else(|e| e.into_inner()).insert(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_per_function() {
        let d = Dedup::default();
        assert!(d.first("f", "a"));
        assert!(!d.first("f", "a"));
        assert!(d.first("g", "a"));
        assert!(d.first("f", "b"));
        assert!(d.first("f", ""));
        assert!(d.first("f", ""));
    }
}
