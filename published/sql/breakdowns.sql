-- The breakdowns (dimension and group) each measure declares.
WITH {scope}
SELECT breakdown, value FROM measure_breakdowns
WHERE measure_id = $measure AND measure_id IN (SELECT id FROM scope)
ORDER BY position, breakdown
