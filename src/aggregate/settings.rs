//! How records are grouped and priced: the dimensions and per-function facts
//! the configuration and flags resolve to (see `config`).

use crate::parse::Arch;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What invocations are grouped by. Every group gets its own statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Dimension {
    /// The Lambda function name.
    Function,
    /// The display label of the function (functions with one label are pooled).
    Label,
    /// The runtime version from INIT_START (`dotnet:8.v47`).
    Runtime,
    /// Memory Size in MB.
    MemorySize,
    /// x86_64 or arm64.
    Architecture,
    /// The AWS Region (from the runtime version ARN, or configuration).
    Region,
    /// Cold starts and warm invocations apart.
    Cold,
}

impl Dimension {
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Function => "function",
            Dimension::Label => "label",
            Dimension::Runtime => "runtime",
            Dimension::MemorySize => "memory-size",
            Dimension::Architecture => "architecture",
            Dimension::Region => "region",
            Dimension::Cold => "cold",
        }
    }
}

/// How records are grouped and priced: the config file and flags, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupSettings {
    pub dimensions: Vec<Dimension>,
    pub labels: BTreeMap<String, String>,
    pub default_arch: Arch,
    pub arch_by_function: BTreeMap<String, Arch>,
    pub default_region: Option<String>,
    pub region_by_function: BTreeMap<String, String>,
    /// Functions in the order the configuration names them: groups of these
    /// come first, in this order; the rest by name.
    pub order: Vec<String>,
}

impl Default for GroupSettings {
    fn default() -> Self {
        GroupSettings {
            dimensions: vec![Dimension::Function],
            labels: BTreeMap::new(),
            default_arch: Arch::X86_64,
            arch_by_function: BTreeMap::new(),
            default_region: None,
            region_by_function: BTreeMap::new(),
            order: Vec::new(),
        }
    }
}

impl GroupSettings {
    pub fn label(&self, function: &str) -> Option<&str> {
        self.labels.get(function).map(String::as_str)
    }

    pub fn arch(&self, function: &str) -> Arch {
        self.arch_by_function.get(function).copied().unwrap_or(self.default_arch)
    }

    pub fn region(&self, function: &str) -> Option<&str> {
        self.region_by_function.get(function).or(self.default_region.as_ref()).map(String::as_str)
    }
}
