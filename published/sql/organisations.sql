-- Organisations with their colour; $org: one only.
WITH {orgs}, {scope}
SELECT g.id, g.name, g.short_name, g.kind, g.url, g.position, g.colour_index,
       (SELECT count(*) FROM objective_partners p WHERE p.org_id = g.id AND p.role = 'lead') AS leads,
       (SELECT count(*) FROM objective_partners p WHERE p.org_id = g.id AND p.role = 'contributor') AS contributes,
       (SELECT count(*) FROM measures m WHERE m.owner_id = g.id AND m.id IN (SELECT id FROM scope)) AS measures
FROM orgs g
WHERE $org::VARCHAR IS NULL OR g.id = $org
ORDER BY g.position, g.id
