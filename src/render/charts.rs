//! Charts as SVG strings, drawn with plotters' SVG backend (text is escaped by
//! the backend, so names from logs stay inert).

use crate::analysis::GroupSummary;
use crate::history::{Run, RunFigures};
use plotters::prelude::*;
use serde::Serialize;

const SIZE: (u32, u32) = (860, 400);
/// Axis labels and legend text: legible when the page shows the chart at its full 860 px.
const LABEL_FONT: u32 = 14;
const CAPTION_FONT: u32 = 18;
/// One legend row's height, px.
const LEGEND_ROW: i32 = 22;
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
    pub fn draw(functions: &[GroupSummary]) -> Charts {
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

/// How a legend entry is drawn: a filled box (bars) or a line (lines).
#[derive(Clone, Copy)]
enum Swatch {
    Box,
    Line,
}

/// Legend entries laid out in rows across `width`: `(row, x)` of each. Text width is estimated
/// generously (0.62 em a character), so entries never overlap.
fn legend_layout(labels: &[&str], width: i32) -> Vec<(i32, i32)> {
    let (mut row, mut x) = (0, 12);
    labels
        .iter()
        .map(|l| {
            let w = 24 + (l.chars().count() as f64 * LABEL_FONT as f64 * 0.62) as i32 + 18;
            if x + w > width - 12 && x > 12 {
                row += 1;
                x = 12;
            }
            let at = (row, x);
            x += w;
            at
        })
        .collect()
}

/// The legend drawn in a band of its own above the plot (so it covers no bar or line); returns the
/// area left for the chart.
fn with_legend<'b>(
    root: &DrawingArea<SVGBackend<'b>, plotters::coord::Shift>,
    entries: &[(&str, RGBColor)],
    swatch: Swatch,
) -> DrawResult<DrawingArea<SVGBackend<'b>, plotters::coord::Shift>> {
    let labels: Vec<&str> = entries.iter().map(|e| e.0).collect();
    let layout = legend_layout(&labels, SIZE.0 as i32);
    let rows = layout.last().map_or(0, |l| l.0 + 1);
    let caption_band = CAPTION_FONT as i32 + 14;
    let (legend, chart) = root.split_vertically(caption_band + rows * LEGEND_ROW + 4);
    let font = ("sans-serif", LABEL_FONT).into_font();
    for ((label, c), (row, x)) in entries.iter().zip(layout) {
        let y = caption_band + row * LEGEND_ROW + LEGEND_ROW / 2;
        match swatch {
            Swatch::Box => legend.draw(&Rectangle::new([(x, y - 6), (x + 12, y + 6)], c.filled()))?,
            Swatch::Line => legend.draw(&PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(3)))?,
        }
        legend.draw(&Text::new(label.to_string(), (x + 24, y - LABEL_FONT as i32 / 2 + 1), font.clone()))?;
    }
    Ok(chart)
}

/// The caption, drawn on the whole area (above the legend band).
fn caption(root: &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>, text: &str) -> DrawResult<()> {
    root.draw(&Text::new(text.to_string(), (12, 8), ("sans-serif", CAPTION_FONT).into_font()))?;
    Ok(())
}

/// Grouped bars: one group per function, one bar per series.
fn grouped_bars(
    title: &str,
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
        caption(&root, title)?;
        let entries: Vec<(&str, RGBColor)> = series.iter().enumerate().map(|(s, (l, _))| (*l, color(s))).collect();
        let area = with_legend(&root, &entries, Swatch::Box)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d(GroupAxis(n), 0f64..y_max * 1.05)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|x| names.get(x.floor() as usize).cloned().unwrap_or_default())
            .x_label_style(("sans-serif", LABEL_FONT))
            .y_label_style(("sans-serif", LABEL_FONT))
            .axis_desc_style(("sans-serif", LABEL_FONT))
            .y_desc(y_desc)
            .draw()?;
        let width = 0.8 / series.len() as f64;
        for (s, (_, values)) in series.iter().enumerate() {
            let c = color(s);
            chart.draw_series(values.iter().enumerate().filter_map(|(i, v)| {
                let x0 = i as f64 + 0.1 + s as f64 * width;
                v.map(|v| Rectangle::new([(x0, 0.0), (x0 + width * 0.9, v)], c.filled()))
            }))?;
        }
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

fn names(functions: &[GroupSummary]) -> Vec<String> {
    functions.iter().map(|f| f.name.clone()).collect()
}

fn cold_start_bars(functions: &[GroupSummary]) -> DrawResult<String> {
    let with_cold: Vec<&GroupSummary> = functions.iter().filter(|f| f.init_ms.n > 0 || f.restore_ms.n > 0).collect();
    let cold = |f: &GroupSummary| {
        if f.init_ms.n > 0 {
            f.init_ms.clone()
        } else {
            f.restore_ms.clone()
        }
    };
    let pick = |get: fn(&crate::analysis::stats::Distribution) -> Option<f64>| {
        with_cold.iter().map(|f| get(&cold(f))).collect::<Vec<_>>()
    };
    let owned: Vec<GroupSummary> = with_cold.iter().map(|f| (*f).clone()).collect();
    grouped_bars(
        "Cold start: Init (or Restore) Duration",
        "ms",
        &names(&owned),
        &[("P50", pick(|d| d.p50)), ("P90", pick(|d| d.p90)), ("P99", pick(|d| d.p99))],
    )
}

fn memory_bars(functions: &[GroupSummary]) -> DrawResult<String> {
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
fn warm_ecdf(functions: &[GroupSummary]) -> DrawResult<String> {
    let drawn: Vec<&GroupSummary> = functions.iter().filter(|f| !f.warm_ecdf.is_empty()).collect();
    if drawn.is_empty() {
        return Ok(String::new());
    }
    let lo = drawn.iter().flat_map(|f| f.warm_ecdf.first()).map(|p| p.0).fold(f64::MAX, f64::min).max(0.01);
    let hi = drawn.iter().flat_map(|f| f.warm_ecdf.last()).map(|p| p.0).fold(0.0, f64::max).max(lo * 10.0);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE)?;
        caption(&root, "Warm duration: share of invocations at or below")?;
        let entries: Vec<(&str, RGBColor)> =
            drawn.iter().enumerate().map(|(i, f)| (f.name.as_str(), color(i))).collect();
        let area = with_legend(&root, &entries, Swatch::Line)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d((lo * 0.9..hi * 1.1).log_scale(), 0f64..1.0)?;
        chart
            .configure_mesh()
            .x_label_style(("sans-serif", LABEL_FONT))
            .y_label_style(("sans-serif", LABEL_FONT))
            .axis_desc_style(("sans-serif", LABEL_FONT))
            .x_desc("Duration (ms, log scale)")
            .y_desc("fraction")
            .draw()?;
        for (i, f) in drawn.iter().enumerate() {
            let c = color(i);
            chart.draw_series(LineSeries::new(f.warm_ecdf.iter().map(|&(x, y)| (x.max(lo), y)), c.stroke_width(2)))?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// A trend line chart: one line per group across runs (x = run, oldest first).
pub fn trend_chart(title: &str, unit: &str, runs: &[Run], get: fn(&RunFigures) -> Option<f64>) -> String {
    trend(title, unit, runs, get).unwrap_or_default()
}

fn trend(title: &str, unit: &str, runs: &[Run], get: fn(&RunFigures) -> Option<f64>) -> DrawResult<String> {
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
        caption(&root, title)?;
        let entries: Vec<(&str, RGBColor)> = names.iter().enumerate().map(|(i, n)| (n.as_str(), color(i))).collect();
        let area = with_legend(&root, &entries, Swatch::Line)?;
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(72)
            .build_cartesian_2d(GroupAxis(runs.len()), 0f64..y_max * 1.05)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&|x| labels.get(x.floor() as usize).cloned().unwrap_or_default())
            .x_label_style(("sans-serif", LABEL_FONT))
            .y_label_style(("sans-serif", LABEL_FONT))
            .axis_desc_style(("sans-serif", LABEL_FONT))
            .y_desc(unit)
            .draw()?;
        for (i, name) in names.iter().enumerate() {
            let c = color(i);
            let points: Vec<(f64, f64)> = runs
                .iter()
                .enumerate()
                .filter_map(|(k, r)| r.groups.get(*name).and_then(get).map(|v| (k as f64 + 0.5, v)))
                .collect();
            chart.draw_series(LineSeries::new(points.clone(), c.stroke_width(2)))?;
            chart.draw_series(points.into_iter().map(|p| Circle::new(p, 3, c.filled())))?;
        }
        root.present()?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(x, y, width, height, fill)` of every `<rect>` in an SVG.
    fn rects(svg: &str) -> Vec<(f64, f64, f64, f64, String)> {
        let attr = |el: &str, name: &str| -> Option<String> {
            let at = el.find(&format!(" {name}=\""))? + name.len() + 3;
            Some(el[at..at + el[at..].find('"')?].to_string())
        };
        svg.split("<rect")
            .skip(1)
            .filter_map(|el| {
                let num = |n| attr(el, n).and_then(|v| v.parse::<f64>().ok());
                Some((num("x")?, num("y")?, num("width")?, num("height")?, attr(el, "fill").unwrap_or_default()))
            })
            .collect()
    }

    #[test]
    fn legends_stand_apart_from_the_bars() {
        let names: Vec<String> =
            ["Regular .NET 8", "ReadyToRun .NET 8", "NativeAOT .NET 8", "NativeAOT .NET 10"].map(String::from).to_vec();
        // Tall bars in every group: an in-plot legend would sit on one of them.
        let series = [("P50", vec![Some(90.0); 4]), ("P90", vec![Some(99.0); 4]), ("P99", vec![Some(100.0); 4])];
        let svg = grouped_bars("t", "ms", &names, &series).unwrap();
        let colored: Vec<_> = rects(&svg).into_iter().filter(|r| r.4 != "#FFFFFF" && r.4 != "#000000").collect();
        let (swatches, bars): (Vec<_>, Vec<_>) = colored.iter().partition(|r| r.2 <= 13.0 && r.3 <= 13.0);
        assert_eq!(swatches.len(), 3, "{colored:?}");
        assert_eq!(bars.len(), 12, "{colored:?}");
        let legend_bottom = swatches.iter().map(|r| r.1 + r.3).fold(0.0, f64::max);
        let bars_top = bars.iter().map(|r| r.1).fold(f64::MAX, f64::min);
        assert!(legend_bottom < bars_top, "legend to {legend_bottom}, bars from {bars_top}");
    }

    #[test]
    fn legend_rows_wrap_without_overlap() {
        let labels = ["NativeAOT .NET 10 · arm64 · cold"; 6];
        let layout = legend_layout(&labels, SIZE.0 as i32);
        assert!(layout.last().unwrap().0 >= 1, "six long labels need more than one row: {layout:?}");
        for w in layout.windows(2) {
            if w[0].0 == w[1].0 {
                let width = 24 + (labels[0].chars().count() as f64 * LABEL_FONT as f64 * 0.62) as i32;
                assert!(w[1].1 >= w[0].1 + width, "{layout:?}");
            }
        }
        assert!(layout.iter().all(|&(_, x)| x >= 12 && x < SIZE.0 as i32), "{layout:?}");
    }
}
