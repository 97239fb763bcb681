-- Add the staged rows that change a published value (view `changes`); rows that would revert a
-- later correction only when $supersede is true.
INSERT INTO observations
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status, note,
       $load_id, file, "row"
FROM changes
WHERE NOT reverts OR $supersede
