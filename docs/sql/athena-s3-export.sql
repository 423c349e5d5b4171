-- lambdastat's core figures, per function, in Amazon Athena (Trino) straight from a CloudWatch Logs export
-- to S3: the objects are gzip'ed text, one event per line, which Athena reads as a one-column table.
-- Not run by the tests (no Athena here); the percentile logic is the exact formulation below, which
-- tests/sql_docs.rs runs in DuckDB against summary.json.
--
-- Percentiles: Athena has no exact percentile function. `approx_percentile` (a quantile digest) is
-- approximate: its rank error is about 1% by default, so a P99 of a few thousand values can be off by
-- tens of ranks. The query computes the exact value instead, as lambdastat does (linear interpolation
-- between closest ranks, numpy's default): rank h = (n - 1) p, value = v[floor h] + (h - floor h) x
-- (v[floor h + 1] - v[floor h]). Swap in approx_percentile(duration_ms, 0.99) when speed matters more.

CREATE EXTERNAL TABLE IF NOT EXISTS lambda_export (line string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\u0001'
LOCATION 's3://BUCKET/aws/lambda/';   -- the export's --destination-prefix, up to the function names

WITH reports AS (
    SELECT regexp_extract("$path", 'aws/lambda/([^/]+)/', 1) AS function,
           regexp_extract(line, 'RequestId: (\S+)', 1) AS request_id,
           CAST(regexp_extract(line, '\tDuration: ([0-9.]+) ms', 1) AS DOUBLE) AS duration_ms,
           CAST(regexp_extract(line, 'Billed Duration: ([0-9]+) ms', 1) AS BIGINT) AS billed_ms,
           CAST(regexp_extract(line, 'Memory Size: ([0-9]+) MB', 1) AS BIGINT) AS memory_mb,
           TRY_CAST(regexp_extract(line, 'Init Duration: ([0-9.]+) ms', 1) AS DOUBLE) AS init_ms
    FROM lambda_export
    WHERE line LIKE '%REPORT RequestId:%'
),
once AS (   -- each request id once per function (overlapping exports)
    SELECT * FROM (
        SELECT r.*, row_number() OVER (PARTITION BY function, request_id ORDER BY duration_ms) AS copy
        FROM reports r
    ) WHERE copy = 1
),
-- BEGIN exact percentiles (portable: Athena/Trino, Spark SQL, DuckDB)
measures AS (
    SELECT function, 'init' AS measure, init_ms AS v FROM once WHERE init_ms IS NOT NULL
    UNION ALL
    SELECT function, 'warm' AS measure, duration_ms AS v FROM once WHERE init_ms IS NULL
),
ranked AS (
    SELECT function, measure, v,
           row_number() OVER (PARTITION BY function, measure ORDER BY v) - 1 AS k,
           count(*) OVER (PARTITION BY function, measure) AS n
    FROM measures
),
wanted AS (
    SELECT DISTINCT function, measure, n, p.p, (n - 1) * p.p AS h
    FROM ranked CROSS JOIN (VALUES (0.5), (0.9), (0.99)) AS p (p)
),
percentiles AS (
    SELECT w.function, w.measure, w.p,
           max(CASE WHEN r.k = floor(w.h) THEN r.v END)
             + (w.h - floor(w.h)) * (coalesce(max(CASE WHEN r.k = floor(w.h) + 1 THEN r.v END),
                                              max(CASE WHEN r.k = floor(w.h) THEN r.v END))
                                     - max(CASE WHEN r.k = floor(w.h) THEN r.v END)) AS value
    FROM wanted w JOIN ranked r ON r.function = w.function AND r.measure = w.measure
                               AND r.k BETWEEN floor(w.h) AND floor(w.h) + 1
    GROUP BY w.function, w.measure, w.p, w.h
),
-- END exact percentiles
totals AS (
    SELECT function, count(*) AS invocations, count(init_ms) AS cold_starts,
           sum(memory_mb / 1024.0 * billed_ms / 1000.0) AS gb_seconds
    FROM once GROUP BY function
)
SELECT t.function, t.invocations, t.cold_starts,
       max(CASE WHEN measure = 'init' AND p = 0.5 THEN value END) AS init_p50,
       max(CASE WHEN measure = 'init' AND p = 0.9 THEN value END) AS init_p90,
       max(CASE WHEN measure = 'init' AND p = 0.99 THEN value END) AS init_p99,
       max(CASE WHEN measure = 'warm' AND p = 0.5 THEN value END) AS warm_p50,
       max(CASE WHEN measure = 'warm' AND p = 0.9 THEN value END) AS warm_p90,
       max(CASE WHEN measure = 'warm' AND p = 0.99 THEN value END) AS warm_p99,
       t.gb_seconds,
       t.gb_seconds * 0.0000166667 + t.invocations * 0.20 / 1e6 AS cost_usd   -- x86_64, us-east-1
FROM totals t LEFT JOIN percentiles USING (function)
GROUP BY t.function, t.invocations, t.cold_starts, t.gb_seconds
ORDER BY t.function;
