-- each measure's timeliness as the run judged it: the figures due in the year to the run's as-at
WITH {scope}
SELECT measure_id, detail FROM timeliness
WHERE run_id = $run AND measure_id IN (SELECT id FROM scope)
ORDER BY measure_id
