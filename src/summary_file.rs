//! One typed loader for `summary.json` files (as criterion's `fs::load`): used by `check` (its input
//! and `--against`) and `--history`, whose figures feed the gate and the trend charts. Errors name the
//! path and say why: it could not be read, it is not JSON (with line and column), it is JSON but not a
//! lambdastat summary, or a summary of a layout newer than this lambdastat reads.
//!
//! A summary is read as JSON, not into the `Summary` type that writes it: rules and trends name its
//! fields by dotted path ([`at`]), and files written by older versions lack newer fields.

use serde_json::Value;
use std::path::{Path, PathBuf};

/// The layout of `summary.json` this version writes; files without `schema_version` are layout 1.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not JSON: {message} (line {line}, column {column})", path.display())]
    Json { path: PathBuf, message: String, line: usize, column: usize },
    #[error("{}: not a lambdastat summary.json: {why}", path.display())]
    NotSummary { path: PathBuf, why: &'static str },
    #[error("{}: summary.json layout {found}; this lambdastat reads up to {SCHEMA_VERSION} (upgrade it)", path.display())]
    SchemaVersion { path: PathBuf, found: u64 },
}

/// Reads and checks a summary: a JSON object with `lambdastat_version` and a `functions` array.
pub fn load(path: &Path) -> Result<Value, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: path.into(), source })?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|e| LoadError::Json {
        path: path.into(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
        line: e.line(),
        column: e.column(),
    })?;
    let not = |why| LoadError::NotSummary { path: path.into(), why };
    if !value.is_object() {
        return Err(not("the top level is not an object"));
    }
    if !value.get("lambdastat_version").is_some_and(Value::is_string) {
        return Err(not("no `lambdastat_version`"));
    }
    if !value.get("functions").is_some_and(Value::is_array) {
        return Err(not("no `functions` array"));
    }
    match value.get("schema_version").map(Value::as_u64) {
        None => {}
        Some(Some(found)) if found > SCHEMA_VERSION as u64 => {
            return Err(LoadError::SchemaVersion { path: path.into(), found })
        }
        Some(Some(_)) => {}
        Some(None) => return Err(not("`schema_version` is not a whole number")),
    }
    Ok(value)
}

/// The value at a dotted path below `v`: `duration_ms.warm.p50`.
pub fn at<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |v, key| v.get(key))
}

/// A summary's groups (its `functions` array).
pub fn groups(summary: &Value) -> &[Value] {
    summary.get("functions").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// A group's name (older files: its function).
pub fn group_name(group: &Value) -> Option<&str> {
    group.get("name").or_else(|| group.get("function"))?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_say_why() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        assert!(matches!(load(&p), Err(LoadError::Io { .. })));
        std::fs::write(&p, "{\n  \"a\": 1,\n  oops\n}").unwrap();
        let e = load(&p).unwrap_err();
        assert!(matches!(e, LoadError::Json { line: 3, column: 3, .. }), "{e}");
        assert!(e.to_string().contains("line 3, column 3"), "{e}");
        std::fs::write(&p, r#"{"functions": []}"#).unwrap();
        assert!(load(&p).unwrap_err().to_string().ends_with("not a lambdastat summary.json: no `lambdastat_version`"));
        std::fs::write(&p, r#"{"lambdastat_version": "0.1.0", "functions": []}"#).unwrap();
        assert!(load(&p).is_ok());
        std::fs::write(&p, r#"{"schema_version": 99, "lambdastat_version": "9.0.0", "functions": []}"#).unwrap();
        let e = load(&p).unwrap_err();
        assert!(e.to_string().ends_with("summary.json layout 99; this lambdastat reads up to 1 (upgrade it)"), "{e}");
        let v = serde_json::json!({"functions": [{"name": "A", "duration_ms": {"warm": {"p50": 2.5}}}]});
        assert_eq!(at(&groups(&v)[0], "duration_ms.warm.p50").and_then(Value::as_f64), Some(2.5));
        assert_eq!(group_name(&groups(&v)[0]), Some("A"));
        assert!(at(&v, "functions.x").is_none());
    }
}
