//! lambdastat: AWS Lambda cold starts, latency, memory and cost from exported
//! CloudWatch logs.
//!
//! Data flows one way: [`source`] (find, inflate, sniff) -> [`parse`] (typed
//! invocation records) -> [`aggregate`] (mergeable per-function accumulators,
//! in parallel) -> [`analysis`] (pure statistics and cost) -> [`render`]
//! (HTML, markdown and JSON through templates).

pub mod aggregate;
pub mod analysis;
pub mod check;
pub mod cli;
pub mod config;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod memory;
pub mod parse;
pub mod render;
pub mod report;
pub mod source;
pub mod summary_file;
pub mod term;
#[cfg(test)]
mod test_rng;
pub mod time;

/// Frees `value` on a thread of its own. For the large structures a run is done with before its
/// end (the list of an S3 export's tens of thousands of files, the pages' context): freeing them
/// item by item would otherwise hold up the one thread the run waits on. A process that ends first
/// gives the memory back whole.
pub(crate) fn drop_aside<T: Send + 'static>(value: T) {
    std::thread::spawn(move || drop(value));
}
