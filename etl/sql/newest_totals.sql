-- A CTE fragment used after `WITH scope AS (...)`: each measure's totals (dimension '') in its two newest
-- period starts as they stood at $as_at (NULL = now), by the rule of values_as_at.sql (the newest load of
-- each key among those received by then, for periods started by then). `recency` 1 is the newest figure,
-- 2 the one before it (two periods of one start, as when a measure's frequency changed: the one received
-- later is the newer). A key's period start is the same in every load, so both are among the two newest
-- starts, and choosing the newest load of only those keys costs far less than of every key of a series.
-- The goal map reads it as at a past month (published/sql/goal_map.sql); the publish step keeps it as at
-- now for every measure, in the table `newest_totals` (etl/warehouse.py), which the goal map reads then.
newest_candidates AS (
    SELECT o.measure_id, o.period, o.period_start, o.breakdown, o.value, o.status, o.load_id, l.received_at,
           dense_rank() OVER (PARTITION BY o.measure_id ORDER BY o.period_start DESC) AS start_rank
    FROM observations o
    JOIN loads l ON l.id = o.load_id
    WHERE o.measure_id IN (SELECT id FROM scope)
      AND l.received_at <= coalesce($as_at::TIMESTAMP, l.received_at)
      AND o.period_start <= coalesce($as_at::TIMESTAMP, o.period_start)
      AND o.dimension = ''
),
newest_versions AS (
    SELECT * EXCLUDE (start_rank),
           row_number() OVER (PARTITION BY measure_id, period, breakdown ORDER BY received_at DESC, load_id DESC)
               AS version_rank,
           count(*) OVER (PARTITION BY measure_id, period, breakdown) AS versions
    FROM newest_candidates WHERE start_rank <= 2
),
newest_totals_as_at AS (
    SELECT measure_id, period, period_start, breakdown, value, status, load_id, received_at, revised, recency
    FROM (SELECT * EXCLUDE (version_rank, versions), versions > 1 AS revised,
                 row_number() OVER (PARTITION BY measure_id
                                    ORDER BY period_start DESC, received_at DESC, load_id DESC, period DESC) AS recency
          FROM newest_versions WHERE version_rank = 1)
    WHERE recency <= 2
)
