-- Each assessment's status and groups, taken out of its detail once, where they are not yet: after a run
-- writes its assessments (etl/judge.py), and for a warehouse judged before the columns were (etl/schema.py).
UPDATE assessments
SET status_json = CAST(json_extract(detail, '$.status') AS VARCHAR),
    groups_json = CAST(json_extract(detail, '$.groups') AS VARCHAR)
WHERE status_json IS NULL
