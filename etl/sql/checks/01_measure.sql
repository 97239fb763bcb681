-- measure_id empty, unknown, or owned by another organisation
SELECT file, "row", 'measure_id' AS "column", measure_id AS value,
       CASE WHEN measure_id = '' THEN 'measure_id is empty'
            WHEN NOT known THEN 'unknown measure'
            ELSE 'measure is owned by ' || owner_id || ', not by ' || $org END AS reason
FROM parsed
WHERE measure_id = '' OR NOT known OR owner_id <> $org
