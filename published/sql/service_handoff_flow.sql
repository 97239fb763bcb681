-- Run $run's volumes handed between the stages of service $service per period, as this viewer is shown them.
WITH {scope}, {audience}
SELECT f.period, f.from_stage, f.to_stage, f.volume
FROM service_handoff_flow f
WHERE f.run_id = $run AND f.service_id = $service AND f.audience = (SELECT name FROM audience)
ORDER BY f.period, f.from_stage, f.to_stage
