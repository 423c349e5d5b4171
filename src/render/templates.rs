//! The minijinja environment: built-in templates (compiled into the binary
//! from `templates/`) or a directory given with `--templates`, plus the
//! number-formatting filters the templates use.

use super::RenderError;
use minijinja::{AutoEscape, Environment, Value};
use std::io::Write;
use std::path::Path;

/// Template names: the output file names, with `.j2`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("index.html", include_str!("../../templates/index.html.j2")),
    ("report.md", include_str!("../../templates/report.md.j2")),
];

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn builtin() -> Templates {
        let mut env = base_env();
        for (name, source) in BUILTIN {
            env.add_template_owned(name.to_string(), source.to_string()).expect("built-in templates compile");
        }
        Templates { env }
    }

    /// Loads `index.html.j2` and `report.md.j2` from `dir`; a missing one falls
    /// back to the built-in template.
    pub fn from_dir(dir: &Path) -> Result<Templates, RenderError> {
        let mut env = base_env();
        for (name, builtin) in BUILTIN {
            let path = dir.join(format!("{name}.j2"));
            let source = match std::fs::read_to_string(&path) {
                Ok(s) => s,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => builtin.to_string(),
                Err(source) => return Err(RenderError::LoadTemplates { path, source }),
            };
            env.add_template_owned(name.to_string(), source)
                .map_err(|source| RenderError::Template { name: path.display().to_string(), source })?;
        }
        Ok(Templates { env })
    }

    /// Renders template `name` into `out` (a write error comes back as a template error naming it).
    pub fn render_to<S: serde::Serialize>(&self, name: &str, ctx: &S, out: &mut dyn Write) -> Result<(), RenderError> {
        let err = |source| RenderError::Template { name: name.to_string(), source };
        self.env.get_template(name).map_err(err)?.render_captured_to(ctx, out).map(drop).map_err(err)
    }
}

fn base_env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Control characters from logs and file names (ESC, say) are shown as escapes, never written raw.
    env.set_formatter(|out, state, value| match value.as_str().filter(|s| s.chars().any(is_raw_control)) {
        Some(s) => {
            let clean: String = s
                .chars()
                .map(|c| if is_raw_control(c) { c.escape_unicode().to_string() } else { c.to_string() })
                .collect();
            let clean = if value.is_safe() { Value::from_safe_string(clean) } else { Value::from(clean) };
            minijinja::escape_formatter(out, state, &clean)
        }
        None => minijinja::escape_formatter(out, state, value),
    });
    env.add_filter("num", num);
    env.add_filter("usd", usd);
    env.add_filter("pct", pct);
    env.add_filter("int", int);
    env.add_filter("md", md_cell);
    env.add_filter("mb", mb);
    env.add_filter("times", |v: Value, k: f64| as_f64(&v).map(|x| Value::from(x * k)).unwrap_or(Value::from(())));
    env.add_filter("pvalue", |v: Value| as_f64(&v).map_or("–".to_string(), crate::analysis::compare::format_p));
    env
}

/// A control character other than the line breaks and tabs that page text may hold.
fn is_raw_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

fn as_f64(v: &Value) -> Option<f64> {
    if v.is_none() || v.is_undefined() {
        return None;
    }
    f64::try_from(v.clone()).ok()
}

/// A number with `digits` decimals (default 2); `–` for none.
fn num(v: Value, digits: Option<usize>) -> String {
    as_f64(&v).map_or("–".to_string(), |x| format!("{:.*}", digits.unwrap_or(2), x))
}

/// Dollars: 2 decimals from $1, more below so small costs stay visible.
fn usd(v: Value) -> String {
    as_f64(&v).map_or("–".to_string(), |x| {
        let digits = if x.abs() >= 1.0 {
            2
        } else if x.abs() >= 0.01 {
            4
        } else {
            6
        };
        format!("${x:.digits$}")
    })
}

/// Bytes as MB (1,000,000 bytes), two decimals; `–` for none.
fn mb(v: Value) -> String {
    as_f64(&v).map_or("–".to_string(), |x| format!("{:.2}", x / 1e6))
}

fn pct(v: Value) -> String {
    as_f64(&v).map_or("–".to_string(), |x| format!("{:.1}%", x * 100.0))
}

/// A whole number with thousands separators.
fn int(v: Value) -> String {
    let Some(x) = v.as_i64() else {
        return v.to_string();
    };
    let digits = x.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if x < 0 {
        out.insert(0, '-');
    }
    out
}

/// Text safe inside a markdown table cell: no HTML, no cell breaks.
fn md_cell(v: Value) -> String {
    let s = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        assert_eq!(num(Value::from(12.345678), None), "12.35");
        assert_eq!(num(Value::from(()), None), "–");
        assert_eq!(usd(Value::from(12.345)), "$12.35");
        assert_eq!(usd(Value::from(0.000123)), "$0.000123");
        assert_eq!(int(Value::from(1234567)), "1,234,567");
        assert_eq!(mb(Value::from(5_709_783)), "5.71");
        assert_eq!(mb(Value::from(())), "–");
        assert_eq!(md_cell(Value::from("a|<b>")), "a\\|&lt;b&gt;");
    }
}
