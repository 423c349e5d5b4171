//! Writes a seeded, realistic corpus of CloudWatch Lambda logs for benchmarks:
//! the same events twice, as an S3 export tree of `.gz` objects (one per log
//! stream) and as one plain-text file per function (`aws logs tail` shape).
//! Several functions, many log streams, about 1% cold starts, some errors and
//! timeouts, and application log lines between the platform lines.
//!
//! Usage: corpus --out DIR --gb 1.0 [--seed 7] [--app-lines N] [--invocations N]
//! `--app-lines N` writes N application lines per invocation (default 1 to 3);
//! `--invocations N` fixes the invocations per function (default: from --gb),
//! so that corpora with the same invocations and more text can be compared.

use flate2::{write::GzEncoder, Compression};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

/// name, memory MB, init median ms, warm median ms
const FUNCTIONS: &[(&str, u32, f64, f64)] = &[
    ("orders-api", 512, 6700.0, 91.0),
    ("orders-api-r2r", 512, 4400.0, 99.0),
    ("payments-aot", 256, 1450.0, 19.0),
    ("inventory-aot", 256, 1000.0, 14.0),
    ("notify-aot", 256, 950.0, 17.0),
];
/// Bytes of text per invocation, roughly (START, app lines, END, REPORT).
const BYTES_PER_INVOCATION: f64 = 560.0;
const INVOCATIONS_PER_STREAM: usize = 100;

/// SplitMix64: enough for synthetic data, and the same on every machine.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Lognormal around `median` (Box-Muller).
    fn lognormal(&mut self, median: f64, sigma: f64) -> f64 {
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        median * ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos() * sigma).exp()
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 52,
            b & 0xffff_ffff_ffff
        )
    }
}

fn iso(ms: u64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // 2026-11-01 is day 20,758 since 1970-01-01; the corpus spans a few days of November.
    let day = 1 + days - 20_758;
    format!("2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z", day, rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// One log stream: `(timestamp ms, message)` events.
fn stream_events(
    seed: u64,
    f: &(&str, u32, f64, f64),
    invocations: usize,
    app_lines: Option<u64>,
) -> (String, Vec<(u64, String)>) {
    let (_, mem, init_med, warm_med) = *f;
    let mut r = Rng(seed);
    let env = format!("{:016x}{:016x}", r.next(), r.next());
    let mut t: u64 = 1_793_491_200_000 + r.next() % (3 * 86_400_000);
    let stream = format!("2026/11/01/[$LATEST]{env}");
    let mut ev = Vec::with_capacity(invocations * 5);
    let mut max_mem = mem / 4 + (r.next() % 20) as u32;
    for i in 0..invocations {
        let cold = i == 0;
        if cold {
            ev.push((t, format!("INIT_START Runtime Version: dotnet:8.v47\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:{env}{env}\n")));
        }
        let init = cold.then(|| r.lognormal(init_med, 0.1));
        t += init.map_or(0, |x| x as u64);
        let id = r.uuid();
        ev.push((t, format!("START RequestId: {id} Version: $LATEST\n")));
        let roll = r.unit();
        let (mut duration, status) = if roll < 0.001 {
            (30_000.0, Some("timeout"))
        } else if roll < 0.006 {
            (r.lognormal(warm_med, 0.3), Some("error"))
        } else {
            let mut d = r.lognormal(if cold { warm_med * 6.0 } else { warm_med }, 0.2);
            if r.unit() < 0.03 {
                d *= 2.0 + 6.0 * r.unit();
            }
            (d, None)
        };
        duration = (duration * 100.0).round() / 100.0;
        let random_lines = 1 + r.next() % 3;
        for k in 0..app_lines.unwrap_or(random_lines) {
            ev.push((
                t + k,
                format!(
                    "{}\t{id}\tinfo\tProcessed order {} for customer {} in {:.1} ms\n",
                    iso(t + k),
                    r.next() % 1_000_000,
                    r.next() % 100_000,
                    duration * 0.5
                ),
            ));
        }
        if status == Some("error") {
            ev.push((
                t + 1,
                format!("{}\t{id}\tfail\tSystem.InvalidOperationException: payment provider unavailable\n", iso(t + 1)),
            ));
        }
        let end = t + duration as u64;
        max_mem = max_mem.max(mem / 4 + (r.next() % 30) as u32);
        let billed = (duration + init.unwrap_or(0.0)).ceil() as u64;
        let mut report = String::with_capacity(200);
        let _ = write!(report, "REPORT RequestId: {id}\tDuration: {duration:.2} ms\tBilled Duration: {billed} ms\tMemory Size: {mem} MB\tMax Memory Used: {max_mem} MB\t");
        if let Some(init) = init {
            let _ = write!(report, "Init Duration: {init:.2} ms\t");
        }
        match status {
            Some("timeout") => report.push_str("Status: timeout"),
            Some(_) => report.push_str("Status: error\tError Type: Runtime.ExitError"),
            None => {}
        }
        report.push('\n');
        if r.unit() < 0.1 {
            let _ = writeln!(
                report,
                "XRAY TraceId: 1-{:08x}-{:024x}\tSegmentId: {:016x}\tSampled: true\t",
                r.next() as u32,
                r.next() as u128,
                r.next()
            );
        }
        ev.push((end, format!("END RequestId: {id}\n")));
        ev.push((end, report));
        t = end + 50 + r.next() % 5_000;
        if status.is_some() {
            break;
        }
    }
    (stream, ev)
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() -> std::io::Result<()> {
    let out = PathBuf::from(arg("--out").unwrap_or_else(|| "corpus".into()));
    let gb: f64 = arg("--gb").map_or(1.0, |g| g.parse().expect("--gb takes a number"));
    let seed: u64 = arg("--seed").map_or(7, |s| s.parse().expect("--seed takes a number"));
    let app_lines: Option<u64> = arg("--app-lines").map(|n| n.parse().expect("--app-lines takes a number"));
    let per_function = arg("--invocations")
        .map(|n| n.parse().expect("--invocations takes a number"))
        .unwrap_or((gb * 1e9 / BYTES_PER_INVOCATION / FUNCTIONS.len() as f64) as usize);
    let streams = per_function.div_ceil(INVOCATIONS_PER_STREAM);
    std::fs::create_dir_all(out.join("text/aws/lambda"))?;
    for (fi, f) in FUNCTIONS.iter().enumerate() {
        let s3 = out.join("s3/aws/lambda").join(f.0).join("exportTask-0001");
        // Streams in parallel, in batches so memory stays small; the text file
        // gets each stream's events as `aws logs tail` prints them.
        let mut text = std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(out.join("text/aws/lambda").join(format!("{}.log", f.0)))?,
        );
        for batch in (0..streams).collect::<Vec<_>>().chunks(256) {
            let rendered: Vec<(String, Vec<u8>)> = batch
                .par_iter()
                .map(|&s| {
                    let (stream, events) =
                        stream_events(seed ^ ((fi as u64) << 40) ^ s as u64, f, INVOCATIONS_PER_STREAM, app_lines);
                    let mut export = String::with_capacity(events.len() * 120);
                    let mut tail = String::with_capacity(events.len() * 160);
                    for (t, m) in &events {
                        let _ = writeln!(export, "{} {}", iso(*t), m);
                        let _ = write!(tail, "{} {} {}", iso(*t).replace('Z', "000+00:00"), stream, m);
                    }
                    write_gz(&s3.join(&stream), export.as_bytes()).expect("write .gz");
                    (stream, tail.into_bytes())
                })
                .collect();
            for (_, tail) in rendered {
                text.write_all(&tail)?;
            }
        }
        text.flush()?;
        std::fs::write(out.join("s3/aws/lambda").join(f.0).join("aws-logs-write-test"), "Permission Check Successful")?;
    }
    eprintln!(
        "wrote {} functions x {} streams x {} invocations under {}",
        FUNCTIONS.len(),
        streams,
        INVOCATIONS_PER_STREAM,
        out.display()
    );
    Ok(())
}

fn write_gz(dir: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut gz = GzEncoder::new(std::fs::File::create(dir.join("000000.gz"))?, Compression::new(6));
    gz.write_all(bytes)?;
    gz.finish()?;
    Ok(())
}
