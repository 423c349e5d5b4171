//! Inflating: a whole gzip object with libdeflate (the fastest of libdeflate,
//! zlib-rs and miniz_oxide here: see bench/); streams go through flate2.

use flate2::read::MultiGzDecoder;
use std::io::Read;

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
/// libdeflate inflates into a buffer of this thread's used again ([`super::spare`]).
pub fn inflate_whole_bounded(raw: &[u8], limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    if raw.len() >= 18 {
        let isize = u32::from_le_bytes(raw[raw.len() - 4..].try_into().unwrap()) as usize;
        if isize <= limit && isize >= raw.len() / 2048 {
            let mut out = super::spare::take(isize);
            if let Some((used_in, used_out)) = libdeflate_gzip(raw, out.spare_capacity_mut()) {
                if used_in == raw.len() && used_out == isize {
                    // SAFETY: libdeflate wrote `used_out` bytes from the start.
                    unsafe { out.set_len(used_out) };
                    return Ok(Some(out));
                }
            }
        }
    }
    let mut out = Vec::with_capacity((raw.len() * 6).min(limit + 1));
    MultiGzDecoder::new(raw).take(limit as u64 + 1).read_to_end(&mut out)?;
    Ok((out.len() <= limit).then_some(out))
}

/// A libdeflate decompressor, one a thread (it is about 10 KB, set up again for every object
/// otherwise), freed when the thread ends.
struct Decompressor(*mut libdeflate_sys::libdeflate_decompressor);

impl Drop for Decompressor {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: allocated by libdeflate_alloc_decompressor, freed once, here.
            unsafe { libdeflate_sys::libdeflate_free_decompressor(self.0) };
        }
    }
}

thread_local! {
    // SAFETY: allocating has no preconditions; a null result is checked where it is used.
    static DECOMPRESSOR: Decompressor = Decompressor(unsafe { libdeflate_sys::libdeflate_alloc_decompressor() });
}

/// One gzip member into `out` with libdeflate: `(input used, output written)`.
fn libdeflate_gzip(raw: &[u8], out: &mut [std::mem::MaybeUninit<u8>]) -> Option<(usize, usize)> {
    use libdeflate_sys as ffi;
    DECOMPRESSOR.with(|d| {
        if d.0.is_null() {
            return None;
        }
        let (mut used_in, mut used_out) = (0usize, 0usize);
        // SAFETY: the decompressor is this thread's own and used by one call at a time; the
        // pointers and lengths come from live slices, and libdeflate writes at most `out.len()`
        // bytes and reports how many it read and wrote.
        let r = unsafe {
            ffi::libdeflate_gzip_decompress_ex(
                d.0,
                raw.as_ptr().cast(),
                raw.len(),
                out.as_mut_ptr().cast(),
                out.len(),
                &mut used_in,
                &mut used_out,
            )
        };
        (r == ffi::libdeflate_result_LIBDEFLATE_SUCCESS).then_some((used_in, used_out))
    })
}

/// A read error of a stream: gzip trouble and an endless line are named as such.
#[cfg(test)]
mod tests {
    use super::*;

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
        // Into a buffer used before, larger than the text: the same bytes, and no more.
        let long = vec![b'x'; 5000];
        crate::source::spare::give_back(inflate_whole(&gz(&long)).unwrap());
        assert_eq!(inflate_whole(&gz(b"short\n")).unwrap(), b"short\n");
        // A trailer that understates the size is not trusted, however much room there is.
        let mut lying = gz(&long);
        let at = lying.len() - 4;
        lying[at..].copy_from_slice(&100u32.to_le_bytes());
        crate::source::spare::give_back(Vec::with_capacity(1 << 16));
        assert!(inflate_whole(&lying).is_err());
    }
}
