//! Buffers used again. A buffer fresh from the allocator costs a page fault for each 4 KiB page
//! written (several microseconds each on some virtual machines). Large text's block buffers go back
//! to one pool for every file (`blocks.rs`); small files' whole buffers to one on each thread: an S3
//! export is thousands of small objects, each read into one buffer and inflated into another, and a
//! buffer fresh from the allocator each time grew its heap a page at a time.

use std::cell::RefCell;

/// Buffers kept for use again: at most `max` of them, none larger than `max_bytes`.
pub struct Pool {
    bufs: Vec<Vec<u8>>,
    max: usize,
    max_bytes: usize,
}

impl Pool {
    pub const fn new(max: usize, max_bytes: usize) -> Pool {
        Pool { bufs: Vec::new(), max, max_bytes }
    }

    /// A buffer kept (empty), or a new one.
    pub fn take(&mut self) -> Vec<u8> {
        self.bufs.pop().unwrap_or_default()
    }

    /// Keeps `buf`, emptied, if it is not too large and there is room.
    pub fn give_back(&mut self, mut buf: Vec<u8>) {
        if buf.capacity() == 0 || buf.capacity() > self.max_bytes || self.bufs.len() >= self.max {
            return;
        }
        buf.clear();
        self.bufs.push(buf);
    }

    /// Lets go of every buffer kept.
    pub fn clear(&mut self) {
        self.bufs.clear();
    }
    #[cfg(test)]
    pub fn iter(&self) -> std::slice::Iter<'_, Vec<u8>> {
        self.bufs.iter()
    }
}

/// Buffers kept on each thread: the object read, the object inflated.
const KEPT: usize = 2;

/// Buffers larger than this are let go, not kept (large files are read in blocks; a small object
/// inflated past it is rare).
const KEPT_MAX_BYTES: usize = 1 << 20;

thread_local! {
    static SPARE: RefCell<Pool> = const { RefCell::new(Pool::new(KEPT, KEPT_MAX_BYTES)) };
}

/// An empty buffer with room for at least `capacity` bytes.
pub fn take(capacity: usize) -> Vec<u8> {
    let mut buf = SPARE.with(|s| s.borrow_mut().take());
    buf.reserve(capacity);
    buf
}

/// Keeps `buf` for the next [`take`] on this thread, if it is not too large.
pub fn give_back(buf: Vec<u8>) {
    SPARE.with(|s| s.borrow_mut().give_back(buf));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_used_again_on_their_thread_up_to_a_few_and_a_size() {
        let a = take(1000);
        assert!(a.is_empty() && a.capacity() >= 1000);
        let mut b = take(2000);
        b.extend_from_slice(b"left over");
        let (a_at, b_at) = (a.as_ptr(), b.as_ptr());
        give_back(a);
        give_back(b);
        give_back(Vec::with_capacity(10));
        // The last one given back comes first, emptied; room is made when it has too little.
        let (first, second, third) = (take(100), take(100), take(100));
        assert_eq!((first.as_ptr(), first.len()), (b_at, 0));
        assert_eq!(second.as_ptr(), a_at);
        assert_eq!(third.capacity(), 100, "only two were kept");
        // Another thread has its own.
        give_back(first);
        std::thread::spawn(|| assert_eq!(take(10).capacity(), 10)).join().unwrap();
        let again = take(10);
        assert_eq!(again.as_ptr(), b_at);
        give_back(Vec::with_capacity(KEPT_MAX_BYTES + 1));
        assert_eq!(take(10).capacity(), 10, "a large one is let go");
    }
}
