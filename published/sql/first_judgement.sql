-- When judgements begin: the earliest judgement run's as-at.
SELECT min(as_at) AS as_at FROM judgement_runs
