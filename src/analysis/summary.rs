//! The summary: per-function statistics and cost, plus what was read. This is
//! the schema of `summary.json` and the data every report renders.

use super::compare::{compare, CompareSettings, Comparison, Sampled, Samples};
use super::cost::{cost_of, prices, Arch};
use super::percentile::Method;
use super::radix::sort_u32;
use super::stats::{describe, ecdf_points, merge_sorted, Distribution};
use crate::aggregate::{Dataset, FileReport, Group, PackageInfo};
use crate::source::SourceError;
use chrono::DateTime;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// How the analysis is done: everything it needs beyond the data.
#[derive(Debug, Clone, Default)]
pub struct AnalysisSettings {
    pub method: Method,
    /// The architecture of functions the configuration says nothing about.
    pub arch: Arch,
    pub requests_per_month: Option<u64>,
    /// The dimensions the groups were made by, for the record.
    pub group_by: Vec<&'static str>,
    /// Compare every group with this one (a group name, label or function).
    pub baseline: Option<String>,
    pub compare: Option<CompareSettings>,
    /// When the run happened (ISO 8601) and what it is called (e.g. a commit).
    pub generated_at: Option<String>,
    pub run_label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The layout of this file (see `summary_file::SCHEMA_VERSION`).
    pub schema_version: u32,
    pub lambdastat_version: &'static str,
    pub percentile_method: MethodInfo,
    pub pricing: PricingInfo,
    pub group_by: Vec<&'static str>,
    pub generated_at: Option<String>,
    pub run_label: Option<String>,
    pub inputs: Inputs,
    pub functions: Vec<GroupSummary>,
    /// The group the others are compared with, and the comparisons.
    pub baseline: Option<String>,
    pub comparisons: Vec<Comparison>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MethodInfo {
    pub name: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PricingInfo {
    /// The architecture of functions not configured otherwise.
    pub architecture: &'static str,
    /// us-east-1 first-tier prices; some Regions differ (see docs/statistics-and-cost.md).
    pub usd_per_gb_second: f64,
    pub usd_per_gb_second_arm64: f64,
    pub usd_per_million_requests: f64,
    pub requests_per_month: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Inputs {
    pub files: u64,
    pub bytes: u64,
    pub uncompressed_bytes: u64,
    pub lines: u64,
    pub records: u64,
    /// Copies of invocations already counted (same function and request id), left out.
    pub duplicates: u64,
    pub skipped_lines: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// Number of files read as each format.
    pub formats: BTreeMap<&'static str, u64>,
    pub unreadable_files: Vec<String>,
    /// Every file, in `summary.json`; left out of the pages' template values, which list only the
    /// files they show (`files_shown`): an S3 export's tens of thousands of entries made into
    /// template values took longer than the rest of the page.
    #[serde(skip_serializing_if = "for_pages", serialize_with = "per_file_as_given")]
    pub per_file: Vec<FileSummary>,
}

thread_local! {
    /// Whether `per_file` is written apart ([`with_per_file_apart`]) on this thread.
    static PER_FILE_APART: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `serialize` with the summary's `per_file` serialized as an empty list on this thread, for
/// the caller to write the list itself (an S3 export's tens of thousands of entries are most of
/// `summary.json`, and can be written on every core: `render` does).
pub fn with_per_file_apart<R>(serialize: impl FnOnce() -> R) -> R {
    /// Back to whole however `serialize` ends.
    struct Whole;
    impl Drop for Whole {
        fn drop(&mut self) {
            PER_FILE_APART.set(false);
        }
    }
    PER_FILE_APART.set(true);
    let _whole = Whole;
    serialize()
}

/// `per_file` entry by entry, or empty when it is written apart ([`with_per_file_apart`]).
fn per_file_as_given<S: serde::Serializer>(files: &Vec<FileSummary>, s: S) -> Result<S::Ok, S::Error> {
    match PER_FILE_APART.get() {
        true => s.collect_seq(std::iter::empty::<FileSummary>()),
        false => files.serialize(s),
    }
}

/// Whether this serialization makes template values (minijinja's documented switch for that).
fn for_pages<T>(_: &T) -> bool {
    minijinja::value::serializing_for_value()
}

#[derive(Debug, Clone, Serialize)]
pub struct FileSummary {
    /// The input's own path, shared (an export tree lists tens of thousands), written as text.
    #[serde(serialize_with = "path_as_text")]
    pub path: Arc<Path>,
    pub format: &'static str,
    pub bytes: u64,
    pub uncompressed_bytes: u64,
    pub lines: u64,
    pub records: u64,
    pub duplicates: u64,
    pub skipped_lines: u64,
    pub skipped_by_reason: BTreeMap<String, u64>,
    /// The first skipped lines, `{line, reason}`.
    pub first_skipped: Vec<SkippedLine>,
}

/// A path as text, as `Path::display` shows it (bytes that are not UTF-8 replaced).
fn path_as_text<S: serde::Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

#[derive(Debug, Clone, Serialize)]
pub struct SkippedLine {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DurationStats {
    pub all: Distribution,
    pub warm: Distribution,
    pub cold: Distribution,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupSummary {
    /// What the reports call the group: its label (or function name), and the
    /// other dimensions it is grouped by.
    pub name: String,
    /// The Lambda function (several, comma-separated, when a label pools them).
    pub function: String,
    pub label: Option<String>,
    /// Runtime versions from INIT_START (comma-separated when several).
    pub runtime_version: Option<String>,
    pub region: Option<String>,
    /// `true`/`false` when grouped by cold/warm, else `null`.
    pub cold: Option<bool>,
    pub invocations: u64,
    pub cold_starts: u64,
    /// Cold starts / invocations.
    pub cold_start_rate: f64,
    pub errors: u64,
    pub timeouts: u64,
    pub error_types: BTreeMap<String, u64>,
    /// Init phases that failed (INIT_REPORT with Status error/timeout).
    pub init_failures: u64,
    /// SnapStart restores that failed (RESTORE_REPORT with a Status).
    pub restore_failures: u64,
    /// Init and restore failures by status and error type:
    /// `{"init timeout": 1, "init error: Extension.Crash": 1}`.
    pub failure_kinds: BTreeMap<String, u64>,
    /// The Memory Size most invocations ran with.
    pub memory_size_mb: u64,
    /// Invocations per Memory Size, when it changed during the logs.
    pub memory_sizes_mb: BTreeMap<u64, u64>,
    /// `x86_64`, `arm64`, or `mixed`.
    pub architecture: &'static str,
    pub init_ms: Distribution,
    pub restore_ms: Distribution,
    /// Init (or Restore) Duration + Duration of each cold invocation: the
    /// cold-start latency a caller sees (AWS's serverless-dotnet-demo measure).
    pub cold_latency_ms: Distribution,
    pub billed_ms: Distribution,
    pub max_memory_mb: Distribution,
    pub duration_ms: DurationStats,
    /// Invocations whose records carry Billed Duration and Memory Size: what
    /// the cost covers (benchmark files may lack them).
    pub billed_invocations: u64,
    pub gb_seconds: f64,
    pub compute_cost_usd: f64,
    pub request_cost_usd: f64,
    pub cost_usd: f64,
    pub cost_per_million_usd: Option<f64>,
    /// 95% confidence interval of the cost per million (mean ± 1.96 standard
    /// errors of the per-invocation cost); `null` below 10 billed invocations.
    pub cost_per_million_ci95: Option<[f64; 2]>,
    pub monthly_cost_usd: Option<f64>,
    pub first_timestamp: Option<String>,
    pub last_timestamp: Option<String>,
    /// Package size, file count and build time, where a benchmark CSV gave them.
    pub package: Option<PackageInfo>,
    /// Points of the warm-duration ECDF, for charts; not part of the JSON.
    #[serde(skip)]
    pub warm_ecdf: Vec<(f64, f64)>,
    /// Raw values for comparisons (only kept when there is a baseline).
    #[serde(skip)]
    pub samples: Samples,
}

/// A baseline that names no group, or several.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum BaselineError {
    #[error("baseline `{name}` matches no group; groups are: {}", groups.join(", "))]
    NoMatch { name: String, groups: Vec<String> },
    #[error("baseline `{name}` matches several groups ({}); name one", matches.join(", "))]
    Ambiguous { name: String, matches: Vec<String> },
}

/// The index of the baseline among the groups: the one group of that name,
/// else the one whose label or function it is.
pub fn find_baseline(groups: &[GroupSummary], name: &str) -> Result<usize, BaselineError> {
    let by_name: Vec<usize> = (0..groups.len()).filter(|&i| groups[i].name == name).collect();
    let hits = if by_name.is_empty() {
        (0..groups.len()).filter(|&i| groups[i].label.as_deref() == Some(name) || groups[i].function == name).collect()
    } else {
        by_name
    };
    let names = |idx: &[usize]| idx.iter().map(|&i| groups[i].name.clone()).collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(BaselineError::NoMatch {
            name: name.to_string(),
            groups: names(&(0..groups.len()).collect::<Vec<_>>()),
        }),
        many => Err(BaselineError::Ambiguous { name: name.to_string(), matches: names(many) }),
    }
}

/// Builds the summary, and the comparisons when a baseline is set. Pure: no
/// I/O; sorts the stored values in place. Groups keep the order the data
/// gives them, the baseline moved first. Fails only when the baseline names
/// no group (or several).
pub fn summarize(data: Dataset, settings: &AnalysisSettings) -> Result<Summary, BaselineError> {
    let Dataset { groups, files, errors, .. } = data;
    // Groups in parallel (sorting their values is most of the work left after reading), and the
    // files' table beside them (an S3 export lists tens of thousands).
    let (inputs, mut functions) = rayon::join(
        || summarize_inputs(files, &errors),
        || groups.into_par_iter().map(|group| summarize_group(group, settings)).collect::<Vec<_>>(),
    );
    let baseline = match &settings.baseline {
        Some(name) => {
            let i = find_baseline(&functions, name)?;
            let base = functions.remove(i);
            functions.insert(0, base);
            Some(functions[0].name.clone())
        }
        None => None,
    };
    let comparisons = match (baseline.is_some(), settings.compare) {
        (true, Some(cs)) => {
            let others: Vec<Sampled> = functions[1..].iter().map(GroupSummary::sampled).collect();
            compare(functions[0].sampled(), &others, cs)
        }
        _ => Vec::new(),
    };
    Ok(Summary {
        schema_version: crate::summary_file::SCHEMA_VERSION,
        lambdastat_version: env!("CARGO_PKG_VERSION"),
        percentile_method: MethodInfo { name: settings.method.name(), description: settings.method.description() },
        pricing: PricingInfo {
            architecture: settings.arch.name(),
            usd_per_gb_second: prices(Arch::X86_64, None).0,
            usd_per_gb_second_arm64: prices(Arch::Arm64, None).0,
            usd_per_million_requests: prices(Arch::X86_64, None).1,
            requests_per_month: settings.requests_per_month,
        },
        group_by: settings.group_by.clone(),
        generated_at: settings.generated_at.clone(),
        run_label: settings.run_label.clone(),
        inputs,
        functions,
        baseline,
        comparisons,
    })
}

impl GroupSummary {
    /// The group as a comparison sees it.
    pub fn sampled(&self) -> Sampled<'_> {
        Sampled { name: &self.name, samples: &self.samples }
    }
}

fn summarize_inputs(files: Vec<FileReport>, errors: &[SourceError]) -> Inputs {
    let mut skipped_by_reason = BTreeMap::new();
    let mut formats = BTreeMap::new();
    let per_file: Vec<FileSummary> = files
        .into_iter()
        .map(|f| {
            let skipped = f.skipped.map(|s| *s).unwrap_or_default();
            for (k, v) in &skipped.by_reason {
                *skipped_by_reason.entry(k.clone()).or_default() += v;
            }
            *formats.entry(f.format.label()).or_default() += 1;
            FileSummary {
                skipped_lines: skipped.total(),
                path: f.path,
                format: f.format.label(),
                bytes: f.bytes,
                uncompressed_bytes: f.uncompressed_bytes,
                lines: f.lines,
                records: f.records,
                duplicates: f.duplicates,
                skipped_by_reason: skipped.by_reason,
                first_skipped: skipped
                    .examples
                    .into_iter()
                    .map(|(line, reason)| SkippedLine { line, reason })
                    .collect(),
            }
        })
        .collect();
    Inputs {
        files: per_file.len() as u64,
        bytes: per_file.iter().map(|f| f.bytes).sum(),
        uncompressed_bytes: per_file.iter().map(|f| f.uncompressed_bytes).sum(),
        lines: per_file.iter().map(|f| f.lines).sum(),
        records: per_file.iter().map(|f| f.records).sum(),
        duplicates: per_file.iter().map(|f| f.duplicates).sum(),
        skipped_lines: per_file.iter().map(|f| f.skipped_lines).sum(),
        skipped_by_reason,
        formats,
        unreadable_files: errors.iter().map(|e| e.to_string()).collect(),
        per_file,
    }
}

fn summarize_group(group: Group, s: &AnalysisSettings) -> GroupSummary {
    const US: f64 = 1000.0;
    let m = s.method;
    let mut g = group.acc;
    let usage: Vec<(Arch, Option<&str>, u128, u64)> =
        group.billing.iter().map(|((arch, region), (mb_ms, n))| (*arch, region.as_deref(), *mb_ms, *n)).collect();
    let c = cost_of(&usage, s.requests_per_month);
    let samples = if s.compare.is_some() { samples(&g, &c) } else { Samples::default() };
    let cost_ci95 = cost_ci(&g, &c);
    // Warm durations, billed durations and memory out of the invocations' usage (which is let go),
    // and every stored vector sorted, on every core (those three are most of a group's values); all
    // durations merged from the sorted warm and cold ones.
    let [mut warm_duration_us, mut billed_ms, mut max_memory_mb] = g.take_values();
    let mut stored = [
        &mut warm_duration_us,
        &mut g.cold_duration_us,
        &mut g.init_us,
        &mut g.restore_us,
        &mut g.cold_latency_us,
        &mut billed_ms,
        &mut max_memory_mb,
    ];
    stored.par_iter_mut().for_each(|v| sort_u32(v));
    let all = merge_sorted(&warm_duration_us, &g.cold_duration_us);
    let joined = |set: &std::collections::BTreeSet<String>| {
        (!set.is_empty()).then(|| set.iter().cloned().collect::<Vec<_>>().join(", "))
    };
    let function = group.functions.iter().cloned().collect::<Vec<_>>().join(", ");
    let architecture = match group.architectures.len() {
        1 => group.architectures.iter().next().unwrap().name(),
        0 => s.arch.name(),
        _ => "mixed",
    };
    GroupSummary {
        name: group.name,
        label: group.key.label.clone(),
        runtime_version: joined(&group.runtime_versions),
        region: joined(&group.regions),
        cold: group.key.cold,
        invocations: g.invocations,
        cold_starts: g.cold_starts,
        cold_start_rate: if g.invocations > 0 { g.cold_starts as f64 / g.invocations as f64 } else { 0.0 },
        errors: g.errors,
        timeouts: g.timeouts,
        init_failures: g.init_failures,
        restore_failures: g.restore_failures,
        failure_kinds: g.failure_kinds,
        memory_size_mb: g.memory_sizes.iter().max_by_key(|(size, n)| (**n, **size)).map_or(0, |(size, _)| *size),
        architecture,
        init_ms: describe(&g.init_us, US, m),
        restore_ms: describe(&g.restore_us, US, m),
        cold_latency_ms: describe(&g.cold_latency_us, US, m),
        billed_ms: describe(&billed_ms, 1.0, m),
        max_memory_mb: describe(&max_memory_mb, 1.0, m),
        duration_ms: DurationStats {
            all: describe(&all, US, m),
            warm: describe(&warm_duration_us, US, m),
            cold: describe(&g.cold_duration_us, US, m),
        },
        billed_invocations: g.billed_invocations,
        gb_seconds: c.gb_seconds,
        compute_cost_usd: c.compute_usd,
        request_cost_usd: c.request_usd,
        cost_usd: c.total_usd,
        cost_per_million_usd: c.per_million_usd,
        cost_per_million_ci95: cost_ci95,
        monthly_cost_usd: c.monthly_usd,
        first_timestamp: g.first_timestamp_ms.and_then(iso),
        last_timestamp: g.last_timestamp_ms.and_then(iso),
        package: group.package,
        samples,
        warm_ecdf: ecdf_points(&warm_duration_us, US, 200),
        error_types: g.error_types,
        memory_sizes_mb: g.memory_sizes,
        function,
    }
}

/// Mean ± 1.96 SE of the per-invocation cost, per million invocations.
/// Cost per invocation is `a + b x` with `x` = MB x ms; the sums of `x` and
/// `x²` are exact integers, so the result does not depend on the order in
/// which threads merged the values.
fn cost_ci(g: &crate::aggregate::GroupAcc, c: &super::cost::Cost) -> Option<[f64; 2]> {
    let (mut n, mut sum, mut sum_sq) = (0u64, 0u128, 0u128);
    for x in g.mb_ms_each() {
        n += 1;
        sum += u128::from(x);
        sum_sq += u128::from(x) * u128::from(x);
    }
    if n < 10 || c.gb_seconds <= 0.0 {
        return None;
    }
    let b = c.compute_usd / c.gb_seconds / super::cost::MB_MS_PER_GB_S;
    let a = c.request_usd / g.billed_invocations.max(1) as f64;
    let nf = n as f64;
    let mean_x = sum as f64 / nf;
    // n·Σx² − (Σx)² is exact in u128 before the one division.
    let spread = (u128::from(n) * sum_sq).saturating_sub(sum * sum) as f64;
    let var_x = spread / (nf * (nf - 1.0));
    let half = super::bootstrap::Z_95 * b * (var_x / nf).sqrt();
    let mean = a + b * mean_x;
    Some([(mean - half) * 1e6, (mean + half) * 1e6])
}

/// The raw values comparisons resample, in input order (before the vectors are sorted).
fn samples(g: &crate::aggregate::GroupAcc, c: &super::cost::Cost) -> Samples {
    let ms = |v: &[u32]| v.iter().map(|&x| f64::from(x) / 1000.0).collect::<Vec<f64>>();
    let cold = if g.init_us.is_empty() { &g.restore_us } else { &g.init_us };
    // Each invocation at the group's average price per GB-s and per request.
    let per_gb_s = if c.gb_seconds > 0.0 { c.compute_usd / c.gb_seconds } else { 0.0 };
    let per_request = if g.billed_invocations > 0 { c.request_usd / g.billed_invocations as f64 } else { 0.0 };
    Samples {
        cold_start_ms: ms(cold),
        cold_latency_ms: ms(&g.cold_latency_us),
        warm_ms: g.warm_duration_each().map(|x| f64::from(x) / 1000.0).collect(),
        max_memory_mb: g.max_memory_each().map(f64::from).collect(),
        cost_usd: g.mb_ms_each().map(|x| super::cost::gb_seconds(x.into()) * per_gb_s + per_request).collect(),
    }
}

fn iso(ms: i64) -> Option<String> {
    DateTime::from_timestamp_millis(ms).map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `summary.json` lists every file; the pages' template values leave the list out (they show
    /// `files_shown`), and keep the rest of the inputs.
    #[test]
    fn the_files_are_in_the_json_but_not_in_the_template_values() {
        let file = FileReport {
            path: std::path::Path::new("a.log").into(),
            format: crate::source::Format::LogsTail,
            bytes: 10,
            uncompressed_bytes: 10,
            lines: 4,
            records: 3,
            duplicates: 0,
            skipped: Default::default(),
        };
        let inputs = summarize_inputs(vec![file], &[]);
        let json = serde_json::to_value(&inputs).unwrap();
        assert_eq!(json["per_file"][0]["records"], 3);
        let values = minijinja::Value::from_serialize(&inputs);
        assert!(values.get_attr("per_file").unwrap().is_undefined());
        assert_eq!(values.get_attr("records").unwrap(), minijinja::Value::from(3));
        assert_eq!(values.get_attr("files").unwrap(), minijinja::Value::from(1));
    }
}
