//! Times the stages of reading one file: read, scan with a counting sink,
//! scan into accumulators. Usage: scan FILE
use lambdastat::aggregate::FileAcc;
use lambdastat::parse::{Invocation, Scanner, Sink};
use std::time::Instant;

#[derive(Default)]
struct Count(u64, u64);
impl Sink for Count {
    fn invocation(&mut self, inv: &Invocation<'_>, _line: u64) {
        self.0 += 1;
        self.1 += inv.duration_us.unwrap_or(0);
    }
    fn skipped(&mut self, _line: u64, _reason: String) {}
}

fn main() {
    let path = std::env::args().nth(1).expect("scan FILE");
    if std::env::args().any(|a| a == "--probes") {
        probes(&std::fs::read(&path).unwrap());
    }
    let t = Instant::now();
    let buf = std::fs::read(&path).unwrap();
    let read = t.elapsed();
    let mb = buf.len() as f64 / 1e6;
    let t = Instant::now();
    let mut c = Count::default();
    let lines = Scanner::new().scan(&buf, &mut c);
    let scan = t.elapsed();
    let t = Instant::now();
    let mut acc = FileAcc::default();
    Scanner::new().scan(&buf, &mut acc);
    let agg = t.elapsed();
    println!(
        "{mb:.0} MB, {lines} lines, {} records: read {:.3}s, scan {:.3}s ({:.0} MB/s), scan+aggregate {:.3}s ({:.0} MB/s), {} slices",
        c.0,
        read.as_secs_f64(),
        scan.as_secs_f64(),
        mb / scan.as_secs_f64(),
        agg.as_secs_f64(),
        mb / agg.as_secs_f64(),
        acc.slices.len()
    );
}

/// Times `count` over the buffer and prints hits and throughput.
fn timed(label: &str, mb: f64, count: impl FnOnce() -> usize) {
    let t = Instant::now();
    let hits = count();
    let s = t.elapsed().as_secs_f64();
    println!("{label:40} {hits:8} hits in {s:.3}s ({:.0} MB/s)", mb / s);
}

/// Search speeds: newline counting, the scanner's search (needles and newlines in one pass), the
/// needle set in aho-corasick's automata and packed Teddy, and each needle alone with memmem.
pub fn probes(buf: &[u8]) {
    use aho_corasick::{packed, AhoCorasick, AhoCorasickKind, MatchKind};
    use lambdastat::parse::needles::{next_needle, NEEDLES};
    let mb = buf.len() as f64 / 1e6;
    timed("newlines (memchr)", mb, || memchr::memchr_iter(b'\n', buf).count());
    timed("needles and newlines (what the scanner uses)", mb, || {
        let (mut pos, mut hits) = (0, 0);
        while let (Some((at, _)), _) = next_needle(buf, pos) {
            hits += 1;
            pos = at + 1;
        }
        hits
    });
    let needles = NEEDLES;
    let with_request_id: Vec<&str> = needles.iter().copied().chain(["RequestId: "]).collect();
    for (label, set) in [
        ("default automaton + \"RequestId: \"", with_request_id),
        ("default automaton, scanner needles", needles.to_vec()),
    ] {
        let ac = AhoCorasick::new(&set).unwrap();
        timed(label, mb, || ac.find_iter(buf).count());
    }
    let teddy =
        packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder().extend(needles).build().unwrap();
    timed("packed teddy, scanner needles", mb, || teddy.find_iter(buf).count());
    let dfa = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostFirst)
        .build(needles)
        .unwrap();
    timed("DFA, scanner needles (the portable search)", mb, || dfa.find_iter(buf).count());
    for n in needles {
        let f = memchr::memmem::Finder::new(n);
        timed(&format!("  memmem {n}"), mb, || f.find_iter(buf).count());
    }
}
