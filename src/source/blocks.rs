//! Large log text in blocks that end at line boundaries, so that memory does
//! not grow with the size of the text: read from a plain file, a stream
//! (standard input, an S3 body, a gzip stream), into buffers used again.

use super::spare::Pool;
use super::SourceError;
use std::io::{BufRead, Read};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Mutex;

/// A line longer than `--max-line-bytes`.
#[derive(Debug)]
pub struct LineTooLong(pub usize);

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a line longer than {} bytes", self.0)
    }
}

impl std::error::Error for LineTooLong {}

/// One block of whole lines (the last may lack its newline), in a buffer that goes back to be read
/// into again when the block is dropped.
pub struct Block(Vec<u8>);

impl Deref for Block {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl Block {
    /// No lines (what an empty input holds).
    pub(super) fn empty() -> Block {
        Block(Vec::new())
    }
}

impl Drop for Block {
    fn drop(&mut self) {
        give_back(std::mem::take(&mut self.0));
    }
}

/// Buffers of blocks already scanned, for the next blocks of any file: reading 1.3 GB of text
/// through buffers used once was 25,000 page faults.
static SPARE: Mutex<Pool> = Mutex::new(Pool::new(SPARE_MAX, SPARE_MAX_BYTES));

/// Buffers kept at most: one for each block in flight (being read, waiting, being scanned) on a
/// machine of a few cores.
const SPARE_MAX: usize = 16;

/// A buffer larger than this (a block grown around a very long line) is let go, not kept.
const SPARE_MAX_BYTES: usize = 16 << 20;

fn take_spare() -> Vec<u8> {
    SPARE.lock().unwrap().take()
}

fn give_back(buf: Vec<u8>) {
    SPARE.lock().unwrap().give_back(buf);
}

/// Lets go of the buffers kept (once every input is read, before the memory the summary needs).
pub fn release_spare_buffers() {
    SPARE.lock().unwrap().clear();
}

/// Blocks of about `block_size` bytes that end at a newline (a line longer
/// than a block makes its block longer).
pub struct Blocks {
    path: PathBuf,
    from: From,
    /// The end of the last line read so far and what followed it.
    carry: Vec<u8>,
    done: bool,
    /// A block read ahead (to sniff the format), handed out first.
    peeked: Option<Block>,
    block_size: usize,
    /// A block without a newline past this many bytes is an error, not more memory.
    max_line: usize,
    /// Bytes handed out so far (uncompressed).
    yielded: u64,
}

/// Where the blocks come from.
enum From {
    /// A plain local file: reading a block is a copy out of the page cache, done by the core that
    /// scans it.
    File(std::fs::File),
    /// A stream that inflates or waits on the network (it gets a thread of its own).
    Stream(Box<dyn BufRead + Send>),
}

impl From {
    /// Appends up to `want` bytes to `out` (fewer only at the end); gives how many.
    fn read(&mut self, out: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
        out.reserve(want);
        match self {
            From::Stream(inner) => inner.take(want as u64).read_to_end(out),
            From::File(file) => read_file(file, out, want),
        }
    }
}

/// Appends up to `want` bytes of `file` to `out`, whose spare capacity holds them, in reads as large
/// as that (`Read::read_to_end` starts at 8 KiB and doubles: ten calls for each 4 MiB block).
fn read_file(file: &std::fs::File, out: &mut Vec<u8>, want: usize) -> std::io::Result<usize> {
    let mut got = 0;
    while got < want {
        let n = match rustix::io::read(file, &mut out.spare_capacity_mut()[..want - got]) {
            Ok((read, _)) => read.len(),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            break;
        }
        // SAFETY: `read` initialised the first `n` bytes of the spare capacity.
        unsafe { out.set_len(out.len() + n) };
        got += n;
    }
    Ok(got)
}

impl Blocks {
    /// Blocks read from a stream.
    pub fn new(path: PathBuf, inner: Box<dyn BufRead + Send>, block_size: usize, max_line: usize) -> Blocks {
        Blocks::from(path, From::Stream(inner), block_size, max_line)
    }

    /// Blocks read from a plain local file.
    pub fn file(path: PathBuf, file: std::fs::File, block_size: usize, max_line: usize) -> Blocks {
        Blocks::from(path, From::File(file), block_size, max_line)
    }

    fn from(path: PathBuf, from: From, block_size: usize, max_line: usize) -> Blocks {
        let (carry, done, peeked, yielded) = (Vec::new(), false, None, 0);
        Blocks { path, from, carry, done, peeked, block_size, max_line, yielded }
    }

    /// The next block; `None` at the end of the input. Errors name the file.
    pub fn next_block(&mut self) -> Result<Option<Block>, SourceError> {
        let block = match self.peeked.take() {
            Some(block) => Some(block),
            None => self.read_block()?,
        };
        self.yielded += block.as_ref().map_or(0, |b| b.len() as u64);
        Ok(block)
    }

    /// Puts a block back, to be handed out next.
    pub(super) fn unread(&mut self, block: Block) {
        self.yielded -= block.len() as u64;
        self.peeked = Some(block);
    }

    /// Whether the blocks come from a plain local file: reading the next one is a copy, cheap
    /// enough for the core that is to scan it.
    pub fn is_plain_file(&self) -> bool {
        matches!(self.from, From::File(_))
    }

    /// The uncompressed bytes handed out so far.
    pub fn yielded(&self) -> u64 {
        self.yielded
    }

    fn read_block(&mut self) -> Result<Option<Block>, SourceError> {
        let mut out = take_spare();
        match self.fill(&mut out) {
            Ok(true) => Ok(Some(Block(out))),
            Ok(false) => {
                give_back(out);
                Ok(None)
            }
            Err(e) => {
                give_back(out);
                match e.get_ref().is_some_and(|e| e.is::<LineTooLong>()) {
                    true => Err(SourceError::LineTooLong { path: self.path.clone(), limit: self.max_line }),
                    false => Err(io_error(&self.path, e)),
                }
            }
        }
    }

    /// Fills `out` with the next block: the carried end of the last one, then whole lines up to the
    /// block size (longer only for a line longer than a block); whether it holds anything.
    fn fill(&mut self, out: &mut Vec<u8>) -> std::io::Result<bool> {
        out.clear();
        out.append(&mut self.carry);
        if self.done {
            return Ok(!out.is_empty());
        }
        loop {
            if out.len() < self.block_size {
                // Reads into the vector's spare capacity: no zero-filling.
                let want = self.block_size - out.len();
                let n = self.from.read(out, want)?;
                if n < want {
                    self.done = true;
                    return Ok(!out.is_empty());
                }
            }
            if let Some(i) = memchr::memrchr(b'\n', out) {
                self.carry.extend_from_slice(&out[i + 1..]);
                out.truncate(i + 1);
                return Ok(true);
            }
            // No newline yet: a very long line; keep reading, up to the limit.
            if out.len() >= self.max_line {
                self.done = true;
                return Err(std::io::Error::other(LineTooLong(self.max_line)));
            }
            self.block_size = (self.block_size * 2).min(self.max_line.max(out.len() + 1));
        }
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
    use std::io::{Seek, Write};

    fn all_blocks(mut blocks: Blocks) -> Result<Vec<Vec<u8>>, SourceError> {
        let mut got = Vec::new();
        while let Some(b) = blocks.next_block()? {
            got.push(b.to_vec());
        }
        Ok(got)
    }

    fn stream(text: &[u8], block_size: usize, max_line: usize) -> Blocks {
        Blocks::new("t".into(), Box::new(std::io::Cursor::new(text.to_vec())), block_size, max_line)
    }

    fn file(text: &[u8], block_size: usize, max_line: usize) -> Blocks {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        file.rewind().unwrap();
        Blocks::file("t".into(), file, block_size, max_line)
    }

    #[test]
    fn blocks_end_at_newlines_and_cover_everything() {
        let text = b"aaaa\nbbbbbbbbbbbb\ncc\nd".to_vec();
        for blocks in [stream(&text, 3, 1 << 20), file(&text, 3, 1 << 20)] {
            let got = all_blocks(blocks).unwrap();
            // Every block but the last ends at a newline; together they are the text.
            assert!(got.len() > 1 && got[..got.len() - 1].iter().all(|b| b.ends_with(b"\n")), "{got:?}");
            assert_eq!(got.concat(), text);
        }
        // A block ends at the last newline within the block size.
        let text = b"ab\ncd\nef\ngh\n".to_vec();
        assert_eq!(all_blocks(file(&text, 7, 100)).unwrap(), [b"ab\ncd\n".to_vec(), b"ef\ngh\n".to_vec()]);
    }

    #[test]
    fn a_line_past_the_limit_is_an_error_naming_the_file() {
        let text = [vec![b'x'; 50], b"\nshort\n".to_vec()].concat();
        for blocks in [stream(&text, 8, 16), file(&text, 8, 16)] {
            match all_blocks(blocks) {
                Err(SourceError::LineTooLong { path, limit: 16 }) => assert_eq!(path, PathBuf::from("t")),
                other => panic!("{:?}", other.map(|_| ())),
            }
        }
        // Within the limit, a long line makes its block longer.
        assert_eq!(all_blocks(file(&text, 8, 64)).unwrap().concat(), text);
    }

    #[test]
    fn a_scanned_blocks_buffer_is_read_into_again() {
        let text = b"one\ntwo\nthree\nfour\n".repeat(1000);
        let mut blocks = file(&text, 1000, 1 << 20);
        let mut seen = std::collections::HashSet::new();
        let mut got = Vec::new();
        while let Some(block) = blocks.next_block().unwrap() {
            seen.insert(block.as_ptr() as usize);
            got.extend_from_slice(&block);
        }
        assert_eq!(got, text);
        // Dropped once scanned, each block's buffer went back and the next was read into one of
        // those given back (other tests running beside this one share the buffers kept).
        assert!(seen.len() < 18, "{} buffers for 19 blocks", seen.len());
        // A buffer grown past the largest kept is let go.
        give_back(Vec::with_capacity(SPARE_MAX_BYTES + 1));
        assert!(SPARE.lock().unwrap().iter().all(|b| b.capacity() <= SPARE_MAX_BYTES));
    }
}
