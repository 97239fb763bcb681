-- The newest received_at among loads as at $as_at, how many loads there were, and the newest period
-- of a measure the viewer may see.
WITH {scope},
loads_as_at AS (
    SELECT id, received_at FROM loads WHERE received_at <= coalesce($as_at::TIMESTAMP, received_at)
),
newest_period AS (
    SELECT o.period, o.period_start, m.frequency
    FROM observations o
    JOIN loads_as_at l ON l.id = o.load_id
    JOIN measures m ON m.id = o.measure_id
    JOIN scope ON scope.id = o.measure_id
    WHERE o.period_start <= coalesce($as_at::TIMESTAMP, o.period_start)
    ORDER BY o.period_start DESC, m.frequency LIMIT 1
),
final AS (
    SELECT (SELECT max(received_at) FROM loads_as_at) AS received_at,
           (SELECT count(*) FROM loads_as_at) AS loads,
           p.period, p.period_start, p.frequency
    FROM (SELECT 1) LEFT JOIN newest_period p ON true
)
SELECT * FROM final
