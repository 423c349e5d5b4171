//! The scanner's search: where the next platform keyword (a needle) starts, and how many newlines
//! stand before it (the scanner numbers lines).
//!
//! On x86-64 with AVX2, one pass does both, 32 bytes at a time (64 with AVX-512 BW: the scan of a
//! text file 6-8% faster on an AMD EPYC, docs/performance.md): the newlines are counted, and every
//! position is tested for a two-byte anchor of each needle with Teddy's nibble tables (four table
//! lookups a position, one bit a bucket of needles). Anchors are pairs that are rare in log text
//! (`EP` of `REPORT`, `gS` of `logStream`), not first bytes, so few positions pass; those are
//! compared with their needle. Elsewhere aho-corasick finds the needles and memchr counts the lines. Both give the same
//! answers, which a test checks on random text.

use aho_corasick::{AhoCorasick, AhoCorasickKind, Input, MatchKind};
use std::sync::LazyLock;

/// What the scanner jumps to. Each is rare in application output; the fault
/// lines (`RequestId: <id> Error: …`) are found by their `Error:` or `Process
/// exited` part, since `RequestId: ` itself stands on every START and END line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needle {
    Report,
    PlatformEvent,
    LogGroup,
    RuntimeStart,
    TaskTimedOut,
    FaultError,
    ProcessExited,
    LogStream,
    Timestamp,
}

impl Needle {
    pub const ALL: [Needle; 9] = [
        Needle::Report,
        Needle::PlatformEvent,
        Needle::LogGroup,
        Needle::RuntimeStart,
        Needle::TaskTimedOut,
        Needle::FaultError,
        Needle::ProcessExited,
        Needle::LogStream,
        Needle::Timestamp,
    ];

    pub const fn text(self) -> &'static str {
        match self {
            Needle::Report => "REPORT",
            Needle::PlatformEvent => "platform.",
            Needle::LogGroup => "/aws/lambda/",
            Needle::RuntimeStart => "_START Runtime Version",
            Needle::TaskTimedOut => "Task timed out after",
            Needle::FaultError => "Error:",
            Needle::ProcessExited => "Process exited before",
            Needle::LogStream => "logStream",
            Needle::Timestamp => "\"timestamp\"",
        }
    }

    /// Where the needle's anchor (the two bytes the vector search tests) starts in its text.
    const fn anchor(self) -> usize {
        match self {
            Needle::Report => 1,        // EP
            Needle::PlatformEvent => 3, // tf
            Needle::LogGroup => 2,      // ws
            Needle::RuntimeStart => 0,  // _S
            Needle::TaskTimedOut => 0,  // Ta
            Needle::FaultError => 0,    // Er
            Needle::ProcessExited => 9, // xi
            Needle::LogStream => 2,     // gS
            Needle::Timestamp => 9,     // p"
        }
    }
}

/// The needles of each bucket (a bit of the nibble tables). The two needles sharing one have anchors
/// whose bytes share their low nibbles (`gS`, `ws`), so the bucket passes only `gS`, `gs`, `wS` and
/// `ws`.
const BUCKETS: [&[Needle]; 8] = [
    &[Needle::Report],
    &[Needle::PlatformEvent],
    &[Needle::RuntimeStart],
    &[Needle::TaskTimedOut],
    &[Needle::FaultError],
    &[Needle::ProcessExited],
    &[Needle::Timestamp],
    &[Needle::LogGroup, Needle::LogStream],
];

/// The texts of [`Needle::ALL`], in order.
pub const NEEDLES: [&str; Needle::ALL.len()] = {
    let mut texts = [""; Needle::ALL.len()];
    let mut i = 0;
    while i < texts.len() {
        texts[i] = Needle::ALL[i].text();
        i += 1;
    }
    texts
};

/// The leftmost needle that starts at or after `from`, and the newlines in `buf[from..]` before it
/// (before the end of `buf` when there is none). No two needles start with the same byte, so at
/// most one starts at any place.
pub fn next_needle(buf: &[u8], from: usize) -> (Option<(usize, Needle)>, u64) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::is_x86_feature_detected as has;
        if has!("avx512f") && has!("avx512bw") && has!("popcnt") && has!("bmi1") {
            // SAFETY: the CPU has AVX-512 F and BW, POPCNT and BMI1 (checked just above).
            return unsafe { avx512::next_needle(buf, from) };
        }
        if has!("avx2") && has!("popcnt") && has!("bmi1") {
            // SAFETY: the CPU has AVX2, POPCNT and BMI1 (checked just above).
            return unsafe { avx2::next_needle(buf, from) };
        }
    }
    next_needle_portable(buf, from)
}

/// A DFA: with these needles it searches at several GB/s (the default
/// noncontiguous automaton was ~5x slower here).
static FINDER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostFirst)
        .build(NEEDLES)
        .expect("static needles")
});

/// [`next_needle`] without vector instructions of its own (and what the tests hold the vector
/// search to).
fn next_needle_portable(buf: &[u8], from: usize) -> (Option<(usize, Needle)>, u64) {
    match FINDER.find(Input::new(buf).span(from..buf.len())) {
        Some(m) => (Some((m.start(), Needle::ALL[m.pattern().as_usize()])), count_newlines(&buf[from..m.start()])),
        None => (None, count_newlines(&buf[from..])),
    }
}

pub fn count_newlines(b: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', b).count() as u64
}

/// The largest anchor offset: a needle whose anchor is not yet tested starts at most this far
/// before the first untested position.
const MAX_ANCHOR: usize = {
    let mut max = 0;
    let mut i = 0;
    while i < Needle::ALL.len() {
        if Needle::ALL[i].anchor() > max {
            max = Needle::ALL[i].anchor();
        }
        i += 1;
    }
    max
};

/// The nibble tables: `[low nibble of the anchor's first byte, its high nibble, the second byte's
/// low nibble, its high nibble]`, each giving the buckets that nibble can belong to.
const TABLES: [[u8; 16]; 4] = {
    let mut t = [[0u8; 16]; 4];
    let mut bucket = 0;
    while bucket < BUCKETS.len() {
        let bit = 1u8 << bucket;
        let mut i = 0;
        while i < BUCKETS[bucket].len() {
            let needle = BUCKETS[bucket][i];
            let (at, text) = (needle.anchor(), needle.text().as_bytes());
            let (first, second) = (text[at], text[at + 1]);
            t[0][(first & 15) as usize] |= bit;
            t[1][(first >> 4) as usize] |= bit;
            t[2][(second & 15) as usize] |= bit;
            t[3][(second >> 4) as usize] |= bit;
            i += 1;
        }
        bucket += 1;
    }
    t
};

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use super::{Best, Needle, MAX_ANCHOR, TABLES};
    use std::arch::x86_64::*;

    /// [`super::next_needle`], 32 positions at a time.
    ///
    /// # Safety
    /// The CPU must have AVX2 and POPCNT.
    #[target_feature(enable = "avx2,popcnt")]
    pub unsafe fn next_needle(buf: &[u8], from: usize) -> (Option<(usize, Needle)>, u64) {
        let table = |t: &[u8; 16]| _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast()));
        let tables = [table(&TABLES[0]), table(&TABLES[1]), table(&TABLES[2]), table(&TABLES[3])];
        let mut newlines = 0u64; // in buf[from..p]
        let mut best: Best = None;
        let mut p = from;
        let load = |at: usize| {
            // SAFETY: the callers keep at + 33 <= buf.len(): both loads are inside `buf`.
            unsafe {
                (_mm256_loadu_si256(buf.as_ptr().add(at).cast()), _mm256_loadu_si256(buf.as_ptr().add(at + 1).cast()))
            }
        };
        // Two windows a turn (one test for both); each window reads 33 bytes (the anchors' second
        // bytes reach one past it).
        while p + 65 <= buf.len() {
            let (v0, v1) = load(p);
            let (lines, buckets) = window(&tables, v0, v1);
            let (w0, w1) = load(p + 32);
            let (lines_next, buckets_next) = window(&tables, w0, w1);
            let either = _mm256_or_si256(buckets, buckets_next);
            if _mm256_testz_si256(either, either) == 0 {
                for (at, lines, buckets) in [(p, lines, buckets), (p + 32, lines_next, buckets_next)] {
                    if _mm256_testz_si256(buckets, buckets) == 0 {
                        candidates(buckets, buf, from, at, newlines, lines, &mut best);
                    }
                    // Every anchor before at + 32 is tested: an untested needle starts at or
                    // after at + 32 - MAX_ANCHOR.
                    if let Some((start, needle, before)) = best.filter(|b| b.0 + MAX_ANCHOR < at + 32) {
                        return (Some((start, needle)), before);
                    }
                    newlines += u64::from(lines.count_ones());
                }
            } else {
                newlines += u64::from(lines.count_ones()) + u64::from(lines_next.count_ones());
            }
            p += 64;
        }
        if p + 33 <= buf.len() {
            let (v0, v1) = load(p);
            let (lines, buckets) = window(&tables, v0, v1);
            if _mm256_testz_si256(buckets, buckets) == 0 {
                candidates(buckets, buf, from, p, newlines, lines, &mut best);
                if let Some((start, needle, before)) = best.filter(|b| b.0 + MAX_ANCHOR < p + 32) {
                    return (Some((start, needle)), before);
                }
            }
            newlines += u64::from(lines.count_ones());
            p += 32;
        }
        if p < buf.len() {
            // The last positions, from a copy padded with zeros (no anchor holds a zero byte, and
            // matches are compared with `buf` itself).
            let mut pad = [0u8; 64];
            pad[..buf.len() - p].copy_from_slice(&buf[p..]);
            // SAFETY: both loads are inside `pad`.
            let (v0, v1) =
                unsafe { (_mm256_loadu_si256(pad.as_ptr().cast()), _mm256_loadu_si256(pad.as_ptr().add(1).cast())) };
            let (lines, buckets) = window(&tables, v0, v1);
            if _mm256_testz_si256(buckets, buckets) == 0 {
                candidates(buckets, buf, from, p, newlines, lines, &mut best);
            }
            newlines += u64::from(lines.count_ones());
        }
        match best {
            Some((at, needle, before)) => (Some((at, needle)), before),
            None => (None, newlines),
        }
    }

    /// The newline mask of the 32 positions whose bytes are `v0` (`v1`: the bytes one further on),
    /// and the buckets whose anchors stand at each.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn window(tables: &[__m256i; 4], v0: __m256i, v1: __m256i) -> (u32, __m256i) {
        let nibble = _mm256_set1_epi8(0x0F);
        let low0 = _mm256_shuffle_epi8(tables[0], _mm256_and_si256(v0, nibble));
        let high0 = _mm256_shuffle_epi8(tables[1], _mm256_and_si256(_mm256_srli_epi16(v0, 4), nibble));
        let low1 = _mm256_shuffle_epi8(tables[2], _mm256_and_si256(v1, nibble));
        let high1 = _mm256_shuffle_epi8(tables[3], _mm256_and_si256(_mm256_srli_epi16(v1, 4), nibble));
        let buckets = _mm256_and_si256(_mm256_and_si256(low0, high0), _mm256_and_si256(low1, high1));
        let lines = _mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, _mm256_set1_epi8(b'\n' as i8))) as u32;
        (lines, buckets)
    }

    /// The buckets that passed at each of the 32 positions from `p`, handed to [`super::candidates`].
    #[inline(never)]
    #[target_feature(enable = "avx2,popcnt,bmi1")]
    fn candidates(buckets: __m256i, buf: &[u8], from: usize, p: usize, newlines: u64, lines: u32, best: &mut Best) {
        let mut bits = [0u8; 32];
        // SAFETY: `bits` holds 32 bytes.
        unsafe { _mm256_storeu_si256(bits.as_mut_ptr().cast(), buckets) };
        let passed = !(_mm256_movemask_epi8(_mm256_cmpeq_epi8(buckets, _mm256_setzero_si256())) as u32);
        super::candidates(&bits, u64::from(passed), buf, from, p, newlines, u64::from(lines), best);
    }
}

/// The best match so far: where it starts, which needle, the newlines before it.
#[cfg(target_arch = "x86_64")]
type Best = Option<(usize, Needle, u64)>;

/// Compares the needles whose buckets passed at each anchor with the text: `bits[i]` holds the
/// buckets that passed at `p + i`, `passed` has bit `i` set where any did, `lines` bit `i` where
/// `buf[p + i]` is a newline, and `newlines` are those in `buf[from..p]`.
#[cfg(target_arch = "x86_64")]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn candidates(
    bits: &[u8],
    mut passed: u64,
    buf: &[u8],
    from: usize,
    p: usize,
    newlines: u64,
    lines: u64,
    best: &mut Best,
) {
    while passed != 0 {
        let i = passed.trailing_zeros() as usize;
        passed &= passed - 1;
        let anchor = p + i;
        if best.is_some_and(|(at, _, _)| anchor > at + MAX_ANCHOR) {
            return; // every later anchor starts its needle after the best
        }
        let mut b = bits[i];
        while b != 0 {
            for &needle in BUCKETS[b.trailing_zeros() as usize] {
                let offset = needle.anchor();
                if anchor < from + offset {
                    continue;
                }
                let at = anchor - offset;
                let text = needle.text().as_bytes();
                if best.is_some_and(|(b, _, _)| b <= at) || buf.get(at..at + text.len()) != Some(text) {
                    continue;
                }
                // The newlines in buf[from..at]: those before the window, and those of the
                // window before `at` (or less those between `at` and the window).
                let before = if at >= p {
                    newlines + u64::from((lines & ((1u64 << (at - p)) - 1)).count_ones())
                } else {
                    newlines - count_newlines(&buf[at..p])
                };
                *best = Some((at, needle, before));
            }
            b &= b - 1;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::Needle;
    use super::{Best, MAX_ANCHOR, TABLES};
    use std::arch::x86_64::*;

    /// [`super::next_needle`], 64 positions at a time (as [`super::avx2`] does 32).
    ///
    /// # Safety
    /// The CPU must have AVX-512 F and BW, POPCNT and BMI1.
    #[target_feature(enable = "avx512f,avx512bw,popcnt,bmi1")]
    pub unsafe fn next_needle(buf: &[u8], from: usize) -> (Option<(usize, Needle)>, u64) {
        let table = |t: &[u8; 16]| _mm512_broadcast_i32x4(_mm_loadu_si128(t.as_ptr().cast()));
        let tables = [table(&TABLES[0]), table(&TABLES[1]), table(&TABLES[2]), table(&TABLES[3])];
        let mut newlines = 0u64; // in buf[from..p]
        let mut best: Best = None;
        let mut p = from;
        // Each window reads 65 bytes (the anchors' second bytes reach one past it).
        while p + 65 <= buf.len() {
            // SAFETY: p + 65 <= buf.len(): both loads are inside `buf`.
            let (v0, v1) = unsafe {
                (_mm512_loadu_si512(buf.as_ptr().add(p).cast()), _mm512_loadu_si512(buf.as_ptr().add(p + 1).cast()))
            };
            let (lines, buckets) = window(&tables, v0, v1);
            let passed = _mm512_test_epi8_mask(buckets, buckets);
            if passed != 0 {
                candidates(buckets, passed, buf, from, p, newlines, lines, &mut best);
                // Every anchor before p + 64 is tested: an untested needle starts at or after
                // p + 64 - MAX_ANCHOR.
                if let Some((start, needle, before)) = best.filter(|b| b.0 + MAX_ANCHOR < p + 64) {
                    return (Some((start, needle)), before);
                }
            }
            newlines += u64::from(lines.count_ones());
            p += 64;
        }
        if p < buf.len() {
            // The last positions, from a copy padded with zeros (no anchor holds a zero byte, and
            // matches are compared with `buf` itself).
            let mut pad = [0u8; 128];
            pad[..buf.len() - p].copy_from_slice(&buf[p..]);
            // SAFETY: both loads are inside `pad`.
            let (v0, v1) =
                unsafe { (_mm512_loadu_si512(pad.as_ptr().cast()), _mm512_loadu_si512(pad.as_ptr().add(1).cast())) };
            let (lines, buckets) = window(&tables, v0, v1);
            let passed = _mm512_test_epi8_mask(buckets, buckets);
            if passed != 0 {
                candidates(buckets, passed, buf, from, p, newlines, lines, &mut best);
            }
            newlines += u64::from(lines.count_ones());
        }
        match best {
            Some((at, needle, before)) => (Some((at, needle)), before),
            None => (None, newlines),
        }
    }

    /// The newline mask of the 64 positions whose bytes are `v0` (`v1`: the bytes one further on),
    /// and the buckets whose anchors stand at each.
    #[inline]
    #[target_feature(enable = "avx512f,avx512bw")]
    fn window(tables: &[__m512i; 4], v0: __m512i, v1: __m512i) -> (u64, __m512i) {
        let nibble = _mm512_set1_epi8(0x0F);
        let low0 = _mm512_shuffle_epi8(tables[0], _mm512_and_si512(v0, nibble));
        let high0 = _mm512_shuffle_epi8(tables[1], _mm512_and_si512(_mm512_srli_epi16(v0, 4), nibble));
        let low1 = _mm512_shuffle_epi8(tables[2], _mm512_and_si512(v1, nibble));
        let high1 = _mm512_shuffle_epi8(tables[3], _mm512_and_si512(_mm512_srli_epi16(v1, 4), nibble));
        let buckets = _mm512_and_si512(_mm512_and_si512(low0, high0), _mm512_and_si512(low1, high1));
        let lines = _mm512_cmpeq_epi8_mask(v0, _mm512_set1_epi8(b'\n' as i8));
        (lines, buckets)
    }

    /// The buckets that passed at each of the 64 positions from `p`, handed to [`super::candidates`].
    #[inline(never)]
    #[target_feature(enable = "avx512f,avx512bw,popcnt,bmi1")]
    #[allow(clippy::too_many_arguments)]
    fn candidates(
        buckets: __m512i,
        passed: u64,
        buf: &[u8],
        from: usize,
        p: usize,
        newlines: u64,
        lines: u64,
        best: &mut Best,
    ) {
        let mut bits = [0u8; 64];
        // SAFETY: `bits` holds 64 bytes.
        unsafe { _mm512_storeu_si512(bits.as_mut_ptr().cast(), buckets) };
        super::candidates(&bits, passed, buf, from, p, newlines, lines, best);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random texts built of needles, their anchors, broken needles, newlines and letters, long
    /// enough to cross several windows and to put needles across window edges.
    fn texts(seed: u64) -> impl Iterator<Item = Vec<u8>> {
        let mut next = crate::test_rng::xorshift(seed);
        let pieces: Vec<Vec<u8>> = NEEDLES
            .iter()
            .flat_map(|n| {
                let b = n.as_bytes();
                [b.to_vec(), b[..b.len() - 1].to_vec(), b[1..].to_vec()]
            })
            .chain(
                ["EP", "tf", "ws", "gS", "gs", "wS", "_S", "Ta", "Er", "xi", "p\"", "\n", "\n\n", "é", "\0"]
                    .iter()
                    .map(|s| s.as_bytes().to_vec()),
            )
            .collect();
        (0..3_000).map(move |_| {
            let len = next() % 200;
            let mut text = Vec::new();
            while (text.len() as u64) < len {
                let r = next();
                if r.is_multiple_of(3) {
                    text.extend_from_slice(&pieces[(r >> 8) as usize % pieces.len()]);
                } else {
                    text.push(b"abcdEPRTxg \t"[(r >> 8) as usize % 12]);
                }
            }
            text
        })
    }

    /// Each vector search this CPU has (AVX-512, AVX2) finds what aho-corasick finds; one it lacks is
    /// named as not tested here.
    #[test]
    fn the_vector_searches_find_what_aho_corasick_finds() {
        type Search = fn(&[u8], usize) -> (Option<(usize, Needle)>, u64);
        let mut searches: Vec<(&str, Search)> = vec![("dispatched", next_needle)];
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::is_x86_feature_detected as has;
            if has!("avx512f") && has!("avx512bw") && has!("popcnt") && has!("bmi1") {
                // SAFETY: the CPU has what it needs (checked just above).
                searches.push(("avx512", |b, f| unsafe { avx512::next_needle(b, f) }));
            } else {
                eprintln!("notice: the AVX-512 needle search is not tested: this CPU has no AVX-512 BW");
            }
            if has!("avx2") && has!("popcnt") && has!("bmi1") {
                // SAFETY: as above.
                searches.push(("avx2", |b, f| unsafe { avx2::next_needle(b, f) }));
            } else {
                eprintln!("notice: the AVX2 needle search is not tested: this CPU has no AVX2");
            }
        }
        let mut found = 0;
        for text in texts(0x2545_f491_4f6c_dd1d) {
            for from in 0..=text.len() {
                let want = next_needle_portable(&text, from);
                for (name, search) in &searches {
                    assert_eq!(search(&text, from), want, "{name}: {:?} from {from}", String::from_utf8_lossy(&text));
                }
                found += usize::from(want.0.is_some());
            }
        }
        // The texts hold needles at most places (the test is not passed by finding nothing).
        assert!(found > 100_000, "{found}");
    }

    #[test]
    fn each_needle_is_in_one_bucket() {
        let listed: Vec<Needle> = BUCKETS.iter().flat_map(|ns| ns.iter().copied()).collect();
        assert_eq!(listed.len(), Needle::ALL.len());
        for needle in Needle::ALL {
            assert!(listed.contains(&needle), "{needle:?}");
        }
    }

    #[test]
    fn newlines_are_counted_up_to_the_needle_or_the_end() {
        let text = b"a\nb\n\nREPORT x\n\nlogStream\n".repeat(5);
        assert_eq!(next_needle(&text, 0), (Some((5, Needle::Report)), 3));
        assert_eq!(next_needle(&text, 6), (Some((15, Needle::LogStream)), 2));
        assert_eq!(next_needle(&text, text.len() - 1), (None, 1));
        let long = [vec![b'\n'; 100], b"Error:".to_vec()].concat();
        assert_eq!(next_needle(&long, 1), (Some((100, Needle::FaultError)), 99));
    }
}
