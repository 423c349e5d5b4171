//! Charts as SVG strings, drawn with plotters' SVG backend (text is escaped by
//! the backend, so names from logs stay inert).

use crate::analysis::FunctionSummary;
use plotters::prelude::*;
use serde::Serialize;

const SIZE: (u32, u32) = (860, 380);
const SERIES: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// The charts of one report, each a complete `<svg>` document (or empty when
/// there is nothing to draw).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Charts {
    pub cold_start: String,
    pub warm_ecdf: String,
    pub memory: String,
}

impl Charts {
    pub fn draw(functions: &[FunctionSummary]) -> Charts {
        Charts {
            cold_start: cold_start_bars(functions).unwrap_or_default(),
            warm_ecdf: warm_ecdf(functions).unwrap_or_default(),
            memory: memory_bars(functions).unwrap_or_default(),
        }
    }

    /// `(file name, svg)` for each chart that has content.
    pub fn files(&self) -> Vec<(&'static str, &str)> {
        [
            ("cold-start.svg", &self.cold_start),
            ("warm-duration-ecdf.svg", &self.warm_ecdf),
            ("memory.svg", &self.memory),
        ]
        .into_iter()
        .filter(|(_, svg)| !svg.is_empty())
        .map(|(n, s)| (n, s.as_str()))
        .collect()
    }
}

type DrawResult<T> = Result<T, Box<dyn std::error::Error>>;

fn color(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// Grouped bars: one group per function, one bar per series.
fn grouped_bars(
    caption: &str,
    y_desc: &str,
    names: &[String],
    series: &[(&str, Vec<Option<f64>>)],
) -> DrawResult<String> {
    let y_max = series.iter().flat_map(|(_, v)| v.iter().flatten()).fold(0.0f64, |a, &b| a.max(b));
    if names.is_empty() || y_max <= 0.0 {
        return Ok(String::new());
    }
    let n = names.len();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(caption, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(GroupAxis(n), 0f64..y_max * 1.12)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default())
            .y_desc(y_desc)
            .draw()?;
        let width = 0.8 / series.len() as f64;
        for (s, (label, values)) in series.iter().enumerate() {
            let c = color(s);
            chart
                .draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                    let x0 = i as f64 + 0.1 + s as f64 * width;
                    v.map(|v| Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], c.filled()))
                }))?
                .label(*label)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 10, y + 5)], c.filled()));
        }
        chart.configure_series_labels().border_style(BLACK).background_style(WHITE.mix(0.9)).draw()?;
        root.present()?;
    }
    Ok(svg)
}

/// An x axis of `n` groups, each one unit wide, labelled at its centre.
struct GroupAxis(usize);

impl Ranged for GroupAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = (limit.1 - limit.0) as f64;
        limit.0 + (value / self.0.max(1) as f64 * span).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|i| i as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.0 as f64
    }
}

fn names(functions: &[FunctionSummary]) -> Vec<String> {
    functions.iter().map(|f| f.name.clone()).collect()
}

fn cold_start_bars(functions: &[FunctionSummary]) -> DrawResult<String> {
    let with_cold: Vec<&FunctionSummary> = functions.iter().filter(|f| f.init_ms.n > 0 || f.restore_ms.n > 0).collect();
    let cold = |f: &FunctionSummary| {
        if f.init_ms.n > 0 {
            f.init_ms.clone()
        } else {
            f.restore_ms.clone()
        }
    };
    let pick = |get: fn(&crate::analysis::stats::Distribution) -> Option<f64>| {
        with_cold.iter().map(|f| get(&cold(f))).collect::<Vec<_>>()
    };
    let owned: Vec<FunctionSummary> = with_cold.iter().map(|f| (*f).clone()).collect();
    grouped_bars(
        "Cold start: Init (or Restore) Duration",
        "ms",
        &names(&owned),
        &[("P50", pick(|d| d.p50)), ("P90", pick(|d| d.p90)), ("P99", pick(|d| d.p99))],
    )
}

fn memory_bars(functions: &[FunctionSummary]) -> DrawResult<String> {
    grouped_bars(
        "Max Memory Used vs Memory Size",
        "MB",
        &names(functions),
        &[
            ("Max Memory Used P50", functions.iter().map(|f| f.max_memory_mb.p50).collect()),
            ("Max Memory Used max", functions.iter().map(|f| f.max_memory_mb.max).collect()),
            ("Memory Size", functions.iter().map(|f| Some(f.memory_size_mb as f64)).collect()),
        ],
    )
}

/// Empirical CDF of warm durations, one line per function, log-scale time.
fn warm_ecdf(functions: &[FunctionSummary]) -> DrawResult<String> {
    let drawn: Vec<&FunctionSummary> = functions.iter().filter(|f| !f.warm_ecdf.is_empty()).collect();
    if drawn.is_empty() {
        return Ok(String::new());
    }
    let lo = drawn.iter().flat_map(|f| f.warm_ecdf.first()).map(|p| p.0).fold(f64::MAX, f64::min).max(0.01);
    let hi = drawn.iter().flat_map(|f| f.warm_ecdf.last()).map(|p| p.0).fold(0.0, f64::max).max(lo * 10.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Warm duration: share of invocations at or below", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(54)
            .build_cartesian_2d((lo * 0.9..hi * 1.1).log_scale(), 0f64..1.0)?;
        chart.configure_mesh().x_desc("Duration (ms, log scale)").y_desc("fraction").draw()?;
        for (i, f) in drawn.iter().enumerate() {
            let c = color(i);
            chart
                .draw_series(LineSeries::new(f.warm_ecdf.iter().map(|&(x, y)| (x.max(lo), y)), c.stroke_width(2)))?
                .label(f.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.9))
            .draw()?;
        root.present()?;
    }
    Ok(svg)
}

/// A trend line chart: one line per group across runs (x = run, oldest first).
pub fn trend_chart(
    title: &str,
    unit: &str,
    runs: &[crate::history::Run],
    get: fn(&crate::history::RunFigures) -> Option<f64>,
) -> String {
    trend(title, unit, runs, get).unwrap_or_default()
}

fn trend(
    title: &str,
    unit: &str,
    runs: &[crate::history::Run],
    get: fn(&crate::history::RunFigures) -> Option<f64>,
) -> DrawResult<String> {
    let names: std::collections::BTreeSet<&String> = runs.iter().flat_map(|r| r.groups.keys()).collect();
    let y_max = runs.iter().flat_map(|r| r.groups.values().filter_map(get)).fold(0.0f64, f64::max);
    if runs.len() < 2 || y_max <= 0.0 {
        return Ok(String::new());
    }
    let labels: Vec<String> = runs.iter().map(|r| r.label.chars().take(16).collect()).collect();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(GroupAxis(runs.len()), 0f64..y_max * 1.12)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|x| labels.get(x.floor() as usize).cloned().unwrap_or_default())
            .y_desc(unit)
            .draw()?;
        for (i, name) in names.iter().enumerate() {
            let c = color(i);
            let points: Vec<(f64, f64)> = runs
                .iter()
                .enumerate()
                .filter_map(|(k, r)| r.groups.get(*name).and_then(get).map(|v| (k as f64 + 0.5, v)))
                .collect();
            chart
                .draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))?
                .label(name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], c.stroke_width(2)));
            chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))?;
        }
        chart.configure_series_labels().border_style(BLACK).background_style(WHITE.mix(0.9)).draw()?;
        root.present()?;
    }
    Ok(svg)
}
