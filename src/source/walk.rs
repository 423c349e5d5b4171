//! Turns the command line's INPUTs into a list of files, each with the
//! function name its path implies.

use super::SourceError;
use std::path::{Component, Path, PathBuf};

/// One file to read; `path` is `-` for standard input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// The function name the path implies: a component after `aws/lambda/`;
    /// else, for a file found in a directory, its own name (a folder of one
    /// `FN.json` per function); else (a file given itself, or an S3 export
    /// object, all named `000000.gz`) the name of the file or directory given
    /// on the command line. Without extensions, always.
    pub function_from_path: String,
    /// The log stream an S3 export object's key names (`…/<stream>/000000.gz`).
    pub stream_from_path: Option<String>,
    /// Where to read it when it is an S3 object (`path` is then its `s3://` URL).
    pub s3: Option<super::s3::S3Object>,
}

impl InputFile {
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// Its size in bytes (an S3 object's from the listing); `None` for standard input or a file
    /// that cannot be read.
    pub fn size(&self) -> Option<u64> {
        match &self.s3 {
            Some(object) => Some(object.size),
            None if self.is_stdin() => None,
            None => std::fs::metadata(&self.path).ok().map(|m| m.len()),
        }
    }
}

/// Names S3 exports put beside the logs, which hold no log data.
const NOT_LOGS: &[&str] = &["aws-logs-write-test"];

/// Expands files, directories (walked recursively, in sorted order; hidden
/// files skipped) and `-`. A missing input is an error of its own; the
/// others are still returned.
pub fn expand_inputs(inputs: &[PathBuf]) -> (Vec<InputFile>, Vec<SourceError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            files.push(InputFile {
                path: input.clone(),
                function_from_path: "stdin".into(),
                stream_from_path: None,
                s3: None,
            });
            continue;
        }
        let given_name = strip_extensions(input);
        if input.is_file() {
            files.push(InputFile {
                path: input.clone(),
                function_from_path: path_function(input, &given_name),
                stream_from_path: path_stream(input),
                s3: None,
            });
        } else if input.is_dir() {
            let walker = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name();
            for entry in walker.into_iter().filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name())) {
                match entry {
                    Ok(e) if e.file_type().is_file() => {
                        let name = e.file_name().to_string_lossy();
                        if NOT_LOGS.contains(&name.as_ref()) {
                            continue;
                        }
                        let path = e.into_path();
                        let own_name = if super::sniff::is_s3_export_object(&path) {
                            given_name.clone()
                        } else {
                            strip_extensions(&path)
                        };
                        let function_from_path = path_function(&path, &own_name);
                        let stream_from_path = path_stream(&path);
                        files.push(InputFile { path, function_from_path, stream_from_path, s3: None });
                    }
                    Ok(_) => {}
                    Err(source) => errors.push(SourceError::Walk { path: input.clone(), source }),
                }
            }
        } else {
            errors.push(SourceError::Missing { path: input.clone() });
        }
    }
    (files, errors)
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

/// The component after `aws/lambda/` in `path`, without extensions, if any.
pub(super) fn path_function(path: &Path, fallback: &str) -> String {
    let parts: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts
        .windows(3)
        .find(|w| w[0] == "aws" && w[1] == "lambda")
        .map(|w| strip_extensions(Path::new(&w[2])))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

/// The log stream of an S3 export object `<prefix>/<task>/<stream>/000000.gz`.
/// Lambda stream names hold slashes (`2024/01/01/[$LATEST]abc…`); when the key
/// kept them, the stream is the `[…]` component and the three before it,
/// else the object's directory name.
pub(super) fn path_stream(path: &Path) -> Option<String> {
    if !super::sniff::is_s3_export_object(path) {
        return None;
    }
    let dirs: Vec<String> = path
        .parent()?
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let last = dirs.last()?;
    if last.contains('[') && dirs.len() >= 4 {
        let date = &dirs[dirs.len() - 4..dirs.len() - 1];
        if date.iter().all(|d| d.bytes().all(|c| c.is_ascii_digit())) {
            return Some(format!("{}/{}", date.join("/"), last));
        }
    }
    Some(last.clone())
}

/// `LambdaAOTDemo9.log.gz` -> `LambdaAOTDemo9`; `sample-logs/` -> `sample-logs`.
pub(super) fn strip_extensions(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string_lossy().into_owned());
    match name.find('.') {
        Some(0) | None => name,
        Some(i) => name[..i].to_string(),
    }
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

    #[test]
    fn a_folder_of_files_is_one_function_per_file_but_an_export_tree_keeps_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("recipes");
        let stream = folder.join("task-1/2026/11/01/[$LATEST]abc");
        std::fs::create_dir_all(&stream).unwrap();
        for f in ["OrderFn.json", "PayFn.log", "task-1/2026/11/01/[$LATEST]abc/000000.gz"] {
            std::fs::write(folder.join(f), "").unwrap();
        }
        let (files, errors) = expand_inputs(std::slice::from_ref(&folder));
        assert!(errors.is_empty());
        let names: Vec<&str> = files.iter().map(|f| f.function_from_path.as_str()).collect();
        assert_eq!(names, ["OrderFn", "PayFn", "recipes"]);
    }
}
