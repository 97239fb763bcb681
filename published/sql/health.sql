-- Data health in run $run: per organisation, figures due, on time, late, missing; stale measures.
WITH {scope},
final AS (
    SELECT t.owner_id AS org_id, g.name AS org_name, sum(t.due)::INTEGER AS due,
           sum(t.on_time)::INTEGER AS on_time, sum(t.late)::INTEGER AS late,
           sum(t.missing)::INTEGER AS missing, count(*) FILTER (WHERE t.stale)::INTEGER AS stale_measures
    FROM timeliness t JOIN organisations g ON g.id = t.owner_id
    WHERE t.run_id = $run AND t.measure_id IN (SELECT id FROM scope)
    GROUP BY t.owner_id, g.name
)
SELECT *, round(on_time / nullif(due, 0), 3) AS on_time_share FROM final
ORDER BY on_time_share NULLS LAST, org_id
