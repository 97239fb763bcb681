-- Goal councils in their order; $council: one only.
SELECT c.id, c.name, c.goal, c.chair, c.position,
       (SELECT count(*) FROM objectives o WHERE o.council_id = c.id) AS objectives,
       (SELECT count(*) FROM council_members cm WHERE cm.council_id = c.id) AS members
FROM councils c
WHERE $council::VARCHAR IS NULL OR c.id = $council
ORDER BY c.position, c.id
