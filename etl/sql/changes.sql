-- Every staged row that differs from the newest published version of its key, beside that version.
-- `reverts`: the incoming row repeats a version that a later-received load has already superseded
-- (a re-sent old file would turn corrected figures back into the old ones); such rows are applied
-- only when the user says so (--supersede). Re-sending an unchanged value is not a change at all.
CREATE OR REPLACE TEMP VIEW changes AS
WITH incoming AS (
    SELECT p.measure_id, p.period, p.period_start, p.period_label, k.breakdown, k.dimension, k.grp,
           CASE WHEN p.status = 'suppressed' THEN NULL ELSE p.value END AS value,
           nullif(p.status, '') AS status, p.note, p.file, p."row"
    FROM parsed p JOIN row_keys k USING (file, "row")
),
versions AS (
    SELECT o.measure_id, o.period, o.breakdown, o.value, o.status, o.note, o.load_id,
           row_number() OVER (PARTITION BY o.measure_id, o.period, o.breakdown
                              ORDER BY l.received_at DESC, o.load_id DESC) AS version_rank
    FROM observations o JOIN loads l ON l.id = o.load_id
    WHERE o.measure_id IN (SELECT DISTINCT measure_id FROM incoming)
),
latest AS (
    SELECT * FROM versions WHERE version_rank = 1
),
superseded AS (
    SELECT DISTINCT measure_id, period, breakdown, value, status, note FROM versions WHERE version_rank > 1
),
final AS (
    SELECT i.*, l.value AS current_value, l.status AS current_status, l.load_id AS current_load,
           s.measure_id IS NOT NULL AS reverts
    FROM incoming i
    LEFT JOIN latest l USING (measure_id, period, breakdown)
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
