//! How the binary gets its memory: mimalloc for small blocks, mappings of its own for large ones,
//! with settings that matter on machines where entering the kernel is dear (docs/performance.md).

use mimalloc::MiMalloc;
use std::alloc::{GlobalAlloc, Layout};

extern "C" {
    /// mimalloc's `mi_option_set` (from the library the `mimalloc` crate builds; the crate's binding
    /// of it needs a crate this machine cannot have, `cty`).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// `mi_option_arena_eager_commit` in mimalloc 3's `mi_option_t`.
const MI_OPTION_ARENA_EAGER_COMMIT: std::ffi::c_int = 4;

/// Sets mimalloc's options; the binary runs it before anything is allocated (from `.init_array`,
/// ahead of mimalloc's own start-up), since mimalloc reserves its first arena at its first
/// allocation, before `main`. By default that arena (1 GiB of address space) is committed whole
/// where the kernel overcommits, and its pages are then kept: the 1 GB S3 export tree peaked at 84 MB
/// instead of 63 (glibc). Committed as its pages are used: 67 MB, as fast.
pub extern "C" fn small_allocator_options() {
    // SAFETY: sets one value in mimalloc's table of options (no allocation, no other state); the
    // index is that option's in the mimalloc this crate builds (3.3).
    unsafe { mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0) }
}

/// mimalloc for small blocks (each file's and block's accumulators, keys and names: an S3 export
/// tree's tens of thousands of objects made glibc's `malloc` and `free` 12% of the run, mimalloc's
/// about 5%); blocks of [`OWN_FROM`] bytes or more (the accumulators' vectors, the read buffers) are
/// mappings of their own, whole 2 MiB huge pages long and on 2 MiB boundaries, with transparent huge
/// pages asked for from [`HUGE_FROM`] bytes (and for a few smaller ones: `small_huge`). Each 4 KiB
/// page first written is a page fault, and on a virtual machine whose kernel flushes the TLB on every
/// entry a fault costs about 12 µs; a 2 MiB page is one fault. glibc maps such blocks itself, but a
/// whole number of 4 KiB pages plus its header, anywhere: a huge page fits only inside blocks of 4 MiB
/// and more, and a vector moves (`mremap`, a TLB flush on every core) each time it doubles. Where the kernel gives huge pages only on request
/// (`/sys/kernel/mm/transparent_hugepage/enabled` set to `madvise`, a common default) this is that
/// request; where it refuses, the blocks are plain mappings, as glibc's are. A few freed mappings of
/// one huge page are kept for the next such blocks (`kept`).
pub struct HugePageAllocator;

/// Blocks from this size on are mappings of their own (glibc's default threshold for a mapping).
/// Mappings are whole huge pages long: a vector doubling from 128 KiB to 2 MiB stays in its first
/// mapping, with no system call.
pub const OWN_FROM: usize = 128 << 10;

/// Blocks from this size on are asked to be backed by huge pages. A huge page is given whole at the
/// first write into it, so a vector (which doubles as it grows: at least half of it is used) whose
/// capacity is at least this holds at least a quarter of the pages it is given.
pub const HUGE_FROM: usize = 1 << 20;

/// The size of a huge page on x86-64 and most arm64 kernels; a mapping is a whole number of them.
const HUGE_PAGE: usize = 2 << 20;

/// Whether a block of `size` bytes aligned to `align` is a mapping of its own.
fn own_mapping(size: usize, align: usize) -> bool {
    cfg!(target_os = "linux") && size >= OWN_FROM && align <= 4096
}

/// The length of the mapping that holds `size` bytes.
fn mapped_len(size: usize) -> usize {
    size.next_multiple_of(HUGE_PAGE)
}

// SAFETY: small blocks are passed to mimalloc unchanged. A large block is a private
// anonymous mapping of `mapped_len(size)` bytes (page-aligned, so any alignment up to 4096 holds;
// zeroed when new, and zeroed by `alloc_zeroed` when kept), used by nothing else, unmapped or kept
// once when freed (a kept mapping is given to one block at a time); `realloc` keeps its bytes up to the
// smaller size whichever of the two allocators the old and new blocks come from.
unsafe impl GlobalAlloc for HugePageAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match own_mapping(layout.size(), layout.align()) {
            true => new_block(layout.size()),
            false => MiMalloc.alloc(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match own_mapping(layout.size(), layout.align()) {
            true => match kept::take(layout.size()) {
                Some(p) => {
                    p.write_bytes(0, layout.size());
                    p
                }
                // A fresh anonymous mapping reads as zeros.
                None => map(layout.size()),
            },
            false => MiMalloc.alloc_zeroed(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match own_mapping(layout.size(), layout.align()) {
            true => unmap(ptr, layout.size()),
            false => MiMalloc.dealloc(ptr, layout),
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        match (own_mapping(layout.size(), align), own_mapping(new_size, align)) {
            (false, false) => MiMalloc.realloc(ptr, layout, new_size),
            (true, true) => remap(ptr, layout.size(), new_size),
            // Across the threshold: a new block, the bytes copied, the old one freed.
            (old_mapped, _) => {
                let new = self.alloc(Layout::from_size_align_unchecked(new_size, align));
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    match old_mapped {
                        true => unmap(ptr, layout.size()),
                        false => MiMalloc.dealloc(ptr, layout),
                    }
                }
                new
            }
        }
    }
}

/// A block of `size` bytes in a mapping of its own: a kept one if one fits (its bytes what its last
/// block left), else a new one; null if refused.
#[cfg(target_os = "linux")]
unsafe fn new_block(size: usize) -> *mut u8 {
    kept::take(size).unwrap_or_else(|| map(size))
}

/// A new mapping for `size` bytes, on a 2 MiB boundary, huge pages asked for; null if refused.
#[cfg(target_os = "linux")]
unsafe fn map(size: usize) -> *mut u8 {
    use libc::{MAP_ANONYMOUS, MAP_FAILED, MAP_PRIVATE, PROT_READ, PROT_WRITE};
    let len = mapped_len(size);
    // One huge page more than needed, then the ends outside the 2 MiB boundaries given back (recent
    // kernels place mappings of whole huge pages on a boundary anyway; older ones do not).
    let Some(over) = len.checked_add(HUGE_PAGE) else { return std::ptr::null_mut() };
    let p = libc::mmap(std::ptr::null_mut(), over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if p == MAP_FAILED {
        return std::ptr::null_mut();
    }
    let start = (p as usize).next_multiple_of(HUGE_PAGE);
    let head = start - p as usize;
    if head > 0 {
        libc::munmap(p, head);
    }
    if over - head > len {
        libc::munmap((start + len) as *mut libc::c_void, over - head - len);
    }
    ask_huge_pages(start as *mut u8, size);
    start as *mut u8
}

/// Asks for huge pages for a new block of `size` bytes at `ptr` (a mapping of `mapped_len(size)`
/// bytes), if it is large or a place among the small ones is free.
#[cfg(target_os = "linux")]
fn ask_huge_pages(ptr: *mut u8, size: usize) {
    if size >= HUGE_FROM || small_huge::take(ptr as usize) {
        advise(ptr, mapped_len(size));
    }
}

/// Grows or shrinks the mapping of a block of `size` bytes at `ptr` to hold `new_size`, moved if it
/// must be; null (the old block untouched) if refused.
#[cfg(target_os = "linux")]
unsafe fn remap(ptr: *mut u8, size: usize, new_size: usize) -> *mut u8 {
    let (len, new_len) = (mapped_len(size), mapped_len(new_size));
    if len == new_len {
        // Grown to where huge pages are asked for, in the same mapping: it gives its place among the
        // small ones back, if it had one, and keeps its huge page.
        if size < HUGE_FROM && new_size >= HUGE_FROM && !small_huge::give_back(ptr as usize) {
            // It had none: its pages are 4 KiB ones, and the kernel gives no huge page where a
            // mapping's 2 MiB already has some, so advice would leave the rest of it 4 KiB pages too
            // (up to 256 more faults, 3.5 ms here). Moved into a new block, which gets a huge page
            // (or a kept mapping, which has its pages already), the copy of its bytes (under 1 MiB)
            // takes a few tens of µs.
            let new = new_block(new_size);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, size);
                unmap(ptr, size);
                return new;
            }
            advise(ptr, len);
        }
        if new_size < size {
            release_tail(ptr, new_size, len);
        }
        return ptr;
    }
    // A mapping that grows (to 4 MiB at least) is large: it keeps its advice, or gets it now. One that
    // shrinks below (to a single 2 MiB page) keeps the pages it has. Either way its place is given
    // back before it moves (its old address may be mapped again at once).
    small_huge::give_back(ptr as usize);
    let p = libc::mremap(ptr.cast(), len, new_len, libc::MREMAP_MAYMOVE);
    if p == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    if new_size >= HUGE_FROM {
        advise(p.cast(), new_len);
    }
    if new_size < size {
        release_tail(p.cast(), new_size, new_len);
    }
    p.cast()
}

/// Gives back to the kernel the pages of a mapping of `len` bytes at `ptr` past its first `size`: a
/// vector shrunk to what it holds (`shrink_to_fit`, as each group's are once every input is read)
/// lets go of the whole huge pages past its end, and of the rest of its last one when that is at
/// least half of it (a vector that stopped growing early in its last huge page would otherwise keep
/// it whole). A smaller rest is kept: giving back part of a huge page splits it into 4 KiB pages, and
/// on this host each page still in use then costs its next reader about 8 µs (a group's 1 MB vector
/// 2 ms, paid by the summary's first pass over it; docs/performance.md).
#[cfg(target_os = "linux")]
unsafe fn release_tail(ptr: *mut u8, size: usize, len: usize) {
    let (from, last_huge_end) = (size.next_multiple_of(4096), size.next_multiple_of(HUGE_PAGE));
    let from = if last_huge_end - from >= HUGE_PAGE / 2 { from } else { last_huge_end };
    if from < len {
        libc::madvise(ptr.add(from).cast(), len - from, libc::MADV_DONTNEED);
    }
}

#[cfg(target_os = "linux")]
unsafe fn unmap(ptr: *mut u8, size: usize) {
    if size < HUGE_FROM {
        small_huge::give_back(ptr as usize);
    }
    if !kept::put(ptr, size) {
        libc::munmap(ptr.cast(), mapped_len(size));
    }
}

// Elsewhere no block is a mapping of its own (`own_mapping` is false): these are never called.
#[cfg(not(target_os = "linux"))]
unsafe fn new_block(_: usize) -> *mut u8 {
    unreachable!()
}
#[cfg(not(target_os = "linux"))]
unsafe fn map(_: usize) -> *mut u8 {
    unreachable!()
}
#[cfg(not(target_os = "linux"))]
unsafe fn remap(_: *mut u8, _: usize, _: usize) -> *mut u8 {
    unreachable!()
}
#[cfg(not(target_os = "linux"))]
unsafe fn unmap(_: *mut u8, _: usize) {
    unreachable!()
}
#[cfg(not(target_os = "linux"))]
mod kept {
    pub fn take(_: usize) -> Option<*mut u8> {
        unreachable!()
    }
}

/// Huge pages for blocks under [`HUGE_FROM`], up to a fixed number of them at once. A block of 128 KiB
/// to 1 MiB given a 2 MiB page wastes up to 15 times what it holds, so not every such block can have
/// one (a report of many groups has many such vectors); but the first few (each growing vector of the
/// first large file, say: most will pass 1 MiB and give their place back) fault once instead of up to
/// 512 times. At most `SLOTS` blocks under 1 MiB hold huge pages at once (8 MiB), and the mappings
/// `kept` gives again. Four places are as fast as eight on text; eight cost 7 MB more at the peak of
/// a 4 GB export tree, held all through it by groups' cold-start vectors of a few hundred KiB that
/// never grow past 1 MiB (docs/performance.md). Two were slower on text.
#[cfg(target_os = "linux")]
mod small_huge {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub const SLOTS: usize = 4;
    /// The start of each block holding a place; 0 for a free place.
    static HELD: [AtomicUsize; SLOTS] = [const { AtomicUsize::new(0) }; SLOTS];

    /// Takes a free place for the block at `addr`, if there is one.
    pub fn take(addr: usize) -> bool {
        HELD.iter().any(|h| h.compare_exchange(0, addr, Relaxed, Relaxed).is_ok())
    }

    /// Frees the place of the block at `addr`; whether it held one.
    pub fn give_back(addr: usize) -> bool {
        HELD.iter().any(|h| h.compare_exchange(addr, 0, Relaxed, Relaxed).is_ok())
    }
}

/// Mappings of one huge page freed and kept for the next block that fits one, up to `KEPT` of them
/// (16 MiB). Such blocks (128 KiB to 2 MiB) come and go all through a run: each block of text's
/// slices, a hash table's old buffer once it has grown, a summary's scratch. A mapping made anew
/// costs the kernel its pages again, zeroed (half a millisecond for a 2 MiB page here), where a kept
/// one has them already. A kept mapping keeps its pages, huge or not, and is asked for huge pages
/// as a new one is; so up to `KEPT` blocks more than [`small_huge`]'s may hold huge pages under 1 MiB.
#[cfg(target_os = "linux")]
mod kept {
    use super::{ask_huge_pages, mapped_len, HUGE_PAGE};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub const KEPT: usize = 8;
    /// The start of each mapping kept; 0 for a free place.
    static AT: [AtomicUsize; KEPT] = [const { AtomicUsize::new(0) }; KEPT];

    /// A kept mapping for a block of `size` bytes, if it fits one huge page and one is kept. Its bytes
    /// are what its last block left.
    pub fn take(size: usize) -> Option<*mut u8> {
        if mapped_len(size) != HUGE_PAGE {
            return None;
        }
        let at = AT.iter().find_map(|place| {
            let at = place.load(Relaxed);
            (at != 0 && place.compare_exchange(at, 0, Relaxed, Relaxed).is_ok()).then_some(at)
        })?;
        ask_huge_pages(at as *mut u8, size);
        Some(at as *mut u8)
    }

    /// Keeps the mapping of a freed block of `size` bytes at `ptr`, if it is one huge page and a place
    /// is free; whether it was kept.
    pub fn put(ptr: *mut u8, size: usize) -> bool {
        mapped_len(size) == HUGE_PAGE
            && AT.iter().any(|place| place.compare_exchange(0, ptr as usize, Relaxed, Relaxed).is_ok())
    }
}

/// Asks for huge pages for the `len` bytes of a mapping of ours at `ptr`. A refusal (no huge pages in
/// this kernel) changes nothing.
#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, len: usize) {
    // SAFETY: the range is a whole mapping of ours; advice changes neither its contents nor its
    // mapping.
    unsafe {
        libc::madvise(ptr.cast(), len, libc::MADV_HUGEPAGE);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// The field `name` (`VmFlags`, `Rss`) of the mapping that holds `addr`, in /proc/self/smaps.
    fn smaps_field(addr: usize, name: &str) -> String {
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
            match line.split_once(':') {
                Some((field, value)) if inside && field == name => return value.trim().to_string(),
                _ => {}
            }
        }
        panic!("no mapping holds {addr:#x}")
    }

    fn vm_flags(addr: usize) -> String {
        smaps_field(addr, "VmFlags")
    }

    /// How many of the 4 KiB pages of `len` bytes from `addr` (page-aligned) are resident. Asked of
    /// the range itself (`mincore`), not of its mapping's `Rss` in smaps: the kernel may merge the
    /// mapping with a neighbour another test just made, whose pages would count too.
    fn resident_pages(addr: usize, len: usize) -> usize {
        let mut pages = vec![0u8; len.div_ceil(4096)];
        // SAFETY: the range is mapped (the caller's block) and `pages` has a byte for each page.
        let rc = unsafe { libc::mincore(addr as *mut libc::c_void, len, pages.as_mut_ptr()) };
        assert_eq!(rc, 0, "mincore: {}", std::io::Error::last_os_error());
        pages.iter().filter(|&&p| p & 1 == 1).count()
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
    fn large_blocks_are_mappings_of_huge_pages_and_keep_their_bytes() {
        let a = HugePageAllocator;
        let advised =
            |addr: *mut u8| !kernel_has_huge_pages() || vm_flags(addr as usize).split_whitespace().any(|f| f == "hg");
        let layout = |size| Layout::from_size_align(size, 8).unwrap();
        let holds = |p: *mut u8, len: usize, byte: u8| {
            // SAFETY: `p` is a live block of at least `len` bytes.
            unsafe { std::slice::from_raw_parts(p, len) }.iter().all(|&b| b == byte)
        };
        // SAFETY: each block is written within its size and freed once with its layout.
        unsafe {
            // A large block: on a huge page boundary, advised, zeroed when asked.
            let p = a.alloc_zeroed(layout(HUGE_FROM));
            assert!(!p.is_null() && (p as usize).is_multiple_of(HUGE_PAGE));
            assert!(holds(p, HUGE_FROM, 0));
            p.write_bytes(7, HUGE_FROM);
            assert!(advised(p.add(HUGE_FROM / 2)));
            // Grown past twice its size (into a mapping twice as long), it keeps its bytes and the advice.
            let q = a.realloc(p, layout(HUGE_FROM), 5 * HUGE_FROM);
            assert!(!q.is_null() && (q as usize).is_multiple_of(HUGE_PAGE));
            assert!(holds(q, HUGE_FROM, 7));
            q.add(HUGE_FROM).write_bytes(9, 4 * HUGE_FROM);
            assert!(advised(q.add(4 * HUGE_FROM)));
            // Shrunk within its mapping, it gives the pages past its end back and keeps its bytes.
            let past = (q as usize + 4 * HUGE_FROM + 4096, HUGE_FROM - 4096);
            assert_eq!(resident_pages(past.0, past.1), past.1 / 4096, "written, so resident");
            let q = a.realloc(q, layout(5 * HUGE_FROM), 4 * HUGE_FROM + 4096);
            assert!(holds(q, HUGE_FROM, 7) && holds(q.add(HUGE_FROM), 3 * HUGE_FROM + 4096, 9));
            assert_eq!(q as usize + 4 * HUGE_FROM + 4096, past.0, "shrunk where it is");
            // Given back, they read as zeros (their 9s are gone). Not asked as "none resident":
            // khugepaged (with its default `max_ptes_none` of 511) may at any moment make the huge
            // page they were in whole again, zero-filled, as it did in 2 of 75 runs here.
            let past_bytes = std::slice::from_raw_parts(past.0 as *const u8, past.1);
            assert!(past_bytes.iter().all(|&b| b == 0), "the pages past its new end are given back");
            // Shrunk by less than half its last huge page, it keeps that page whole (not split).
            let q = a.realloc(q, layout(4 * HUGE_FROM + 4096), 4 * HUGE_FROM - (HUGE_FROM / 4));
            let kept_tail = (q as usize + 4 * HUGE_FROM - (HUGE_FROM / 4), HUGE_FROM / 4);
            assert_eq!(
                resident_pages(kept_tail.0, kept_tail.1),
                kept_tail.1 / 4096,
                "the rest of its last huge page kept"
            );
            assert!(holds(q, HUGE_FROM, 7) && holds(q.add(HUGE_FROM), 3 * HUGE_FROM - (HUGE_FROM / 4), 9));
            // Shrunk below the mappings' threshold, it goes back to mimalloc, bytes kept.
            let r = a.realloc(q, layout(4 * HUGE_FROM - (HUGE_FROM / 4)), 1000);
            assert!(holds(r, 1000, 7));
            a.dealloc(r, layout(1000));
            // A small block grown large becomes an advised mapping with its bytes.
            let s = a.alloc(layout(64 << 10));
            s.write_bytes(3, 64 << 10);
            let t = a.realloc(s, layout(64 << 10), 2 * HUGE_FROM);
            assert!((t as usize).is_multiple_of(HUGE_PAGE) && holds(t, 64 << 10, 3));
            t.add(64 << 10).write_bytes(4, 2 * HUGE_FROM - (64 << 10));
            assert!(advised(t.add(HUGE_FROM)));
            a.dealloc(t, layout(2 * HUGE_FROM));
            // Middle-sized blocks are mappings of their own, growing in place to 2 MiB; the first
            // few get huge pages, the rest none.
            let mid = layout(OWN_FROM);
            let hg =
                |p: *mut u8| !kernel_has_huge_pages() || vm_flags(p as usize).split_whitespace().any(|f| f == "hg");
            let plain = |p: *mut u8| !kernel_has_huge_pages() || !hg(p);
            let mids: Vec<*mut u8> = (0..small_huge::SLOTS + 2).map(|_| a.alloc(mid)).collect();
            for &m in &mids {
                assert!((m as usize).is_multiple_of(HUGE_PAGE));
                m.write_bytes(5, OWN_FROM);
            }
            assert!(mids[..small_huge::SLOTS].iter().all(|&m| hg(m)));
            assert!(mids[small_huge::SLOTS..].iter().all(|&m| plain(m)));
            // One grown to a large block, in place, gives its place back: the next new one takes it.
            let grown = a.realloc(mids[0], mid, HUGE_FROM);
            assert_eq!(grown, mids[0], "grown within its mapping, it does not move");
            assert!(holds(grown, OWN_FROM, 5) && hg(grown));
            let next = a.alloc(mid);
            assert!(hg(next));
            // So does one freed; while every place is held, a new one gets none.
            let full = a.alloc(mid);
            assert!(plain(full));
            // One without a place grown to a large block moves, bytes and all, to a new block asked
            // for huge pages: where its 4 KiB pages are, the kernel would give no huge page.
            let placeless = a.alloc(mid);
            placeless.write_bytes(4, OWN_FROM);
            let moved = a.realloc(placeless, mid, HUGE_FROM);
            assert_ne!(moved, placeless, "moved out of its mapping of 4 KiB pages");
            assert!(holds(moved, OWN_FROM, 4) && advised(moved));
            a.dealloc(moved, layout(HUGE_FROM));
            a.dealloc(mids[1], mid);
            let again = a.alloc(mid);
            assert!(hg(again));
            a.dealloc(grown, layout(HUGE_FROM));
            for p in mids[2..].iter().copied().chain([next, full, again]) {
                a.dealloc(p, mid);
            }
            // Freed mappings of one huge page are kept, up to `KEPT`, and given to the next blocks
            // that fit one, pages and all (zeroed when asked); the rest go back to the kernel.
            let blocks: Vec<*mut u8> = (0..kept::KEPT + 2).map(|_| a.alloc(mid)).collect();
            for &b in &blocks {
                b.write_bytes(6, OWN_FROM);
                a.dealloc(b, mid);
            }
            let again: Vec<*mut u8> = (0..kept::KEPT).map(|_| a.alloc(layout(HUGE_FROM))).collect();
            let mut sorted = again.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(sorted.len(), kept::KEPT);
            assert!(again.iter().all(|p| blocks[..kept::KEPT].contains(p)), "the first ones freed are kept");
            assert!(again.iter().all(|&p| holds(p, OWN_FROM, 6) && advised(p)), "kept with their pages");
            let zeroed = a.alloc_zeroed(mid);
            assert!(!again.contains(&zeroed) && holds(zeroed, OWN_FROM, 0));
            zeroed.write_bytes(1, OWN_FROM);
            a.dealloc(zeroed, mid);
            let reused = a.alloc_zeroed(mid);
            assert_eq!(reused, zeroed, "a kept mapping is given again");
            assert!(holds(reused, OWN_FROM, 0), "zeroed when asked");
            a.dealloc(reused, mid);
            // Larger ones are not kept.
            for p in again {
                a.dealloc(p, layout(HUGE_FROM));
            }
            let large = a.alloc(layout(2 * HUGE_PAGE));
            large.write_bytes(8, 2 * HUGE_PAGE);
            a.dealloc(large, layout(2 * HUGE_PAGE));
            let fresh = a.alloc(layout(2 * HUGE_PAGE));
            assert!(holds(fresh, 2 * HUGE_PAGE, 0), "a mapping of two huge pages is new");
            a.dealloc(fresh, layout(2 * HUGE_PAGE));
        }
    }
}
