-- the same measure, period and breakdown more than once in one load
WITH keyed AS (
    SELECT p.file, p."row", p.measure_id, p.period, k.breakdown,
           first_value(p.file || ' row ' || p."row") OVER w AS first_at,
           row_number() OVER w AS n
    FROM parsed p JOIN row_keys k USING (file, "row")
    WHERE p.known AND p.fits
    WINDOW w AS (PARTITION BY p.measure_id, p.period, k.breakdown ORDER BY p.file, p."row")
)
SELECT file, "row", 'period' AS "column", period AS value,
       'duplicate of ' || first_at || ' (same measure, period and breakdown)' AS reason
FROM keyed WHERE n > 1
