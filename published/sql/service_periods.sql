-- Run $run's judgements of service $service per period (pinch point, end-to-end time), as this viewer is shown them.
WITH {scope}, {audience}
SELECT p.* EXCLUDE (run_id, audience, service_id)
FROM service_periods p
WHERE p.run_id = $run AND p.service_id = $service AND p.audience = (SELECT name FROM audience)
ORDER BY p.period_start
