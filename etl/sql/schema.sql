-- The published warehouse. Definitions are copied in at every load so that the file is
-- self-contained: the app reads only this file, read-only.

CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);

CREATE TABLE IF NOT EXISTS organisations (
    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, short_name VARCHAR, kind VARCHAR NOT NULL,
    url VARCHAR, position INTEGER NOT NULL,
    colour_index INTEGER  -- never shared by two organisations one page shows (goal_councils/colours.py)
);
ALTER TABLE organisations ADD COLUMN IF NOT EXISTS colour_index INTEGER;  -- warehouses made before it

CREATE TABLE IF NOT EXISTS councils (
    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, goal VARCHAR, chair VARCHAR, position INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS council_members (
    council_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, position INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS objectives (
    id VARCHAR PRIMARY KEY, council_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    statement VARCHAR, position INTEGER NOT NULL
);

-- role: 'lead' (exactly one per objective) or 'contributor'
CREATE TABLE IF NOT EXISTS objective_partners (
    objective_id VARCHAR NOT NULL, org_id VARCHAR NOT NULL, role VARCHAR NOT NULL,
    responsibility VARCHAR, position INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS measures (
    id VARCHAR PRIMARY KEY, objective_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
    description VARCHAR, owner_id VARCHAR NOT NULL, role VARCHAR NOT NULL, kind VARCHAR NOT NULL,
    timing VARCHAR NOT NULL, unit VARCHAR NOT NULL, unit_label VARCHAR, rate_per INTEGER,
    decimals INTEGER NOT NULL, direction VARCHAR NOT NULL, frequency VARCHAR NOT NULL,
    published BOOLEAN NOT NULL, source VARCHAR, tolerance DOUBLE, seasonal BOOLEAN NOT NULL,
    demand BOOLEAN NOT NULL, due_days INTEGER NOT NULL, xmr_baseline INTEGER,
    baseline_period VARCHAR, baseline_value DOUBLE, target_period VARCHAR, target_value DOUBLE,
    target_note VARCHAR, position INTEGER NOT NULL
);

-- a categorical measure's codes and labels, as JSON ({"1": "Yes", "0": "No"}); NULL: a number
ALTER TABLE measures ADD COLUMN IF NOT EXISTS categories VARCHAR;  -- warehouses made before it
-- the months (1 to 12) a monthly measure has no figure in, as JSON ([8]: August); NULL: none
ALTER TABLE measures ADD COLUMN IF NOT EXISTS no_figure_in VARCHAR;  -- warehouses made before it

CREATE TABLE IF NOT EXISTS measure_breakdowns (
    measure_id VARCHAR NOT NULL, breakdown VARCHAR NOT NULL, value VARCHAR NOT NULL, position INTEGER NOT NULL
);

-- the monthly review rotation (definitions' `reviews:`): the council reviewed in each month and the
-- day it meets; empty when the definitions set no schedule
CREATE TABLE IF NOT EXISTS review_schedule (
    month VARCHAR PRIMARY KEY, council_id VARCHAR NOT NULL, meeting_date DATE NOT NULL
);

-- milestones of the plan, including the baseline and the final target as points
CREATE TABLE IF NOT EXISTS trajectories (
    measure_id VARCHAR NOT NULL, period VARCHAR NOT NULL, period_start DATE NOT NULL,
    value DOUBLE NOT NULL, kind VARCHAR NOT NULL  -- 'baseline' | 'milestone' | 'final'
);

-- one row per published load (rejected loads never reach this file; see home/audit/)
CREATE TABLE IF NOT EXISTS loads (
    id INTEGER PRIMARY KEY, org_id VARCHAR NOT NULL, received_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP NOT NULL, outcome VARCHAR NOT NULL,
    rows_read INTEGER NOT NULL, rows_new INTEGER NOT NULL, rows_unchanged INTEGER NOT NULL,
    by_whom VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS load_files (
    load_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL,
    format VARCHAR NOT NULL, rows_read INTEGER NOT NULL,
    read_options VARCHAR NOT NULL  -- how the bytes were read (delimiter, decimal, sheet, ...)
);

-- Every version of every value. The key is (measure_id, period, breakdown); load_id says
-- which load brought this version. The most recently received load wins (received_at, then
-- load id), so a late-arriving older submission does not overwrite a newer one.
-- breakdown: '' for the total, else 'name=value|name=value' sorted by name;
-- dimension: '' or 'name|name'; grp: '' or 'value|value' in the same order.
CREATE TABLE IF NOT EXISTS observations (
    measure_id VARCHAR NOT NULL, period VARCHAR NOT NULL, period_start DATE NOT NULL,
    period_label VARCHAR NOT NULL, breakdown VARCHAR NOT NULL, dimension VARCHAR NOT NULL,
    grp VARCHAR NOT NULL, value DOUBLE, status VARCHAR, note VARCHAR,
    load_id INTEGER NOT NULL, source_file VARCHAR NOT NULL, source_row INTEGER NOT NULL
);

CREATE OR REPLACE VIEW observation_versions AS
SELECT o.*, l.received_at, l.org_id AS submitted_by,
       row_number() OVER (PARTITION BY o.measure_id, o.period, o.breakdown ORDER BY l.received_at DESC, o.load_id DESC) AS version_rank,
       count(*) OVER (PARTITION BY o.measure_id, o.period, o.breakdown) AS versions
FROM observations o JOIN loads l ON l.id = o.load_id;

-- the newest version of every value; `revised` when an earlier version existed
CREATE OR REPLACE VIEW current_observations AS
SELECT measure_id, period, period_start, period_label, breakdown, dimension, grp, value, status,
       note, load_id, received_at, versions > 1 AS revised
FROM observation_versions WHERE version_rank = 1;

-- Each measure's totals in its two newest period starts, as the published data stands: worked out at
-- every publish (etl/warehouse.py, by etl/sql/newest_totals.sql) for the goal map, which would otherwise
-- rank every headline's whole series at each request. `recency` 1: the newest figure, 2: the one before.
CREATE TABLE IF NOT EXISTS newest_totals (
    measure_id VARCHAR NOT NULL, period VARCHAR NOT NULL, period_start DATE NOT NULL, breakdown VARCHAR NOT NULL,
    value DOUBLE, status VARCHAR, load_id INTEGER NOT NULL, received_at TIMESTAMP NOT NULL,
    revised BOOLEAN NOT NULL, recency BIGINT NOT NULL
);
-- When each measure's newest figure arrived, as the published data stands (etl/sql/newest_received.sql, kept
-- at every publish like newest_totals): what the organisation, objective and measure pages show of freshness.
CREATE TABLE IF NOT EXISTS newest_received (measure_id VARCHAR NOT NULL, last_received TIMESTAMP NOT NULL);
-- Each measure's totals from a year before its newest figure onwards, as the published data stands
-- (etl/sql/newest_year.sql, kept at every publish): the organisation page's latest values and their changes.
CREATE TABLE IF NOT EXISTS newest_year (
    measure_id VARCHAR NOT NULL, period VARCHAR NOT NULL, period_start DATE NOT NULL, period_label VARCHAR NOT NULL,
    breakdown VARCHAR NOT NULL, dimension VARCHAR NOT NULL, grp VARCHAR NOT NULL, value DOUBLE, status VARCHAR,
    note VARCHAR, load_id INTEGER NOT NULL, received_at TIMESTAMP NOT NULL, revised BOOLEAN NOT NULL
);

-- Judgements, made when data is published (etl/judge.py); readers only read them.
-- A run judges as at `as_at`; a reader "as at T" takes the newest run with as_at <= T.
CREATE TABLE IF NOT EXISTS judgement_runs (
    id INTEGER PRIMARY KEY, as_at TIMESTAMP NOT NULL, made_at TIMESTAMP NOT NULL,
    judged INTEGER NOT NULL, carried INTEGER NOT NULL, seconds DOUBLE NOT NULL
);

-- a measure's full assessment (status, XmR, groups, forecast) as JSON, written by the run that
-- judged it because its inputs changed; a run's view of a measure is its newest row at or before it
CREATE TABLE IF NOT EXISTS assessments (
    run_id INTEGER NOT NULL, measure_id VARCHAR NOT NULL, status VARCHAR NOT NULL, rag VARCHAR NOT NULL,
    reason VARCHAR NOT NULL, period VARCHAR, detail VARCHAR NOT NULL
);
-- its status and its groups as the detail has them (assessment_parts.sql fills them): what pages read, without
-- reading the long detail (at state scale most of a council page's statement time)
ALTER TABLE assessments ADD COLUMN IF NOT EXISTS status_json VARCHAR;  -- warehouses judged before it
ALTER TABLE assessments ADD COLUMN IF NOT EXISTS groups_json VARCHAR;

-- every measure in every run: submissions due in the last year, and how they arrived
CREATE TABLE IF NOT EXISTS timeliness (
    run_id INTEGER NOT NULL, measure_id VARCHAR NOT NULL, owner_id VARCHAR NOT NULL,
    due INTEGER NOT NULL, on_time INTEGER NOT NULL, late INTEGER NOT NULL, missing INTEGER NOT NULL,
    stale BOOLEAN NOT NULL, latest_period VARCHAR, detail VARCHAR NOT NULL
);

-- every exception of every measure in every run, with its severity (goal_councils/assess.py)
CREATE TABLE IF NOT EXISTS exceptions (
    run_id INTEGER NOT NULL, measure_id VARCHAR NOT NULL, severity INTEGER NOT NULL, rule VARCHAR NOT NULL,
    rule_label VARCHAR NOT NULL, period VARCHAR, reason VARCHAR NOT NULL,
    size DOUBLE  -- how far from plan, as a share of the plan (off track, at risk): ranks within a severity
);
ALTER TABLE exceptions ADD COLUMN IF NOT EXISTS size DOUBLE;  -- warehouses judged before it

-- End-to-end services (definitions' `services:`, goal_councils/services.py), copied in at every publish
-- (etl/services.py). `public`: every measure the stage names is published, so anonymous visitors see it.
CREATE TABLE IF NOT EXISTS services (
    id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR, little_tolerance DOUBLE NOT NULL,
    end_to_end_median VARCHAR, end_to_end_p90 VARCHAR, position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS service_objectives (
    service_id VARCHAR NOT NULL, objective_id VARCHAR NOT NULL, position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS service_stages (
    service_id VARCHAR NOT NULL, stage_id VARCHAR NOT NULL, name VARCHAR NOT NULL, org_id VARCHAR NOT NULL,
    description VARCHAR, position INTEGER NOT NULL, public BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS service_handoffs (
    service_id VARCHAR NOT NULL, from_stage VARCHAR NOT NULL, to_stage VARCHAR NOT NULL
);
-- figure: arrivals, completions, backlog, time_median, time_p90, failure_demand, right_first_time, capacity
CREATE TABLE IF NOT EXISTS service_stage_measures (
    service_id VARCHAR NOT NULL, stage_id VARCHAR NOT NULL, figure VARCHAR NOT NULL, measure_id VARCHAR NOT NULL
);

-- Flow judgements of every service in every run (etl/services.py), twice: `audience` 'all' from every
-- stage, 'public' from the public stages alone (what anyone not entitled to every stage is shown).
CREATE TABLE IF NOT EXISTS service_flow (
    run_id INTEGER NOT NULL, audience VARCHAR NOT NULL, service_id VARCHAR NOT NULL, stage_id VARCHAR NOT NULL,
    period VARCHAR NOT NULL, period_start DATE NOT NULL,
    arrivals DOUBLE, completions DOUBLE, backlog DOUBLE, backlog_change DOUBLE, time_median DOUBLE,
    time_p90 DOUBLE, failure_demand DOUBLE, failure_share DOUBLE, right_first_time DOUBLE, capacity DOUBLE,
    best_completions DOUBLE,  -- the most completed in a period of the twelve up to this one
    left_service DOUBLE, little_expected DOUBLE, little_ratio DOUBLE, little_agrees BOOLEAN
);
CREATE TABLE IF NOT EXISTS service_handoff_flow (
    run_id INTEGER NOT NULL, audience VARCHAR NOT NULL, service_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    from_stage VARCHAR NOT NULL, to_stage VARCHAR NOT NULL, volume DOUBLE NOT NULL
);
CREATE TABLE IF NOT EXISTS service_periods (
    run_id INTEGER NOT NULL, audience VARCHAR NOT NULL, service_id VARCHAR NOT NULL, period VARCHAR NOT NULL,
    period_start DATE NOT NULL, pinch_stage VARCHAR, pinch_reason VARCHAR, pinch_size DOUBLE,
    end_to_end_median_estimate DOUBLE, end_to_end_p90_estimate DOUBLE,
    end_to_end_median DOUBLE, end_to_end_p90 DOUBLE  -- the service's own end-to-end measures, where it has them
);
