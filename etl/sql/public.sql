-- The public warehouse: the published one with nothing an anonymous visitor may not see.
-- Run on a new file with the schema in place and the full new warehouse attached as `src`.
-- Internal measures (published = false) and everything hanging off them are left out;
-- so are loads that brought none of the rest, and the person who ran each load is blanked
-- (an organisation's staff are not public).
-- Written whole, or brought up to date (etl/public.py): the small tables are emptied and written whole
-- again; the tables that only grow get the rows of the loads after `after_load` and of the judgement runs
-- after `after_run` (variables: -1 when the file is written whole).
INSERT INTO meta BY NAME SELECT * FROM src.meta WHERE key <> 'schema_version';
INSERT INTO organisations BY NAME SELECT * FROM src.organisations;
INSERT INTO councils BY NAME SELECT * FROM src.councils;
INSERT INTO council_members BY NAME SELECT * FROM src.council_members;
INSERT INTO objectives BY NAME SELECT * FROM src.objectives;
INSERT INTO objective_partners BY NAME SELECT * FROM src.objective_partners;
INSERT INTO review_schedule BY NAME SELECT * FROM src.review_schedule;
INSERT INTO measures BY NAME SELECT * FROM src.measures WHERE published;
CREATE TEMP TABLE public_measures AS SELECT id FROM measures;
INSERT INTO measure_breakdowns BY NAME
    SELECT * FROM src.measure_breakdowns WHERE measure_id IN (SELECT id FROM public_measures);
INSERT INTO trajectories BY NAME
    SELECT * FROM src.trajectories WHERE measure_id IN (SELECT id FROM public_measures);
CREATE TEMP TABLE public_loads AS
    SELECT DISTINCT load_id AS id FROM src.observations
    WHERE load_id > getvariable('after_load') AND measure_id IN (SELECT id FROM public_measures);
INSERT INTO loads BY NAME
    SELECT * REPLACE ('' AS by_whom) FROM src.loads WHERE id IN (SELECT id FROM public_loads);
INSERT INTO load_files BY NAME SELECT * FROM src.load_files WHERE load_id IN (SELECT id FROM public_loads);
-- Large tables are written in the order readers filter them by, so that DuckDB's zone maps skip the
-- row groups a query does not need: observations totals first (most pages read totals only), then
-- by measure; assessments and timeliness by measure (a page reads the measures it shows).
INSERT INTO observations BY NAME
    SELECT * FROM src.observations
    WHERE load_id > getvariable('after_load') AND measure_id IN (SELECT id FROM public_measures)
    ORDER BY dimension <> '', measure_id, breakdown, period_start;
INSERT INTO judgement_runs BY NAME SELECT * FROM src.judgement_runs WHERE id > getvariable('after_run');
INSERT INTO assessments BY NAME
    SELECT * FROM src.assessments
    WHERE run_id > getvariable('after_run') AND measure_id IN (SELECT id FROM public_measures)
    ORDER BY measure_id, run_id;
INSERT INTO timeliness BY NAME
    SELECT * FROM src.timeliness
    WHERE run_id > getvariable('after_run') AND measure_id IN (SELECT id FROM public_measures)
    ORDER BY run_id, measure_id;
INSERT INTO exceptions BY NAME  -- in the judge's order, which breaks the list's ties
    SELECT * FROM src.exceptions
    WHERE run_id > getvariable('after_run') AND measure_id IN (SELECT id FROM public_measures);
INSERT INTO newest_totals BY NAME
    SELECT * FROM src.newest_totals WHERE measure_id IN (SELECT id FROM public_measures);
INSERT INTO newest_received BY NAME
    SELECT * FROM src.newest_received WHERE measure_id IN (SELECT id FROM public_measures);
INSERT INTO newest_year BY NAME
    SELECT * FROM src.newest_year WHERE measure_id IN (SELECT id FROM public_measures)
    ORDER BY measure_id, period_start;
INSERT INTO meta VALUES ('audience', 'public');
-- end-to-end services: only the stages whose measures are all published, and their flow as computed
-- from those stages alone (audience 'public'; etl/services.py)
INSERT INTO services BY NAME SELECT * REPLACE (
    CASE WHEN end_to_end_median IN (SELECT id FROM public_measures) THEN end_to_end_median END AS end_to_end_median,
    CASE WHEN end_to_end_p90 IN (SELECT id FROM public_measures) THEN end_to_end_p90 END AS end_to_end_p90)
    FROM src.services;
INSERT INTO service_objectives BY NAME SELECT * FROM src.service_objectives;
INSERT INTO service_stages BY NAME SELECT * FROM src.service_stages WHERE public;
INSERT INTO service_handoffs BY NAME
    SELECT h.* FROM src.service_handoffs h
    WHERE EXISTS (SELECT 1 FROM service_stages s WHERE s.service_id = h.service_id AND s.stage_id = h.from_stage)
      AND EXISTS (SELECT 1 FROM service_stages s WHERE s.service_id = h.service_id AND s.stage_id = h.to_stage);
INSERT INTO service_stage_measures BY NAME
    SELECT sm.* FROM src.service_stage_measures sm
    WHERE sm.measure_id IN (SELECT id FROM public_measures)
      AND EXISTS (SELECT 1 FROM service_stages s WHERE s.service_id = sm.service_id AND s.stage_id = sm.stage_id);
INSERT INTO service_flow BY NAME SELECT * FROM src.service_flow WHERE audience = 'public';
INSERT INTO service_handoff_flow BY NAME SELECT * FROM src.service_handoff_flow WHERE audience = 'public';
INSERT INTO service_periods BY NAME SELECT * FROM src.service_periods WHERE audience = 'public';
