//! Aggregate: read every input in parallel and fold its records into
//! per-function accumulators.
//!
//! Files are spread over the rayon pool; a large file is split at line
//! boundaries into chunks that are scanned in parallel too. Each chunk fills a
//! [`FileAcc`]; chunks are merged in order, so a function named by the data in
//! one chunk carries over to the records at the start of the next.

pub mod file;
pub mod group;

pub use file::{FileAcc, SkipLog};
pub use group::GroupAcc;

use crate::parse::Scanner;
use crate::source::{read_input, sniff, Format, InputFile, SourceError};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Files larger than this are split into chunks scanned in parallel.
pub const CHUNK_BYTES: usize = 8 << 20;

/// What one input file contributed, for the data-quality section.
#[derive(Debug)]
pub struct FileReport {
    pub path: String,
    pub format: Format,
    pub bytes: u64,
    pub uncompressed_bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub skipped: SkipLog,
}

/// Everything read: groups by function name, one report per readable file,
/// and the files that could not be read.
#[derive(Debug, Default)]
pub struct Dataset {
    pub groups: BTreeMap<String, GroupAcc>,
    pub files: Vec<FileReport>,
    pub errors: Vec<SourceError>,
}

/// How the pipeline reads: a forced format and a function name for all inputs.
#[derive(Debug, Default, Clone)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub function: Option<String>,
}

pub fn collect(files: &[InputFile], opts: &ReadOptions) -> Dataset {
    let results: Vec<_> = files.par_iter().map(|f| read_file(f, opts)).collect();
    let mut data = Dataset::default();
    for result in results {
        match result {
            Ok((report, groups)) => {
                for (name, acc) in groups {
                    data.groups.entry(name).or_default().merge(acc);
                }
                data.files.push(report);
            }
            Err(e) => data.errors.push(e),
        }
    }
    data
}

type FileGroups = Vec<(String, GroupAcc)>;

fn read_file(
    file: &InputFile,
    opts: &ReadOptions,
) -> Result<(FileReport, FileGroups), SourceError> {
    let (buf, bytes) = read_input(file)?;
    let format = opts.format.unwrap_or_else(|| sniff(&buf));
    let chunks = split_chunks(&buf, CHUNK_BYTES);
    let scanned: Vec<(FileAcc, Option<String>, u64)> = chunks
        .par_iter()
        .map(|chunk| {
            let mut acc = FileAcc::default();
            let mut scanner = Scanner::new();
            let lines = scanner.scan(chunk, &mut acc);
            (acc, scanner.current_function().map(str::to_string), lines)
        })
        .collect();

    let mut report = FileReport {
        path: file.path.display().to_string(),
        format,
        bytes,
        uncompressed_bytes: buf.len() as u64,
        lines: 0,
        records: 0,
        skipped: SkipLog::default(),
    };
    let mut groups: FileGroups = Vec::new();
    let mut inherited: Option<String> = None;
    for (acc, named_at_end, lines) in scanned {
        for (key, group) in acc.groups {
            let name = opts
                .function
                .clone()
                .or(key)
                .or_else(|| inherited.clone())
                .unwrap_or_else(|| file.function_from_path.clone());
            match groups.iter_mut().find(|(n, _)| *n == name) {
                Some((_, g)) => g.merge(group),
                None => groups.push((name, group)),
            }
        }
        report.skipped.merge(acc.skipped, report.lines);
        report.records += acc.records;
        report.lines += lines;
        inherited = named_at_end.or(inherited);
    }
    Ok((report, groups))
}

/// Splits `buf` into pieces of about `target` bytes that end at a newline.
pub fn split_chunks(buf: &[u8], target: usize) -> Vec<&[u8]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while buf.len() - start > target {
        let cut = start + target;
        match memchr::memchr(b'\n', &buf[cut..]) {
            Some(i) => {
                chunks.push(&buf[start..cut + i + 1]);
                start = cut + i + 1;
            }
            None => break,
        }
    }
    if start < buf.len() || chunks.is_empty() {
        chunks.push(&buf[start..]);
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_end_at_newlines_and_cover_everything() {
        let text = b"aaaa\nbbbbbbbb\ncc\nd";
        let chunks = split_chunks(text, 3);
        assert!(chunks[..chunks.len() - 1]
            .iter()
            .all(|c| c.ends_with(b"\n")));
        assert_eq!(chunks.concat(), text.to_vec());
        assert_eq!(split_chunks(b"", 3), vec![&b""[..]]);
    }
}
