-- One row per objective: council, objective, lead organisation, headline measure with its latest
-- total value as at $as_at, the value before it, and its target.
-- {headline_values}: each headline's two newest totals (by recency), as at $as_at by etl/sql/newest_totals.sql
-- or as the publish step kept them (table newest_totals) for now.
WITH {scope},
{headline_values},
leads AS (
    SELECT p.objective_id, g.id, g.name, g.short_name
    FROM objective_partners p JOIN organisations g ON g.id = p.org_id
    WHERE p.role = 'lead'
),
final AS (
    SELECT c.id AS council_id, c.name AS council_name, c.goal AS council_goal,
           c.position AS council_position,
           o.id AS objective_id, o.name AS objective_name, o.statement AS objective_statement,
           o.position AS objective_position,
           lead.id AS lead_id, lead.name AS lead_name, lead.short_name AS lead_short_name,
           m.id AS measure_id, m.name AS measure_name, m.unit, m.unit_label, m.rate_per,
           m.decimals, m.direction, m.frequency, m.demand, m.categories,
           latest.period AS latest_period, latest.value AS latest_value,
           latest.status AS latest_status, latest.revised AS latest_revised,
           latest.received_at AS latest_received_at,
           previous.period AS previous_period, previous.value AS previous_value,
           latest.value - previous.value AS change,
           m.baseline_period, m.baseline_value, m.target_period, m.target_value
    FROM objectives o
    JOIN councils c ON c.id = o.council_id
    LEFT JOIN leads lead ON lead.objective_id = o.id
    LEFT JOIN measures m ON m.objective_id = o.id AND m.role = 'headline' AND m.id IN (SELECT id FROM scope)
    LEFT JOIN headline_values latest ON latest.measure_id = m.id AND latest.recency = 1
    LEFT JOIN headline_values previous ON previous.measure_id = m.id AND previous.recency = 2
)
SELECT * FROM final ORDER BY council_position, council_id, objective_position, objective_id
