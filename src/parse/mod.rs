//! Parse: bytes of any supported shape -> typed [`Invocation`] records.
//!
//! `report` holds the REPORT grammar (once), `json_event` the JSON log format,
//! `scan` finds the messages in text and JSON shapes (jumping between the keywords
//! `needles` finds) and feeds both; `bytes`
//! holds the eight-bytes-at-a-time searches the two use on every REPORT.

pub mod bytes;
pub mod escape;
pub mod json_event;
pub mod needles;
pub mod parquet;
pub mod record;
pub mod report;
pub mod scan;
pub mod table;

pub use record::{Arch, Invocation, Platform, PlatformLine, Status};
pub use scan::{Scanner, Sink};
