//! What one file (or one chunk of a large file) contributes.

use super::group::GroupAcc;
use super::HashMap;
use crate::parse::{Arch, Invocation, Platform, PlatformLine, Sink, Status};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many skipped lines per file are kept with their line number; the rest
/// are only counted by reason.
pub const SKIP_EXAMPLES: usize = 20;

/// Skipped lines: counts by reason, and the first few with line numbers.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct SkipLog {
    pub by_reason: BTreeMap<String, u64>,
    pub examples: Vec<(u64, String)>,
}

impl SkipLog {
    pub const fn new() -> SkipLog {
        SkipLog { by_reason: BTreeMap::new(), examples: Vec::new() }
    }

    pub fn total(&self) -> u64 {
        self.by_reason.values().sum()
    }

    pub fn add(&mut self, line: u64, reason: String) {
        if self.examples.len() < SKIP_EXAMPLES {
            self.examples.push((line, reason.clone()));
        }
        *self.by_reason.entry(reason).or_default() += 1;
    }

    /// Appends `other`, whose line numbers start `line_offset` lines later.
    pub fn merge(&mut self, other: SkipLog, line_offset: u64) {
        for (line, reason) in other.examples {
            if self.examples.len() < SKIP_EXAMPLES {
                self.examples.push((line + line_offset, reason));
            }
        }
        for (k, v) in other.by_reason {
            *self.by_reason.entry(k).or_default() += v;
        }
    }
}

/// The finest unit records are kept in: one function's invocations in one log
/// stream (execution environment) with one memory size, cold or warm. The
/// runtime version and region of a stream are joined in later from its
/// INIT_START, wherever in the inputs that line is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SliceKey {
    /// As the data names it; `None` until resolved from the path.
    pub function: Option<String>,
    pub stream: Option<String>,
    pub memory_mb: Option<u64>,
    /// Only when the data says it (benchmark results).
    pub arch: Option<Arch>,
    pub runtime_version: Option<String>,
    pub region: Option<String>,
    pub cold: bool,
}

impl SliceKey {
    /// A slice of a named stream not yet given that stream's runtime (its INIT_START).
    pub fn awaits_stream_runtime(&self) -> bool {
        self.stream.is_some() && self.runtime_version.is_none()
    }

    fn matches(&self, inv: &Invocation<'_>) -> bool {
        self.cold == inv.is_cold()
            && self.memory_mb == inv.memory_size_mb
            && self.arch == inv.architecture
            && self.function.as_deref() == inv.function
            && self.stream.as_deref() == inv.log_stream
            && self.runtime_version.as_deref() == inv.runtime_version
    }

    /// A hash of the fields [`SliceKey::matches`] compares, from the invocation's borrowed text: a
    /// slice is found without building its key (no allocation an invocation).
    fn hash_of(inv: &Invocation<'_>) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(0x736c_6963_6573).hash_one((
            inv.is_cold(),
            inv.memory_size_mb,
            inv.architecture,
            inv.function,
            inv.log_stream,
            inv.runtime_version,
        ))
    }

    fn of(inv: &Invocation<'_>) -> SliceKey {
        SliceKey {
            function: inv.function.map(str::to_string),
            stream: inv.log_stream.map(str::to_string),
            memory_mb: inv.memory_size_mb,
            arch: inv.architecture,
            runtime_version: inv.runtime_version.map(str::to_string),
            region: None,
            cold: inv.is_cold(),
        }
    }
}

/// The runtime an execution environment started with (INIT_START).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamRuntime {
    pub runtime_version: String,
    pub region: Option<String>,
}

/// A platform event about a function that is not an invocation, kept until
/// the function's groups exist.
#[derive(Debug, Clone, PartialEq)]
pub enum Incident {
    /// How it failed: `timeout`, or `error: <Error Type>`.
    InitFailure(String),
    RestoreFailure(String),
    Fault {
        request_id: String,
        status: Status,
        error_type: Option<String>,
    },
}

/// Package facts of a benchmarked variant.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PackageInfo {
    /// The deployment package (a zip) in bytes, and the files it holds.
    pub bytes: Option<u64>,
    pub files: Option<u64>,
    pub build_seconds: Option<f64>,
    /// The executable (a NativeAOT `bootstrap`, or the entry assembly).
    pub exe_bytes: Option<u64>,
    /// How it was built: `JIT`, `ReadyToRun`, `NativeAOT`, …
    pub build_mode: Option<String>,
    /// Where the numbers come from: `local` (bench-runner) or `lambda`.
    pub environment: Option<String>,
}

/// `timeout`, `error`, or `error: Runtime.InvalidEntrypoint`.
fn failure_kind(status: Status, error_type: Option<&str>) -> String {
    let word = match status {
        Status::Timeout => "timeout",
        Status::Failure => "failure",
        _ => "error",
    };
    match error_type {
        Some(t) => format!("{word}: {t}"),
        None => word.to_string(),
    }
}

/// Records of one file or chunk, by slice, plus the platform events seen.
#[derive(Debug, Default)]
pub struct FileAcc {
    pub slices: Vec<(SliceKey, GroupAcc)>,
    /// [`SliceKey::hash_of`] -> the slices with that hash (almost always one).
    index: HashMap<u64, Vec<usize>>,
    last: usize,
    /// INIT_START / RESTORE_START per (function, stream), first seen wins.
    pub runtimes: HashMap<(Option<String>, Option<String>), StreamRuntime>,
    /// (function, stream, what happened)
    pub incidents: Vec<(Option<String>, Option<String>, Incident)>,
    /// Package facts by function, last seen wins.
    pub packages: HashMap<Option<String>, PackageInfo>,
    pub skipped: SkipLog,
    pub records: u64,
    /// Copies of an invocation already counted (same function and request id), not counted again.
    pub duplicates: u64,
    /// What to do with request ids, when duplicates are dropped.
    pub dedup: Option<DedupScope>,
    /// The keys of the invocations counted, in a first (collecting) pass.
    pub keys: Vec<u64>,
    /// Each invocation counted, when records are kept (`--records`).
    pub kept: Option<Vec<Record>>,
}

/// What the accumulators of one pass do besides counting: drop copies already
/// counted, keep each invocation as a record.
#[derive(Debug, Clone, Default)]
pub struct AccSettings {
    pub dedup: Option<DedupScope>,
    pub keep_records: bool,
}

/// One invocation, owned: a row of `--records`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Record {
    pub function: Option<String>,
    pub log_stream: Option<String>,
    pub request_id: String,
    pub timestamp_ms: Option<i64>,
    pub duration_us: Option<u64>,
    pub billed_ms: Option<u64>,
    pub memory_size_mb: Option<u64>,
    pub max_memory_used_mb: Option<u64>,
    pub init_us: Option<u64>,
    pub restore_us: Option<u64>,
    pub status: Status,
    pub error_type: Option<String>,
    pub runtime_version: Option<String>,
    pub region: Option<String>,
    pub architecture: Option<Arch>,
}

impl Record {
    fn of(inv: &Invocation<'_>) -> Record {
        Record {
            function: inv.function.map(str::to_string),
            log_stream: inv.log_stream.map(str::to_string),
            request_id: inv.request_id.to_string(),
            timestamp_ms: inv.timestamp_ms,
            duration_us: inv.duration_us,
            billed_ms: inv.billed_ms,
            memory_size_mb: inv.memory_size_mb,
            max_memory_used_mb: inv.max_memory_used_mb,
            init_us: inv.init_us,
            restore_us: inv.restore_us,
            status: inv.status,
            error_type: inv.error_type.map(str::to_string),
            runtime_version: inv.runtime_version.map(str::to_string),
            region: None,
            architecture: inv.architecture,
        }
    }

    pub fn is_cold(&self) -> bool {
        self.init_us.is_some() || self.restore_us.is_some()
    }
}

/// What this pass does with request ids (see `dedup`), and how this file names functions for their
/// keys: the name `--function` forces, else the one the data gives, else the file's path.
#[derive(Debug, Clone)]
pub struct DedupScope {
    pub set: std::sync::Arc<super::dedup::Dedup>,
    pub forced: Option<String>,
    pub path_function: std::sync::Arc<str>,
}

impl FileAcc {
    /// An empty accumulator that drops invocations its dedup scope has seen, and keeps records
    /// when asked to.
    pub fn new(settings: &AccSettings) -> FileAcc {
        FileAcc { dedup: settings.dedup.clone(), kept: settings.keep_records.then(Vec::new), ..FileAcc::default() }
    }

    fn slice(&mut self, inv: &Invocation<'_>) -> &mut GroupAcc {
        if !self.slices.get(self.last).is_some_and(|(k, _)| k.matches(inv)) {
            let candidates = self.index.entry(SliceKey::hash_of(inv)).or_default();
            self.last = match candidates.iter().find(|&&i| self.slices[i].0.matches(inv)) {
                Some(&i) => i,
                None => {
                    candidates.push(self.slices.len());
                    self.slices.push((SliceKey::of(inv), GroupAcc::for_slice(inv.is_cold())));
                    self.slices.len() - 1
                }
            };
        }
        &mut self.slices[self.last].1
    }
}

impl Sink for FileAcc {
    fn invocation(&mut self, inv: &Invocation<'_>, line: u64) {
        let key = match &self.dedup {
            Some(d) if !inv.request_id.is_empty() => {
                let function = d.forced.as_deref().or(inv.function).unwrap_or(&d.path_function);
                let key = super::dedup::key(function, inv.request_id);
                if !d.set.first(key) {
                    self.duplicates += 1;
                    return;
                }
                matches!(*d.set, super::dedup::Dedup::Collect).then_some(key)
            }
            _ => None,
        };
        match self.slice(inv).add(inv) {
            Ok(()) => {
                self.records += 1;
                self.keys.extend(key);
                if let Some(kept) = &mut self.kept {
                    kept.push(Record::of(inv));
                }
            }
            Err(e) => self.skipped.add(line, format!("REPORT with out-of-range {}", e.0)),
        }
    }

    fn skipped(&mut self, line: u64, reason: String) {
        self.skipped.add(line, reason);
    }

    fn platform(&mut self, ev: &PlatformLine<'_>, _line: u64) {
        let function = ev.function.map(str::to_string);
        let stream = ev.stream.map(str::to_string);
        let incident = match &ev.event {
            Platform::RuntimeStart { runtime_version, region, .. } => {
                self.runtimes.entry((function, stream)).or_insert_with(|| StreamRuntime {
                    runtime_version: runtime_version.to_string(),
                    region: region.map(str::to_string),
                });
                return;
            }
            Platform::InitReport { status: Status::Success, .. }
            | Platform::RestoreReport { status: Status::Success, .. } => return,
            Platform::Package { bytes, files, build_seconds, exe_bytes, build_mode, environment } => {
                let p = self.packages.entry(function).or_default();
                p.bytes = bytes.or(p.bytes);
                p.files = files.or(p.files);
                p.build_seconds = build_seconds.or(p.build_seconds);
                p.exe_bytes = exe_bytes.or(p.exe_bytes);
                if let Some(mode) = build_mode {
                    p.build_mode = Some(mode.to_string());
                }
                if let Some(env) = environment {
                    p.environment = Some(env.to_string());
                }
                return;
            }
            Platform::InitReport { status, error_type, .. } => {
                Incident::InitFailure(failure_kind(*status, *error_type))
            }
            Platform::RestoreReport { status, error_type, .. } => {
                Incident::RestoreFailure(failure_kind(*status, *error_type))
            }
            Platform::Fault { request_id, status, error_type } => Incident::Fault {
                request_id: request_id.to_string(),
                status: *status,
                error_type: error_type.map(str::to_string),
            },
        };
        self.incidents.push((function, stream, incident));
    }
}
