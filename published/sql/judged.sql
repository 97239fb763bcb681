-- Each measure in scope with what judgement run $run stored about it, in one statement (a page that
-- shows status, timeliness and groups asks once): its newest assessment at or before the run (whole
-- when $whole, else NULL; its status and groups always), the run's timeliness, and when its newest
-- figure arrived as at $as_at ({received}: etl/sql/newest_received.sql, or as the publish step kept it for
-- now). `assessed`: it has an assessment at or before the run.
WITH {scope},
newest AS (
    SELECT measure_id, detail, status_json, groups_json FROM assessments
    WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
    QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
),
timely AS (
    SELECT measure_id, detail FROM timeliness WHERE run_id = $run AND measure_id IN (SELECT id FROM scope)
),
{received}
SELECT s.id AS measure_id, n.measure_id IS NOT NULL AS assessed,
       CASE WHEN $whole::BOOLEAN THEN n.detail END AS assessment,
       n.status_json, n.groups_json,
       t.detail AS timeliness, r.last_received
FROM scope s
LEFT JOIN newest n ON n.measure_id = s.id
LEFT JOIN timely t ON t.measure_id = s.id
LEFT JOIN received r ON r.measure_id = s.id
ORDER BY s.id
