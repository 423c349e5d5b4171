//! Searching bytes eight at a time (SWAR): the scanner's per-REPORT work (a prefix's token ends, a
//! request id's end) runs over every REPORT line, and a byte-by-byte loop was a large part of it.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each lane whose byte is under `n` (`n` at most 0x80); maybe also the lane just
/// above such a byte (the borrow), never a lane missed.
pub fn lanes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * u64::from(n)) & !w & HIGH
}

/// The high bit of each lane whose byte is `c` (maybe also the lane just above one).
pub fn lanes_equal(w: u64, c: u8) -> u64 {
    lanes_below(w ^ (ONES * u64::from(c)), 1)
}

/// The high bit of each lane whose byte is over 0x7F.
pub fn lanes_non_ascii(w: u64) -> u64 {
    w & HIGH
}

/// The first index from `from` whose byte is a `stop`, or `b.len()`. Eight bytes are skipped at a
/// time while `candidates` (built of the `lanes_*` masks) marks none of them; marked ones are looked
/// at one by one with `stop`, which decides.
pub fn find_stop(b: &[u8], from: usize, candidates: impl Fn(u64) -> u64, stop: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while let Some(word) = b.get(i..i + 8) {
        if candidates(u64::from_le_bytes(word.try_into().expect("eight bytes"))) != 0 {
            break;
        }
        i += 8;
    }
    while i < b.len() && !stop(b[i]) {
        i += 1;
    }
    i
}

/// Random short texts for the tests of searches built on [`find_stop`]: mostly letters (so that
/// whole words without a stop come up), a quarter from `alphabet` (the bytes around the stops).
#[cfg(test)]
pub fn mixed_texts(seed: u64, alphabet: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut next = crate::test_rng::xorshift(seed);
    (0..2_000).map(move |_| {
        let s = next();
        (0..(s % 40) as usize)
            .map(|k| {
                let r = s.rotate_left(k as u32 * 5);
                if r.is_multiple_of(4) {
                    alphabet[(r >> 8) as usize % alphabet.len()]
                } else {
                    b'a' + (r % 26) as u8
                }
            })
            .collect()
    })
}
