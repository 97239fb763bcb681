-- a breakdown value that is not among the declared values
SELECT b.file, b."row", b.breakdown AS "column", b.grp AS value,
       'value is not one of the declared ' || b.breakdown || ' values for measure ' || b.measure_id AS reason
FROM breakdown_cells b
WHERE EXISTS (SELECT 1 FROM measure_breakdowns d WHERE d.measure_id = b.measure_id AND d.breakdown = b.breakdown)
  AND NOT EXISTS (SELECT 1 FROM measure_breakdowns d
                  WHERE d.measure_id = b.measure_id AND d.breakdown = b.breakdown AND d.value = b.grp)
