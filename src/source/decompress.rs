//! Inflating and blocking: a whole gzip object with libdeflate (the fastest
//! of libdeflate, zlib-rs and miniz_oxide here: see bench/), and a stream of
//! blocks that end at line boundaries (large files, so that memory does not
//! grow with the size of the text).

use super::SourceError;
use flate2::read::MultiGzDecoder;
use std::io::{BufRead, Read};
use std::path::PathBuf;

/// The bytes a gzip stream starts with: gzip is recognised by them, not by a name.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Files up to this size (uncompressed) are read whole; larger ones stream.
pub const WHOLE_FILE_MAX: u64 = 32 << 20;

/// The most a gzip object is inflated into memory whole (as much as a plain file is read whole);
/// beyond it, it streams, so memory stays bounded whatever its compression ratio.
pub const INFLATE_WHOLE_MAX: usize = WHOLE_FILE_MAX as usize;

/// The most a table (CSV, Logs Insights or lambda-perf JSON) or a file of
/// subscription payloads holds, read or decoded: they are read whole.
pub const WHOLE_TABLE_MAX: usize = 1 << 30;

/// The default of `--max-line-bytes`: the longest line a stream holds in memory.
pub const MAX_LINE_BYTES_DEFAULT: usize = 256 << 20;

/// Inflates a whole gzip object: libdeflate when it is one member whose ISIZE is plausible, else
/// (several members, say) flate2 on zlib-rs; `None` when it inflates to more than `limit` bytes.
pub fn inflate_whole_bounded(raw: &[u8], limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    if raw.len() >= 18 {
        let isize = u32::from_le_bytes(raw[raw.len() - 4..].try_into().unwrap()) as usize;
        if isize <= limit && isize >= raw.len() / 2048 {
            let mut out = vec![0u8; isize];
            if let Some((used_in, used_out)) = libdeflate_gzip(raw, &mut out) {
                if used_in == raw.len() && used_out == isize {
                    return Ok(Some(out));
                }
            }
        }
    }
    let mut out = Vec::with_capacity((raw.len() * 6).min(limit + 1));
    MultiGzDecoder::new(raw).take(limit as u64 + 1).read_to_end(&mut out)?;
    Ok((out.len() <= limit).then_some(out))
}

/// A line longer than `--max-line-bytes`.
#[derive(Debug)]
pub struct LineTooLong(pub usize);

impl std::fmt::Display for LineTooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a line longer than {} bytes", self.0)
    }
}

impl std::error::Error for LineTooLong {}

/// One gzip member into `out` with libdeflate: `(input used, output written)`.
fn libdeflate_gzip(raw: &[u8], out: &mut [u8]) -> Option<(usize, usize)> {
    use libdeflate_sys as ffi;
    // SAFETY: the decompressor is allocated and freed here and used for one
    // call; the pointers and lengths come from live slices, and libdeflate
    // writes at most `out.len()` bytes and reports how many it read and wrote.
    unsafe {
        let d = ffi::libdeflate_alloc_decompressor();
        if d.is_null() {
            return None;
        }
        let (mut used_in, mut used_out) = (0usize, 0usize);
        let r = ffi::libdeflate_gzip_decompress_ex(
            d,
            raw.as_ptr().cast(),
            raw.len(),
            out.as_mut_ptr().cast(),
            out.len(),
            &mut used_in,
            &mut used_out,
        );
        ffi::libdeflate_free_decompressor(d);
        (r == ffi::libdeflate_result_LIBDEFLATE_SUCCESS).then_some((used_in, used_out))
    }
}

/// A read error of a stream: gzip trouble and an endless line are named as such.
fn io_error(path: &std::path::Path, source: std::io::Error) -> SourceError {
    if let Some(LineTooLong(limit)) = source.get_ref().and_then(|e| e.downcast_ref::<LineTooLong>()) {
        return SourceError::LineTooLong { path: path.to_path_buf(), limit: *limit };
    }
    match source.kind() {
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData | std::io::ErrorKind::UnexpectedEof => {
            SourceError::Gzip { path: path.to_path_buf(), source }
        }
        _ => SourceError::Read { path: path.to_path_buf(), source },
    }
}

/// Blocks of about `block_size` bytes that end at a newline (a line longer
/// than a block makes its block longer).
pub struct Blocks {
    path: PathBuf,
    inner: Box<dyn BufRead + Send>,
    /// A block read ahead (to sniff the format), handed out first.
    peeked: Option<Vec<u8>>,
    carry: Vec<u8>,
    block_size: usize,
    /// A block without a newline past this many bytes is an error, not more memory.
    max_line: usize,
    done: bool,
    /// Bytes handed out so far (uncompressed).
    yielded: u64,
}

impl Blocks {
    pub fn new(path: PathBuf, inner: Box<dyn BufRead + Send>, block_size: usize, max_line: usize) -> Blocks {
        Blocks { path, inner, peeked: None, carry: Vec::new(), block_size, max_line, done: false, yielded: 0 }
    }

    /// Fills `out` with the next block; false at the end of the input. Errors name the file.
    pub fn next_into(&mut self, out: &mut Vec<u8>) -> Result<bool, SourceError> {
        if let Some(block) = self.peeked.take() {
            *out = block;
            self.yielded += out.len() as u64;
            return Ok(true);
        }
        let more = self.read_block(out).map_err(|e| io_error(&self.path, e))?;
        self.yielded += out.len() as u64;
        Ok(more)
    }

    /// Up to `n` next blocks (fewer at the end), reusing the buffers in `spare`.
    pub fn next_blocks(&mut self, n: usize, spare: &mut Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, SourceError> {
        let mut blocks = Vec::with_capacity(n);
        for _ in 0..n {
            let mut buf = spare.pop().unwrap_or_default();
            if !self.next_into(&mut buf)? {
                break;
            }
            blocks.push(buf);
        }
        Ok(blocks)
    }

    /// Puts a block back, to be handed out next.
    pub(super) fn unread(&mut self, block: Vec<u8>) {
        self.yielded -= block.len() as u64;
        self.peeked = Some(block);
    }

    /// The uncompressed bytes handed out so far.
    pub fn yielded(&self) -> u64 {
        self.yielded
    }

    fn read_block(&mut self, out: &mut Vec<u8>) -> std::io::Result<bool> {
        out.clear();
        out.append(&mut self.carry);
        if self.done {
            return Ok(!out.is_empty());
        }
        loop {
            if out.len() < self.block_size {
                // Reads into the vector's spare capacity: no zero-filling.
                let want = (self.block_size - out.len()) as u64;
                out.reserve(want as usize);
                let n = (&mut self.inner).take(want).read_to_end(out)?;
                if (n as u64) < want {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_newlines_and_cover_everything() {
        let text = b"aaaa\nbbbbbbbbbbbb\ncc\nd".to_vec();
        let mut blocks = Blocks::new("t".into(), Box::new(std::io::Cursor::new(text.clone())), 3, 1 << 20);
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut b = Vec::new();
        while blocks.next_into(&mut b).unwrap() {
            got.push(b.clone());
        }
        // Every block but the last ends at a newline; together they are the text.
        assert!(got.len() > 1 && got[..got.len() - 1].iter().all(|b| b.ends_with(b"\n")), "{got:?}");
        assert_eq!(got.concat(), text);
    }

    #[test]
    fn inflate_single_and_multi_member() {
        use flate2::{write::GzEncoder, Compression};
        use std::io::Write;
        let gz = |t: &[u8]| {
            let mut e = GzEncoder::new(Vec::new(), Compression::default());
            e.write_all(t).unwrap();
            e.finish().unwrap()
        };
        let inflate_whole = |raw: &[u8]| inflate_whole_bounded(raw, 1 << 20).map(Option::unwrap);
        assert_eq!(inflate_whole(&gz(b"hello\n")).unwrap(), b"hello\n");
        let two = [gz(b"one\n"), gz(b"two\n")].concat();
        assert_eq!(inflate_whole(&two).unwrap(), b"one\ntwo\n");
        assert!(
            inflate_whole_bounded(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1 << 20).is_err()
        );
        // More than the limit: not inflated whole (the caller streams it).
        assert_eq!(inflate_whole_bounded(&two, 4).unwrap(), None);
    }
}
