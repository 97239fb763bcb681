-- objectives with their council and lead; with $partner, only those the organisation takes
-- part in, with its role and written responsibility
WITH {orgs},
leads AS (
    SELECT p.objective_id, g.id, g.name, g.short_name, g.colour_index
    FROM objective_partners p JOIN orgs g ON g.id = p.org_id
    WHERE p.role = 'lead'
),
numbered AS (
    SELECT id, CAST(row_number() OVER (PARTITION BY council_id ORDER BY position, id) AS BIGINT) AS objective_number
    FROM objectives
),
mine AS (
    SELECT p.objective_id, p.role, p.responsibility FROM objective_partners p WHERE p.org_id = $partner
),
final AS (
    SELECT o.id AS objective_id, o.name AS objective_name, o.statement AS objective_statement,
           o.position AS objective_position,
           c.id AS council_id, c.name AS council_name, c.position AS council_position,
           n.objective_number,
           lead.id AS lead_id, lead.name AS lead_name, lead.short_name AS lead_short_name,
           lead.colour_index AS lead_colour_index,
           headline.id AS headline_id,
           mine.role AS partner_role, mine.responsibility AS partner_responsibility
    FROM objectives o
    JOIN councils c ON c.id = o.council_id
    JOIN numbered n ON n.id = o.id
    LEFT JOIN leads lead ON lead.objective_id = o.id
    -- the headline only where the viewer may see it (the rule of scope.sql)
    LEFT JOIN measures headline ON headline.objective_id = o.id AND headline.role = 'headline'
        AND (headline.published OR $viewer_admin::BOOLEAN
             OR list_contains($viewer_councils::VARCHAR[], o.council_id)
             OR headline.owner_id = $viewer_org::VARCHAR
             OR o.id IN (SELECT p.objective_id FROM objective_partners p
                         WHERE p.org_id = $viewer_org::VARCHAR AND p.role = 'lead'))
    LEFT JOIN mine ON mine.objective_id = o.id
    WHERE ($objective::VARCHAR IS NULL OR o.id = $objective)
      AND ($council::VARCHAR IS NULL OR o.council_id = $council)
      AND ($partner::VARCHAR IS NULL OR mine.role IS NOT NULL)
)
SELECT * FROM final ORDER BY council_position, council_id, objective_position, objective_id
