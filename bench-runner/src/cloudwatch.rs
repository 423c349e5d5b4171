//! Output lambdastat reads directly: CloudWatch log streams laid out as an S3
//! export (`<out>/<function>/<stream>/000000.gz`, lines `<ISO>Z <message>`,
//! each message ending in a newline) and the benchmark CSV (schema: docs/input-formats.md, "Benchmark CSV schema").
//! gzip is written with stored (uncompressed) deflate blocks and a CRC-32,
//! which needs no compression library and is read by every gzip reader.

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// One log event: when (epoch ms) and its message (with its newline).
pub type LogEvent = (u128, String);

pub fn write_stream(out: &Path, function: &str, stream: &str, events: &mut [LogEvent]) -> std::io::Result<()> {
    events.sort_by_key(|e| e.0);
    let mut text = String::new();
    for (t, msg) in events.iter() {
        text.push_str(&iso(*t));
        text.push(' ');
        text.push_str(msg);
        if !msg.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
    }
    let dir = out.join(function).join(stream);
    fs::create_dir_all(&dir).map_err(|e| named(&dir, e))?;
    let file = dir.join("000000.gz");
    fs::write(&file, gzip_stored(text.as_bytes())).map_err(|e| named(&file, e))
}

/// An I/O error that names its path.
pub fn named(path: &Path, e: std::io::Error) -> std::io::Error {
    std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

/// `2026-11-22T06:12:01.123Z` from epoch milliseconds.
pub fn iso(ms: u128) -> String {
    let secs = (ms / 1000) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, rem % 3600 / 60, rem % 60, ms % 1000)
}

/// `2026/11/22` of epoch milliseconds, for log stream names.
pub fn date_path(ms: u128) -> String {
    let (y, m, d) = civil_from_days((ms / 86_400_000) as i64);
    format!("{y:04}/{m:02}/{d:02}")
}

/// Howard Hinnant's days-to-civil.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

pub fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}

fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (i, slot) in table.iter_mut().enumerate() {
        let mut c = i as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
        *slot = c;
    }
    !data.iter().fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

/// A gzip member with stored deflate blocks (RFC 1951 §3.2.4).
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        out.push(u8::from(chunks.peek().is_none()));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

/// The benchmark CSV, appended to (with a header when new).
pub struct Csv {
    file: fs::File,
    path: std::path::PathBuf,
}

pub const CSV_HEADER: &str = "function,variant,iteration,cold,init_ms,duration_ms,billed_ms,memory_size_mb,max_memory_mb,package_bytes,package_files,build_seconds,status,error_type,request_id,timestamp,exe_bytes,runtime,build_mode,environment,architecture";

impl Csv {
    pub fn open(path: &Path) -> std::io::Result<Csv> {
        let new = !path.exists();
        if !new {
            let named = |e| named(path, e);
            let mut header = String::new();
            std::io::BufRead::read_line(
                &mut std::io::BufReader::new(fs::File::open(path).map_err(named)?),
                &mut header,
            )
            .map_err(named)?;
            if !header.is_empty() && header.trim_end() != CSV_HEADER {
                return Err(std::io::Error::other(format!(
                    "{}: its header is not this bench-runner's CSV schema (an older run?); remove it or give another --csv",
                    path.display()
                )));
            }
        }
        if let Some(d) = path.parent() {
            fs::create_dir_all(d).map_err(|e| named(d, e))?;
        }
        let mut file = fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| named(path, e))?;
        if new {
            writeln!(file, "{CSV_HEADER}").map_err(|e| named(path, e))?;
        }
        Ok(Csv { file, path: path.to_path_buf() })
    }

    pub fn row(&mut self, fields: &[String]) -> std::io::Result<()> {
        let escaped: Vec<String> = fields
            .iter()
            .map(|f| if f.contains([',', '"', '\n']) { format!("\"{}\"", f.replace('"', "\"\"")) } else { f.clone() })
            .collect();
        writeln!(self.file, "{}", escaped.join(",")).map_err(|e| named(&self.path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_crc() {
        assert_eq!(iso(1_707_858_064_046), "2024-02-13T21:01:04.046Z");
        assert_eq!(date_path(1_707_858_064_046), "2024/02/13");
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        let gz = gzip_stored(b"hello\n");
        assert_eq!(&gz[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(gz.len(), 10 + 5 + 6 + 8);
    }
}
