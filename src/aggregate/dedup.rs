//! Each invocation once: overlapping exports (two `filter-log-events` runs over overlapping windows, an
//! S3 export beside a console download of the same hours) and the console's habit of rendering every
//! event twice give the same REPORT more than once. A request id is counted once per function; later
//! copies are counted as duplicates, not as invocations.
//!
//! Most inputs hold no copies, so the first pass only notes a 64-bit key of (function, request id) for
//! every invocation (8 bytes each, appended to one vector, no lookups). At the end the keys are
//! looked through for repeats (in buckets: see [`repeated`]); when no key repeats, that pass is the
//! result. When some do, the inputs are read a second time, and only the
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

/// The keys that occur more than once. Keys are hashes, evenly spread: each core parts a share of
/// them by their top bits into buckets of about a thousand, and then each bucket (its pieces in
/// every share) is looked through with a small hash table that stays in the first-level cache, on
/// every core. Half the time of sorting them all (which is the test's reference).
/// The keys come as the blocks and files noted them, in pieces: each share is whole pieces.
/// The buckets are parted in [`ROUNDS`] rounds, a range of them each, into one buffer a share used
/// again: beside the keys there is a quarter of them more at a time, not a second copy of them all
/// (once every input is read, this is the run's peak of memory).
pub fn repeated(keys: Vec<Vec<u64>>) -> KeySet {
    let total: usize = keys.iter().map(Vec::len).sum();
    let bits = bucket_bits(total);
    let shares = shares(&keys, total.div_ceil(rayon::current_num_threads()).max(1));
    let counts: Vec<Vec<usize>> = shares.par_iter().map(|share| count(share, bits)).collect();
    let mut buffers: Vec<Vec<u64>> = shares.iter().map(|_| Vec::new()).collect();
    let buckets = 1usize << bits;
    let per_round = buckets.div_ceil(ROUNDS);
    let mut found = KeySet::default();
    for first in (0..buckets).step_by(per_round) {
        let round = first..(first + per_round).min(buckets);
        let starts: Vec<Vec<usize>> = (shares.par_iter().zip(&counts))
            .zip(buffers.par_iter_mut())
            .map(|((share, counts), buffer)| partition(share, bits, &counts[round.clone()], round.start, buffer))
            .collect();
        let parts: Vec<(&Vec<u64>, &Vec<usize>)> = buffers.iter().zip(&starts).collect();
        let repeats: Vec<Vec<u64>> = (0..round.len())
            .into_par_iter()
            .map_init(Vec::new, |table, b| repeats_in(parts.iter().map(|(keys, at)| &keys[at[b]..at[b + 1]]), table))
            .filter(|r| !r.is_empty())
            .collect();
        found.extend(repeats.into_iter().flatten());
    }
    found
}

/// Rounds the buckets are parted in (see [`repeated`]).
const ROUNDS: usize = 4;

/// Bits of a key that choose its bucket: about a thousand keys a bucket.
fn bucket_bits(n: usize) -> u32 {
    (n / 1024).max(2).ilog2().min(16)
}

/// The bucket of a key: its top `bits` bits.
fn bucket(key: u64, bits: u32) -> usize {
    (key >> (64 - bits)) as usize
}

/// The pieces in runs of at least `size` keys (the last run may be shorter).
fn shares(pieces: &[Vec<u64>], size: usize) -> Vec<&[Vec<u64>]> {
    let (mut out, mut start, mut len) = (Vec::new(), 0, 0);
    for (i, piece) in pieces.iter().enumerate() {
        len += piece.len();
        if len >= size {
            out.push(&pieces[start..=i]);
            (start, len) = (i + 1, 0);
        }
    }
    if start < pieces.len() {
        out.push(&pieces[start..]);
    }
    out
}

/// How many of a share's keys fall in each bucket.
fn count(share: &[Vec<u64>], bits: u32) -> Vec<usize> {
    let mut counts = vec![0; 1 << bits];
    share.iter().flatten().for_each(|&k| counts[bucket(k, bits)] += 1);
    counts
}

/// The keys of a share in buckets `first..first + counts.len()` (`counts`: how many each holds), put
/// in `buffer` bucket after bucket; gives where each of them starts there (and the last ends).
/// (Moving the keys in place instead, with no copy, took twice the time.)
fn partition(share: &[Vec<u64>], bits: u32, counts: &[usize], first: usize, buffer: &mut Vec<u64>) -> Vec<usize> {
    let mut at = Vec::with_capacity(counts.len() + 1);
    at.push(0);
    for c in counts {
        at.push(at[at.len() - 1] + c);
    }
    buffer.clear();
    buffer.resize(at[counts.len()], 0);
    let mut next = at.clone();
    for &k in share.iter().flatten() {
        // Buckets before `first` wrap round to large numbers: one comparison keeps the round's.
        let b = bucket(k, bits).wrapping_sub(first);
        if b < counts.len() {
            buffer[next[b]] = k;
            next[b] += 1;
        }
    }
    at
}

/// The keys of one bucket seen before in it (once for each copy after the first), by open
/// addressing in `table` (reused between buckets); 0 marks an empty slot, so 0 is counted aside.
fn repeats_in<'a>(parts: impl Iterator<Item = &'a [u64]> + Clone, table: &mut Vec<u64>) -> Vec<u64> {
    let len: usize = parts.clone().map(<[u64]>::len).sum();
    let size = (len * 2).next_power_of_two().max(16);
    table.clear();
    table.resize(size, 0);
    let mask = size - 1;
    let mut found = Vec::new();
    let mut zeros = 0;
    for &k in parts.flatten() {
        if k == 0 {
            zeros += 1;
            if zeros > 1 {
                found.push(0);
            }
            continue;
        }
        // The low bits place a key: the top ones are its bucket's, the same for every key here.
        let mut i = k as usize & mask;
        loop {
            match table[i] {
                0 => break table[i] = k,
                seen if seen == k => break found.push(k),
                _ => i = (i + 1) & mask,
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: every key sorted, equal neighbours.
    fn repeated_by_sorting(mut keys: Vec<u64>) -> KeySet {
        keys.sort_unstable();
        keys.windows(2).filter(|w| w[0] == w[1]).map(|w| w[0]).collect()
    }

    #[test]
    fn buckets_find_what_sorting_finds() {
        let mut next = crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15);
        for (n, copies) in [(0, 0), (1, 0), (3, 2), (5000, 40), (70_000, 3000), (300_000, 1)] {
            let mut keys: Vec<u64> = (0..n).map(|_| next()).collect();
            // Copies of earlier keys (some three or more times), keys of 0, and keys alike in their
            // top bits (one bucket) or in their low bits (one place in every bucket's table).
            for i in 0..copies {
                let k = keys[next() as usize % keys.len()];
                keys.push(k);
                if i % 7 == 0 {
                    keys.extend([0, k, next() & 0xffff, next() << 48]);
                }
            }
            keys.extend((0..n / 10).map(|i| (i as u64) << 40));
            let want = repeated_by_sorting(keys.clone());
            // In pieces of uneven lengths, some empty, as blocks and files note them.
            let mut pieces = Vec::new();
            let mut rest = &keys[..];
            while !rest.is_empty() {
                let (piece, after) = rest.split_at((next() as usize % 9000).min(rest.len()));
                pieces.push(piece.to_vec());
                rest = after;
            }
            assert_eq!(repeated(pieces), want, "n={n} copies={copies}");
        }
    }

    #[test]
    fn repeated_keys_are_found_once_each() {
        let mut got: Vec<u64> =
            repeated(vec![vec![5, 1, 9], vec![], vec![2, 9, 7], vec![7, 3, 7]]).into_iter().collect();
        got.sort();
        assert_eq!(got, vec![7, 9]);
        assert!(repeated(vec![vec![1, 2, 3]]).is_empty());
        assert!(repeated(Vec::new()).is_empty());
        // Shares are whole pieces, each of at least the size asked (but the last).
        let pieces = vec![vec![1; 3], vec![], vec![2; 5], vec![3; 1], vec![4; 2]];
        let lens: Vec<usize> = shares(&pieces, 4).iter().map(|s| s.iter().map(Vec::len).sum()).collect();
        assert_eq!(lens, [8, 3]);
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
