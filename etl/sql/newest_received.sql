-- A CTE fragment used after `WITH scope AS (...)`: when each measure's newest figure arrived, as at $as_at
-- (NULL = now): the newest load among those received by then that brought any of its rows.
-- Pages read it as at a past month (published/sql/last_received.sql, judged.sql); the publish step keeps
-- it as at now for every measure, in the table `newest_received` (etl/warehouse.py), which they read then.
newest_received_as_at AS (
    SELECT o.measure_id, max(l.received_at) AS last_received
    FROM observations o JOIN loads l ON l.id = o.load_id
    WHERE o.measure_id IN (SELECT id FROM scope) AND l.received_at <= coalesce($as_at::TIMESTAMP, l.received_at)
    GROUP BY o.measure_id
)
