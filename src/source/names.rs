//! What a path says: the function (a component after `aws/lambda/`), the
//! log stream of an S3 export object, a name without extensions.

use std::borrow::Cow;
use std::path::{Component, Path};

/// A Lambda log stream name as log lines print it: `2024/03/05/[$LATEST]6e67…`
/// (or `2024/03/05/fn[$LATEST]…`): a date with slashes, then a `[version]`.
pub fn looks_like_stream(token: &str) -> bool {
    looks_like_stream_bytes(token.as_bytes())
}

/// [`looks_like_stream`] on bytes.
pub fn looks_like_stream_bytes(token: &[u8]) -> bool {
    token.len() > "2024/03/05/".len() && token[4] == b'/' && memchr::memchr(b'[', token).is_some()
}

/// The component after `aws/lambda/` in `path`, without extensions, if any.
pub fn path_function(path: &Path, fallback: &str) -> String {
    let parts = normal_components(path);
    parts
        .windows(3)
        .find(|w| w[0] == "aws" && w[1] == "lambda")
        .map(|w| strip_extensions(Path::new(w[2].as_ref())))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

/// The log stream of an S3 export object `<prefix>/<task>/<stream>/000000.gz`.
/// Lambda stream names hold slashes (`2024/01/01/[$LATEST]abc…`); when the key
/// kept them, the stream is the `[…]` component and the three before it,
/// else the object's directory name.
pub fn path_stream(path: &Path) -> Option<String> {
    if !is_s3_export_object(path) {
        return None;
    }
    let dirs = normal_components(path.parent()?);
    let last = dirs.last()?;
    if last.contains('[') && dirs.len() >= 4 {
        let date = &dirs[dirs.len() - 4..dirs.len() - 1];
        if date.iter().all(|d| d.bytes().all(|c| c.is_ascii_digit())) {
            return Some(format!("{}/{}", date.join("/"), last));
        }
    }
    Some(last.to_string())
}

/// The named components of a path, borrowed where they are UTF-8 (this runs for each of an S3
/// export's tens of thousands of objects).
fn normal_components(path: &Path) -> Vec<Cow<'_, str>> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy()),
            _ => None,
        })
        .collect()
}

/// `LambdaAOTDemo9.log.gz` -> `LambdaAOTDemo9`; `sample-logs/` -> `sample-logs`.
pub fn strip_extensions(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    match name.find('.') {
        Some(0) | None => name,
        Some(i) => name[..i].to_string(),
    }
}

/// `000000.gz`, `000001.gz`, … : the objects of a CloudWatch Logs export.
pub fn is_s3_export_object(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let stem = name.strip_suffix(".gz").unwrap_or(&name);
    stem.len() == 6 && stem.bytes().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_paths() {
        assert_eq!(path_function(Path::new("x/aws/lambda/Fn-1/2024/01/01/000000.gz"), "x"), "Fn-1");
        assert_eq!(path_function(Path::new("logs/aws/lambda/LambdaAOTDemo9.log"), "logs"), "LambdaAOTDemo9");
        assert_eq!(path_function(Path::new("logs/other/file.txt"), "logs"), "logs");
        assert_eq!(strip_extensions(Path::new("dir/LambdaAOTDemo9.log.gz")), "LambdaAOTDemo9");
        assert_eq!(strip_extensions(Path::new("sample-logs/")), "sample-logs");
        assert_eq!(strip_extensions(Path::new(".")), ".");
        assert_eq!(
            path_stream(Path::new("e/aws/lambda/F/task-1/2026/11/01/[$LATEST]abc/000000.gz")).as_deref(),
            Some("2026/11/01/[$LATEST]abc")
        );
        assert_eq!(
            path_stream(Path::new("e/task/2026-11-01-[$LATEST]abc/000001.gz")).as_deref(),
            Some("2026-11-01-[$LATEST]abc")
        );
        assert_eq!(path_stream(Path::new("e/aws/lambda/F.log")), None);
    }
}
