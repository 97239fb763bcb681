-- the same measure, period and breakdown more than once in one load (ranked only among the keys that repeat)
WITH repeated AS (
    SELECT measure_id, period, breakdown FROM parsed WHERE known AND fits
    GROUP BY ALL HAVING count(*) > 1
),
keyed AS (
    SELECT file, "row", period,
           first_value(file) OVER w AS first_file, first_value("row") OVER w AS first_row,
           row_number() OVER w AS n
    FROM parsed p
    SEMI JOIN repeated r ON r.measure_id IS NOT DISTINCT FROM p.measure_id AND r.period IS NOT DISTINCT FROM p.period
                        AND r.breakdown IS NOT DISTINCT FROM p.breakdown
    WHERE known AND fits
    WINDOW w AS (PARTITION BY measure_id, period, breakdown ORDER BY file, "row")
)
SELECT file, "row", 'period' AS "column", period AS value,
       'duplicate of ' || first_file || ' row ' || first_row || ' (same measure, period and breakdown)' AS reason
FROM keyed WHERE n > 1
