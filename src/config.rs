//! `lambdastat.toml`: settings a CI job keeps in the repository. Found in the
//! working directory or given with `--config`; command-line flags override it.

use crate::aggregate::{Dimension, GroupSettings};
use crate::analysis::Method;
use crate::parse::Arch;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const DEFAULT_FILE: &str = "lambdastat.toml";

/// Settings for one function.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    pub label: Option<String>,
    pub architecture: Option<Arch>,
    pub region: Option<String>,
}

/// The file as written. Unknown keys are errors, so a typo does not pass silently.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub title: Option<String>,
    pub baseline: Option<String>,
    pub group_by: Option<Vec<Dimension>>,
    /// Default architecture for every function.
    pub architecture: Option<Arch>,
    /// Default Region for every function whose logs do not name one.
    pub region: Option<String>,
    pub percentile_method: Option<Method>,
    pub requests_per_month: Option<u64>,
    /// `FunctionName = "Label"`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `[functions.FunctionName]` tables.
    #[serde(default)]
    pub functions: BTreeMap<String, FunctionConfig>,
    /// Column map for CSV files of other shapes: `init_ms = "InitDuration"`.
    #[serde(default)]
    pub csv_map: BTreeMap<String, String>,
    /// The functions `labels` and `functions` name, in the file's order.
    #[serde(skip)]
    pub order: Vec<String>,
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Invalid { path: PathBuf, source: InvalidConfig },
}

/// What is wrong with a configuration's text; names the key at fault.
#[derive(Debug, Error)]
#[error("{0}")]
pub struct InvalidConfig(String);

impl ConfigFile {
    /// The grouping settings of this file; `flags` (already parsed) override its values.
    pub fn group_settings(
        &self,
        group_by: Option<&[Dimension]>,
        labels: &[(String, String)],
        arch: Option<Arch>,
        region: Option<&str>,
    ) -> GroupSettings {
        let cfg = self;
        let mut s = GroupSettings::default();
        if let Some(dims) = group_by.map(<[Dimension]>::to_vec).or_else(|| cfg.group_by.clone()) {
            if !dims.is_empty() {
                s.dimensions = dims;
            }
        }
        s.labels = cfg.labels.clone();
        for (name, f) in &cfg.functions {
            if let Some(l) = &f.label {
                s.labels.insert(name.clone(), l.clone());
            }
            if let Some(a) = f.architecture {
                s.arch_by_function.insert(name.clone(), a);
            }
            if let Some(r) = &f.region {
                s.region_by_function.insert(name.clone(), r.clone());
            }
        }
        for (name, label) in labels {
            s.labels.insert(name.clone(), label.clone());
        }
        s.default_arch = arch.or(cfg.architecture).unwrap_or_default();
        if arch.is_some() {
            // A flag is a decision for this run: it beats per-function entries too.
            s.arch_by_function.clear();
        }
        s.default_region = region.map(str::to_string).or_else(|| cfg.region.clone());
        s.order = cfg.order.clone();
        s
    }

    /// Reads `explicit`, else `lambdastat.toml` in the working directory if
    /// there is one, else the defaults.
    pub fn load(explicit: Option<&Path>) -> Result<(ConfigFile, Option<PathBuf>), ConfigError> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None if Path::new(DEFAULT_FILE).is_file() => PathBuf::from(DEFAULT_FILE),
            None => return Ok((ConfigFile::default(), None)),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read { path: path.clone(), source })?;
        let cfg = Self::parse(&text).map_err(|source| ConfigError::Invalid { path: path.clone(), source })?;
        Ok((cfg, Some(path)))
    }

    /// Parses and checks; the message names the key at fault.
    pub fn parse(text: &str) -> Result<ConfigFile, InvalidConfig> {
        let invalid = |e: toml::de::Error| InvalidConfig(e.to_string().trim_end().to_string());
        let mut cfg: ConfigFile = toml::from_str(text).map_err(invalid)?;
        // The same text as a table keeps the file's order (toml's `preserve_order`).
        let table: toml::Table = toml::from_str(text).map_err(invalid)?;
        for section in ["labels", "functions"] {
            for name in table.get(section).and_then(toml::Value::as_table).into_iter().flat_map(|t| t.keys()) {
                if !cfg.order.contains(name) {
                    cfg.order.push(name.clone());
                }
            }
        }
        for (name, f) in &cfg.functions {
            if let Some(label) = &f.label {
                if cfg.labels.get(name).is_some_and(|l| l != label) {
                    return Err(InvalidConfig(format!("key `functions.{name}.label` disagrees with `labels.{name}`")));
                }
            }
        }
        for key in cfg.csv_map.keys() {
            if !crate::parse::table::FIELDS.contains(&key.as_str()) {
                return Err(InvalidConfig(format!(
                    "key `csv_map.{key}`: not a field; expected one of {}",
                    crate::parse::table::FIELDS.join(", ")
                )));
            }
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_full_file() {
        let cfg = ConfigFile::parse(
            r#"
            title = "dotnet"
            baseline = "Regular .NET 8"
            group_by = ["label", "architecture", "cold"]
            architecture = "arm64"
            [labels]
            LambdaAOTDemo9 = "AOT .NET 9"
            [functions.LambdaRegularDemo]
            label = "Regular .NET 8"
            architecture = "x86_64"
            region = "eu-central-2"
            "#,
        )
        .unwrap();
        let s = cfg.group_settings(None, &[], None, None);
        assert_eq!(s.dimensions, [Dimension::Label, Dimension::Architecture, Dimension::Cold]);
        assert_eq!(s.label("LambdaAOTDemo9"), Some("AOT .NET 9"));
        assert_eq!(s.label("LambdaRegularDemo"), Some("Regular .NET 8"));
        assert_eq!(s.arch("LambdaRegularDemo"), Arch::X86_64);
        assert_eq!(s.arch("Other"), Arch::Arm64);
        assert_eq!(s.region("LambdaRegularDemo"), Some("eu-central-2"));
        assert_eq!(s.order, ["LambdaAOTDemo9", "LambdaRegularDemo"]);
        let flags = cfg.group_settings(
            Some(&[Dimension::Function]),
            &[("X".into(), "x".into())],
            Some(Arch::X86_64),
            Some("us-west-2"),
        );
        assert_eq!(flags.dimensions, [Dimension::Function]);
        assert_eq!(flags.arch("Other"), Arch::X86_64);
        assert_eq!(flags.arch("LambdaRegularDemo"), Arch::X86_64);
        assert_eq!(flags.label("X"), Some("x"));
        assert_eq!(flags.region("Other"), Some("us-west-2"));
    }

    #[test]
    fn errors_name_the_key() {
        let e = ConfigFile::parse("[functions.Fn]\narchitecture = \"sparc\"\n").unwrap_err().to_string();
        assert!(e.contains("architecture") && e.contains("sparc"), "{e}");
        let e = ConfigFile::parse("group_by = [\"colour\"]\n").unwrap_err().to_string();
        assert!(e.contains("group_by") && e.contains("colour"), "{e}");
        let e = ConfigFile::parse("baseline = \"a\"\nbaseline_name = \"b\"\n").unwrap_err().to_string();
        assert!(e.contains("baseline_name"), "{e}");
        let e = ConfigFile::parse("[csv_map]\ninit = \"InitDuration\"\n").unwrap_err().to_string();
        assert!(e.contains("csv_map.init"), "{e}");
    }
}
