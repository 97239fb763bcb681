-- Each measure's totals as they stood at $as_at, from a year before its newest figure onwards:
-- all the latest value and its changes (on the period before, on a year earlier) need, whatever the
-- frequency. A measure with no figure at all keeps every row.
WITH {scope}, {values_as_at},
with_newest AS (
    SELECT *, max(period_start) FILTER (WHERE value IS NOT NULL) OVER (PARTITION BY measure_id) AS newest_start
    FROM values_as_at
)
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
       note, load_id, received_at, revised
FROM with_newest
WHERE newest_start IS NULL OR period_start >= newest_start - INTERVAL 12 MONTH
ORDER BY measure_id, breakdown, period_start
