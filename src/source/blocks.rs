//! Large log text in blocks that end at line boundaries, so that memory does
//! not grow with the size of the text: read from a stream (standard input, an
//! S3 body, a gzip stream), or ranges of a mapped local file (no copy out of
//! the page cache).

use super::SourceError;
use memmap2::{Advice, Mmap, UncheckedAdvice};
use std::io::{BufRead, Read};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;

/// A line longer than `--max-line-bytes`.
#[derive(Debug)]
pub struct LineTooLong(pub usize);

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a line longer than {} bytes", self.0)
    }
}

impl std::error::Error for LineTooLong {}

/// One block of whole lines (the last may lack its newline).
pub enum Block {
    Owned(Vec<u8>),
    Mapped(MappedRange),
}

impl Deref for Block {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Block::Owned(bytes) => bytes,
            Block::Mapped(range) => &range.map[range.start..range.end],
        }
    }
}

impl Block {
    /// Maps a mapped range's pages in one system call before they are read. Page by page, each
    /// first read of a page is a fault; on some virtual machines a fault costs several
    /// microseconds, and the faults were half the system time of a large text file. A kernel
    /// older than 5.14 refuses the call, and the pages fault in as before.
    pub fn populate(&self) {
        if let Block::Mapped(range) = self {
            let _ = range.map.advise_range(Advice::PopulateRead, range.start, range.end - range.start);
        }
    }
}

/// A range of a mapped file. Dropping it gives its pages back (the file stays in the
/// page cache): the process holds only the blocks in flight, however large the file.
pub struct MappedRange {
    map: Arc<Mmap>,
    start: usize,
    end: usize,
}

impl Drop for MappedRange {
    fn drop(&mut self) {
        // SAFETY: the mapping is read-only and private and nothing ever writes to it, so
        // MADV_DONTNEED loses no data: a later read of these pages (a neighbouring block
        // sharing a page) faults them in again from the file, with the same bytes.
        // Failure only means the pages stay mapped a little longer.
        let _ =
            unsafe { self.map.unchecked_advise_range(UncheckedAdvice::DontNeed, self.start, self.end - self.start) };
    }
}

/// Blocks of about `block_size` bytes that end at a newline (a line longer
/// than a block makes its block longer).
pub struct Blocks {
    path: PathBuf,
    from: From,
    /// A block read ahead (to sniff the format), handed out first.
    peeked: Option<Block>,
    block_size: usize,
    /// A block without a newline past this many bytes is an error, not more memory.
    max_line: usize,
    /// Bytes handed out so far (uncompressed).
    yielded: u64,
}

enum From {
    Stream { inner: Box<dyn BufRead + Send>, carry: Vec<u8>, done: bool },
    Map { map: Arc<Mmap>, pos: usize },
}

impl Blocks {
    /// Blocks read from a stream.
    pub fn new(path: PathBuf, inner: Box<dyn BufRead + Send>, block_size: usize, max_line: usize) -> Blocks {
        let from = From::Stream { inner, carry: Vec::new(), done: false };
        Blocks { path, from, peeked: None, block_size, max_line, yielded: 0 }
    }

    /// Blocks that are ranges of a mapped file.
    pub fn mapped(path: PathBuf, map: Mmap, block_size: usize, max_line: usize) -> Blocks {
        let from = From::Map { map: Arc::new(map), pos: 0 };
        Blocks { path, from, peeked: None, block_size, max_line, yielded: 0 }
    }

    /// The next block, reusing a buffer from `spare` when it reads; `None` at
    /// the end of the input. Errors name the file.
    pub fn next_block(&mut self, spare: &mut Vec<Vec<u8>>) -> Result<Option<Block>, SourceError> {
        let block = match self.peeked.take() {
            Some(block) => Some(block),
            None => self.read_block(spare)?,
        };
        self.yielded += block.as_ref().map_or(0, |b| b.len() as u64);
        Ok(block)
    }

    /// Up to `n` next blocks (fewer at the end), reusing the buffers in `spare`.
    pub fn next_blocks(&mut self, n: usize, spare: &mut Vec<Vec<u8>>) -> Result<Vec<Block>, SourceError> {
        let mut blocks = Vec::with_capacity(n);
        while blocks.len() < n {
            let Some(block) = self.next_block(spare)? else { break };
            blocks.push(block);
        }
        Ok(blocks)
    }

    /// Puts a block back, to be handed out next.
    pub(super) fn unread(&mut self, block: Block) {
        self.yielded -= block.len() as u64;
        self.peeked = Some(block);
    }

    /// Whether the blocks are ranges of a mapped file: they hold no buffer, so all of them can be
    /// in flight at once.
    pub fn is_mapped(&self) -> bool {
        matches!(self.from, From::Map { .. })
    }

    /// The uncompressed bytes handed out so far.
    pub fn yielded(&self) -> u64 {
        self.yielded
    }

    fn read_block(&mut self, spare: &mut Vec<Vec<u8>>) -> Result<Option<Block>, SourceError> {
        let too_long = |path: &PathBuf, limit| SourceError::LineTooLong { path: path.clone(), limit };
        match &mut self.from {
            From::Map { map, pos } => {
                let start = *pos;
                if start >= map.len() {
                    return Ok(None);
                }
                let end = match line_end_near(&map[start..], self.block_size, self.max_line) {
                    Some(len) => start + len,
                    None => return Err(too_long(&self.path, self.max_line)),
                };
                *pos = end;
                Ok(Some(Block::Mapped(MappedRange { map: map.clone(), start, end })))
            }
            From::Stream { inner, carry, done } => {
                let mut out = spare.pop().unwrap_or_default();
                match read_stream_block(inner, carry, done, &mut out, &mut self.block_size, self.max_line) {
                    Ok(true) => Ok(Some(Block::Owned(out))),
                    Ok(false) => Ok(None),
                    Err(e) if e.get_ref().is_some_and(|e| e.is::<LineTooLong>()) => {
                        Err(too_long(&self.path, self.max_line))
                    }
                    Err(e) => Err(io_error(&self.path, e)),
                }
            }
        }
    }
}

/// The length of the first block of `text`: up to the last newline within
/// `block_size` bytes, or the first newline after it; all of it at its end.
/// `None` when no newline comes within `max_line` bytes.
fn line_end_near(text: &[u8], block_size: usize, max_line: usize) -> Option<usize> {
    if text.len() <= block_size {
        return Some(text.len());
    }
    if let Some(i) = memchr::memrchr(b'\n', &text[..block_size]) {
        return Some(i + 1);
    }
    let reach = text.len().min(max_line.max(block_size));
    match memchr::memchr(b'\n', &text[block_size..reach]) {
        Some(i) => Some(block_size + i + 1),
        None if reach == text.len() => Some(text.len()),
        None => None,
    }
}

fn read_stream_block(
    inner: &mut Box<dyn BufRead + Send>,
    carry: &mut Vec<u8>,
    done: &mut bool,
    out: &mut Vec<u8>,
    block_size: &mut usize,
    max_line: usize,
) -> std::io::Result<bool> {
    out.clear();
    out.append(carry);
    if *done {
        return Ok(!out.is_empty());
    }
    loop {
        if out.len() < *block_size {
            // Reads into the vector's spare capacity: no zero-filling.
            let want = (*block_size - out.len()) as u64;
            out.reserve(want as usize);
            let n = inner.take(want).read_to_end(out)?;
            if (n as u64) < want {
                *done = true;
                return Ok(!out.is_empty());
            }
        }
        if let Some(i) = memchr::memrchr(b'\n', out) {
            carry.extend_from_slice(&out[i + 1..]);
            out.truncate(i + 1);
            return Ok(true);
        }
        // No newline yet: a very long line; keep reading, up to the limit.
        if out.len() >= max_line {
            *done = true;
            return Err(std::io::Error::other(LineTooLong(max_line)));
        }
        *block_size = (*block_size * 2).min(max_line.max(out.len() + 1));
    }
}

fn io_error(path: &std::path::Path, source: std::io::Error) -> SourceError {
    match source.kind() {
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => {
            SourceError::Gzip { path: path.to_path_buf(), source }
        }
        _ => SourceError::Read { path: path.to_path_buf(), source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn all_blocks(mut blocks: Blocks) -> Result<Vec<Vec<u8>>, SourceError> {
        let mut got = Vec::new();
        let mut spare = Vec::new();
        while let Some(b) = blocks.next_block(&mut spare)? {
            got.push(b.to_vec());
        }
        Ok(got)
    }

    fn mapped(text: &[u8], block_size: usize, max_line: usize) -> Blocks {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        // SAFETY: a private temporary file that nothing else writes.
        let map = unsafe { Mmap::map(&file) }.unwrap();
        Blocks::mapped("t".into(), map, block_size, max_line)
    }

    #[test]
    fn blocks_end_at_newlines_and_cover_everything() {
        let text = b"aaaa\nbbbbbbbbbbbb\ncc\nd".to_vec();
        let streamed = Blocks::new("t".into(), Box::new(std::io::Cursor::new(text.clone())), 3, 1 << 20);
        for got in [all_blocks(streamed).unwrap(), all_blocks(mapped(&text, 3, 1 << 20)).unwrap()] {
            // Every block but the last ends at a newline; together they are the text.
            assert!(got.len() > 1 && got[..got.len() - 1].iter().all(|b| b.ends_with(b"\n")), "{got:?}");
            assert_eq!(got.concat(), text);
        }
        // A mapped file cuts where a stream does: at the last newline within the block size.
        let text = b"ab\ncd\nef\ngh\n".to_vec();
        assert_eq!(all_blocks(mapped(&text, 7, 100)).unwrap(), [b"ab\ncd\n".to_vec(), b"ef\ngh\n".to_vec()]);
    }

    #[test]
    fn a_line_past_the_limit_is_an_error_naming_the_file() {
        let text = [vec![b'x'; 50], b"\nshort\n".to_vec()].concat();
        for blocks in
            [Blocks::new("t".into(), Box::new(std::io::Cursor::new(text.clone())), 8, 16), mapped(&text, 8, 16)]
        {
            match all_blocks(blocks) {
                Err(SourceError::LineTooLong { path, limit: 16 }) => assert_eq!(path, PathBuf::from("t")),
                other => panic!("{:?}", other.map(|_| ())),
            }
        }
        // Within the limit, a long line makes its block longer.
        assert_eq!(all_blocks(mapped(&text, 8, 64)).unwrap().concat(), text);
    }
}
