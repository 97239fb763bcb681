-- Each measure's divergent groups (a JSON list) as its newest stored assessment at or before run $run
-- says them: what a page listing the groups needs, without the rest of the assessment.
WITH {scope}
SELECT measure_id, CAST(json_extract(detail, '$.groups') AS VARCHAR) AS groups_json
FROM assessments WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
ORDER BY measure_id
