-- Every staged row that differs from the newest published version of its key, beside that version.
-- `reverts`: the incoming row repeats a version that a later-received load has already superseded
-- (a re-sent old file would turn corrected figures back into the old ones); such rows are applied
-- only when the user says so (--supersede). Re-sending an unchanged value is not a change at all.
-- The newest version of each key is "values as at now", the same fragment every reader uses
-- (values_as_at.sql, which etl/load.py splices in below; its parameters all NULL).
CREATE OR REPLACE TEMP TABLE changes AS
WITH incoming AS (
    SELECT p.measure_id, p.period, p.period_start, p.period_label, k.breakdown, k.dimension, k.grp,
           CASE WHEN p.status = 'suppressed' THEN NULL ELSE p.value END AS value,
           nullif(p.status, '') AS status, p.note, p.file, p."row"
    FROM parsed p JOIN row_keys k USING (file, "row")
),
scope AS (
    SELECT DISTINCT measure_id AS id FROM incoming
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
