-- Every staged row that differs from the newest published version of its key, beside that version.
-- `reverts`: the incoming row repeats a version that a later-received load has already superseded
-- (a re-sent old file would turn corrected figures back into the old ones); such rows are applied
-- only when the user says so (--supersede). Re-sending an unchanged value is not a change at all.
-- The newest version of each key is "values as at now", the same fragment every reader uses
-- (values_as_at.sql, which etl/load.py splices in below; its parameters all NULL).
-- A load's files have no errors when this runs: each (file, row) is one row of `parsed`.
CREATE OR REPLACE TEMP TABLE changes AS
WITH incoming AS (
    SELECT p.measure_id, p.period, p.period_start, p.period_label, p.breakdown, p.dimension, p.grp,
           CASE WHEN p.status = 'suppressed' THEN NULL ELSE p.value END AS value,
           nullif(p.status, '') AS status, p.note, p.file, p."row"
    FROM parsed p
),
scope AS (
    SELECT DISTINCT measure_id AS id FROM incoming
),
-- the fragment reads `observations`: here only the versions of the incoming keys (every version of each,
-- so that ranks and counts are as over the whole table), found without reading every row: only the
-- loads that hold a measure in scope (`observed_loads`, kept by etl/load.py) are scanned
observations AS (
    SELECT o.* FROM main.observations o
    SEMI JOIN incoming i ON i.measure_id = o.measure_id AND i.period = o.period AND i.breakdown = o.breakdown
    WHERE o.load_id IN (SELECT load_id FROM observed_loads WHERE measure_id IN (SELECT id FROM scope))
),
{values_as_at},
superseded AS (
    SELECT DISTINCT measure_id, period, breakdown, value, status, note FROM versions WHERE version_rank > 1
),
final AS (
    SELECT i.*, l.value AS current_value, l.status AS current_status, l.load_id AS current_load,
           s.measure_id IS NOT NULL AS reverts
    FROM incoming i
    LEFT JOIN values_as_at l USING (measure_id, period, breakdown)
    LEFT JOIN superseded s
           ON s.measure_id = i.measure_id AND s.period = i.period AND s.breakdown = i.breakdown
          AND s.value IS NOT DISTINCT FROM i.value AND s.status IS NOT DISTINCT FROM i.status
          AND s.note IS NOT DISTINCT FROM i.note
    WHERE l.measure_id IS NULL
       OR l.value IS DISTINCT FROM i.value
       OR l.status IS DISTINCT FROM i.status
       OR l.note IS DISTINCT FROM i.note
)
SELECT * FROM final
