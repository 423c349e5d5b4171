//! Aggregate: read every input in parallel and fold its records into
//! mergeable accumulators, then group them.
//!
//! Files are spread over the rayon pool; a large text file is split at line
//! boundaries into chunks scanned in parallel too. Records land in slices (one
//! function, log stream, memory size, cold or warm); after all files are read,
//! each stream's INIT_START runtime and region are joined to its slices (the
//! INIT_START may sit in another file of the same stream), old-style fault
//! lines are joined to their function, and slices are merged into the groups
//! the configuration asks for.

pub mod file;
pub mod group;

pub use file::{FileAcc, Incident, PackageInfo, SkipLog, SliceKey, StreamRuntime};
pub use group::GroupAcc;

use crate::config::{Dimension, GroupSettings};
use crate::parse::table::{read_csv, read_insights_json, read_lambda_perf, TableKind};
use crate::parse::{subscription, Arch, Scanner};
use crate::source::{read_input, sniff, Format, InputFile, SourceError};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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

/// A group's identity: the values of the dimensions it is grouped by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Default)]
pub struct GroupKey {
    pub function: Option<String>,
    pub label: Option<String>,
    pub runtime_version: Option<String>,
    pub memory_size_mb: Option<u64>,
    pub architecture: Option<Arch>,
    pub region: Option<String>,
    pub cold: Option<bool>,
}

/// Price-relevant usage: (architecture, region) -> (MB x billed ms, invocations).
pub type Billing = BTreeMap<(Arch, Option<String>), (u128, u64)>;

/// One group of the report: its key, a display name, the merged records and
/// what its members were.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub key: GroupKey,
    pub name: String,
    pub acc: GroupAcc,
    pub functions: BTreeSet<String>,
    pub runtime_versions: BTreeSet<String>,
    pub regions: BTreeSet<String>,
    pub architectures: BTreeSet<Arch>,
    pub billing: Billing,
    /// Package facts of the group's function, where a benchmark CSV gave them.
    pub package: Option<PackageInfo>,
}

/// Everything read: groups, one report per readable file, and the files that
/// could not be read.
#[derive(Debug, Default)]
pub struct Dataset {
    pub groups: Vec<Group>,
    pub files: Vec<FileReport>,
    pub errors: Vec<SourceError>,
}

/// How the pipeline reads: a forced format, a function name for all inputs,
/// a CSV column map.
#[derive(Debug, Default, Clone)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub function: Option<String>,
    pub csv_map: BTreeMap<String, String>,
}

/// A file's slices and platform events, function names resolved.
#[derive(Default)]
struct FileData {
    slices: Vec<(SliceKey, GroupAcc)>,
    runtimes: HashMap<(Option<String>, Option<String>), StreamRuntime>,
    incidents: Vec<(Option<String>, Option<String>, Incident)>,
    packages: HashMap<String, PackageInfo>,
}

pub fn collect(files: &[InputFile], opts: &ReadOptions, settings: &GroupSettings) -> Dataset {
    let results: Vec<_> = files.par_iter().map(|f| read_file(f, opts)).collect();
    let mut data = Dataset::default();
    let mut slices: HashMap<SliceKey, GroupAcc> = HashMap::new();
    let mut runtimes = HashMap::new();
    let mut incidents = Vec::new();
    let mut packages = HashMap::new();
    for result in results {
        match result {
            Ok((report, fd)) => {
                for (key, acc) in fd.slices {
                    slices.entry(key).or_default().merge(acc);
                }
                for (k, v) in fd.runtimes {
                    runtimes.entry(k).or_insert(v);
                }
                incidents.extend(fd.incidents);
                packages.extend(fd.packages);
                data.files.push(report);
            }
            Err(e) => data.errors.push(e),
        }
    }
    let mut slices = join_runtimes(slices, &runtimes);
    apply_incidents(&mut slices, incidents);
    data.groups = group(slices, settings);
    for g in &mut data.groups {
        g.package = g.functions.iter().find_map(|f| packages.get(f).copied());
    }
    data
}

fn read_file(file: &InputFile, opts: &ReadOptions) -> Result<(FileReport, FileData), SourceError> {
    let (buf, bytes) = read_input(file)?;
    let csv_columns: Vec<&str> = opts.csv_map.values().map(String::as_str).collect();
    let format = opts.format.unwrap_or_else(|| sniff(&buf, &file.path, &csv_columns));
    let (accs, lines) = read_records(&buf, format, file, opts)?;
    let mut report = FileReport {
        path: file.path.display().to_string(),
        format,
        bytes,
        uncompressed_bytes: buf.len() as u64,
        lines: 0,
        records: 0,
        skipped: SkipLog::default(),
    };
    // Chunks in order: records before the data names a function belong to the
    // function the previous chunk ended with, else to the path's.
    let mut fd = FileData::default();
    let mut inherited: Option<String> = None;
    let resolve = |named: Option<String>, inherited: &Option<String>| {
        opts.function.clone().or(named).or_else(|| inherited.clone()).unwrap_or_else(|| file.function_from_path.clone())
    };
    for ((acc, named_at_end), chunk_lines) in accs.into_iter().zip(lines) {
        for (mut key, group) in acc.slices {
            key.function = Some(resolve(key.function, &inherited));
            fd.slices.push((key, group));
        }
        for ((function, stream), rt) in acc.runtimes {
            fd.runtimes.entry((Some(resolve(function, &inherited)), stream)).or_insert(rt);
        }
        for (function, stream, incident) in acc.incidents {
            fd.incidents.push((Some(resolve(function, &inherited)), stream, incident));
        }
        for (function, package) in acc.packages {
            fd.packages.insert(resolve(function, &inherited), package);
        }
        report.skipped.merge(acc.skipped, report.lines);
        report.records += acc.records;
        report.lines += chunk_lines;
        inherited = named_at_end.or(inherited);
    }
    // Records with no log stream belong to this file alone: join them to this
    // file's INIT_START now (first by function, else the file's only runtime).
    let file_runtimes: BTreeSet<&StreamRuntime> = fd.runtimes.values().collect();
    let only_runtime = (file_runtimes.len() == 1).then(|| (*file_runtimes.iter().next().unwrap()).clone());
    for (key, _) in fd.slices.iter_mut().filter(|(k, _)| k.stream.is_none() && k.runtime_version.is_none()) {
        let rt = fd.runtimes.get(&(key.function.clone(), None)).cloned().or_else(|| only_runtime.clone());
        if let Some(rt) = rt {
            key.runtime_version = Some(rt.runtime_version);
            key.region = rt.region;
        }
    }
    Ok((report, fd))
}

/// Per chunk: what it read, and the function the data named last in it.
type ChunkResults = (Vec<(FileAcc, Option<String>)>, Vec<u64>);

/// Reads a file's records with the reader for its format.
fn read_records(buf: &[u8], format: Format, file: &InputFile, opts: &ReadOptions) -> Result<ChunkResults, SourceError> {
    let table = |read: &dyn Fn(&mut FileAcc) -> u64| {
        let mut acc = FileAcc::default();
        let lines = read(&mut acc);
        (vec![(acc, None)], vec![lines])
    };
    Ok(match format {
        Format::InsightsCsv => table(&|acc| read_csv(buf, TableKind::Insights, &opts.csv_map, acc)),
        Format::BenchmarkCsv | Format::Csv => table(&|acc| read_csv(buf, TableKind::Benchmark, &opts.csv_map, acc)),
        Format::InsightsJson => table(&|acc| read_insights_json(buf, acc)),
        Format::LambdaPerf => table(&|acc| read_lambda_perf(buf, acc)),
        Format::Subscription if subscription::is_base64_gzip(buf) => {
            let text = subscription::decode(buf)
                .map_err(|message| SourceError::Decode { path: file.path.clone(), message })?;
            scan_chunks(&text, file)
        }
        _ => scan_chunks(buf, file),
    })
}

/// Scans log text, a large buffer in chunks split at line boundaries.
fn scan_chunks(buf: &[u8], file: &InputFile) -> ChunkResults {
    split_chunks(buf, CHUNK_BYTES)
        .par_iter()
        .map(|chunk| {
            let mut acc = FileAcc::default();
            let mut scanner = Scanner::with_stream(file.stream_from_path.clone());
            let lines = scanner.scan(chunk, &mut acc);
            ((acc, scanner.current_function().map(str::to_string)), lines)
        })
        .unzip()
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

/// Gives each slice with a log stream the runtime and region of its stream.
fn join_runtimes(
    slices: HashMap<SliceKey, GroupAcc>,
    runtimes: &HashMap<(Option<String>, Option<String>), StreamRuntime>,
) -> Vec<(SliceKey, GroupAcc)> {
    let mut out: BTreeMap<SliceKey, GroupAcc> = BTreeMap::new();
    for (mut key, acc) in slices {
        if key.stream.is_some() && key.runtime_version.is_none() {
            if let Some(rt) = runtimes.get(&(key.function.clone(), key.stream.clone())) {
                key.runtime_version = Some(rt.runtime_version.clone());
                key.region = rt.region.clone();
            }
        }
        out.entry(key).or_default().merge(acc);
    }
    out.into_iter().collect()
}

/// Counts init/restore failures and old-style fault lines in the slice of
/// their function and stream (a fault in a warm slice, an init failure in a
/// cold one, where there is a choice); a function with no records gets an
/// empty slice so that its failures are not lost.
fn apply_incidents(slices: &mut Vec<(SliceKey, GroupAcc)>, incidents: Vec<(Option<String>, Option<String>, Incident)>) {
    for (function, stream, incident) in incidents {
        let want_cold = !matches!(incident, Incident::Fault { .. });
        let same_fn = |k: &SliceKey| k.function == function;
        let pick = slices
            .iter()
            .position(|(k, _)| same_fn(k) && k.stream == stream && k.cold == want_cold)
            .or_else(|| slices.iter().position(|(k, _)| same_fn(k) && k.stream == stream))
            .or_else(|| slices.iter().position(|(k, _)| same_fn(k) && k.cold == want_cold))
            .or_else(|| slices.iter().position(|(k, _)| same_fn(k)));
        let i = pick.unwrap_or_else(|| {
            let key =
                SliceKey { function: function.clone(), stream: stream.clone(), cold: want_cold, ..SliceKey::default() };
            slices.push((key, GroupAcc::default()));
            slices.len() - 1
        });
        let acc = &mut slices[i].1;
        match incident {
            Incident::InitFailure => acc.init_failures += 1,
            Incident::RestoreFailure => acc.restore_failures += 1,
            Incident::Fault { request_id, status, error_type } => {
                acc.add_fault(&request_id, status, error_type.as_deref());
            }
        }
    }
}

/// Merges slices into the groups the dimensions ask for.
fn group(slices: Vec<(SliceKey, GroupAcc)>, s: &GroupSettings) -> Vec<Group> {
    let has = |d| s.dimensions.contains(&d);
    let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
    for (key, acc) in slices {
        let function = key.function.clone().unwrap_or_default();
        let label = s.label(&function).map(str::to_string);
        let arch = key.arch.unwrap_or_else(|| s.arch(&function));
        let region = key.region.clone().or_else(|| s.region(&function).map(str::to_string));
        let gk = GroupKey {
            function: has(Dimension::Function).then(|| function.clone()),
            label: has(Dimension::Label).then(|| label.clone().unwrap_or_else(|| function.clone())),
            runtime_version: if has(Dimension::Runtime) { key.runtime_version.clone() } else { None },
            memory_size_mb: if has(Dimension::MemorySize) { key.memory_mb } else { None },
            architecture: has(Dimension::Architecture).then_some(arch),
            region: if has(Dimension::Region) { region.clone() } else { None },
            cold: has(Dimension::Cold).then_some(key.cold),
        };
        let g = groups.entry(gk.clone()).or_insert_with(|| Group { key: gk, ..Group::default() });
        let usage = g.billing.entry((arch, region.clone())).or_default();
        usage.0 += acc.mb_ms;
        usage.1 += acc.billed_invocations;
        g.functions.insert(function);
        g.runtime_versions.extend(key.runtime_version);
        g.regions.extend(region);
        g.architectures.insert(arch);
        g.acc.merge(acc);
    }
    let mut out: Vec<Group> = groups.into_values().collect();
    for g in &mut out {
        g.name = display_name(g, s);
    }
    out.sort_by_cached_key(|g| natural_key(&g.name));
    out
}

/// Sort key that orders numbers by value: `.NET 8` < `.NET 9` < `.NET 10`.
fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).unwrap() as u64;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(d as u64);
                chars.next();
            }
            key.push((std::mem::take(&mut text), n));
        } else {
            text.push(c.to_ascii_lowercase());
        }
    }
    key.push((text, 0));
    key
}

/// `AOT .NET 9`, or with more dimensions `AOT .NET 9 · arm64 · cold`.
fn display_name(g: &Group, s: &GroupSettings) -> String {
    let k = &g.key;
    let mut parts: Vec<String> = Vec::new();
    let head = match (&k.label, &k.function) {
        (Some(l), _) => Some(l.clone()),
        (None, Some(f)) => Some(s.label(f).map_or_else(|| f.clone(), str::to_string)),
        (None, None) => None,
    };
    parts.extend(head);
    parts.extend(k.runtime_version.clone());
    parts.extend(k.memory_size_mb.map(|m| format!("{m} MB")));
    parts.extend(k.architecture.map(|a| a.name().to_string()));
    parts.extend(k.region.clone());
    parts.extend(k.cold.map(|c| if c { "cold" } else { "warm" }.to_string()));
    if parts.is_empty() {
        parts.push("all".to_string());
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec!["AOT .NET 10", "AOT .NET 9", "AOT .NET 8", "Regular"];
        v.sort_by_key(|a| natural_key(a));
        assert_eq!(v, ["AOT .NET 8", "AOT .NET 9", "AOT .NET 10", "Regular"]);
    }

    #[test]
    fn chunks_end_at_newlines_and_cover_everything() {
        let text = b"aaaa\nbbbbbbbb\ncc\nd";
        let chunks = split_chunks(text, 3);
        assert!(chunks[..chunks.len() - 1].iter().all(|c| c.ends_with(b"\n")));
        assert_eq!(chunks.concat(), text.to_vec());
        assert_eq!(split_chunks(b"", 3), vec![&b""[..]]);
    }
}
