-- Add the staged rows that differ from the newest published version of the same key.
-- Re-sending an unchanged value adds nothing; a changed one becomes a new version (a revision).
WITH incoming AS (
    SELECT p.measure_id, p.period, p.period_start, p.period_label, k.breakdown, k.dimension, k.grp,
           CASE WHEN p.status = 'suppressed' THEN NULL ELSE p.value END AS value,
           nullif(p.status, '') AS status, p.note, p.file, p."row"
    FROM parsed p JOIN row_keys k USING (file, "row")
),
latest AS (
    SELECT o.measure_id, o.period, o.breakdown, o.value, o.status, o.note
    FROM observations o JOIN loads l ON l.id = o.load_id
    WHERE o.measure_id IN (SELECT DISTINCT measure_id FROM incoming)
    QUALIFY row_number() OVER (PARTITION BY o.measure_id, o.period, o.breakdown
                               ORDER BY l.received_at DESC, o.load_id DESC) = 1
),
final AS (
    SELECT i.* FROM incoming i
    LEFT JOIN latest l USING (measure_id, period, breakdown)
    WHERE l.measure_id IS NULL
       OR l.value IS DISTINCT FROM i.value
       OR l.status IS DISTINCT FROM i.status
       OR l.note IS DISTINCT FROM i.note
)
INSERT INTO observations
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status, note,
       $load_id, file, "row"
FROM final
