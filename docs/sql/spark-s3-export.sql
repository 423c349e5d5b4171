-- lambdastat's core figures, per function, in Spark SQL from a CloudWatch Logs export to S3 (or its
-- download). Not run by the tests (no Spark here).
--
-- Percentiles: Spark's `percentile(col, p)` is exact and interpolates linearly between closest ranks,
-- numpy's default and lambdastat's default: the same values as summary.json. `percentile_approx` /
-- `approx_percentile` is approximate (a rank error of about 1/accuracy, 1/10000 by default): faster on
-- billions of rows, not equal.
--
--   spark-sql -e "$(sed "s|OBJECTS|s3a://BUCKET/aws/lambda/|" docs/sql/spark-s3-export.sql)"

CREATE OR REPLACE TEMPORARY VIEW lambda_export
USING text OPTIONS (path 'OBJECTS', recursiveFileLookup 'true', lineSep '\n');

WITH reports AS (
    SELECT regexp_extract(input_file_name(), 'aws/lambda/([^/]+)/', 1) AS function,
           regexp_extract(value, 'RequestId: (\\S+)', 1) AS request_id,
           CAST(regexp_extract(value, '\tDuration: ([0-9.]+) ms', 1) AS DOUBLE) AS duration_ms,
           CAST(regexp_extract(value, 'Billed Duration: ([0-9]+) ms', 1) AS BIGINT) AS billed_ms,
           CAST(regexp_extract(value, 'Memory Size: ([0-9]+) MB', 1) AS BIGINT) AS memory_mb,
           CAST(NULLIF(regexp_extract(value, 'Init Duration: ([0-9.]+) ms', 1), '') AS DOUBLE) AS init_ms
    FROM lambda_export
    WHERE value LIKE '%REPORT RequestId:%'
),
once AS (   -- each request id once per function (overlapping exports)
    SELECT function, request_id, first(duration_ms) AS duration_ms, first(billed_ms) AS billed_ms,
           first(memory_mb) AS memory_mb, first(init_ms) AS init_ms
    FROM reports GROUP BY function, request_id
)
SELECT function,
       count(*) AS invocations,
       count(init_ms) AS cold_starts,
       percentile(init_ms, 0.5) AS init_p50,
       percentile(init_ms, 0.9) AS init_p90,
       percentile(init_ms, 0.99) AS init_p99,
       percentile(CASE WHEN init_ms IS NULL THEN duration_ms END, 0.5) AS warm_p50,
       percentile(CASE WHEN init_ms IS NULL THEN duration_ms END, 0.9) AS warm_p90,
       percentile(CASE WHEN init_ms IS NULL THEN duration_ms END, 0.99) AS warm_p99,
       sum(memory_mb / 1024.0 * billed_ms / 1000.0) AS gb_seconds,
       sum(memory_mb / 1024.0 * billed_ms / 1000.0) * 0.0000166667 + count(*) * 0.20 / 1e6 AS cost_usd
FROM once
GROUP BY function
ORDER BY function;
