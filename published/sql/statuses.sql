-- each measure's status as its newest stored assessment at or before the run says (no JSON read: the status
-- as kept apart from the assessment's detail)
WITH {scope}
SELECT measure_id, status, rag, reason, status_json
FROM assessments WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
