//! Sources: find the input files ([`expand_inputs`], [`s3::expand`]), read
//! and inflate them, decode payloads and sniff their shape
//! ([`InputFile::read`]). Needs nothing of the later stages.

pub mod blocks;
pub mod decompress;
pub mod names;
pub mod payload;
pub mod read;
pub mod s3;
pub mod sniff;
pub mod spare;
pub mod walk;

pub use blocks::{release_spare_buffers, Block, Blocks};
pub use decompress::MAX_LINE_BYTES_DEFAULT;
pub use read::{Content, Input, ReadSettings};
pub use sniff::{sniff, Format};
pub use walk::expand_inputs;

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// An input that could not be read. Every variant names the file.
#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: corrupt or truncated gzip data: {source}")]
    Gzip { path: PathBuf, source: std::io::Error },
    #[error("{path}: cannot decode: {source}")]
    Decode { path: PathBuf, source: payload::PayloadError },
    #[error("{path}: no such file or directory")]
    Missing { path: PathBuf },
    #[error("{path}: cannot walk directory: {source}")]
    Walk { path: PathBuf, source: walkdir::Error },
    #[error("{path}: a link to a directory that holds it (a file system loop); not followed")]
    Loop { path: PathBuf },
    #[error("{path}: cannot list directory: {source}")]
    ListDir { path: PathBuf, source: std::io::Error },
    #[error("{path}: a line longer than {limit} bytes; not read further (raise --max-line-bytes to read it)")]
    LineTooLong { path: PathBuf, limit: usize },
    #[error("{url}: {source}")]
    S3 { url: String, source: s3::S3Error },
    #[error("{path}: a table or payload file larger than {limit} bytes (read whole, so not read at all)")]
    TooLarge { path: PathBuf, limit: usize },
}

/// One file to read; `path` is `-` for standard input.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Shared with the file's report ([`crate::aggregate::FileReport`]).
    pub path: Arc<Path>,
    /// The function name the path implies: a component after `aws/lambda/`;
    /// else, for a file found in a directory, its own name (a folder of one
    /// `FN.json` per function); else (a file given itself, or an S3 export
    /// object, all named `000000.gz`) the name of the file or directory given
    /// on the command line. Without extensions, always.
    /// One string shared by every file of the function (an export tree has tens of thousands).
    pub function_from_path: Arc<str>,
    /// Its size in bytes, noted once when it was found (an S3 object's from the
    /// listing); `None` for standard input.
    pub size: Option<u64>,
    /// Where to read it when it is an S3 object (`path` is then its `s3://` URL); boxed, as most
    /// inputs are local files (an export tree's tens of thousands).
    pub s3: Option<Box<s3::S3Object>>,
    /// A directory above it, kept open by the walk, and its path from there.
    pub anchored: Option<Anchored>,
}

/// A directory kept open above a file: opening `<stream>/000000.gz` from the folder of an export's
/// streams looks up two names, not every name of the whole path again (the lookups were a
/// twentieth of the CPU time of reading an export tree).
#[derive(Debug, Clone)]
pub struct Anchored {
    pub dir: Arc<std::os::fd::OwnedFd>,
    /// Where the file's path from `dir` starts in its whole path (the path is not kept twice).
    pub rel_from: usize,
}

/// One shared string for each run of equal function names: files are listed in path order, a
/// function's together.
#[derive(Default)]
pub(crate) struct SharedNames(Option<Arc<str>>);

impl SharedNames {
    pub(crate) fn get(&mut self, name: String) -> Arc<str> {
        match &self.0 {
            Some(last) if **last == *name => last.clone(),
            _ => self.0.insert(name.into()).clone(),
        }
    }
}

impl InputFile {
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }

    /// The log stream an S3 export object's key names (`…/<stream>/000000.gz`), read from the path
    /// when asked for (not kept for each of an export's objects).
    pub fn stream_from_path(&self) -> Option<String> {
        names::path_stream(&self.path)
    }

    /// Its path from the directory kept open above it, if one is.
    pub fn anchored_path(&self) -> Option<(&OwnedFd, &Path)> {
        use std::os::unix::ffi::OsStrExt;
        let a = self.anchored.as_ref()?;
        let rel = self.path.as_os_str().as_bytes().get(a.rel_from..)?;
        Some((&a.dir, Path::new(std::ffi::OsStr::from_bytes(rel))))
    }
}
