//! One typed loader for `summary.json` files (as criterion's `fs::load`): used by `check` (its input
//! and `--against`) and `--history`. Errors name the path and say why: it could not be read, it is not
//! JSON (with line and column), or it is JSON but not a lambdastat summary.

use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not JSON: {message} (line {line}, column {column})", path.display())]
    Json { path: PathBuf, message: String, line: usize, column: usize },
    #[error("{}: not a lambdastat summary.json: {why}", path.display())]
    NotSummary { path: PathBuf, why: &'static str },
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
    Ok(value)
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
    }
}
