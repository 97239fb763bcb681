-- The breakdowns (dimension and group) each measure declares.
SELECT breakdown, value FROM measure_breakdowns WHERE measure_id = $measure ORDER BY position, breakdown
