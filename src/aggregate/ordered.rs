//! Work on every core, results merged in order, no core waiting for another.
//!
//! The blocks of a large file are scanned in parallel, but their results must be folded in file
//! order (line numbers, the function a block inherits, billed durations in input order); so are the
//! small files of a folder, into one accumulator that grows in place. Scanning
//! them in groups and merging each group when all of it is done leaves a core idle at the end of
//! every group. Here each core takes the next block as soon as it is free, and whoever finishes one
//! merges every result that is ready in order, unless another core is already merging.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Takes items from `next` (one core at a time, in order) until it gives `None`, runs `work` on each
/// on every core of the rayon pool, and gives the results to `merge` in the order of their items.
/// Results wait for their turn only while an earlier item is still being worked on.
pub fn for_each_ordered<T: Send, R: Send>(
    next: impl FnMut() -> Option<T> + Send,
    work: impl Fn(T) -> R + Sync,
    merge: impl FnMut(R) + Send,
) {
    let source = Mutex::new((0usize, next));
    let done = AtomicBool::new(false);
    let ready: Mutex<BTreeMap<usize, R>> = Mutex::new(BTreeMap::new());
    let merger = Mutex::new((0usize, merge));
    let worker = || loop {
        if done.load(Ordering::Relaxed) {
            break;
        }
        let (i, item) = {
            let mut s = source.lock().unwrap();
            match (s.1)() {
                Some(item) => {
                    s.0 += 1;
                    (s.0 - 1, item)
                }
                None => {
                    done.store(true, Ordering::Relaxed);
                    break;
                }
            }
        };
        let r = work(item);
        ready.lock().unwrap().insert(i, r);
        if let Ok(mut m) = merger.try_lock() {
            drain(&ready, &mut m);
        }
    };
    rayon::scope(|s| {
        for _ in 1..rayon::current_num_threads() {
            s.spawn(|_| worker());
        }
        worker();
    });
    // What a core left ready while another was merging.
    drain(&ready, &mut merger.lock().unwrap());
}

/// Merges the ready results that come next, in order.
fn drain<R>(ready: &Mutex<BTreeMap<usize, R>>, (next, merge): &mut (usize, impl FnMut(R))) {
    loop {
        let Some(r) = ready.lock().unwrap().remove(next) else { break };
        merge(r);
        *next += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_merged_in_item_order_whatever_order_they_finish_in() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut items = (0..500u64).collect::<Vec<_>>().into_iter();
            let mut merged = Vec::new();
            pool.install(|| {
                for_each_ordered(
                    || items.next(),
                    |i| {
                        // Uneven work, so that later items often finish first.
                        let spin = (i * 7919) % 5000;
                        (0..spin).fold(i, |a, b| std::hint::black_box(a ^ b)) ^ (0..spin).fold(0, |a, b| a ^ b)
                    },
                    |r| merged.push(r),
                )
            });
            assert_eq!(merged, (0..500).collect::<Vec<_>>(), "{threads} threads");
        }
    }
}
