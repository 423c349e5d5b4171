//! Buffers of whole files used again on the thread that read them: an S3 export is thousands of
//! small objects, each read into one buffer and inflated into another, and a buffer fresh from the
//! allocator each time grew its heap a page at a time (a system call and a page fault for each, a
//! few microseconds each on some virtual machines).

use std::cell::RefCell;

/// Buffers kept on each thread: the object read, the object inflated.
const KEPT: usize = 2;

/// Buffers larger than this are let go, not kept (large files are read in blocks; a small object
/// inflated past it is rare).
const KEPT_MAX_BYTES: usize = 1 << 20;

thread_local! {
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// An empty buffer with room for at least `capacity` bytes.
pub fn take(capacity: usize) -> Vec<u8> {
    let mut buf = SPARE.with(|s| s.borrow_mut().pop()).unwrap_or_default();
    buf.reserve(capacity);
    buf
}

/// Keeps `buf` for the next [`take`] on this thread, if it is not too large.
pub fn give_back(mut buf: Vec<u8>) {
    if buf.capacity() == 0 || buf.capacity() > KEPT_MAX_BYTES {
        return;
    }
    buf.clear();
    SPARE.with(|s| {
        let mut spare = s.borrow_mut();
        if spare.len() < KEPT {
            spare.push(buf);
        }
    });
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
