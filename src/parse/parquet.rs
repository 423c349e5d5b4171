//! Parquet records (one row per invocation, as `--records` writes them, or
//! written by others with the same columns) read back as invocations. Built
//! with the default feature `parquet` (polars); without it, such a file is
//! skipped with that reason.

use super::scan::Sink;

/// The columns, as `--records` writes them; all but `request_id` may be null
/// or absent. `label` and `cold` are for other engines (cold follows from
/// `init_ms` / `restore_ms`).
pub const COLUMNS: &[&str] = &[
    "function",
    "label",
    "log_stream",
    "request_id",
    "timestamp",
    "duration_ms",
    "billed_ms",
    "memory_size_mb",
    "max_memory_mb",
    "init_ms",
    "restore_ms",
    "status",
    "error_type",
    "runtime",
    "region",
    "architecture",
    "cold",
];

/// Reads the records of one Parquet file; returns its row count (its "lines").
#[cfg(feature = "parquet")]
pub fn read(buf: &[u8], sink: &mut dyn Sink) -> u64 {
    match imp::read(buf, sink) {
        Ok(rows) => rows,
        Err(e) => {
            sink.skipped(1, format!("unreadable Parquet: {e}"));
            1
        }
    }
}

#[cfg(not(feature = "parquet"))]
pub fn read(_buf: &[u8], sink: &mut dyn Sink) -> u64 {
    sink.skipped(1, "a Parquet file, and this lambdastat was built without the feature `parquet`".to_string());
    1
}

#[cfg(feature = "parquet")]
mod imp {
    use super::super::record::{thousandths_of, Arch, Invocation, Platform, PlatformLine, Status};
    use super::super::scan::Sink;
    use polars::prelude::*;
    use std::collections::BTreeSet;

    pub fn read(buf: &[u8], sink: &mut dyn Sink) -> PolarsResult<u64> {
        let df = ParquetReader::new(std::io::Cursor::new(buf)).finish()?;
        let n = df.height();
        let absent = |name: &str| Column::full_null(name.into(), n, &DataType::Null);
        let get = |name: &str| df.column(name).cloned().unwrap_or_else(|_| absent(name));
        let text = |name: &str| -> PolarsResult<Vec<Option<String>>> {
            let c = get(name).cast(&DataType::String)?;
            Ok(c.str()?.iter().map(|v| v.map(str::to_string)).collect())
        };
        let float = |name: &str| -> PolarsResult<Vec<Option<f64>>> {
            Ok(get(name).cast(&DataType::Float64)?.f64()?.iter().collect())
        };
        let (function, stream, id) = (text("function")?, text("log_stream")?, text("request_id")?);
        let (status, error_type, runtime, region, arch) =
            (text("status")?, text("error_type")?, text("runtime")?, text("region")?, text("architecture")?);
        let timestamp = get("timestamp").cast(&DataType::Int64)?.i64()?.iter().collect::<Vec<_>>();
        let (duration, billed, memory, max_memory, init, restore) = (
            float("duration_ms")?,
            float("billed_ms")?,
            float("memory_size_mb")?,
            float("max_memory_mb")?,
            float("init_ms")?,
            float("restore_ms")?,
        );
        // Each stream's runtime and Region, as an INIT_START would give them.
        let mut starts = BTreeSet::new();
        for i in 0..n {
            if let Some(rt) = &runtime[i] {
                starts.insert((function[i].clone(), stream[i].clone(), rt.clone(), region[i].clone()));
            }
        }
        for (f, s, rt, region) in &starts {
            let event = Platform::RuntimeStart { runtime_version: rt, region: region.as_deref(), restore: false };
            sink.platform(&PlatformLine { function: f.as_deref(), stream: s.as_deref(), event }, 1);
        }
        let whole = |v: Option<f64>| v.filter(|x| x.fract() == 0.0 && (0.0..1e15).contains(x)).map(|x| x as u64);
        for i in 0..n {
            let line = i as u64 + 1;
            let Some(request_id) = id[i].as_deref() else {
                sink.skipped(line, "Parquet row without request_id".to_string());
                continue;
            };
            let ms = |v: Option<f64>, name: &str| match v {
                None => Ok(None),
                Some(x) => thousandths_of(x).map(Some).ok_or(format!("Parquet row with unreadable {name}")),
            };
            let durations = (|| {
                Ok::<_, String>((
                    ms(duration[i], "duration_ms")?,
                    ms(init[i], "init_ms")?,
                    ms(restore[i], "restore_ms")?,
                ))
            })();
            let (duration_us, init_us, restore_us) = match durations {
                Ok(d) => d,
                Err(reason) => {
                    sink.skipped(line, reason);
                    continue;
                }
            };
            let status = match status[i].as_deref() {
                None => Status::Success,
                Some(word) => match Status::from_word(word) {
                    Some(s) => s,
                    None => {
                        sink.skipped(line, format!("Parquet row with unknown status `{word}`"));
                        continue;
                    }
                },
            };
            let inv = Invocation {
                request_id,
                function: function[i].as_deref(),
                log_stream: stream[i].as_deref(),
                timestamp_ms: timestamp[i],
                duration_us,
                billed_ms: whole(billed[i]),
                memory_size_mb: whole(memory[i]),
                max_memory_used_mb: whole(max_memory[i]),
                init_us,
                restore_us,
                status,
                error_type: error_type[i].as_deref(),
                architecture: arch[i].as_deref().and_then(Arch::parse),
                ..Invocation::default()
            };
            sink.invocation(&inv, line);
        }
        Ok(n as u64)
    }
}
