-- The measures each shown stage of service $service names, by figure, with their names and units.
WITH {scope}, {audience}
SELECT sm.stage_id, sm.figure, sm.measure_id, m.name AS measure_name, m.unit, m.unit_label, m.decimals
FROM service_stage_measures sm
JOIN service_stages st ON st.service_id = sm.service_id AND st.stage_id = sm.stage_id
JOIN measures m ON m.id = sm.measure_id
WHERE sm.service_id = $service AND sm.measure_id IN (SELECT id FROM scope)
  AND (st.public OR (SELECT name FROM audience) = 'all')
ORDER BY st.position, sm.figure
