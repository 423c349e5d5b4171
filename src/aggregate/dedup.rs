//! Each invocation once: overlapping exports (two `filter-log-events` runs over overlapping windows, an
//! S3 export beside a console download of the same hours) and the console's habit of rendering every
//! event twice give the same REPORT more than once. A request id is counted once per function; later
//! copies are counted as duplicates, not as invocations.
//!
//! Most inputs hold no copies, so the first pass only notes a 64-bit key of (function, request id) for
//! every invocation (8 bytes each, appended, no lookups). The keys are sorted at the end; when no key
//! repeats, that pass is the result. When some do, the inputs are read a second time, and only the
//! copies of those few keys after the first are left out (a small set, shared by the threads). Two
//! different ids of one function collide with a probability of about n²/2⁶⁵ (under 10⁻⁷ for a million
//! invocations). Copies of one REPORT carry the same values, so which copy is kept does not change the
//! numbers.

use rayon::prelude::*;
use std::collections::HashSet;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

/// The keys are already hashes: use them as they are.
#[derive(Default)]
pub struct Identity(u64);

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

pub type KeySet = HashSet<u64, BuildHasherDefault<Identity>>;

/// The key of an invocation: foldhash's quality hasher with a fixed seed (the same on every run and
/// machine) over the function's name and the request id.
pub fn key(function: &str, request_id: &str) -> u64 {
    let mut h = foldhash::quality::FixedState::with_seed(0x6c61_6d62_6461_7374).build_hasher();
    function.hash(&mut h);
    request_id.hash(&mut h);
    h.finish()
}

/// What a pass over the inputs does with request ids.
#[derive(Debug)]
pub enum Dedup {
    /// Note every invocation's key (first pass).
    Collect,
    /// Leave out every copy of these keys but the first one read (second pass).
    Skip { repeated: KeySet, seen: Mutex<KeySet> },
}

impl Dedup {
    pub fn skipping(repeated: KeySet) -> Dedup {
        Dedup::Skip { repeated, seen: Mutex::new(KeySet::default()) }
    }

    /// In a skipping pass: true unless this key was read before.
    pub fn first(&self, key: u64) -> bool {
        match self {
            Dedup::Collect => true,
            Dedup::Skip { repeated, seen } => {
                !repeated.contains(&key) || seen.lock().unwrap_or_else(|e| e.into_inner()).insert(key)
            }
        }
    }
}

/// The keys that occur more than once among all `parts`: spread into 64 buckets by their top bits
/// (each part freed as it goes, so the keys are held about once), then each bucket sorted and scanned
/// for neighbours that are equal, the buckets in parallel.
pub fn repeated(parts: Vec<Vec<u64>>) -> KeySet {
    const BUCKETS: usize = 64;
    // The top bits of good hashes are even: a little room over the mean keeps each bucket to one allocation.
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut buckets: Vec<Vec<u64>> = (0..BUCKETS).map(|_| Vec::with_capacity(total / BUCKETS * 11 / 10 + 16)).collect();
    for part in parts {
        for k in part {
            buckets[(k >> 58) as usize].push(k);
        }
    }
    buckets
        .par_iter_mut()
        .map(|b| {
            b.sort_unstable();
            b.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect::<Vec<u64>>()
        })
        .flatten_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_across_and_within_parts() {
        let parts = vec![vec![5, 1, 9], vec![2, 9, 7, 7], vec![], vec![3]];
        let mut got: Vec<u64> = repeated(parts).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![7, 9]);
        assert!(repeated(vec![vec![1, 2], vec![3]]).is_empty());
    }

    #[test]
    fn skipping_keeps_the_first_copy() {
        let d = Dedup::skipping([key("f", "a")].into_iter().collect());
        assert!(d.first(key("f", "a")));
        assert!(!d.first(key("f", "a")));
        assert!(d.first(key("g", "a")) && d.first(key("g", "a")), "keys not repeated are never held back");
        assert_ne!(key("f", "a"), key("g", "a"));
    }
}
