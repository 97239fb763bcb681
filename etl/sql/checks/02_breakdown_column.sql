-- a breakdown cell filled for a measure that does not declare that breakdown
SELECT b.file, b."row", b.breakdown AS "column", b.grp AS value,
       'breakdown ' || b.breakdown || ' is not declared for measure ' || b.measure_id AS reason
FROM breakdown_cells b
JOIN measures m ON m.id = b.measure_id
WHERE NOT EXISTS (SELECT 1 FROM measure_breakdowns d
                  WHERE d.measure_id = b.measure_id AND d.breakdown = b.breakdown)
