//! `--records`: one row per invocation as Parquet (polars), the columns of
//! [`crate::parse::parquet::COLUMNS`], so that other engines (DuckDB, Athena,
//! Spark) can do the heavy lifting and `lambdastat report` reads them back.

use crate::aggregate::GroupSettings;
use crate::aggregate::Record;
use std::path::{Path, PathBuf};

/// Writes `records` to `path`: one file when it ends in `.parquet`, else a
/// directory Hive-partitioned by function (`function=NAME/records.parquet`).
/// Returns the files written.
#[cfg(feature = "parquet")]
pub fn write(records: &[Record], settings: &GroupSettings, path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    use anyhow::Context;
    use polars::prelude::{DataFrame, ParquetWriter};
    let mut df = frame(records, settings).map_err(anyhow::Error::from).context("building the records table")?;
    let write_one = |df: &mut DataFrame, file: &Path| -> anyhow::Result<()> {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
        }
        let tmp = file.with_extension("parquet.tmp");
        let f = std::fs::File::create(&tmp).with_context(|| format!("{}: cannot create", tmp.display()))?;
        ParquetWriter::new(f)
            .finish(df)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{}: cannot write Parquet", tmp.display()))?;
        std::fs::rename(&tmp, file).with_context(|| format!("{}: cannot write", file.display()))?;
        Ok(())
    };
    if path.extension().is_some_and(|e| e == "parquet") {
        write_one(&mut df, path)?;
        return Ok(vec![path.to_path_buf()]);
    }
    let mut written = Vec::new();
    for mut part in df.partition_by(["function"], true)? {
        let name = part.column("function")?.str()?.get(0).unwrap_or("unknown").to_string();
        let file = path.join(format!("function={}", hive_escape(&name))).join("records.parquet");
        write_one(&mut part, &file)?;
        written.push(file);
    }
    written.sort();
    Ok(written)
}

#[cfg(not(feature = "parquet"))]
pub fn write(_records: &[Record], _settings: &GroupSettings, _path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    anyhow::bail!("--records: this lambdastat was built without the feature `parquet` (polars)")
}

/// The records as a table, in [`crate::parse::parquet::COLUMNS`] order.
#[cfg(feature = "parquet")]
fn frame(records: &[Record], settings: &GroupSettings) -> polars::prelude::PolarsResult<polars::prelude::DataFrame> {
    use polars::prelude::*;
    let text = |name: &str, f: &dyn Fn(&Record) -> Option<String>| {
        Column::new(name.into(), records.iter().map(f).collect::<Vec<Option<String>>>())
    };
    let ms = |name: &str, f: &dyn Fn(&Record) -> Option<u64>| {
        Column::new(name.into(), records.iter().map(|r| f(r).map(|us| us as f64 / 1000.0)).collect::<Vec<_>>())
    };
    let int = |name: &str, f: &dyn Fn(&Record) -> Option<u64>| {
        Column::new(name.into(), records.iter().map(|r| f(r).map(|v| v as i64)).collect::<Vec<Option<i64>>>())
    };
    DataFrame::new_infer_height(vec![
        text("function", &|r| r.function.clone()),
        text("label", &|r| r.function.as_deref().and_then(|f| settings.label(f)).map(str::to_string)),
        text("log_stream", &|r| r.log_stream.clone()),
        text("request_id", &|r| Some(r.request_id.clone())),
        Column::new("timestamp".into(), records.iter().map(|r| r.timestamp_ms).collect::<Vec<_>>()),
        ms("duration_ms", &|r| r.duration_us),
        int("billed_ms", &|r| r.billed_ms),
        int("memory_size_mb", &|r| r.memory_size_mb),
        int("max_memory_mb", &|r| r.max_memory_used_mb),
        ms("init_ms", &|r| r.init_us),
        ms("restore_ms", &|r| r.restore_us),
        text("status", &|r| Some(r.status.word().to_string())),
        text("error_type", &|r| r.error_type.clone()),
        text("runtime", &|r| r.runtime_version.clone()),
        text("region", &|r| r.region.clone()),
        text("architecture", &|r| r.architecture.map(|a| a.name().to_string())),
        Column::new("cold".into(), records.iter().map(Record::is_cold).collect::<Vec<bool>>()),
    ])
}

#[cfg(feature = "parquet")]
/// A partition value as Hive writes it in a path: `/`, `=`, `%` and control
/// characters percent-encoded.
fn hive_escape(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        if c == '/' || c == '=' || c == '%' || c == '\\' || c.is_control() {
            for b in c.to_string().bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}
