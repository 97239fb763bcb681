-- Fragment: the end of goal_map.sql when the headlines' statuses are read with it (one statement instead
-- of two): each headline's status as its newest stored assessment at or before run $run says (statuses.sql).
judged AS (
    SELECT measure_id, status, rag, reason FROM assessments
    WHERE run_id <= $run AND measure_id IN (SELECT id FROM scope)
    QUALIFY row_number() OVER (PARTITION BY measure_id ORDER BY run_id DESC) = 1
)
SELECT f.*, j.status, j.rag, j.reason FROM final f LEFT JOIN judged j ON j.measure_id = f.measure_id
ORDER BY
