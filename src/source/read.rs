//! The one way an input is read: opened (disk, S3 or standard input),
//! inflated, sniffed, and handed on as an [`Input`]: whole bytes (small files,
//! tables, decoded payloads) or blocks of lines (large log text), so that the
//! stages after this one only scan and fold.

use super::blocks::{Block, Blocks};
use super::decompress::{inflate_whole_bounded, GZIP_MAGIC, INFLATE_WHOLE_MAX, WHOLE_FILE_MAX, WHOLE_TABLE_MAX};
use super::{payload, sniff, Format, InputFile, SourceError};
use flate2::read::MultiGzDecoder;
use std::io::{BufRead, BufReader, Read};

/// The read buffer of a file, an S3 body or standard input.
const READ_BUFFER: usize = 1 << 20;

/// How inputs are read: what the command line says about them.
#[derive(Debug, Clone, Copy)]
pub struct ReadSettings<'a> {
    /// A format forced for every input (`--format`); else each is sniffed.
    pub format: Option<Format>,
    /// The columns a `csv_map` names: a CSV holding them is read as a table.
    pub csv_columns: &'a [&'a str],
    /// The size of the blocks large log text is handed on in.
    pub block_bytes: usize,
    /// The longest line a stream may hold (`--max-line-bytes`).
    pub max_line_bytes: usize,
}

/// An input, read.
pub struct Input {
    pub format: Format,
    /// Bytes on disk (or in S3); 0 for standard input.
    pub on_disk: u64,
    pub content: Content,
}

pub enum Content {
    /// Every byte, with the uncompressed size of the file as read (before any
    /// payload decoding).
    Whole { bytes: Vec<u8>, uncompressed: u64 },
    /// Log text in blocks that end at line boundaries.
    Blocks(Blocks),
}

impl InputFile {
    /// Opens, inflates and sniffs the file. Small files are read whole, as are
    /// tables and payload files of any size (up to [`WHOLE_TABLE_MAX`]); large
    /// log text comes as blocks. Every error names the file.
    pub fn read(&self, s: &ReadSettings) -> Result<Input, SourceError> {
        let sniff = |head: &[u8]| s.format.unwrap_or_else(|| sniff(head, &self.path, s.csv_columns));
        let (raw, on_disk) = self.open(s)?;
        let (format, bytes) = match raw {
            Content::Whole { bytes, .. } => (sniff(&bytes), bytes),
            Content::Blocks(mut blocks) => {
                let first = blocks.next_block()?.unwrap_or_else(Block::empty);
                let format = sniff(&first);
                if format.is_log_text() {
                    blocks.unread(first);
                    return Ok(Input { format, on_disk, content: Content::Blocks(blocks) });
                }
                (format, drain(&self.path, &first, blocks)?)
            }
        };
        let uncompressed = bytes.len() as u64;
        let bytes = if format == Format::Subscription && payload::is_base64_gzip(&bytes) {
            payload::decode(&bytes, WHOLE_TABLE_MAX)
                .map_err(|source| SourceError::Decode { path: self.path.to_path_buf(), source })?
        } else {
            bytes
        };
        Ok(Input { format, on_disk, content: Content::Whole { bytes, uncompressed } })
    }

    /// The file's bytes, inflated: whole when small (a small gzip object by
    /// what it inflates to), else as blocks (read by the cores that scan them
    /// when it is a large plain local file). Large files are read, not mapped:
    /// on virtual machines whose kernel flushes the TLB on every entry, scanning
    /// mapped pages took three times as long as scanning a buffer used again
    /// (`bench/src/bin/readscan.rs`).
    fn open(&self, s: &ReadSettings) -> Result<(Content, u64), SourceError> {
        let read_err = |source| SourceError::Read { path: self.path.to_path_buf(), source };
        let on_disk = self.size.unwrap_or(0);
        let s3_err = |source| SourceError::S3 { url: self.path.display().to_string(), source };
        let blocks =
            |inner| Content::Blocks(Blocks::new(self.path.to_path_buf(), inner, s.block_bytes, s.max_line_bytes));
        if !self.is_stdin() && on_disk <= WHOLE_FILE_MAX {
            // Read whole into a buffer of its size: no read buffer of its own for each of an
            // export's thousands of small objects.
            let bytes = match &self.s3 {
                Some(object) => {
                    let mut bytes = Vec::with_capacity(on_disk as usize + 1);
                    object.open().map_err(s3_err)?.read_to_end(&mut bytes).map(|_| bytes)
                }
                None => read_whole(self, on_disk as usize),
            }
            .map_err(read_err)?;
            if !bytes.starts_with(&GZIP_MAGIC) {
                return Ok((Content::Whole { uncompressed: bytes.len() as u64, bytes }, on_disk));
            }
            let gz_err = |source| SourceError::Gzip { path: self.path.to_path_buf(), source };
            // A small object that inflates past the whole-file limit (a gzip bomb, or just
            // very compressible text) streams instead: memory stays bounded whatever the ratio.
            let content = match inflate_whole_bounded(&bytes, INFLATE_WHOLE_MAX).map_err(gz_err)? {
                Some(text) => {
                    super::spare::give_back(bytes);
                    Content::Whole { uncompressed: text.len() as u64, bytes: text }
                }
                None => blocks(gunzip(std::io::Cursor::new(bytes))),
            };
            return Ok((content, on_disk));
        }
        let mut reader: Box<dyn BufRead + Send> = if self.is_stdin() {
            Box::new(BufReader::with_capacity(READ_BUFFER, std::io::stdin()))
        } else if let Some(object) = &self.s3 {
            Box::new(BufReader::with_capacity(READ_BUFFER, object.open().map_err(s3_err)?))
        } else {
            let file = std::fs::File::open(&self.path).map_err(read_err)?;
            if !starts_with_gzip_magic(&file).map_err(read_err)? {
                // Blocks are read straight into their buffers: a read buffer would be one more
                // copy, and memory fresh from the kernel.
                return Ok((
                    Content::Blocks(Blocks::file(self.path.to_path_buf(), file, s.block_bytes, s.max_line_bytes)),
                    on_disk,
                ));
            }
            Box::new(BufReader::with_capacity(READ_BUFFER, file))
        };
        let gzip = reader.fill_buf().map_err(read_err)?.starts_with(&GZIP_MAGIC);
        Ok((if gzip { blocks(gunzip(reader)) } else { blocks(reader) }, on_disk))
    }
}

/// Whether a local file begins as gzip does (read where it is: the file's position stays at 0).
fn starts_with_gzip_magic(file: &std::fs::File) -> std::io::Result<bool> {
    use std::os::unix::fs::FileExt;
    let mut head = [0u8; GZIP_MAGIC.len()];
    let mut got = 0;
    while got < head.len() {
        match file.read_at(&mut head[got..], got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(head[..got] == GZIP_MAGIC)
}

/// A local file's bytes, read into a buffer with room for the size it was listed with and one byte
/// more (one of this thread's used again, [`super::spare`], so often more). A single read when its
/// size has not changed: one that gives exactly the listed size without filling the buffer is taken
/// as the end (a file grown since gives more than its listed size and is read on; any other short
/// read is read on until a read gives nothing). `File::read_to_end` would `stat` and `seek`
/// for a size hint this buffer already has, and read once more for the end; through `take`, with
/// no hint, it reads 8 KiB first and doubles, three reads for most objects of an S3 export.
fn read_whole(input: &InputFile, size: usize) -> std::io::Result<Vec<u8>> {
    let file = match input.anchored_path() {
        Some((dir, rel)) => std::fs::File::from(rustix::fs::openat(
            dir,
            rel,
            rustix::fs::OFlags::RDONLY | rustix::fs::OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )?),
        None => std::fs::File::open(&input.path)?,
    };
    let mut bytes = super::spare::take(size + 1);
    loop {
        if bytes.len() == bytes.capacity() {
            // Grown since it was listed.
            bytes.reserve(bytes.capacity());
        }
        match rustix::io::read(&file, rustix::buffer::spare_capacity(&mut bytes)) {
            Ok(0) => return Ok(bytes),
            Ok(_) if bytes.len() == size && bytes.len() < bytes.capacity() => return Ok(bytes),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

fn gunzip(inner: impl Read + Send + 'static) -> Box<dyn BufRead + Send> {
    Box::new(BufReader::with_capacity(READ_BUFFER, MultiGzDecoder::new(inner)))
}

/// The rest of a stream after its `first` block, all of it (a table or a
/// payload file is read whole), up to [`WHOLE_TABLE_MAX`].
fn drain(path: &std::path::Path, first: &[u8], mut blocks: Blocks) -> Result<Vec<u8>, SourceError> {
    let mut all = first.to_vec();
    while let Some(block) = blocks.next_block()? {
        all.extend_from_slice(&block);
        if all.len() > WHOLE_TABLE_MAX {
            return Err(SourceError::TooLarge { path: path.to_path_buf(), limit: WHOLE_TABLE_MAX });
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{expand_inputs, walk::WIDE};

    /// Files below a wide folder are opened from it (two names, not the whole path), and read whole
    /// however their size changed since they were listed.
    #[test]
    fn files_read_from_a_kept_folder_as_by_their_path() {
        let dir = tempfile::tempdir().unwrap();
        let streams = dir.path().join("fn/2026/11/01");
        for i in 0..WIDE + 2 {
            let stream = streams.join(format!("[$LATEST]{i:032x}"));
            std::fs::create_dir_all(&stream).unwrap();
            std::fs::write(stream.join("000000.gz"), format!("object {i}\n").repeat(i * 700)).unwrap();
        }
        let (files, errors) = expand_inputs(&[dir.path().to_path_buf()]);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(files.len(), WIDE + 2);
        for (i, f) in files.iter().enumerate() {
            let (_, rel) = f.anchored_path().expect("below a wide folder");
            assert_eq!(*f.path, streams.join(rel), "{}", f.path.display());
            assert_eq!(rel.components().count(), 2);
            // Grown, shrunk or kept since it was listed: read to its end all the same.
            let now = match i % 3 {
                0 => format!("object {i}\n").repeat(i * 700 + 3000),
                1 => "shorter\n".to_string(),
                _ => std::fs::read_to_string(&f.path).unwrap(),
            };
            std::fs::write(&f.path, &now).unwrap();
            let read = read_whole(f, f.size.unwrap() as usize).unwrap();
            assert_eq!(read, now.as_bytes(), "{}", f.path.display());
            let by_path = InputFile { anchored: None, ..f.clone() };
            assert_eq!(read_whole(&by_path, 0).unwrap(), now.as_bytes());
        }
    }
}
