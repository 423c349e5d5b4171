//! Render: the summary as `index.html`, `report.md` (+ SVG charts) and
//! `summary.json`. Templates are minijinja files in `templates/`, compiled in;
//! each page renders from the serializable [`ReportContext`].

pub mod charts;
pub mod templates;

use crate::analysis::Summary;
use charts::Charts;
use serde::Serialize;
use std::path::{Path, PathBuf};
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
}

/// One output format (hyperfine's exporter shape).
pub trait Exporter {
    fn file_name(&self) -> &'static str;
    fn render(&self, ctx: &ReportContext) -> Result<Vec<u8>, RenderError>;
}

pub struct JsonExporter;
impl Exporter for JsonExporter {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }
    fn render(&self, ctx: &ReportContext) -> Result<Vec<u8>, RenderError> {
        let mut out = serde_json::to_vec_pretty(ctx.summary)?;
        out.push(b'\n');
        Ok(out)
    }
}

/// A page rendered by a template of the same name plus `.j2`.
pub struct TemplateExporter<'t> {
    pub templates: &'t templates::Templates,
    pub name: &'static str,
}
impl Exporter for TemplateExporter<'_> {
    fn file_name(&self) -> &'static str {
        self.name
    }
    fn render(&self, ctx: &ReportContext) -> Result<Vec<u8>, RenderError> {
        Ok(self.templates.render(self.name, ctx)?.into_bytes())
    }
}

/// What to write and where.
pub struct OutputOptions<'a> {
    pub dir: &'a Path,
    pub templates: &'a templates::Templates,
    pub title: &'a str,
    /// Also write each page's context as `<page>.context.json` (criterion's debug dump).
    pub debug_context: bool,
}

/// Writes `summary.json`, `index.html`, `report.md` and the chart SVGs into the
/// output directory; returns the paths written.
pub fn write_reports(summary: &Summary, opts: &OutputOptions) -> Result<Vec<PathBuf>, RenderError> {
    let charts = Charts::draw(&summary.functions);
    let ctx =
        ReportContext { title: opts.title, summary, charts: &charts, p99_min_n: crate::analysis::stats::P99_MIN_N };
    std::fs::create_dir_all(opts.dir).map_err(|source| RenderError::Write { path: opts.dir.into(), source })?;
    let exporters: [&dyn Exporter; 3] = [
        &JsonExporter,
        &TemplateExporter { templates: opts.templates, name: "index.html" },
        &TemplateExporter { templates: opts.templates, name: "report.md" },
    ];
    let mut written = Vec::new();
    for exporter in exporters {
        let path = opts.dir.join(exporter.file_name());
        write(&path, &exporter.render(&ctx)?)?;
        written.push(path);
        if opts.debug_context && exporter.file_name() != "summary.json" {
            let path = opts.dir.join(format!("{}.context.json", exporter.file_name()));
            write(&path, &serde_json::to_vec_pretty(&ctx)?)?;
        }
    }
    for (name, svg) in charts.files() {
        let path = opts.dir.join(name);
        write(&path, svg.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    std::fs::write(path, bytes).map_err(|source| RenderError::Write { path: path.into(), source })
}
