-- Run $run's exceptions in scope, one row per objective, in the list's order: the objective with the
-- most severe exception first, then by where its first exception stands in exceptions.sql's order.
-- The list is paged by these (dashboard/components/exceptions.py), so that a page reads only its rows.
WITH {scope},
listed AS (
    SELECT e.severity, m.objective_id,
           row_number() OVER (ORDER BY e.severity DESC, e.size DESC NULLS LAST, e.measure_id, e.rule, e.rowid)
               AS place
    FROM exceptions e
    JOIN measures m ON m.id = e.measure_id
    WHERE e.run_id = $run AND e.measure_id IN (SELECT id FROM scope)
)
SELECT objective_id, count(*) AS exceptions, max(severity) AS worst
FROM listed
GROUP BY objective_id
ORDER BY worst DESC, min(place)
