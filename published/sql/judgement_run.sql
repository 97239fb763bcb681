-- The judgement run (etl/judge.py) that stood at $as_at (NULL = the newest); the other judgement
-- queries read that run's exceptions and timeliness, and each measure's newest assessment at or before it.
SELECT id, as_at, made_at FROM judgement_runs
WHERE as_at <= coalesce($as_at::TIMESTAMP, as_at)
ORDER BY as_at DESC, id DESC LIMIT 1
