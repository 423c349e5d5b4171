//! How the binary gets its memory: the system allocator, with two settings that matter on machines
//! where entering the kernel is dear (docs/performance.md).

use std::alloc::{GlobalAlloc, Layout, System};

/// glibc raises its mmap threshold each time a large block is freed, after which blocks up to
/// that size come from its heaps and are kept when freed: reading an S3 export tree of 17,860
/// objects peaked at 100-116 MB, against 65-71 MB with the threshold held at its default.
/// Setting it once turns the adjustment off.
pub fn fix_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any other thread
    // exists, and a refusal (a return of 0) leaves glibc's default behaviour.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 << 10);
    }
}

/// The system allocator, asking for transparent huge pages for blocks of [`HUGE_FROM`] bytes or
/// more: the accumulators' vectors and the read buffers. Each 4 KiB page first written is a page
/// fault, and on a virtual machine whose kernel flushes the TLB on every entry a fault costs about
/// 12 µs; a 2 MiB page is one fault. Where the kernel gives huge pages only on request
/// (`/sys/kernel/mm/transparent_hugepage/enabled` set to `madvise`, a common default) this is
/// that request; where it refuses, or gives them anyway, nothing changes.
pub struct HugePageAllocator;

/// Blocks from this size on are asked to be backed by huge pages (two of them at least, so that
/// one lies whole inside the block wherever it starts).
pub const HUGE_FROM: usize = 4 << 20;

// SAFETY: every call is passed to the system allocator unchanged; `advise` only gives the kernel
// advice about pages the block returned owns (and the neighbouring bytes of the same pages), which
// changes neither their contents nor their mapping.
unsafe impl GlobalAlloc for HugePageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        advise(System.alloc(layout), layout.size())
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        advise(System.alloc_zeroed(layout), layout.size())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Advised again however it grew: a block moved by `mremap` keeps the advice, but one copied
        // to a new place (where glibc's heap holds blocks this large) does not. Large blocks grow
        // by doubling: a few calls in a run.
        advise(System.realloc(ptr, layout, new_size), new_size)
    }
}

/// Advises huge pages for a block of `len` bytes at `ptr` when it is large; gives `ptr` back.
fn advise(ptr: *mut u8, len: usize) -> *mut u8 {
    #[cfg(target_os = "linux")]
    if len >= HUGE_FROM && !ptr.is_null() {
        const PAGE: usize = 4096;
        let start = ptr as usize & !(PAGE - 1);
        let end = (ptr as usize + len).next_multiple_of(PAGE);
        // SAFETY: the range covers only pages of the block just allocated (the first and last may
        // hold neighbouring blocks' bytes too, which advice does not change). A refusal (no
        // huge pages in this kernel) changes nothing.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
    ptr
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The flags of the mapping that holds `addr` (`VmFlags` in /proc/self/smaps).
    fn vm_flags(addr: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            let range = line.split_once(' ').map(|(r, _)| r).and_then(|r| r.split_once('-'));
            if let Some((from, to)) = range.filter(|(from, _)| !from.contains(':')) {
                if let (Ok(from), Ok(to)) = (usize::from_str_radix(from, 16), usize::from_str_radix(to, 16)) {
                    inside = (from..to).contains(&addr);
                    continue;
                }
            }
            if inside {
                if let Some(flags) = line.strip_prefix("VmFlags:") {
                    return flags.to_string();
                }
            }
        }
        panic!("no mapping holds {addr:#x}")
    }

    /// Whether this kernel has transparent huge pages (built without them it refuses the advice).
    fn kernel_has_huge_pages() -> bool {
        let has = std::path::Path::new("/sys/kernel/mm/transparent_hugepage").exists();
        if !has {
            println!("notice: this kernel has no transparent huge pages; the advice is not checked");
        }
        has
    }

    #[test]
    fn large_blocks_ask_for_huge_pages_and_keep_their_bytes() {
        let a = HugePageAllocator;
        let advised =
            |addr: *mut u8| !kernel_has_huge_pages() || vm_flags(addr as usize).split_whitespace().any(|f| f == "hg");
        let small = Layout::from_size_align(64 << 10, 8).unwrap();
        let large = Layout::from_size_align(HUGE_FROM, 8).unwrap();
        // SAFETY: each block is written within its size and freed once with its layout.
        unsafe {
            let p = a.alloc(large);
            assert!(!p.is_null());
            p.write_bytes(7, large.size());
            assert!(advised(p.add(large.size() / 2)));
            // Grown past twice its size, it keeps its bytes (and the advice).
            let q = a.realloc(p, large, 3 * HUGE_FROM);
            assert!(std::slice::from_raw_parts(q, large.size()).iter().all(|&b| b == 7));
            q.add(large.size()).write_bytes(9, 2 * HUGE_FROM);
            assert!(advised(q.add(2 * HUGE_FROM)));
            a.dealloc(q, Layout::from_size_align(3 * HUGE_FROM, 8).unwrap());
            // A small block grown large is advised when it crosses the threshold.
            let s = a.alloc_zeroed(small);
            assert!(std::slice::from_raw_parts(s, small.size()).iter().all(|&b| b == 0));
            let t = a.realloc(s, small, 2 * HUGE_FROM);
            assert!(advised(t.add(HUGE_FROM)));
            a.dealloc(t, Layout::from_size_align(2 * HUGE_FROM, 8).unwrap());
        }
    }
}
