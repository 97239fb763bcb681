-- Objective $objective's partner organisations and their role (lead or contributor).
WITH {orgs}
SELECT p.objective_id, g.id AS org_id, g.name AS org_name, g.short_name AS org_short_name,
       g.kind AS org_kind, g.colour_index, p.role, p.responsibility
FROM objective_partners p JOIN orgs g ON g.id = p.org_id
WHERE p.objective_id = $objective
ORDER BY p.role <> 'lead', p.position, g.position, g.id
