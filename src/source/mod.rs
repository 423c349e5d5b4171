//! Sources: find the input files, read (and inflate) them, sniff their shape.

pub mod decompress;
pub mod s3;
pub mod sniff;
pub mod walk;

pub use decompress::{open, Blocks, Opened};
pub use sniff::{sniff, Format};
pub use walk::{expand_inputs, InputFile};

use std::path::PathBuf;
use thiserror::Error;

/// An input that could not be read. Every variant names the file.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: corrupt or truncated gzip data: {source}")]
    Gzip { path: PathBuf, source: std::io::Error },
    #[error("{path}: cannot decode: {message}")]
    Decode { path: PathBuf, message: String },
    #[error("{path}: no such file or directory")]
    Missing { path: PathBuf },
    #[error("{path}: cannot walk directory: {source}")]
    Walk { path: PathBuf, source: walkdir::Error },
    #[error("{path}: a line longer than {limit} bytes; not read further (raise --max-line-bytes to read it)")]
    LineTooLong { path: PathBuf, limit: usize },
    #[error("{url}: {message}")]
    S3 { url: String, message: String },
    #[error("{path}: a table or payload file larger than {limit} bytes (read whole, so not read at all)")]
    TooLarge { path: PathBuf, limit: usize },
}
