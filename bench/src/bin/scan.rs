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
        probes2(&std::fs::read(&path).unwrap());
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

#[allow(dead_code)]
pub fn probes(buf: &[u8]) {
    use aho_corasick::AhoCorasick;
    let mb = buf.len() as f64 / 1e6;
    let t = Instant::now();
    let n = memchr::memchr_iter(b'\n', buf).count();
    println!("newline count: {n} in {:.3}s ({:.0} MB/s)", t.elapsed().as_secs_f64(), mb / t.elapsed().as_secs_f64());
    for needles in [
        vec![
            "REPORT",
            "platform.",
            "/aws/lambda/",
            "_START Runtime Version",
            "Task timed out after",
            "RequestId: ",
            "logStream",
            "\"timestamp\"",
        ],
        vec![
            "REPORT",
            "platform.",
            "/aws/lambda/",
            "_START Runtime Version",
            "Task timed out after",
            "logStream",
            "\"timestamp\"",
        ],
        vec!["REPORT"],
    ] {
        let ac = AhoCorasick::new(&needles).unwrap();
        let t = Instant::now();
        let hits = ac.find_iter(buf).count();
        println!(
            "{} needles: {hits} hits in {:.3}s ({:.0} MB/s)",
            needles.len(),
            t.elapsed().as_secs_f64(),
            mb / t.elapsed().as_secs_f64()
        );
    }
    let f = memchr::memmem::Finder::new("REPORT");
    let t = Instant::now();
    let hits = f.find_iter(buf).count();
    println!(
        "memmem REPORT: {hits} hits in {:.3}s ({:.0} MB/s)",
        t.elapsed().as_secs_f64(),
        mb / t.elapsed().as_secs_f64()
    );
}

pub fn probes2(buf: &[u8]) {
    use aho_corasick::{packed, AhoCorasick, AhoCorasickKind, MatchKind};
    let mb = buf.len() as f64 / 1e6;
    // The scanner's own needles.
    let needles = lambdastat::parse::scan::NEEDLES;
    let t = Instant::now();
    let s =
        packed::Config::new().match_kind(packed::MatchKind::LeftmostFirst).builder().extend(needles).build().unwrap();
    let hits = s.find_iter(buf).count();
    println!(
        "packed teddy ({}): {hits} hits in {:.3}s ({:.0} MB/s)",
        needles.len(),
        t.elapsed().as_secs_f64(),
        mb / t.elapsed().as_secs_f64()
    );
    let ac = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .match_kind(MatchKind::LeftmostFirst)
        .build(needles)
        .unwrap();
    let t = Instant::now();
    let hits = ac.find_iter(buf).count();
    println!(
        "dfa ({}): {hits} hits in {:.3}s ({:.0} MB/s)",
        needles.len(),
        t.elapsed().as_secs_f64(),
        mb / t.elapsed().as_secs_f64()
    );
    for n in needles {
        let f = memchr::memmem::Finder::new(n);
        let t = Instant::now();
        let hits = f.find_iter(buf).count();
        println!(
            "  memmem {n:25}: {hits:7} hits {:.3}s ({:.0} MB/s)",
            t.elapsed().as_secs_f64(),
            mb / t.elapsed().as_secs_f64()
        );
    }
}
