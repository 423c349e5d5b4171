//! Rules a CI job gates on, judged against summaries (as JSON values, so a
//! summary from an older lambdastat still reads): absolute limits on any
//! field, and regressions against a previous run judged with confidence
//! intervals so that noise alone does not fail a build. Pure: no I/O.

use crate::summary_file::{at, group_name, groups as all_groups};
use serde::Serialize;
use serde_json::Value;

/// A limit on a field of every group: `init_ms.p99 <= 1000`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    /// Dotted path into a group of summary.json: `duration_ms.warm.p99`.
    pub path: String,
    pub bound: f64,
    pub upper: bool,
}

/// The regression check: for each metric, fail when even the most
/// favourable reading of both runs' 95% intervals shows it grew by more
/// than `max_increase` (0.10 = 10%).
#[derive(Debug, Clone, PartialEq)]
pub struct Regression {
    pub metrics: Vec<String>,
    pub max_increase: f64,
}

/// Metrics judged for regressions when none are named.
pub const DEFAULT_REGRESSION_METRICS: &[&str] = &[
    "init_ms.p50",
    "init_ms.p99",
    "duration_ms.warm.p50",
    "duration_ms.warm.p99",
    "max_memory_mb.p99",
    "cost_per_million_usd",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    /// The value is missing (no cold starts, say), or too few to judge.
    NoData,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub group: String,
    pub rule: String,
    pub value: String,
    pub limit: String,
    pub status: Status,
}

/// The group's value at a dotted path, if it is a number.
pub fn lookup(group: &Value, path: &str) -> Option<f64> {
    at(group, path)?.as_f64()
}

/// The 95% interval stored beside a value: `p99` -> `p99_ci95`,
/// `cost_per_million_usd` -> `cost_per_million_ci95`.
fn lookup_ci(group: &Value, path: &str) -> Option<(f64, f64)> {
    let ci_path = match path.strip_suffix("_usd") {
        Some(stem) => format!("{stem}_ci95"),
        None => format!("{path}_ci95"),
    };
    let v = at(group, &ci_path)?;
    Some((v.get(0)?.as_f64()?, v.get(1)?.as_f64()?))
}

fn name(group: &Value) -> String {
    group_name(group).unwrap_or("?").to_string()
}

fn groups<'a>(summary: &'a Value, only: &[String]) -> Vec<&'a Value> {
    all_groups(summary)
        .iter()
        .filter(|g| {
            only.is_empty() || only.iter().any(|o| *o == name(g) || g.get("function") == Some(&Value::from(o.as_str())))
        })
        .collect()
}

pub fn fmt(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{x:.0}")
    } else if x.abs() >= 100.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.4}").trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Judges the limits on every selected group.
pub fn check_limits(summary: &Value, limits: &[Limit], only: &[String]) -> Vec<Outcome> {
    let mut out = Vec::new();
    for g in groups(summary, only) {
        for l in limits {
            let op = if l.upper { "<=" } else { ">=" };
            let (value, status) = match lookup(g, &l.path) {
                None => ("–".to_string(), Status::NoData),
                Some(v) => {
                    let ok = if l.upper { v <= l.bound } else { v >= l.bound };
                    (fmt(v), if ok { Status::Pass } else { Status::Fail })
                }
            };
            out.push(Outcome {
                group: name(g),
                rule: format!("{} {op} {}", l.path, fmt(l.bound)),
                value,
                limit: fmt(l.bound),
                status,
            });
        }
    }
    out
}

/// Judges regressions of `current` against `previous`, group by group (by
/// name). A metric regressed when the low end of its current interval is
/// above the high end of its previous interval times (1 + max_increase).
pub fn check_regressions(current: &Value, previous: &Value, r: &Regression, only: &[String]) -> Vec<Outcome> {
    let mut out = Vec::new();
    let old_groups = groups(previous, &[]);
    for g in groups(current, only) {
        let Some(old) = old_groups.iter().find(|o| name(o) == name(g)) else {
            out.push(Outcome {
                group: name(g),
                rule: "present in the previous run".to_string(),
                value: "new group".to_string(),
                limit: "–".to_string(),
                status: Status::NoData,
            });
            continue;
        };
        for path in &r.metrics {
            let rule = format!("{path} regression <= {}%", fmt(r.max_increase * 100.0));
            let limit = format!("+{}%", fmt(r.max_increase * 100.0));
            let (Some(new), Some(was)) = (lookup(g, path), lookup(old, path)) else {
                out.push(Outcome { group: name(g), rule, value: "–".to_string(), limit, status: Status::NoData });
                continue;
            };
            let change = if was != 0.0 { (new / was - 1.0) * 100.0 } else { 0.0 };
            let value =
                format!("{} vs {} ({}{}%)", fmt(new), fmt(was), if change >= 0.0 { "+" } else { "" }, fmt(change));
            let status = match (lookup_ci(g, path), lookup_ci(old, path)) {
                (Some((new_lo, _)), Some((_, old_hi))) => {
                    if new_lo > old_hi * (1.0 + r.max_increase) {
                        Status::Fail
                    } else {
                        Status::Pass
                    }
                }
                // No interval (fewer than 10 values): too few to judge.
                _ => Status::NoData,
            };
            out.push(Outcome { group: name(g), rule, value, limit, status });
        }
    }
    out
}

/// A plain-text table, and the same as GitHub markdown.
pub fn render(outcomes: &[Outcome], markdown: bool) -> String {
    let status = |s: Status| match s {
        Status::Pass => "pass",
        Status::Fail => "FAIL",
        Status::NoData => "no data",
    };
    let header = ["group", "rule", "value", "limit", "result"];
    let rows: Vec<[String; 5]> = outcomes
        .iter()
        .map(|o| [o.group.clone(), o.rule.clone(), o.value.clone(), o.limit.clone(), status(o.status).to_string()])
        .collect();
    let mut s = String::new();
    if markdown {
        let cell = |c: &str| c.replace('|', "\\|");
        s.push_str("| group | rule | value | limit | result |\n|---|---|--:|--:|---|\n");
        for r in &rows {
            s.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(&r[0]),
                cell(&r[1]),
                cell(&r[2]),
                cell(&r[3]),
                r[4]
            ));
        }
        return s;
    }
    let widths: Vec<usize> =
        (0..5).map(|i| rows.iter().map(|r| r[i].chars().count()).chain([header[i].len()]).max().unwrap_or(0)).collect();
    let line = |cells: &[&str]| {
        cells.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
            + "\n"
    };
    s.push_str(&line(&header));
    for r in &rows {
        s.push_str(&line(&r.iter().map(String::as_str).collect::<Vec<_>>()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn summary(p99: f64, ci: [f64; 2]) -> Value {
        json!({"functions": [{"name": "A", "function": "A", "init_ms": {"p99": p99, "p99_ci95": ci}, "cost_per_million_usd": 2.0, "cost_per_million_ci95": [1.9, 2.1]}]})
    }

    #[test]
    fn limits() {
        let s = summary(1200.0, [1100.0, 1300.0]);
        let limits = [
            Limit { path: "init_ms.p99".into(), bound: 1000.0, upper: true },
            Limit { path: "cost_per_million_usd".into(), bound: 3.0, upper: true },
            Limit { path: "restore_ms.p99".into(), bound: 1.0, upper: true },
        ];
        let o = check_limits(&s, &limits, &[]);
        assert_eq!(o.iter().map(|o| o.status).collect::<Vec<_>>(), [Status::Fail, Status::Pass, Status::NoData]);
        assert!(check_limits(&s, &limits, &["B".to_string()]).is_empty());
    }

    #[test]
    fn regressions_respect_the_intervals() {
        let r = Regression { metrics: vec!["init_ms.p99".into(), "cost_per_million_usd".into()], max_increase: 0.10 };
        let old = summary(1000.0, [950.0, 1050.0]);
        // +15% but the intervals overlap the allowed margin: noise may explain it.
        let noisy = summary(1150.0, [1100.0, 1250.0]);
        assert_eq!(check_regressions(&noisy, &old, &r, &[])[0].status, Status::Pass);
        // +40% with a tight interval: a regression.
        let worse = summary(1400.0, [1360.0, 1440.0]);
        let o = check_regressions(&worse, &old, &r, &[]);
        assert_eq!(o[0].status, Status::Fail);
        assert_eq!(o[0].value, "1400 vs 1000 (+40%)");
        assert_eq!(o[1].status, Status::Pass);
    }
}
