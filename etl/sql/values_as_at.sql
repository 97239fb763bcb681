-- The one definition of "values as at a moment", a CTE fragment used after `WITH scope AS (...)`:
-- by the load (changes.sql), the publish step's judge (etl/judge.py) and every reader (published/reader.py).
-- Values as they stood at $as_at (NULL = now): the newest load per key among loads received by
-- then, for periods that had started by then. $dimension: '' the totals only, 'region' the
-- totals and the region groups, NULL every breakdown; $breakdown: one exact breakdown key.
-- $since: periods starting on or after this date only.
versions AS (
    SELECT o.measure_id, o.period, o.period_start, o.period_label, o.breakdown, o.dimension, o.grp,
           o.value, o.status, o.note, o.load_id, l.received_at,
           row_number() OVER key_newest_first AS version_rank,
           count(*) OVER key_all AS versions
    FROM observations o
    JOIN loads l ON l.id = o.load_id
    WHERE o.measure_id IN (SELECT id FROM scope)
      AND l.received_at <= coalesce($as_at::TIMESTAMP, l.received_at)
      AND o.period_start <= coalesce($as_at::TIMESTAMP, o.period_start)
      AND o.period_start >= coalesce($since::DATE, o.period_start)
      AND o.dimension IN ('', coalesce($dimension::VARCHAR, o.dimension))
      AND ($breakdown::VARCHAR IS NULL OR o.breakdown = $breakdown)
    WINDOW key_newest_first AS (PARTITION BY o.measure_id, o.period, o.breakdown
                                ORDER BY l.received_at DESC, o.load_id DESC),
           key_all AS (PARTITION BY o.measure_id, o.period, o.breakdown)
),
values_as_at AS (
    SELECT * EXCLUDE (version_rank, versions), versions > 1 AS revised
    FROM versions WHERE version_rank = 1
)
