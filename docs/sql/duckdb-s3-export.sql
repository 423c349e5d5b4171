-- lambdastat's core figures, per function, computed by DuckDB straight from a CloudWatch Logs export
-- to S3 (`<prefix>/aws/lambda/<FN>/<task>/<stream>/000000.gz`, lines `<ISO>Z <message>`).
--
--   SET VARIABLE objects = 'logs/aws/lambda/**/000000.gz';   -- or 's3://bucket/aws/lambda/**/000000.gz' (httpfs)
--   .read docs/sql/duckdb-s3-export.sql
--
-- The same definitions as lambdastat (tests/sql_docs.rs checks every figure against summary.json):
--   * an invocation is a REPORT line, counted once per (function, request id);
--   * a cold start is a REPORT with `Init Duration`; warm = the others;
--   * percentiles are quantile_cont: linear interpolation between closest ranks, numpy's default and
--     lambdastat's default `--percentile-method linear`;
--   * GB-seconds = Memory Size MB / 1024 x Billed ms / 1000; cost = GB-s x price + $0.20 per million
--     requests. The price here is x86_64 in us-east-1 ($0.0000166667 per GB-s; arm64: $0.0000133334).
-- `**` matches any depth: AWS keeps the slashes of stream names in the keys (`2026/11/02/[$LATEST]abc/`).
WITH lines AS (
    SELECT regexp_extract(filename, 'aws/lambda/([^/]+)/', 1) AS function, line
    FROM read_csv(getvariable('objects'), columns = {'line': 'VARCHAR'}, delim = '\x1f', quote = '',
                  escape = '', header = false, filename = true, auto_detect = false, null_padding = true,
                  max_line_size = 10000000)
    WHERE line LIKE '%REPORT RequestId:%'
),
reports AS (
    SELECT DISTINCT ON (function, request_id)
        function,
        regexp_extract(line, 'RequestId: ([^\s]+)', 1) AS request_id,
        CAST(regexp_extract(line, '\tDuration: ([0-9.]+) ms', 1) AS DOUBLE) AS duration_ms,
        CAST(regexp_extract(line, 'Billed Duration: ([0-9]+) ms', 1) AS BIGINT) AS billed_ms,
        CAST(regexp_extract(line, 'Memory Size: ([0-9]+) MB', 1) AS BIGINT) AS memory_mb,
        TRY_CAST(NULLIF(regexp_extract(line, 'Init Duration: ([0-9.]+) ms', 1), '') AS DOUBLE) AS init_ms
    FROM lines
)
SELECT
    function,
    count(*) AS invocations,
    count(init_ms) AS cold_starts,
    quantile_cont(init_ms, 0.5) AS init_p50,
    quantile_cont(init_ms, 0.9) AS init_p90,
    quantile_cont(init_ms, 0.99) AS init_p99,
    quantile_cont(duration_ms, 0.5) FILTER (WHERE init_ms IS NULL) AS warm_p50,
    quantile_cont(duration_ms, 0.9) FILTER (WHERE init_ms IS NULL) AS warm_p90,
    quantile_cont(duration_ms, 0.99) FILTER (WHERE init_ms IS NULL) AS warm_p99,
    sum(memory_mb / 1024.0 * billed_ms / 1000.0) AS gb_seconds,
    sum(memory_mb / 1024.0 * billed_ms / 1000.0) * 0.0000166667 + count(*) * 0.20 / 1e6 AS cost_usd
FROM reports
GROUP BY function
ORDER BY function;
