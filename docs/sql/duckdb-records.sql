-- lambdastat's core figures, per function, computed by DuckDB from the Parquet records that
-- `lambdastat report … --records DIR` writes (one row per invocation, Hive-partitioned by function).
--
--   SET VARIABLE records = 'records/**/*.parquet';   -- or one file: 'records.parquet'
--   .read docs/sql/duckdb-records.sql
--
-- The definitions are lambdastat's (tests/sql_docs.rs checks every figure against summary.json): each
-- row is one invocation, already counted once per request id; cold = `init_ms` or `restore_ms` is set;
-- percentiles by quantile_cont (linear between closest ranks); GB-s only where billed duration and
-- memory are known; x86_64 us-east-1 prices ($0.0000166667 per GB-s, $0.20 per million requests).
SELECT
    function,
    count(*) AS invocations,
    count(*) FILTER (WHERE cold) AS cold_starts,
    quantile_cont(init_ms, 0.5) AS init_p50,
    quantile_cont(init_ms, 0.9) AS init_p90,
    quantile_cont(init_ms, 0.99) AS init_p99,
    quantile_cont(duration_ms, 0.5) FILTER (WHERE NOT cold) AS warm_p50,
    quantile_cont(duration_ms, 0.9) FILTER (WHERE NOT cold) AS warm_p90,
    quantile_cont(duration_ms, 0.99) FILTER (WHERE NOT cold) AS warm_p99,
    sum(memory_size_mb / 1024.0 * billed_ms / 1000.0) AS gb_seconds,
    sum(memory_size_mb / 1024.0 * billed_ms / 1000.0) * 0.0000166667 + count(*) * 0.20 / 1e6 AS cost_usd
FROM read_parquet(getvariable('records'), hive_partitioning = false)
GROUP BY function
ORDER BY function;
