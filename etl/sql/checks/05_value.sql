-- value not a number, written with a decimal comma, or outside what the unit allows
SELECT file, "row", 'value' AS "column", value_raw AS value,
       CASE WHEN value IS NULL AND regexp_full_match(value_raw, '-?[0-9]+,[0-9]+')
                THEN 'decimal comma; declare --decimal '','' if the file uses them'
            WHEN value IS NULL OR NOT regexp_full_match(value_raw, '[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?')
                THEN 'value is not a number'
            WHEN isnan(value) OR isinf(value) THEN 'value is not a finite number'
            WHEN unit = 'percent' AND (value < 0 OR value > 100) THEN 'a percent must be between 0 and 100'
            WHEN unit IN ('count', 'rate', 'days') AND value < 0 THEN 'a ' || unit || ' cannot be negative'
            ELSE 'a count must be a whole number' END AS reason
FROM parsed
WHERE known AND value_raw <> '' AND (
      value IS NULL OR isnan(value)
   OR NOT regexp_full_match(value_raw, '[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?') OR isinf(value)
   OR (unit = 'percent' AND (value < 0 OR value > 100))
   OR (unit IN ('count', 'rate', 'days') AND value < 0)
   OR (unit = 'count' AND value <> round(value)))
