//! What a path says: the function (a component after `aws/lambda/`), the
//! log stream of an S3 export object, a name without extensions.

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
    // The components are walked once and only as far as the first `aws/lambda/` (this runs for each
    // of an S3 export's tens of thousands of objects).
    let (mut before, mut last) = (None, None);
    for part in normal_components(path) {
        if before == Some("aws".as_ref()) && last == Some("lambda".as_ref()) {
            let name = strip_extensions(Path::new(part));
            return if name.is_empty() { fallback.to_string() } else { name };
        }
        (before, last) = (last, Some(part));
    }
    fallback.to_string()
}

/// The log stream of an S3 export object `<prefix>/<task>/<stream>/000000.gz`.
/// Lambda stream names hold slashes (`2024/01/01/[$LATEST]abc…`); when the key
/// kept them, the stream is the `[…]` component and the three before it,
/// else the object's directory name.
pub fn path_stream(path: &Path) -> Option<String> {
    if !is_s3_export_object(path) {
        return None;
    }
    // Read from the end: only the last four directories can matter.
    let mut dirs = normal_components(path.parent()?).rev();
    let last = dirs.next()?.to_string_lossy();
    if last.contains('[') {
        let date: Vec<_> = dirs.take(3).collect();
        if date.len() == 3 && date.iter().all(|d| d.as_encoded_bytes().iter().all(u8::is_ascii_digit)) {
            let [day, month, year] = [0, 1, 2].map(|i| date[i].to_string_lossy());
            return Some(format!("{year}/{month}/{day}/{last}"));
        }
    }
    Some(last.into_owned())
}

/// The named components of a path (not `.`, `..` or the root).
fn normal_components(path: &Path) -> impl DoubleEndedIterator<Item = &std::ffi::OsStr> {
    path.components().filter_map(|c| match c {
        Component::Normal(s) => Some(s),
        _ => None,
    })
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
    let name = path.file_name().map(|n| n.as_encoded_bytes()).unwrap_or_default();
    let stem = name.strip_suffix(b".gz").unwrap_or(name);
    stem.len() == 6 && stem.iter().all(u8::is_ascii_digit)
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
        // The first `aws/lambda/` names the function; `.` components and doubled slashes are not parts.
        assert_eq!(path_function(Path::new("/x/./aws//lambda/G.v2/aws/lambda/H/000000.gz"), "x"), "G");
        assert_eq!(path_function(Path::new("aws/lambda"), "fallback"), "fallback");
        assert_eq!(
            path_stream(Path::new("2026/11/01/[$LATEST]abc/000000.gz")).as_deref(),
            Some("2026/11/01/[$LATEST]abc")
        );
        assert_eq!(path_stream(Path::new("11/01/[$LATEST]abc/000000.gz")).as_deref(), Some("[$LATEST]abc"));
        assert_eq!(path_stream(Path::new("2026/1x/01/[$LATEST]abc/000000")).as_deref(), Some("[$LATEST]abc"));
        assert_eq!(path_stream(Path::new("000000.gz")), None);
        assert!(is_s3_export_object(Path::new("a/000123.gz")) && !is_s3_export_object(Path::new("a/00012.gz")));
    }
}
