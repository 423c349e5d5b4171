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
pub mod parse;
pub mod render;
pub mod report;
pub mod source;
pub mod summary_file;
pub mod term;
#[cfg(test)]
mod test_rng;
pub mod time;
