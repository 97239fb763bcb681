-- Each measure's totals as they stood at $as_at, from a year before its newest figure onwards ({latest_year}:
-- etl/sql/newest_year.sql, or as the publish step kept it for now).
WITH {scope}, {latest_year}
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
       note, load_id, received_at, revised
FROM latest_year
ORDER BY measure_id, breakdown, period_start
