-- A CTE fragment used after `WITH scope AS (...)`: each measure's totals as they stood at $as_at (NULL = now),
-- from a year before its newest figure onwards: all the latest value and its changes (on the period before,
-- on a year earlier) need, whatever the frequency. A measure with no figure at all keeps every row.
-- The organisation page reads it as at a past month (published/sql/latest_year.sql); the publish step keeps
-- it as at now for every measure, in the table `newest_year` (etl/warehouse.py), which the page reads then.
{values_as_at},
newest_year_dated AS (
    SELECT *, max(period_start) FILTER (WHERE value IS NOT NULL) OVER (PARTITION BY measure_id) AS newest_start
    FROM values_as_at
),
newest_year_as_at AS (
    SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
           note, load_id, received_at, revised
    FROM newest_year_dated
    WHERE newest_start IS NULL OR period_start >= newest_start - INTERVAL 12 MONTH
)
