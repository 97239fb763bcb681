-- period unreadable, not fitting the measure's frequency, or in the future
SELECT file, "row", 'period' AS "column", period_raw AS value,
       CASE WHEN period_raw = '' THEN 'period is empty'
            WHEN kind IS NULL THEN 'not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY)'
            WHEN NOT fits THEN 'period does not fit a ' || replace(frequency, '_', ' ') || ' measure'
            ELSE 'period is in the future' END AS reason
FROM parsed
WHERE known AND (kind IS NULL OR NOT fits OR period_start > CAST($today AS DATE))
