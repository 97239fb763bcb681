-- Run $run's exceptions in scope with names for measures, owners and objectives, most severe and
-- largest gap first, ties in the order the judge stored them; $objectives: only those of these objectives (NULL: every one).
WITH {scope}
SELECT e.severity, e.rule, e.rule_label, e.measure_id, e.period, e.reason, e.size,
       m.name AS measure_name, m.owner_id, g.name AS owner_name, m.objective_id, ob.name AS objective_name, m.role,
       m.frequency
FROM exceptions e
JOIN measures m ON m.id = e.measure_id
JOIN objectives ob ON ob.id = m.objective_id
JOIN organisations g ON g.id = m.owner_id
WHERE e.run_id = $run AND e.measure_id IN (SELECT id FROM scope)
  AND ($objectives::VARCHAR[] IS NULL OR list_contains($objectives::VARCHAR[], m.objective_id))
ORDER BY e.severity DESC, e.size DESC NULLS LAST, e.measure_id, e.rule, e.rowid
