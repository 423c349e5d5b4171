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

pub mod dedup;
pub mod file;
pub mod group;
mod ordered;
pub mod progress;
pub mod settings;

pub use file::{AccSettings, DedupScope, FileAcc, Incident, PackageInfo, Record, SkipLog, SliceKey, StreamRuntime};
pub use group::GroupAcc;
pub use progress::Progress;
pub use settings::{Dimension, GroupSettings};

use crate::parse::table::{read_csv, read_insights_json, read_lambda_perf, TableKind};
use crate::parse::{Arch, Scanner, Status};
use crate::source::decompress::WHOLE_FILE_MAX;
use crate::source::{Block, Content, Format, InputFile, ReadSettings, SourceError, MAX_LINE_BYTES_DEFAULT};
use dedup::Dedup;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

/// The hash maps of aggregation: foldhash, several times faster than std's SipHash on the short
/// strings (function, stream) that key them, and still randomly seeded.
pub(crate) type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Files larger than this are split into chunks scanned in parallel.
pub const CHUNK_BYTES: usize = 4 << 20;

/// What one input file contributed, for the data-quality section.
#[derive(Debug)]
pub struct FileReport {
    /// The input's own path (one string for both: an export tree has tens of thousands).
    pub path: Arc<Path>,
    pub format: Format,
    pub bytes: u64,
    pub uncompressed_bytes: u64,
    pub lines: u64,
    pub records: u64,
    /// Copies of invocations already counted (same function and request id).
    pub duplicates: u64,
    /// The lines skipped, where there are some: most files have none, and an export tree has tens
    /// of thousands of reports (eight bytes each, not the log's forty-eight).
    pub skipped: Option<Box<SkipLog>>,
}

impl FileReport {
    /// The lines skipped (an empty log for most files).
    pub fn skips(&self) -> &SkipLog {
        static NONE: SkipLog = SkipLog::new();
        self.skipped.as_deref().unwrap_or(&NONE)
    }
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
    /// Every invocation counted, in input order, when [`ReadOptions::keep_records`].
    pub records: Vec<Record>,
}

/// How the pipeline reads: a forced format, a function name for all inputs,
/// a CSV column map.
#[derive(Debug, Default, Clone)]
pub struct ReadOptions {
    pub format: Option<Format>,
    pub function: Option<String>,
    pub csv_map: BTreeMap<String, String>,
    /// Count every copy of an invocation (`--keep-duplicates`) instead of each request id once.
    pub keep_duplicates: bool,
    /// The longest line a stream may hold (`--max-line-bytes`); `None`: the default.
    pub max_line_bytes: Option<usize>,
    /// Keep every invocation as a [`Record`] (`--records`) in [`Dataset::records`].
    pub keep_records: bool,
}

/// What the files read so far add up to.
#[derive(Default)]
struct Partial {
    reports: Vec<(usize, FileReport)>,
    errors: Vec<(usize, SourceError)>,
    slices: HashMap<SliceKey, GroupAcc>,
    /// Each stream's runtime: the first one given for it, in the order files are added.
    runtimes: StreamRuntimes,
    incidents: Vec<(Option<String>, Option<String>, Incident)>,
    packages: HashMap<String, PackageInfo>,
    /// Invocation keys of a collecting pass, in pieces of [`KEY_PIECE`] ([`add_keys`]).
    keys: Vec<Vec<u64>>,
    /// Each file's records (`--records`), for the files that have some.
    records: Vec<(usize, Vec<Record>)>,
}

/// Keys a piece holds: 2 MiB, one huge page (`memory.rs`). Keys are kept until every input is read
/// (to find the repeated ones, `dedup::repeated`). Kept as each block or object noted them, they
/// were thousands of small vectors among the allocator's short-lived blocks, each page of them a
/// page fault (half the text's; a fifth of an S3 export's heap growth); copied into pieces of
/// one huge page, they take a fault for each 2 MiB, and the pieces are few and even for the cores
/// that part them into buckets.
const KEY_PIECE: usize = (2 << 20) / std::mem::size_of::<u64>();

/// Adds `keys` to the pieces, filling the last before starting a new one with room for `room` keys
/// (at most [`KEY_PIECE`]; a small file's keys stay small).
fn add_keys(pieces: &mut Vec<Vec<u64>>, mut keys: &[u64], room: usize) {
    while !keys.is_empty() {
        if pieces.last().is_none_or(|piece| piece.len() == KEY_PIECE) {
            pieces.push(Vec::with_capacity(room.min(KEY_PIECE)));
        }
        let piece = pieces.last_mut().expect("a piece with room");
        let (now, rest) = keys.split_at((KEY_PIECE - piece.len()).min(keys.len()));
        piece.extend_from_slice(now);
        keys = rest;
    }
}

impl Partial {
    fn add(&mut self, i: usize, result: Result<(FileReport, FileData), SourceError>) {
        match result {
            Ok((report, fd)) => {
                for (key, mut acc) in fd.slices {
                    match self.slices.entry(key) {
                        Entry::Occupied(mut kept) => kept.get_mut().merge(acc),
                        Entry::Vacant(place) => {
                            // Kept as it is (a stream's own slice, say, until its runtime is
                            // joined at the end): without the spare room its vectors grew with.
                            acc.shrink();
                            place.insert(acc);
                        }
                    }
                }
                self.runtimes.merge(fd.runtimes);
                self.incidents.extend(fd.incidents);
                self.packages.extend(fd.packages);
                for piece in fd.keys {
                    match piece.len() == KEY_PIECE {
                        // A full piece is moved in, not copied, before the one being filled.
                        true => {
                            let open = self.keys.pop_if(|last| last.len() < KEY_PIECE);
                            self.keys.push(piece);
                            self.keys.extend(open);
                        }
                        false => add_keys(&mut self.keys, &piece, KEY_PIECE),
                    }
                }
                if !fd.records.is_empty() {
                    self.records.push((i, fd.records));
                }
                self.reports.push((i, report));
            }
            Err(e) => self.errors.push((i, e)),
        }
    }
}

/// A file's slices and platform events, function names resolved.
#[derive(Default)]
struct FileData {
    slices: Vec<(SliceKey, GroupAcc)>,
    runtimes: StreamRuntimes,
    incidents: Vec<(Option<String>, Option<String>, Incident)>,
    packages: HashMap<String, PackageInfo>,
    keys: Vec<Vec<u64>>,
    records: Vec<Record>,
}

pub fn collect(files: &[InputFile], opts: &ReadOptions, settings: &GroupSettings) -> Dataset {
    collect_with_progress(files, opts, settings, &Progress::hidden())
}

/// [`collect`], reporting bytes read to `progress`.
pub fn collect_with_progress(
    files: &[InputFile],
    opts: &ReadOptions,
    settings: &GroupSettings,
    progress: &Progress,
) -> Dataset {
    if opts.keep_duplicates {
        return collect_pass(files, opts, settings, progress, None).0;
    }
    // See `dedup`: a first pass notes every invocation's key; only when some repeat is there a second.
    let (data, keys) = collect_pass(files, opts, settings, progress, Some(Arc::new(Dedup::Collect)));
    let repeated = dedup::repeated(keys);
    if repeated.is_empty() {
        return data;
    }
    drop(data);
    collect_pass(files, opts, settings, progress, Some(Arc::new(Dedup::skipping(repeated)))).0
}

/// One pass over every input; also gives back the keys a collecting pass noted.
fn collect_pass(
    files: &[InputFile],
    opts: &ReadOptions,
    settings: &GroupSettings,
    progress: &Progress,
    dedup: Option<Arc<Dedup>>,
) -> (Dataset, Vec<Vec<u64>>) {
    let dedup = dedup.as_ref();
    // Largest files first, so that a big file does not start last and run alone.
    let mut order: Vec<(u64, usize)> = files.iter().enumerate().map(|(i, f)| (f.size.unwrap_or(0), i)).collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    // Files that stream use every core on their own: read them one at a time (their block buffers
    // are the larger part of memory). Then the rest on every core, each file's data added in the
    // same order as it is done: one accumulator grows in place. (Folding on each core and merging
    // the folds copied every value and key once for each level of the merge tree, into memory
    // fresh from the kernel: page faults were a third of the system time on an S3 export.)
    let (big, small) = order.split_at(order.partition_point(|(size, _)| *size > WHOLE_FILE_MAX));
    let mut all = Partial::default();
    // Each file's data is added while the next one is read: adding it (a few milliseconds for a
    // large file's) on one core would leave the other idle.
    let mut done = None;
    for &(_, i) in big {
        let add = || done.take().map(|(i, read)| all.add(i, read));
        done = Some((i, rayon::join(add, || read_file(&files[i], opts, dedup, progress)).1));
    }
    if let Some((i, read)) = done {
        all.add(i, read);
    }
    let mut next = small.iter();
    ordered::for_each_ordered(
        || next.next().map(|&(_, i)| i),
        |i| (i, read_file(&files[i], opts, dedup, progress)),
        |(i, result)| all.add(i, result),
    );
    crate::source::release_spare_buffers();
    let Partial { reports, errors, slices, runtimes, incidents, packages, keys, records } = all;
    let records = finish_records(in_input_order(records).into_iter().flatten().collect(), &runtimes, &incidents);
    let mut data =
        Dataset { files: in_input_order(reports), errors: in_input_order(errors), records, ..Dataset::default() };
    let mut slices = join_runtimes(slices, &runtimes);
    apply_incidents(&mut slices, incidents);
    data.groups = group(slices, settings);
    for g in &mut data.groups {
        g.package = g.functions.iter().find_map(|f| packages.get(f).cloned());
        // Without the room their vectors grew with (up to half of each, and the rest of its last huge
        // page: `memory.rs`), before the keys are parted into buckets beside them.
        g.acc.shrink();
    }
    (data, keys)
}

/// Values given with the index of their file, in the order of the files, in the vector they came in
/// (an export tree has tens of thousands of reports: no second vector of them beside it). Where each
/// goes is sorted, not they: each is moved once, along the cycles of that order.
fn in_input_order<T>(mut values: Vec<(usize, T)>) -> Vec<T> {
    let mut from: Vec<u32> = (0..values.len() as u32).collect();
    from.sort_unstable_by_key(|&k| values[k as usize].0);
    // Place j takes the value at from[j]: follow each cycle of the order, swapping along it.
    for start in 0..from.len() {
        let mut j = start;
        while from[j] as usize != start {
            let k = from[j] as usize;
            values.swap(j, k);
            from[j] = j as u32;
            j = k;
        }
        from[j] = j as u32;
    }
    // The same allocation, the indexes dropped.
    values.into_iter().map(|(_, value)| value).collect()
}

fn read_file(
    file: &InputFile,
    opts: &ReadOptions,
    dedup: Option<&Arc<Dedup>>,
    progress: &Progress,
) -> Result<(FileReport, FileData), SourceError> {
    let scope = AccSettings {
        dedup: dedup.map(|set| DedupScope {
            set: set.clone(),
            forced: opts.function.clone(),
            path_function: file.function_from_path.clone(),
        }),
        keep_records: opts.keep_records,
    };
    let scope = &scope;
    let csv_columns: Vec<&str> = opts.csv_map.values().map(String::as_str).collect();
    let settings = ReadSettings {
        format: opts.format,
        csv_columns: &csv_columns,
        block_bytes: CHUNK_BYTES,
        max_line_bytes: opts.max_line_bytes.unwrap_or(MAX_LINE_BYTES_DEFAULT),
    };
    let input = file.read(&settings)?;
    let mut merger = FileMerger::new(file, opts, input.format, input.on_disk);
    match input.content {
        Content::Whole { bytes, uncompressed } => {
            for (chunk, lines) in read_records(&bytes, input.format, file, opts, scope) {
                merger.add(chunk, lines);
            }
            merger.report.uncompressed_bytes = uncompressed;
            crate::source::spare::give_back(bytes);
        }
        Content::Blocks(mut blocks) => {
            // Every core scans the next block as soon as it is free; the chunks are merged in
            // order by whichever core finishes one while no other is merging (`ordered`). Each
            // block's buffer goes back to be read into again as soon as it is scanned.
            let mut failed = None;
            let mut scanned = 0u64;
            let mut reported = 0u64;
            let work = |block: Block| {
                let (chunk, lines) = scan_block(&block, file, scope);
                (chunk, lines, block.len() as u64)
            };
            let merge = |(chunk, lines, len)| {
                merger.add(chunk, lines);
                // Progress in bytes on disk: a gzip stream counts its inflated bytes up to its
                // size, then the rest at the end.
                scanned += len;
                let so_far = input.on_disk.min(scanned);
                progress.add(so_far - reported);
                reported = so_far;
            };
            if blocks.is_plain_file() {
                // A plain file: the core that is to scan a block reads it (a copy out of the page
                // cache, a fraction of the time its scan takes).
                let next = || match blocks.next_block() {
                    Ok(block) => block,
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                };
                ordered::for_each_ordered(next, work, merge);
            } else {
                // A stream (a pipe, or a gzip stream being inflated) is read by a thread of its own
                // without pause, a few blocks ahead of the scan.
                let (tx, rx) = std::sync::mpsc::sync_channel(rayon::current_num_threads().max(1));
                std::thread::scope(|threads| {
                    threads.spawn(|| {
                        // The sender is the thread's: the channel closes when it ends.
                        let tx = tx;
                        loop {
                            match blocks.next_block() {
                                Ok(Some(block)) => {
                                    if tx.send(block).is_err() {
                                        break;
                                    }
                                }
                                Ok(None) => break,
                                Err(e) => break failed = Some(e),
                            }
                        }
                    });
                    ordered::for_each_ordered(move || rx.recv().ok(), work, merge);
                });
            }
            if let Some(e) = failed {
                return Err(e);
            }
            merger.report.uncompressed_bytes = blocks.yielded();
            progress.add(input.on_disk - reported);
            return Ok(merger.finish());
        }
    }
    progress.add(input.on_disk);
    Ok(merger.finish())
}

/// Folds a file's chunks, in order, into its report and data: records before
/// the data names a function belong to the function the previous chunk ended
/// with, else to the path's; line numbers continue across chunks.
struct FileMerger<'a> {
    file: &'a InputFile,
    opts: &'a ReadOptions,
    report: FileReport,
    fd: FileData,
    /// Slices already joined to their stream's runtime (the stream's INIT_START was seen before
    /// them), merged as they come: only the rest waits for the end of the file.
    joined: HashMap<SliceKey, GroupAcc>,
    inherited: Option<String>,
}

impl<'a> FileMerger<'a> {
    fn new(file: &'a InputFile, opts: &'a ReadOptions, format: Format, on_disk: u64) -> Self {
        let report = FileReport {
            path: file.path.clone(),
            format,
            bytes: on_disk,
            uncompressed_bytes: 0,
            lines: 0,
            records: 0,
            duplicates: 0,
            skipped: None,
        };
        FileMerger { file, opts, report, fd: FileData::default(), joined: HashMap::default(), inherited: None }
    }

    fn resolve(&self, named: Option<String>) -> String {
        self.opts
            .function
            .clone()
            .or(named)
            .or_else(|| self.inherited.clone())
            .unwrap_or_else(|| self.file.function_from_path.to_string())
    }

    fn add(&mut self, (acc, named_at_end): (FileAcc, Option<String>), lines: u64) {
        for ((function, stream), rt) in acc.runtimes {
            let function = self.resolve(function);
            self.fd.runtimes.add(Some(&function), stream.as_deref(), rt);
        }
        for (mut key, group) in acc.slices {
            key.function = Some(self.resolve(key.function));
            // A stream's runtime is the first INIT_START seen for it, so joining now gives what
            // joining at the end would.
            let known = key.awaits_stream_runtime();
            let rt = known.then(|| self.fd.runtimes.get(key.function.as_deref(), key.stream.as_deref()).cloned());
            match rt.flatten() {
                Some(rt) => {
                    join_runtime(&mut key, rt);
                    self.joined.entry(key).or_default().merge(group);
                }
                None => self.fd.slices.push((key, group)),
            }
        }
        for (function, stream, incident) in acc.incidents {
            let function = Some(self.resolve(function));
            self.fd.incidents.push((function, stream, incident));
        }
        for (function, package) in acc.packages {
            let function = self.resolve(function);
            self.fd.packages.insert(function, package);
        }
        if let Some(kept) = acc.kept {
            for mut r in kept {
                r.function = Some(self.resolve(r.function));
                self.fd.records.push(r);
            }
        }
        if acc.skipped.total() > 0 {
            self.report.skipped.get_or_insert_default().merge(acc.skipped, self.report.lines);
        }
        self.report.records += acc.records;
        self.report.duplicates += acc.duplicates;
        // Room for the keys of the whole file, as its blocks reserve for theirs.
        add_keys(&mut self.fd.keys, &acc.keys, self.report.bytes as usize / KEY_ROOM_BYTES);
        self.report.lines += lines;
        self.inherited = named_at_end.or(self.inherited.take());
    }

    fn finish(mut self) -> (FileReport, FileData) {
        // Records with no log stream belong to this file alone: join them to
        // this file's INIT_START now (by function, else the file's only runtime).
        let fd = &mut self.fd;
        // Worked out only when something is left to join (most files' slices were joined as read).
        let unjoined = fd.records.iter().any(|r| r.runtime_version.is_none())
            || fd.slices.iter().any(|(k, _)| k.runtime_version.is_none());
        let only_runtime = unjoined.then(|| fd.runtimes.only()).flatten();
        // By function and stream; a record or slice with no stream by function, else the file's only runtime.
        let runtime_of = |function: Option<&str>, stream: Option<&str>| {
            let rt = fd.runtimes.get(function, stream);
            rt.or(if stream.is_none() { only_runtime } else { None }).cloned()
        };
        for r in fd.records.iter_mut().filter(|r| r.runtime_version.is_none()) {
            let rt = runtime_of(r.function.as_deref(), r.log_stream.as_deref());
            if let Some(rt) = rt {
                r.runtime_version = Some(rt.runtime_version);
                r.region = rt.region;
            }
        }
        // Slices of one stream that chunks split are merged back into one.
        let mut merged = std::mem::take(&mut self.joined);
        for (mut key, acc) in fd.slices.drain(..) {
            if key.runtime_version.is_none() {
                if let Some(rt) = runtime_of(key.function.as_deref(), key.stream.as_deref()) {
                    join_runtime(&mut key, rt);
                }
            }
            merged.entry(key).or_default().merge(acc);
        }
        fd.slices = merged.into_iter().collect();
        (self.report, self.fd)
    }
}

/// Gives a slice its stream's runtime and region. Joined, the stream has served its purpose, and
/// slices of many streams can share one accumulator.
fn join_runtime(key: &mut SliceKey, rt: StreamRuntime) {
    key.runtime_version = Some(rt.runtime_version);
    key.region = rt.region;
    key.stream = None;
}

/// One chunk's records and the function the data named last in it.
type Chunk = (FileAcc, Option<String>);

/// Reads a whole buffer's records with the reader for its format.
fn read_records(
    buf: &[u8],
    format: Format,
    file: &InputFile,
    opts: &ReadOptions,
    scope: &AccSettings,
) -> Vec<(Chunk, u64)> {
    let table = |read: &dyn Fn(&mut FileAcc) -> u64| {
        let mut acc = FileAcc::new(scope);
        let lines = read(&mut acc);
        vec![((acc, None), lines)]
    };
    match format {
        Format::InsightsCsv => table(&|acc| read_csv(buf, TableKind::Insights, &opts.csv_map, acc)),
        Format::BenchmarkCsv | Format::Csv => table(&|acc| read_csv(buf, TableKind::Benchmark, &opts.csv_map, acc)),
        Format::InsightsJson => table(&|acc| read_insights_json(buf, acc)),
        Format::LambdaPerf => table(&|acc| read_lambda_perf(buf, acc)),
        Format::Parquet => table(&|acc| crate::parse::parquet::read(buf, acc)),
        _ => split_chunks(buf, CHUNK_BYTES).par_iter().map(|c| scan_block(c, file, scope)).collect(),
    }
}

/// Bytes of log text an invocation key is reserved for: a REPORT with its START, END and a line or
/// two of its own is rarely shorter.
const KEY_ROOM_BYTES: usize = 512;

/// Scans one block of log text.
fn scan_block(block: &[u8], file: &InputFile, scope: &AccSettings) -> (Chunk, u64) {
    let mut acc = FileAcc::new(scope);
    if acc.dedup.as_ref().is_some_and(|d| matches!(*d.set, Dedup::Collect)) {
        // Room for a key an invocation at a few hundred bytes each (the keys otherwise grow by
        // doubling from four, half a dozen reallocations for each small object of an export).
        acc.keys.reserve(block.len() / KEY_ROOM_BYTES);
    }
    let mut scanner = Scanner::with_stream(file.stream_from_path());
    let lines = scanner.scan(block, &mut acc);
    ((acc, scanner.current_function().map(str::to_string)), lines)
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

/// Gives each record the runtime and region of its stream (from an INIT_START
/// in any file), and the outcome an old-style fault line gives its request.
fn finish_records(
    mut records: Vec<Record>,
    runtimes: &StreamRuntimes,
    incidents: &[(Option<String>, Option<String>, Incident)],
) -> Vec<Record> {
    if records.is_empty() {
        return records;
    }
    let mut by_id: HashMap<(Option<&str>, &str), usize> = HashMap::default();
    for (i, r) in records.iter().enumerate() {
        by_id.entry((r.function.as_deref(), r.request_id.as_str())).or_insert(i);
    }
    let mut faults = Vec::new();
    for (function, _, incident) in incidents {
        if let Incident::Fault { request_id, status, error_type } = incident {
            if let Some(&i) = by_id.get(&(function.as_deref(), request_id.as_str())) {
                faults.push((i, *status, error_type.clone()));
            }
        }
    }
    for (i, status, error_type) in faults {
        let r = &mut records[i];
        if r.status == Status::Success {
            r.status = status;
            r.error_type = r.error_type.take().or(error_type);
        }
    }
    for r in &mut records {
        if r.runtime_version.is_none() && r.log_stream.is_some() {
            if let Some(rt) = runtimes.get(r.function.as_deref(), r.log_stream.as_deref()) {
                r.runtime_version = Some(rt.runtime_version.clone());
                r.region = rt.region.clone();
            }
        }
    }
    records
}

/// Each stream's runtime, the first one given for it: a file's (as its blocks are merged, in order),
/// and every file's (as each file's are added, in the order files are added). An export tree has a
/// stream for each of its tens of thousands of objects, and a large text file thousands: a stream
/// is kept as a 128-bit hash of its function and name, and its runtime as its place among the few
/// distinct ones (24 bytes a stream, against 250 with the names and runtime kept for each: a 1 GB
/// text file's table was two fresh huge pages, its strings four allocations a stream). Two streams'
/// hashes are alike with a probability of about n²/2¹²⁹.
#[derive(Default)]
struct StreamRuntimes {
    of: HashMap<[u64; 2], u32>,
    distinct: Vec<StreamRuntime>,
    places: HashMap<StreamRuntime, u32>,
}

impl StreamRuntimes {
    fn key(function: Option<&str>, stream: Option<&str>) -> [u64; 2] {
        let hash = |seed| foldhash::quality::FixedState::with_seed(seed).hash_one((function, stream));
        [hash(0x7374_7265_616d_0001), hash(0x7374_7265_616d_0002)]
    }

    /// Notes a stream's runtime, unless it has one already.
    fn add(&mut self, function: Option<&str>, stream: Option<&str>, rt: StreamRuntime) {
        let key = Self::key(function, stream);
        if !self.of.contains_key(&key) {
            let i = self.place_of(rt);
            self.of.insert(key, i);
        }
    }

    fn place_of(&mut self, rt: StreamRuntime) -> u32 {
        *self.places.entry(rt).or_insert_with_key(|rt| {
            self.distinct.push(rt.clone());
            (self.distinct.len() - 1) as u32
        })
    }

    /// Adds the runtimes of streams `later` gives that this has none for (a runtime is placed among
    /// the distinct ones only if a stream is given it: `only` stays true to the streams).
    fn merge(&mut self, later: StreamRuntimes) {
        let mut places = vec![None; later.distinct.len()];
        for (key, i) in later.of {
            if !self.of.contains_key(&key) {
                let place =
                    *places[i as usize].get_or_insert_with(|| self.place_of(later.distinct[i as usize].clone()));
                self.of.insert(key, place);
            }
        }
    }

    fn get(&self, function: Option<&str>, stream: Option<&str>) -> Option<&StreamRuntime> {
        self.of.get(&Self::key(function, stream)).map(|&i| &self.distinct[i as usize])
    }

    /// The one runtime given, if every stream was given the same one.
    fn only(&self) -> Option<&StreamRuntime> {
        match self.distinct.as_slice() {
            [rt] => Some(rt),
            _ => None,
        }
    }
}

/// Gives each slice with a log stream the runtime and region of its stream.
fn join_runtimes(slices: HashMap<SliceKey, GroupAcc>, runtimes: &StreamRuntimes) -> Vec<(SliceKey, GroupAcc)> {
    let mut out: BTreeMap<SliceKey, GroupAcc> = BTreeMap::new();
    for (mut key, acc) in slices {
        if key.awaits_stream_runtime() {
            if let Some(rt) = runtimes.get(key.function.as_deref(), key.stream.as_deref()) {
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
            Incident::InitFailure(kind) => {
                acc.init_failures += 1;
                *acc.failure_kinds.entry(format!("init {kind}")).or_default() += 1;
            }
            Incident::RestoreFailure(kind) => {
                acc.restore_failures += 1;
                *acc.failure_kinds.entry(format!("restore {kind}")).or_default() += 1;
            }
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
    // The configuration's order first, then by name.
    let rank = |g: &Group| g.functions.iter().filter_map(|f| s.order.iter().position(|o| o == f)).min();
    out.sort_by_cached_key(|g| (rank(g).unwrap_or(usize::MAX), natural_key(&g.name)));
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
    fn keys_are_kept_in_pieces_of_one_huge_page_filled_in_turn() {
        let mut pieces = Vec::new();
        let keys: Vec<u64> = (0..(2 * KEY_PIECE + 10) as u64).collect();
        add_keys(&mut pieces, &keys[..5], 100);
        assert_eq!((pieces.len(), pieces[0].capacity()), (1, 100), "a small file's piece has the room asked for");
        add_keys(&mut pieces, &keys[5..KEY_PIECE + 3], 100);
        add_keys(&mut pieces, &[], 100);
        add_keys(&mut pieces, &keys[KEY_PIECE + 3..], usize::MAX);
        assert_eq!(pieces.iter().map(Vec::len).collect::<Vec<_>>(), [KEY_PIECE, KEY_PIECE, 10]);
        assert_eq!(pieces[2].capacity(), KEY_PIECE, "room is at most a piece");
        assert_eq!(pieces.concat(), keys, "every key, once, in order");
    }

    #[test]
    fn values_are_put_in_input_order_in_their_own_vector() {
        let mut next = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        for n in [0usize, 1, 2, 7, 1000] {
            // A shuffled order with some fixed points and cycles of every length.
            let mut order: Vec<usize> = (0..n).collect();
            for i in (1..n).rev() {
                order.swap(i, next() as usize % (i + 1));
            }
            let values: Vec<(usize, String)> = order.iter().map(|&i| (i, format!("file {i}"))).collect();
            let before = values.as_ptr() as usize;
            let sorted = in_input_order(values);
            assert_eq!(sorted, (0..n).map(|i| format!("file {i}")).collect::<Vec<_>>(), "n={n}");
            if n > 0 {
                assert_eq!(sorted.as_ptr() as usize, before, "the same allocation, no copy beside it");
            }
        }
    }

    /// A file's skipped lines are kept only where it has some (an export tree's objects have none).
    #[test]
    fn only_a_file_with_skipped_lines_keeps_a_log_of_them() {
        let dir = tempfile::tempdir().unwrap();
        let report = "REPORT RequestId: a\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\n";
        std::fs::write(dir.path().join("clean.log"), report).unwrap();
        let bad = "REPORT RequestId: b\tDuration: 1.00 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\n";
        std::fs::write(dir.path().join("skips.log"), format!("{report}{bad}")).unwrap();
        let (files, errors) = crate::source::expand_inputs(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let data = collect(&files, &ReadOptions::default(), &GroupSettings::default());
        let by_name = |name: &str| data.files.iter().find(|f| f.path.ends_with(name)).unwrap();
        assert!(by_name("clean.log").skipped.is_none());
        assert_eq!(by_name("clean.log").skips().total(), 0);
        let skips = by_name("skips.log").skips();
        assert_eq!((skips.total(), skips.examples[0].0), (1, 2), "{skips:?}");
    }

    /// A large file's streams' runtimes (the large files are read first, one at a time) join a stream's
    /// invocations in another file, ahead of a runtime a file added later gives the stream.
    #[test]
    fn a_large_files_stream_runtime_joins_its_invocations_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        let line = |stream: &str, message: &str| {
            format!("2026-11-01T00:00:01.000000+00:00 2026/11/01/[$LATEST]{stream} {message}\n")
        };
        let init = |version: &str| {
            format!("INIT_START Runtime Version: {version}\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:x")
        };
        let report = |id: u32| {
            format!("REPORT RequestId: {id:08}-0000-0000-0000-000000000000\tDuration: 2.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t")
        };
        let mut large = line("s1", &init("dotnet:8.v47")) + &line("s1", &report(1));
        let filler = line("s1", "info processed an order");
        while large.len() as u64 <= WHOLE_FILE_MAX {
            large.push_str(&filler);
        }
        std::fs::write(dir.path().join("a-large.log"), large).unwrap();
        // Added after the large file: its runtime for s1 comes second.
        std::fs::write(dir.path().join("b-init.log"), line("s1", &init("dotnet:9.v1"))).unwrap();
        std::fs::write(dir.path().join("c-reports.log"), line("s1", &report(2)) + &line("s1", &report(3))).unwrap();
        let (files, errors) = crate::source::expand_inputs(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let opts = ReadOptions { function: Some("orders".into()), ..ReadOptions::default() };
        let settings = GroupSettings { dimensions: vec![Dimension::Runtime], ..GroupSettings::default() };
        let data = collect(&files, &opts, &settings);
        let groups: Vec<_> = data.groups.iter().map(|g| (g.runtime_versions.clone(), g.acc.invocations)).collect();
        assert_eq!(
            groups,
            [(BTreeSet::from(["dotnet:8.v47".to_string()]), 3)],
            "every invocation joined to s1's first runtime"
        );
    }

    /// Large files are read one at a time, largest first, each one's data added while the next is
    /// read: every invocation lands once, in that order, before the small files'.
    #[test]
    fn large_files_are_added_largest_first_each_once() {
        let dir = tempfile::tempdir().unwrap();
        let report = |ms: u32| {
            format!("2026-11-01T00:00:01.000000+00:00 2026/11/01/[$LATEST]s1 REPORT RequestId: {ms:08}-0000-0000-0000-000000000000\tDuration: {ms}.00 ms\tBilled Duration: {ms} ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n")
        };
        let filler = format!("2026-11-01T00:00:01.000000+00:00 2026/11/01/[$LATEST]s1 info {}\n", "z".repeat(4000));
        let large = |first: u32, last: u32, extra: usize| {
            let mut text = report(first);
            while text.len() as u64 <= WHOLE_FILE_MAX + extra as u64 {
                text.push_str(&filler);
            }
            text + &report(last)
        };
        // `b` is the larger: it is read first.
        std::fs::write(dir.path().join("a.log"), large(11, 12, 0)).unwrap();
        std::fs::write(dir.path().join("b.log"), large(21, 22, 100_000)).unwrap();
        std::fs::write(dir.path().join("c.log"), report(31)).unwrap();
        let (files, errors) = crate::source::expand_inputs(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty());
        let opts = ReadOptions { function: Some("orders".into()), ..ReadOptions::default() };
        let data = collect(&files, &opts, &GroupSettings::default());
        assert_eq!(data.groups.len(), 1);
        let ms: Vec<u32> = data.groups[0].acc.warm_duration_each().map(|us| us / 1000).collect();
        assert_eq!(ms, [21, 22, 11, 12, 31]);
        let records: Vec<u64> = data.files.iter().map(|f| f.records).collect();
        assert_eq!(records, [2, 2, 1], "the files' table in the order given");
    }

    #[test]
    fn a_stream_keeps_the_first_runtime_given_it() {
        let rt = |v: &str| StreamRuntime { runtime_version: v.into(), region: Some("eu-west-1".into()) };
        let mut map = StreamRuntimes::default();
        map.add(Some("f"), Some("s1"), rt("dotnet:8.v1"));
        map.add(Some("f"), Some("s1"), rt("dotnet:8.v2"));
        map.add(Some("f"), Some("s2"), rt("dotnet:8.v1"));
        map.add(Some("g"), Some("s1"), rt("dotnet:9.v1"));
        map.add(Some("f"), None, rt("dotnet:10.v1"));
        assert_eq!(map.get(Some("f"), Some("s1")), Some(&rt("dotnet:8.v1")), "the first one given");
        assert_eq!(map.get(Some("f"), Some("s2")), Some(&rt("dotnet:8.v1")));
        assert_eq!(map.get(Some("g"), Some("s1")), Some(&rt("dotnet:9.v1")), "streams are told apart by function");
        assert_eq!(map.get(Some("f"), None), Some(&rt("dotnet:10.v1")));
        assert_eq!((map.get(Some("g"), Some("s2")), map.get(None, Some("s1"))), (None, None));
        assert_eq!(map.distinct.len(), 3, "each distinct runtime kept once");
    }

    #[test]
    fn merged_runtimes_keep_the_first_given_and_only_the_runtimes_given() {
        let rt = |v: &str| StreamRuntime { runtime_version: v.into(), region: None };
        let mut first = StreamRuntimes::default();
        first.add(Some("f"), Some("s1"), rt("dotnet:8.v1"));
        assert_eq!(first.only(), Some(&rt("dotnet:8.v1")));
        let mut later = StreamRuntimes::default();
        later.add(Some("f"), Some("s1"), rt("dotnet:9.v1"));
        later.add(Some("f"), Some("s2"), rt("dotnet:8.v1"));
        first.merge(later);
        assert_eq!(first.get(Some("f"), Some("s1")), Some(&rt("dotnet:8.v1")), "the first one given stays");
        assert_eq!(first.get(Some("f"), Some("s2")), Some(&rt("dotnet:8.v1")), "a new stream is added");
        assert_eq!(first.only(), Some(&rt("dotnet:8.v1")), "dotnet:9.v1 is no stream's runtime here");
    }

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
