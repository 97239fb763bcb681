-- The hand-offs between the shown stages of service $service.
WITH {scope}, {audience}
SELECT h.from_stage, h.to_stage
FROM service_handoffs h
JOIN service_stages a ON a.service_id = h.service_id AND a.stage_id = h.from_stage
JOIN service_stages b ON b.service_id = h.service_id AND b.stage_id = h.to_stage
WHERE h.service_id = $service AND ((a.public AND b.public) OR (SELECT name FROM audience) = 'all')
