//! Compares gzip inflate implementations on a list of .gz files (one thread):
//! flate2 on zlib-rs (streaming), libdeflate (whole buffer), miniz_oxide.
//! Usage: inflate < list-of-paths
use std::io::Read;
use std::time::Instant;

fn main() {
    let paths: Vec<String> = std::io::stdin().lines().map(|l| l.unwrap()).collect();
    let files: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let compressed: usize = files.iter().map(Vec::len).sum();
    let mut out_total = 0usize;
    let t = Instant::now();
    for f in &files {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&f[..]).read_to_end(&mut out).unwrap();
        out_total += out.len();
    }
    report("flate2 + zlib-rs", t, out_total, compressed);
    let t = Instant::now();
    let mut d = libdeflater::Decompressor::new();
    let mut total = 0;
    for f in &files {
        let isize = u32::from_le_bytes(f[f.len() - 4..].try_into().unwrap()) as usize;
        let mut out = vec![0u8; isize];
        total += d.gzip_decompress(f, &mut out).unwrap();
    }
    report("libdeflate", t, total, compressed);
    let t = Instant::now();
    let mut total = 0;
    for f in &files {
        // Skip the 10-byte gzip header (the corpus sets no optional fields).
        let out = miniz_oxide::inflate::decompress_to_vec(&f[10..f.len() - 8]).unwrap();
        total += out.len();
    }
    report("miniz_oxide", t, total, compressed);
}

fn report(name: &str, t: Instant, out: usize, compressed: usize) {
    let s = t.elapsed().as_secs_f64();
    println!(
        "{name:18} {s:.3}s  {:.0} MB/s out ({:.0} MB/s in), {} MB",
        out as f64 / 1e6 / s,
        compressed as f64 / 1e6 / s,
        out / 1_000_000
    );
}
