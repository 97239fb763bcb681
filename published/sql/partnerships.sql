-- The partner organisations of objectives, lead first: those of council $council, of objective
-- $objective, or of the objectives organisation $partner takes part in (each NULL = any).
WITH {orgs},
final AS (
    SELECT p.objective_id, g.id AS org_id, g.name AS org_name, g.short_name AS org_short_name,
           g.kind AS org_kind, p.role, p.responsibility,
           c.position AS council_position, o.council_id, o.position AS objective_position,
           p.position AS partner_position, g.position AS org_position
    FROM objective_partners p
    JOIN orgs g ON g.id = p.org_id
    JOIN objectives o ON o.id = p.objective_id
    JOIN councils c ON c.id = o.council_id
    WHERE ($council::VARCHAR IS NULL OR o.council_id = $council)
      AND ($objective::VARCHAR IS NULL OR p.objective_id = $objective)
      AND ($partner::VARCHAR IS NULL OR p.objective_id IN (
            SELECT q.objective_id FROM objective_partners q WHERE q.org_id = $partner))
)
SELECT objective_id, org_id, org_name, org_short_name, org_kind, role, responsibility
FROM final
ORDER BY council_position, council_id, objective_position, objective_id, role <> 'lead', partner_position,
         org_position, org_id
