-- Measure definitions in scope, with their objective, council and owner.
WITH {orgs}, {scope},
declared AS (
    SELECT measure_id, string_agg(DISTINCT breakdown, ',' ORDER BY breakdown) AS breakdowns
    FROM measure_breakdowns WHERE measure_id IN (SELECT id FROM scope) GROUP BY measure_id
)
SELECT m.id, m.objective_id, ob.name AS objective_name, ob.council_id, c.name AS council_name,
       m.name, m.description, m.owner_id, g.name AS owner_name, g.short_name AS owner_short_name,
       g.colour_index, m.role, m.kind, m.timing, m.unit, m.unit_label, m.rate_per, m.decimals,
       m.direction, m.frequency, m.published, m.source, m.tolerance, m.seasonal, m.demand,
       m.due_days, m.xmr_baseline, m.baseline_period, m.baseline_value, m.target_period, m.target_value,
       m.target_note, m.position, coalesce(d.breakdowns, '') AS breakdowns,
       m.categories,  -- JSON {code: label} of a categorical measure; NULL for a number
       m.no_figure_in  -- JSON [8] of the months a monthly measure has no figure in; NULL: none
FROM measures m
JOIN objectives ob ON ob.id = m.objective_id
JOIN councils c ON c.id = ob.council_id
JOIN orgs g ON g.id = m.owner_id
LEFT JOIN declared d ON d.measure_id = m.id
WHERE m.id IN (SELECT id FROM scope)
ORDER BY c.position, ob.position, m.role <> 'headline', m.position, m.id
