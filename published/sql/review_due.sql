-- What is due for a council's next review (the goal map's "next review"), one row per measure of the
-- council the viewer may see: its owner, its objective's lead, how often and how soon after a period its
-- figures are due, and the timeliness judgement run $run stored for it (figures due and not received,
-- the newest period received). NULL timeliness: no judgement of it stood in the run.
WITH {scope},
leads AS (
    SELECT objective_id, min(org_id) AS lead_id FROM objective_partners WHERE role = 'lead' GROUP BY objective_id
),
final AS (
    SELECT m.id AS measure_id, m.name AS measure_name, m.owner_id, g.name AS owner_name, l.lead_id,
           m.frequency, m.due_days, m.no_figure_in, t.missing, t.latest_period
    FROM measures m
    JOIN organisations g ON g.id = m.owner_id
    LEFT JOIN leads l ON l.objective_id = m.objective_id
    LEFT JOIN timeliness t ON t.measure_id = m.id AND t.run_id = $run
    WHERE m.id IN (SELECT id FROM scope)
)
SELECT * FROM final ORDER BY owner_name, measure_name, measure_id
