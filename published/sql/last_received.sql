-- when each measure's newest figure arrived, as at $as_at
WITH {scope}
SELECT o.measure_id, max(l.received_at) AS last_received
FROM observations o JOIN loads l ON l.id = o.load_id
WHERE o.measure_id IN (SELECT id FROM scope) AND l.received_at <= coalesce($as_at::TIMESTAMP, l.received_at)
GROUP BY o.measure_id
