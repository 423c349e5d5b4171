//! Reads a whole input into memory, inflating gzip (by its magic bytes, not
//! its name) with flate2 on the zlib-rs backend.

use super::{InputFile, SourceError};
use flate2::read::MultiGzDecoder;
use std::io::Read;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The input's bytes, uncompressed, and its size on disk.
pub fn read_input(file: &InputFile) -> Result<(Vec<u8>, u64), SourceError> {
    let read_err = |source| SourceError::Read { path: file.path.clone(), source };
    let raw = if file.is_stdin() {
        let mut buf = Vec::new();
        std::io::stdin().lock().read_to_end(&mut buf).map_err(read_err)?;
        buf
    } else {
        std::fs::read(&file.path).map_err(read_err)?
    };
    let size = raw.len() as u64;
    if !raw.starts_with(&GZIP_MAGIC) {
        return Ok((raw, size));
    }
    let mut out = Vec::with_capacity(raw.len() * 8);
    MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|source| SourceError::Gzip { path: file.path.clone(), source })?;
    Ok((out, size))
}
