-- End-to-end services in order (definitions' `services:`): $service one, $objective those serving it.
-- The service's own end-to-end measures only where the viewer may see them. A service with no stage the
-- viewer is shown (a public stage, or every stage when they may see every measure the stages name) is
-- left out, as if it did not exist.
WITH {scope}
SELECT s.id, s.name, s.description, s.little_tolerance,
       CASE WHEN s.end_to_end_median IN (SELECT id FROM scope) THEN s.end_to_end_median END AS end_to_end_median,
       CASE WHEN s.end_to_end_p90 IN (SELECT id FROM scope) THEN s.end_to_end_p90 END AS end_to_end_p90,
       (SELECT string_agg(o.objective_id, ',' ORDER BY o.position) FROM service_objectives o
        WHERE o.service_id = s.id) AS objectives
FROM services s
WHERE ($service::VARCHAR IS NULL OR s.id = $service)
  AND ($objective::VARCHAR IS NULL
       OR s.id IN (SELECT o.service_id FROM service_objectives o WHERE o.objective_id = $objective))
  AND (EXISTS (SELECT 1 FROM service_stages st WHERE st.service_id = s.id AND st.public)
       OR NOT EXISTS (SELECT 1 FROM service_stage_measures sm
                      WHERE sm.service_id = s.id AND sm.measure_id NOT IN (SELECT id FROM scope)))
ORDER BY s.position
