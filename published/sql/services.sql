-- End-to-end services in order (definitions' `services:`): $service one, $objective those serving it.
-- The service's own end-to-end measures only where the viewer may see them.
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
ORDER BY s.position
