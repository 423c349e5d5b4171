//! Turns the command line's INPUTs into a list of files, each with the
//! function name its path implies.

use super::names::{path_function, strip_extensions};
use super::{Anchored, InputFile, SharedNames, SourceError};
use rayon::prelude::*;
use rustix::fd::OwnedFd;
use rustix::fs::{AtFlags, FileType, Mode, OFlags};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

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
                path: input.as_path().into(),
                function_from_path: "stdin".into(),
                size: None,
                s3: None,
                anchored: None,
            });
            continue;
        }
        let given_name = strip_extensions(input);
        if let Some(meta) = std::fs::metadata(input).ok().filter(|m| m.is_file()) {
            files.push(InputFile {
                path: input.as_path().into(),
                function_from_path: path_function(input, &given_name).into(),
                size: Some(meta.len()),
                s3: None,
                anchored: None,
            });
        } else if input.is_dir() {
            let mut found = Vec::new();
            find_files(input, &mut found, &mut errors);
            // Each file's function, on every core: an S3 export tree holds tens of thousands of
            // objects. Then one string for each function's run of files.
            let functions: Vec<String> = found.par_iter().map(|(path, _, _)| function_of(path, &given_name)).collect();
            let mut names = SharedNames::default();
            files.reserve_exact(found.len());
            files.extend(found.into_iter().zip(functions).map(|((path, size, anchored), function)| InputFile {
                function_from_path: names.get(function),
                path,
                size: Some(size),
                s3: None,
                anchored,
            }));
        } else {
            errors.push(SourceError::Missing { path: input.clone() });
        }
    }
    (files, errors)
}

/// A file found, its size, and its path from a directory kept open above it.
type Found = (Arc<Path>, u64, Option<Anchored>);

/// A directory with at least this many entries is kept open for the files below it to be opened
/// from (an export's folder of log streams holds thousands).
pub(super) const WIDE: usize = 16;

/// At most this many directories are kept open (well under any limit of open files).
const MAX_KEPT: usize = 256;

/// Directories kept open so far by this process.
static KEPT: AtomicUsize = AtomicUsize::new(0);

/// Below this depth a directory is opened relative to its parent's open descriptor (one name for the
/// kernel to look up, not the whole path again); deeper, by its path, so that a very deep tree does
/// not hold a descriptor open for each level.
const RELATIVE_OPEN_DEPTH: usize = 32;

/// How a directory is opened to be listed.
const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::CLOEXEC);

/// The files under `dir` and their sizes, depth first in sorted order (as `walkdir` sorted by name
/// gives them), hidden ones skipped. Subdirectories are listed on every core: an S3 export tree is a
/// directory per log stream, tens of thousands of them. The kind of each entry comes with the
/// listing, and a file's size is asked of its directory as it is listed (no walk of the whole path
/// again). A link to a file is that file; a link to a directory is walked where it stands by
/// walkdir, which follows links under it and stops at loops.
fn find_files(dir: &std::path::Path, found: &mut Vec<Found>, errors: &mut Vec<SourceError>) {
    match rustix::fs::open(dir, DIR_FLAGS, Mode::empty()) {
        Ok(fd) => list(dir, fd, 0, None, found, errors),
        Err(e) => errors.push(SourceError::ListDir { path: dir.to_path_buf(), source: e.into() }),
    }
}

/// An entry of a directory: its name, its kind, and its size when it is a file.
type Entry = (std::ffi::OsString, FileType, std::io::Result<u64>);

/// The files under the open directory `fd`, whose path is `dir` (and `anchor`'s path from a directory
/// kept open above it).
fn list(
    dir: &std::path::Path,
    fd: OwnedFd,
    depth: usize,
    anchor: Option<Anchored>,
    found: &mut Vec<Found>,
    errors: &mut Vec<SourceError>,
) {
    let mut entries = match entries(&fd) {
        Ok(entries) => entries,
        Err(e) => return errors.push(SourceError::ListDir { path: dir.to_path_buf(), source: e }),
    };
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let anchor = keep_open(dir, &fd, entries.len()).or(anchor);
    // Deep down, the directory is let go before its subdirectories are listed (they open by path).
    let parent = (depth < RELATIVE_OPEN_DEPTH).then_some(fd);
    let visit = |(name, kind, size): Entry| {
        let (mut found, mut errors) = (Vec::new(), Vec::new());
        if is_hidden(&name) || is_not_logs(&name) {
            return (found, errors);
        }
        let path = join_exact(dir, &name);
        let anchored = anchor.clone();
        match kind {
            FileType::RegularFile => match size {
                Ok(size) => found.push((path.into(), size, anchored)),
                Err(source) => errors.push(SourceError::Read { path, source }),
            },
            FileType::Directory => {
                let opened = match &parent {
                    Some(at) => rustix::fs::openat(at, name.as_os_str(), DIR_FLAGS, Mode::empty()),
                    None => rustix::fs::open(&path, DIR_FLAGS, Mode::empty()),
                };
                match opened {
                    Ok(fd) => list(&path, fd, depth + 1, anchored, &mut found, &mut errors),
                    Err(e) => errors.push(SourceError::ListDir { path, source: e.into() }),
                }
            }
            FileType::Symlink => match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => found.push((path.into(), m.len(), None)),
                Ok(m) if m.is_dir() && links_to_ancestor(&path) => {
                    errors.push(SourceError::Loop { path });
                }
                Ok(m) if m.is_dir() => follow_linked_dir(&path, &mut found, &mut errors),
                _ => {}
            },
            _ => {}
        }
        (found, errors)
    };
    // An export's folder of a log stream holds one object: no work for another core in it.
    let parts: Vec<(Vec<Found>, Vec<SourceError>)> = match entries.len() {
        0 | 1 => entries.into_iter().map(visit).collect(),
        _ => entries.into_par_iter().map(visit).collect(),
    };
    for (f, e) in parts {
        found.extend(f);
        errors.extend(e);
    }
}

/// The entries of the open directory `fd` but `.` and `..`, in the order the file system gives
/// them. The kind of each comes with the listing; a file's size is asked of the directory.
fn entries(fd: &OwnedFd) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    each_entry(fd, |name, kind| {
        let stat = || rustix::fs::statat(fd, name, AtFlags::SYMLINK_NOFOLLOW);
        // Some file systems do not say the kind in the listing: it is asked for then.
        let kind = match kind {
            FileType::Unknown => stat().map_or(FileType::Unknown, |st| FileType::from_raw_mode(st.st_mode)),
            kind => kind,
        };
        let size = match kind {
            FileType::RegularFile => stat().map(|st| st.st_size as u64).map_err(std::io::Error::from),
            _ => Ok(0),
        };
        entries.push((name.to_os_string(), kind, size));
    })?;
    Ok(entries)
}

/// The room a directory is listed into, ample for the longest name (255 bytes) many times over.
#[cfg(target_os = "linux")]
const LISTING_ROOM: usize = 32 << 10;

/// Calls `each` with the name and kind of every entry of `fd` but `.` and `..`. On Linux, listed
/// into a buffer of this thread's, used again (`rustix::fs::Dir` allocates and zeroes one of 9 KiB
/// for each directory, and copies each name twice: an S3 export is a directory for each of its
/// tens of thousands of objects).
#[cfg(target_os = "linux")]
fn each_entry(fd: &OwnedFd, mut each: impl FnMut(&std::ffi::OsStr, FileType)) -> std::io::Result<()> {
    use std::cell::RefCell;
    thread_local! {
        static ROOM: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(LISTING_ROOM));
    }
    ROOM.with_borrow_mut(|room| {
        let mut listing = rustix::fs::RawDir::new(fd, room.spare_capacity_mut());
        while let Some(entry) = listing.next() {
            let entry = entry?;
            pass_on(entry.file_name(), entry.file_type(), &mut each);
        }
        Ok(())
    })
}

#[cfg(not(target_os = "linux"))]
fn each_entry(fd: &OwnedFd, mut each: impl FnMut(&std::ffi::OsStr, FileType)) -> std::io::Result<()> {
    let mut listing = rustix::fs::Dir::read_from(fd)?;
    while let Some(entry) = listing.read() {
        let entry = entry?;
        pass_on(entry.file_name(), entry.file_type(), &mut each);
    }
    Ok(())
}

/// Hands an entry to `each` unless it is `.` or `..`.
fn pass_on(name: &std::ffi::CStr, kind: FileType, each: &mut impl FnMut(&std::ffi::OsStr, FileType)) {
    let name = name.to_bytes();
    if name != b"." && name != b".." {
        each(std::ffi::OsStr::from_bytes(name), kind);
    }
}

/// A wide directory (see [`WIDE`]) kept open, while fewer than [`MAX_KEPT`] are: an anchor for the
/// paths below it (each of which begins with `dir` and a separator).
fn keep_open(dir: &Path, listing: &OwnedFd, entries: usize) -> Option<Anchored> {
    if entries < WIDE || KEPT.fetch_add(1, Ordering::Relaxed) >= MAX_KEPT {
        return None;
    }
    let fd = rustix::io::fcntl_dupfd_cloexec(listing, 0).ok()?;
    Some(Anchored { dir: Arc::new(fd), rel_from: dir.join("").as_os_str().len() })
}

/// A link to a directory that holds the link: following it would never end.
fn links_to_ancestor(link: &std::path::Path) -> bool {
    let (Ok(target), Some(Ok(here))) = (std::fs::canonicalize(link), link.parent().map(std::fs::canonicalize)) else {
        return false;
    };
    here.starts_with(target)
}

/// The files under a directory reached through a link, links under it followed.
fn follow_linked_dir(dir: &std::path::Path, found: &mut Vec<Found>, errors: &mut Vec<SourceError>) {
    let walker = walkdir::WalkDir::new(dir).follow_links(true).sort_by_file_name();
    for entry in walker.into_iter().filter_entry(|e| e.depth() == 0 || !is_hidden(e.file_name())) {
        match entry {
            Ok(e) if e.file_type().is_file() && !is_not_logs(e.file_name()) => match e.metadata() {
                Ok(m) => found.push((e.into_path().into(), m.len(), None)),
                Err(source) => errors.push(SourceError::Walk { path: dir.to_path_buf(), source }),
            },
            Ok(_) => {}
            Err(source) => errors.push(SourceError::Walk { path: dir.to_path_buf(), source }),
        }
    }
}

/// The function a file found in a directory given on the command line belongs to, by its path.
fn function_of(path: &Path, given_name: &str) -> String {
    let own_name =
        if super::names::is_s3_export_object(path) { given_name.to_string() } else { strip_extensions(path) };
    path_function(path, &own_name)
}

/// `dir` joined with `name` in one allocation of the size it needs (`Path::join` copies `dir`, then grows
/// the copy to twice its room for `name`): a file's is copied at once into its shared `Arc<Path>`, so
/// this is only the walk's passing garbage, once for each of an export tree's tens of thousands of files.
fn join_exact(dir: &Path, name: &std::ffi::OsStr) -> PathBuf {
    let mut path = PathBuf::with_capacity(dir.as_os_str().len() + 1 + name.len());
    path.push(dir);
    path.push(name);
    path
}

fn is_hidden(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b".")
}

fn is_not_logs(name: &std::ffi::OsStr) -> bool {
    NOT_LOGS.iter().any(|n| name == *n)
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
        let names: Vec<&str> = files.iter().map(|f| &*f.function_from_path).collect();
        assert_eq!(names, ["OrderFn", "PayFn", "recipes"]);
    }

    /// A folder of more entries than one read of it holds (each a long name) is listed whole, in
    /// name order, each file with its size.
    #[test]
    fn a_folder_longer_than_one_read_of_it_is_listed_whole() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("streams");
        std::fs::create_dir(&root).unwrap();
        // 400 names of 200 bytes: about 90 KB of listing, several reads of 32 KiB.
        let names: Vec<String> = (0..400).map(|i| format!("{i:04}-{}.log", "x".repeat(191))).collect();
        for (i, name) in names.iter().enumerate().rev() {
            std::fs::write(root.join(name), "y".repeat(i)).unwrap();
        }
        let (files, errors) = expand_inputs(std::slice::from_ref(&root));
        assert!(errors.is_empty(), "{errors:?}");
        let listed: Vec<(String, u64)> = files
            .iter()
            .map(|f| (f.path.file_name().unwrap().to_string_lossy().into_owned(), f.size.unwrap()))
            .collect();
        let expected: Vec<(String, u64)> = names.into_iter().enumerate().map(|(i, n)| (n, i as u64)).collect();
        assert_eq!(listed, expected);
    }

    /// Depth first in name order, as walkdir gives it; hidden entries and S3's write test left out;
    /// links followed, a loop reported once and the rest still found.
    #[test]
    fn walk_order_hidden_files_and_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("in");
        for d in ["b/d", "a", ".hidden", "c"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in ["b/d/2.log", "b/1.log", "b/z.log", "a/0.log", ".hidden/x.log", ".dot.log", "c/aws-logs-write-test"] {
            std::fs::write(root.join(f), "").unwrap();
        }
        std::os::unix::fs::symlink("../a/0.log", root.join("c/link.log")).unwrap();
        std::os::unix::fs::symlink("../b", root.join("c/linked")).unwrap();
        std::os::unix::fs::symlink("..", root.join("b/d/loop")).unwrap();
        let (files, errors) = expand_inputs(std::slice::from_ref(&root));
        let rel: Vec<String> =
            files.iter().map(|f| f.path.strip_prefix(&root).unwrap().display().to_string()).collect();
        assert_eq!(
            rel,
            [
                "a/0.log",
                "b/1.log",
                "b/d/2.log",
                "b/z.log",
                "c/link.log",
                "c/linked/1.log",
                "c/linked/d/2.log",
                "c/linked/z.log"
            ]
        );
        // The loop is named (once for each way to it: `b/d/loop`, `c/linked/d/loop`); the files
        // around it are still found, once each.
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors.iter().all(|e| e.to_string().contains("loop")), "{errors:?}");
    }
}
