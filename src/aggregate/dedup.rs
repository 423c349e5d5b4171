//! Each invocation once: overlapping exports (two `filter-log-events` runs over overlapping windows, an
//! S3 export beside a console download of the same hours) and the console's habit of rendering every
//! event twice give the same REPORT more than once. A request id is counted once per function; later
//! copies are counted as duplicates, not as invocations.
//!
//! Most inputs hold no copies, so the first pass only notes a 64-bit key of (function, request id) for
//! every invocation (8 bytes each, appended to one vector, no lookups). The keys are sorted in place at the end; when no key
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

/// The keys that occur more than once: sorted in place on every core, then scanned for neighbours
/// that are equal (no copy: 8 bytes an invocation, once).
pub fn repeated(mut keys: Vec<u64>) -> KeySet {
    keys.par_sort_unstable();
    let repeated = keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect();
    drop(keys);
    repeated
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_found_once_each() {
        let mut got: Vec<u64> = repeated(vec![5, 1, 9, 2, 9, 7, 7, 3, 7]).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![7, 9]);
        assert!(repeated(vec![1, 2, 3]).is_empty());
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
