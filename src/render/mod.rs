//! Render: the summary as `index.html`, `report.md` (+ SVG charts) and
//! `summary.json`. Templates are minijinja files in `templates/`, compiled in;
//! each page renders from the serializable [`ReportContext`].

pub mod charts;
pub mod records;
pub mod templates;

use crate::analysis::summary::FileSummary;
use crate::analysis::Summary;
use crate::history::{Run, RunFigures};
use charts::Charts;
use rayon::prelude::*;
use serde::Serialize;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RenderError {
    #[error("template {name}: {source}")]
    Template { name: String, source: minijinja::Error },
    #[error("{path}: cannot write: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("cannot load templates from {path}: {source}")]
    LoadTemplates { path: PathBuf, source: std::io::Error },
    #[error("cannot serialize the summary: {0}")]
    Json(#[from] serde_json::Error),
}

/// What every page renders from.
#[derive(Debug, Serialize)]
pub struct ReportContext<'a> {
    pub title: &'a str,
    pub summary: &'a Summary,
    pub charts: &'a Charts,
    pub p99_min_n: u64,
    /// Below this many values in a sample, a comparison says "too few to say".
    pub compare_min_n: usize,
    /// Earlier runs and this one, oldest first, with their charts (`--history`).
    pub trend: Option<Trend>,
    /// The files the page's per-file table lists ([`PAGE_FILES`] at most, and every file with
    /// skipped lines or duplicates); `summary.json` lists them all.
    pub files_shown: Vec<&'a FileSummary>,
    pub files_not_shown: usize,
}

/// The files the page lists before it leaves the rest to `summary.json` (an S3 export tree is tens
/// of thousands of objects: a table of all of them made a page of megabytes nobody reads).
pub const PAGE_FILES: usize = 200;

/// The first [`PAGE_FILES`] files, and every other file with something to say.
fn files_shown(summary: &Summary) -> Vec<&FileSummary> {
    let files = &summary.inputs.per_file;
    let notable = |f: &&FileSummary| f.skipped_lines > 0 || f.duplicates > 0;
    files.iter().take(PAGE_FILES).chain(files.iter().skip(PAGE_FILES).filter(notable)).collect()
}

#[derive(Debug, Serialize)]
pub struct Trend {
    pub runs: Vec<Run>,
    /// `(file name, svg)` of each trend chart.
    pub charts: Vec<(String, String)>,
}

impl Trend {
    fn build(summary: &Summary, history: &[Run]) -> Result<Option<Trend>, RenderError> {
        if history.is_empty() {
            return Ok(None);
        }
        let mut runs = history.to_vec();
        let this = serde_json::to_value(summary)?;
        runs.extend(crate::history::figures(&this, "this run"));
        type Get = fn(&RunFigures) -> Option<f64>;
        let specs: [(&str, &str, &str, Get); 4] = [
            ("trend-cold-start-p50.svg", "Cold start P50 over runs", "ms", |f| f.cold_start_p50_ms),
            ("trend-warm-p50.svg", "Warm duration P50 over runs", "ms", |f| f.warm_p50_ms),
            ("trend-warm-p99.svg", "Warm duration P99 over runs", "ms", |f| f.warm_p99_ms),
            ("trend-cost-per-million.svg", "Cost per million invocations over runs", "USD", |f| f.cost_per_million_usd),
        ];
        let charts = specs
            .iter()
            .map(|(file, title, unit, get)| (file.to_string(), charts::trend_chart(title, unit, &runs, *get)))
            .filter(|(_, svg)| !svg.is_empty())
            .collect();
        Ok(Some(Trend { runs, charts }))
    }
}

/// One output format (hyperfine's exporter shape).
pub trait Exporter {
    fn file_name(&self) -> &'static str;
    fn render(&self, ctx: &ReportContext, out: &mut dyn Write) -> Result<(), RenderError>;
}

pub struct JsonExporter;
impl Exporter for JsonExporter {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }
    fn render(&self, ctx: &ReportContext, out: &mut dyn Write) -> Result<(), RenderError> {
        // The summary with an empty list of files (a few KB), then that list, written on every core,
        // put in its place: the same bytes as `to_writer_pretty` of the whole summary.
        let mut rest = Vec::new();
        crate::analysis::summary::with_per_file_apart(|| serde_json::to_writer_pretty(&mut rest, ctx.summary))?;
        let io = serde_json::Error::io;
        let place = memchr::memmem::find(&rest, PER_FILE_KEY).map(|key| key + PER_FILE_KEY.len());
        let place = place.filter(|&at| rest[at..].starts_with(b"[]"));
        // Tests fail if the summary's shape moves the list (`PER_FILE_KEY`); a build without checks
        // still writes it whole.
        debug_assert!(place.is_some(), "summary.json's list of files is not at {PER_FILE_KEY:?}");
        let Some(at) = place else {
            // Not where it is looked for (the summary's shape changed): written whole, on one core.
            serde_json::to_writer_pretty(&mut *out, ctx.summary)?;
            return Ok(out.write_all(b"\n").map_err(io)?);
        };
        out.write_all(&rest[..at]).map_err(io)?;
        write_per_file(&ctx.summary.inputs.per_file, out)?;
        out.write_all(&rest[at + b"[]".len()..]).map_err(io)?;
        Ok(out.write_all(b"\n").map_err(io)?)
    }
}

/// Where `to_writer_pretty` puts the list of files, two levels down: a line break stands in a JSON
/// string only escaped, so this is found nowhere else.
const PER_FILE_KEY: &[u8] = b"\n    \"per_file\": ";

/// How far `to_writer_pretty` indents the entries of that list.
const PER_FILE_INDENT: &[u8] = b"      ";

/// `summary.inputs.per_file` as `to_writer_pretty` writes it in `summary.json`, byte for byte, on
/// every core: runs of entries written side by side into buffers used again, then out in order (an S3
/// export's 17,860 entries are 7 of its 7.7 MB, and were the outputs' longest job, on one core).
fn write_per_file(files: &[FileSummary], out: &mut dyn Write) -> Result<(), serde_json::Error> {
    const RUN: usize = 256;
    let io = serde_json::Error::io;
    if files.is_empty() {
        return out.write_all(b"[]").map_err(io);
    }
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); 2 * rayon::current_num_threads()];
    out.write_all(b"[").map_err(io)?;
    for (w, window) in files.chunks(RUN * buffers.len()).enumerate() {
        window.par_chunks(RUN).zip(buffers.par_iter_mut()).try_for_each(|(run, out)| {
            out.clear();
            let mut one = Vec::new();
            for file in run {
                one.clear();
                serde_json::to_writer_pretty(&mut one, file)?;
                out.extend_from_slice(b",\n");
                out.extend_from_slice(PER_FILE_INDENT);
                // Each line break ends a line of the entry (none stands in a JSON string).
                for (i, line) in one.split(|&b| b == b'\n').enumerate() {
                    if i > 0 {
                        out.push(b'\n');
                        out.extend_from_slice(PER_FILE_INDENT);
                    }
                    out.extend_from_slice(line);
                }
            }
            Ok::<_, serde_json::Error>(())
        })?;
        for (r, run) in buffers[..window.len().div_ceil(RUN)].iter().enumerate() {
            // The first entry has no comma before it.
            let first = w == 0 && r == 0;
            out.write_all(&run[usize::from(first)..]).map_err(io)?;
        }
    }
    out.write_all(b"\n    ]").map_err(io)
}

/// A page rendered by a template of the same name plus `.j2`.
pub struct TemplateExporter<'t> {
    pub templates: &'t templates::Templates,
    pub name: &'static str,
    /// The context as minijinja values, made by the first page rendered and shared by the others.
    /// They leave out `summary.inputs.per_file` (the pages show `files_shown`).
    pub values: &'t OnceLock<minijinja::Value>,
}
impl Exporter for TemplateExporter<'_> {
    fn file_name(&self) -> &'static str {
        self.name
    }
    fn render(&self, ctx: &ReportContext, out: &mut dyn Write) -> Result<(), RenderError> {
        let values = self.values.get_or_init(|| minijinja::Value::from_serialize(ctx));
        self.templates.render_to(self.name, values, out)
    }
}

/// What to write and where.
pub struct OutputOptions<'a> {
    pub dir: &'a Path,
    pub templates: &'a templates::Templates,
    pub title: &'a str,
    /// Also write each page's context as `<page>.context.json` (criterion's debug dump).
    pub debug_context: bool,
    /// Earlier runs, oldest first (`--history`), for the trend charts.
    pub history: &'a [Run],
}

/// Writes `summary.json`, `index.html`, `report.md` and the chart SVGs into the
/// output directory; returns the paths written.
pub fn write_reports(summary: &Summary, opts: &OutputOptions) -> Result<Vec<PathBuf>, RenderError> {
    let charts = Charts::draw(&summary.functions);
    let trend = Trend::build(summary, opts.history)?;
    let files_shown = files_shown(summary);
    let ctx = ReportContext {
        title: opts.title,
        summary,
        charts: &charts,
        p99_min_n: crate::analysis::stats::P99_MIN_N,
        compare_min_n: crate::analysis::compare::MIN_N,
        trend,
        files_not_shown: summary.inputs.per_file.len() - files_shown.len(),
        files_shown,
    };
    let values = OnceLock::new();
    let exporters: [&(dyn Exporter + Sync); 3] = [
        &JsonExporter,
        &TemplateExporter { templates: opts.templates, name: "index.html", values: &values },
        &TemplateExporter { templates: opts.templates, name: "report.md", values: &values },
    ];
    std::fs::create_dir_all(opts.dir).map_err(|source| RenderError::Write { path: opts.dir.into(), source })?;
    // Each output is written beside its place and moved there only when every one is written: a
    // failed run leaves the previous report whole. The formats render side by side, straight into
    // their files (a large input's JSON and page are megabytes each).
    type Render<'r> = Box<dyn Fn(&mut dyn Write) -> Result<(), RenderError> + Sync + 'r>;
    let mut jobs: Vec<(String, Render)> = Vec::new();
    for exporter in exporters {
        jobs.push((exporter.file_name().to_string(), Box::new(|out: &mut dyn Write| exporter.render(&ctx, out))));
        if opts.debug_context && exporter.file_name() != "summary.json" {
            // What the templates see: the values they render from, not the context before them.
            let dump = |out: &mut dyn Write| {
                Ok(serde_json::to_writer_pretty(out, values.get_or_init(|| minijinja::Value::from_serialize(&ctx)))?)
            };
            jobs.push((format!("{}.context.json", exporter.file_name()), Box::new(dump)));
        }
    }
    let trend_files = ctx.trend.iter().flat_map(|t| t.charts.iter().map(|(n, s)| (n.as_str(), s.as_str())));
    for (name, svg) in charts.files().into_iter().chain(trend_files) {
        let write = move |out: &mut dyn Write| Ok(out.write_all(svg.as_bytes()).map_err(serde_json::Error::io)?);
        jobs.push((name.to_string(), Box::new(write)));
    }
    let staged: Vec<Result<Staged, RenderError>> =
        jobs.par_iter().map(|(name, render)| Staged::write(&opts.dir.join(name), render)).collect();
    if let Some(i) = staged.iter().position(Result::is_err) {
        staged.iter().flatten().for_each(Staged::discard);
        return Err(staged.into_iter().nth(i).and_then(Result::err).expect("an error at i"));
    }
    let written = staged.into_iter().flatten().map(Staged::commit).collect::<Result<Vec<_>, _>>()?;
    remove_stale(opts.dir, &jobs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>())?;
    drop(jobs);
    crate::drop_aside(values);
    Ok(written)
}

/// An output written to a temporary file beside its path, not yet in place.
struct Staged {
    tmp: PathBuf,
    path: PathBuf,
}

impl Staged {
    fn write(path: &Path, render: impl Fn(&mut dyn Write) -> Result<(), RenderError>) -> Result<Staged, RenderError> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let staged =
            Staged { tmp: path.with_file_name(format!(".{name}.tmp-{}", std::process::id())), path: path.into() };
        let io_err = |source| RenderError::Write { path: path.into(), source };
        let written = std::fs::File::create(&staged.tmp).map_err(io_err).and_then(|file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            render(&mut out)?;
            out.flush().map_err(io_err)
        });
        match written {
            Ok(()) => Ok(staged),
            Err(e) => {
                staged.discard();
                Err(e)
            }
        }
    }

    fn discard(&self) {
        let _ = std::fs::remove_file(&self.tmp);
    }

    /// Moves the file into place: a reader sees the old file or the new one, never a part.
    fn commit(self) -> Result<PathBuf, RenderError> {
        std::fs::rename(&self.tmp, &self.path).map_err(|source| {
            self.discard();
            RenderError::Write { path: self.path.clone(), source }
        })?;
        Ok(self.path)
    }
}

/// The list of files the last run wrote into an output directory.
const WRITTEN_LIST: &str = ".lambdastat-written";

/// Removes the files an earlier run wrote that this run did not (a chart of a group no longer there,
/// a debug context), and records what this run wrote. Only files lambdastat wrote are touched.
fn remove_stale(dir: &Path, now: &[&str]) -> Result<(), RenderError> {
    let list = dir.join(WRITTEN_LIST);
    let before = std::fs::read_to_string(&list).unwrap_or_default();
    for name in before.lines().filter(|n| !n.is_empty() && !now.contains(n)) {
        // Names in the list are plain file names this module wrote; anything else is left alone.
        if !name.contains(['/', '\\']) && name != ".." {
            let _ = std::fs::remove_file(dir.join(name));
        }
    }
    write_atomically(&list, now.join("\n").as_bytes())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a reader (or a run
/// that fails halfway) sees the old file or the new one, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    let write =
        |out: &mut dyn Write| out.write_all(bytes).map_err(|source| RenderError::Write { path: path.into(), source });
    Staged::write(path, write)?.commit().map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{collect, GroupSettings, ReadOptions};
    use crate::analysis::summary::{summarize, AnalysisSettings};

    /// `summary.json` with its list of files written apart, on every core, is byte for byte what
    /// `to_writer_pretty` writes of the whole summary: with no file, one, and more than one window of
    /// runs (files with skipped lines among them, and a path with a quote and a non-ASCII name).
    #[test]
    fn the_list_of_files_written_apart_gives_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let report = "REPORT RequestId: 00000000-0000-0000-0000-000000000001\tDuration: 2.00 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t\n";
        let mut paths = Vec::new();
        for i in 0..1_100 {
            let name = match i {
                7 => "a \"quoted\" fn é.log".to_string(),
                _ => format!("fn{i:04}.log"),
            };
            let text = if i % 100 == 3 { format!("{report}REPORT RequestId: broken\n") } else { report.to_string() };
            std::fs::write(dir.path().join(&name), text).unwrap();
            paths.push(dir.path().join(name));
        }
        for n in [0, 1, 1_100] {
            let (files, errors) = crate::source::expand_inputs(&paths[..n]);
            assert!(errors.is_empty());
            let data = collect(&files, &ReadOptions::default(), &GroupSettings::default());
            let summary = summarize(data, &AnalysisSettings::default()).unwrap();
            assert_eq!(summary.inputs.per_file.len(), n);
            let ctx = ReportContext {
                title: "t",
                summary: &summary,
                charts: &Charts::draw(&summary.functions),
                p99_min_n: 0,
                compare_min_n: 0,
                trend: None,
                files_not_shown: 0,
                files_shown: Vec::new(),
            };
            let mut apart = Vec::new();
            JsonExporter.render(&ctx, &mut apart).unwrap();
            let mut whole = serde_json::to_vec_pretty(&summary).unwrap();
            whole.push(b'\n');
            assert_eq!(String::from_utf8(apart).unwrap(), String::from_utf8(whole).unwrap(), "{n} files");
        }
    }
}
