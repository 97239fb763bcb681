-- Each measure's newest stored assessment at or before run $run, with that run's timeliness (JSON).
WITH {scope},
newest AS (
    SELECT measure_id, detail FROM assessments
    WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
    QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
)
SELECT n.measure_id, n.detail AS assessment, t.detail AS timeliness
FROM newest n LEFT JOIN timeliness t ON t.run_id = $run AND t.measure_id = n.measure_id
ORDER BY n.measure_id
