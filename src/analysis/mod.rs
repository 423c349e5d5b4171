//! Analysis: statistics, cost and the summary. Pure functions, no I/O.

pub mod bootstrap;
pub mod compare;
pub mod cost;
pub mod gate;
pub mod mannwhitney;
pub mod percentile;
pub mod radix;
pub mod stats;
pub mod summary;

pub use cost::Arch;
pub use percentile::Method;
pub use summary::{summarize, AnalysisSettings, GroupSummary, Summary};
