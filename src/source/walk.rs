//! Turns the command line's INPUTs into a list of files, each with the
//! function name its path implies.

use super::names::{path_function, path_stream, strip_extensions};
use super::{InputFile, SourceError};
use rayon::prelude::*;
use std::path::PathBuf;

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
                size: None,
                s3: None,
            });
            continue;
        }
        let given_name = strip_extensions(input);
        if let Some(meta) = std::fs::metadata(input).ok().filter(|m| m.is_file()) {
            files.push(InputFile {
                path: input.clone(),
                function_from_path: path_function(input, &given_name),
                stream_from_path: path_stream(input),
                size: Some(meta.len()),
                s3: None,
            });
        } else if input.is_dir() {
            let walker = walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name();
            let mut found = Vec::new();
            for entry in walker.into_iter().filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name())) {
                match entry {
                    Ok(e) if e.file_type().is_file() && !NOT_LOGS.contains(&e.file_name().to_string_lossy().as_ref()) => {
                        found.push(e.into_path());
                    }
                    Ok(_) => {}
                    Err(source) => errors.push(SourceError::Walk { path: input.clone(), source }),
                }
            }
            // Each file's size and names, on every core: an S3 export tree holds tens of
            // thousands of objects.
            let described: Vec<_> = found.into_par_iter().map(|path| describe(path, &given_name)).collect();
            for file in described {
                match file {
                    Ok(file) => files.push(file),
                    Err(e) => errors.push(e),
                }
            }
        } else {
            errors.push(SourceError::Missing { path: input.clone() });
        }
    }
    (files, errors)
}

/// A file found in a directory given on the command line: its size and what its path says.
fn describe(path: PathBuf, given_name: &str) -> Result<InputFile, SourceError> {
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(source) => return Err(SourceError::Read { path, source }),
    };
    let own_name =
        if super::names::is_s3_export_object(&path) { given_name.to_string() } else { strip_extensions(&path) };
    Ok(InputFile {
        function_from_path: path_function(&path, &own_name),
        stream_from_path: path_stream(&path),
        path,
        size: Some(size),
        s3: None,
    })
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.to_string_lossy().starts_with('.')
}

#[cfg(test)]
mod tests {
    use super::*;

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
