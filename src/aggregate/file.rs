//! What one file (or one chunk of a large file) contributes.

use super::group::GroupAcc;
use crate::parse::{Invocation, Sink};
use serde::Serialize;
use std::collections::BTreeMap;

/// How many skipped lines per file are kept with their line number; the rest
/// are only counted by reason.
pub const SKIP_EXAMPLES: usize = 20;

/// Skipped lines: counts by reason, and the first few with line numbers.
#[derive(Debug, Default, Clone, Serialize, PartialEq)]
pub struct SkipLog {
    pub by_reason: BTreeMap<String, u64>,
    pub examples: Vec<(u64, String)>,
}

impl SkipLog {
    pub fn total(&self) -> u64 {
        self.by_reason.values().sum()
    }

    pub fn add(&mut self, line: u64, reason: String) {
        if self.examples.len() < SKIP_EXAMPLES {
            self.examples.push((line, reason.clone()));
        }
        *self.by_reason.entry(reason).or_default() += 1;
    }

    /// Appends `other`, whose line numbers start `line_offset` lines later.
    pub fn merge(&mut self, other: SkipLog, line_offset: u64) {
        for (line, reason) in other.examples {
            if self.examples.len() < SKIP_EXAMPLES {
                self.examples.push((line + line_offset, reason));
            }
        }
        for (k, v) in other.by_reason {
            *self.by_reason.entry(k).or_default() += v;
        }
    }
}

/// Groups keyed by the function the data named (`None`: not named yet, to be
/// resolved from an earlier chunk or the path). Few groups per file, so a
/// vector with the last-used index beats hashing per record.
#[derive(Debug, Default)]
pub struct FileAcc {
    pub groups: Vec<(Option<String>, GroupAcc)>,
    pub skipped: SkipLog,
    pub records: u64,
    last: usize,
}

impl FileAcc {
    fn group(&mut self, key: Option<&str>) -> &mut GroupAcc {
        if self
            .groups
            .get(self.last)
            .is_none_or(|(k, _)| k.as_deref() != key)
        {
            self.last = match self.groups.iter().position(|(k, _)| k.as_deref() == key) {
                Some(i) => i,
                None => {
                    self.groups
                        .push((key.map(str::to_string), GroupAcc::default()));
                    self.groups.len() - 1
                }
            };
        }
        &mut self.groups[self.last].1
    }
}

impl Sink for FileAcc {
    fn invocation(&mut self, inv: &Invocation<'_>, line: u64) {
        match self.group(inv.function).add(inv) {
            Ok(()) => self.records += 1,
            Err(e) => self
                .skipped
                .add(line, format!("REPORT with out-of-range {}", e.0)),
        }
    }

    fn skipped(&mut self, line: u64, reason: String) {
        self.skipped.add(line, reason);
    }
}
