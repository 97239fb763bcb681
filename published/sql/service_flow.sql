-- Run $run's flow of service $service per stage and period, as this viewer is shown it.
WITH {scope}, {audience}
SELECT f.* EXCLUDE (run_id, audience, service_id)
FROM service_flow f
WHERE f.run_id = $run AND f.service_id = $service AND f.audience = (SELECT name FROM audience)
ORDER BY f.stage_id, f.period_start
