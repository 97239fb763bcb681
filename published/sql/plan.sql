-- Trajectory points (baseline, milestones, final) of the measures in scope.
WITH {scope}
SELECT t.measure_id, t.period, t.period_start, t.value, t.kind
FROM trajectories t WHERE t.measure_id IN (SELECT id FROM scope)
ORDER BY t.measure_id, t.period_start
