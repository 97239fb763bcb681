-- The stages of service $service the viewer is shown, in order, with the organisation running each.
WITH {scope}, {audience}
SELECT st.stage_id, st.name, st.description, st.position, st.org_id, g.name AS org_name,
       coalesce(g.short_name, g.name) AS org_label, g.colour_index
FROM service_stages st JOIN organisations g ON g.id = st.org_id
WHERE st.service_id = $service AND (st.public OR (SELECT name FROM audience) = 'all')
ORDER BY st.position
