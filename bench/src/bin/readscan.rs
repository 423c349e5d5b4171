//! Times the scanner's search over one large file read three ways: mapped, mapped with each block's
//! pages populated in one call, and read into one buffer used again (of several sizes). On a machine
//! whose kernel flushes the TLB on every entry, the mapped pages were the slow part (docs/performance.md).
//! Usage: readscan FILE
use lambdastat::parse::needles::next_needle;
use memmap2::{Advice, Mmap, UncheckedAdvice};
use std::os::unix::fs::FileExt;
use std::time::Instant;

/// The keywords the scanner stops at.
fn hits(buf: &[u8]) -> usize {
    let (mut pos, mut hits) = (0, 0);
    while let (Some((at, _)), _) = next_needle(buf, pos) {
        hits += 1;
        pos = at + 1;
    }
    hits
}

fn mapped(file: &std::fs::File, len: usize, block: usize, populate: bool) -> usize {
    // SAFETY: a benchmark's input, which nothing writes while it runs.
    let map = unsafe { Mmap::map(file) }.unwrap();
    let (mut pos, mut total) = (0, 0);
    while pos < len {
        let end = (pos + block).min(len);
        if populate {
            let _ = map.advise_range(Advice::PopulateRead, pos, end - pos);
        }
        total += hits(&map[pos..end]);
        // SAFETY: a read-only private map: the pages are read again from the file if touched.
        let _ = unsafe { map.unchecked_advise_range(UncheckedAdvice::DontNeed, pos, end - pos) };
        pos = end;
    }
    total
}

fn read(file: &std::fs::File, block: usize) -> usize {
    let mut buf = vec![0u8; block];
    let (mut offset, mut total) = (0u64, 0);
    loop {
        let n = file.read_at(&mut buf, offset).unwrap();
        if n == 0 {
            return total;
        }
        // Keywords cut at a block's end are missed: a few in a million, the same for every size.
        total += hits(&buf[..n]);
        offset += n as u64;
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("readscan FILE");
    let file = std::fs::File::open(&path).unwrap();
    let len = file.metadata().unwrap().len() as usize;
    let mb = len as f64 / 1e6;
    let ways: Vec<(String, Box<dyn Fn() -> usize>)> = vec![
        ("mapped, 4 MiB blocks".into(), Box::new(|| mapped(&file, len, 4 << 20, false))),
        ("mapped, 4 MiB blocks populated".into(), Box::new(|| mapped(&file, len, 4 << 20, true))),
        ("read into one 256 KiB buffer".into(), Box::new(|| read(&file, 256 << 10))),
        ("read into one 1 MiB buffer".into(), Box::new(|| read(&file, 1 << 20))),
        ("read into one 4 MiB buffer".into(), Box::new(|| read(&file, 4 << 20))),
    ];
    for (label, run) in &ways {
        let best = (0..3)
            .map(|_| {
                let t = Instant::now();
                let n = run();
                (t.elapsed().as_secs_f64(), n)
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap();
        println!("{label:34} {:8} hits  {:.3} s  {:6.0} MB/s", best.1, best.0, mb / best.0);
    }
}
