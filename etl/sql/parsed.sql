-- Every submitted row read against the definitions: the input of every check and of the load.
-- Inputs: staged (file, row, fields, blank, unnamed, measure_id, period, period_label, value,
--         status, note, bd_0..bd_n; etl/validate.py), sub_keys (file, names): which breakdown column
--         each bd_i is in each file, as one list per file in the order of bd_0..bd_n (NULL where the
--         file lacks one), measures, measure_breakdowns
--         (the definitions), submitter (org): the organisation submitting.

-- the rows read in full: a CSV row with too few or too many fields is a reading problem of its file,
-- and a row with no text carries no observation
CREATE OR REPLACE TEMP VIEW sub AS
SELECT * EXCLUDE (fields, blank, unnamed) FROM staged WHERE fields IS NULL AND NOT blank;

-- `parsing` reads the rows; `parsed` is what every check and the load read: the same rows, kept as a
-- table once the submitter is known (etl/validate.py run_checks), so that they are read only once.
-- `pairs` (the filled breakdown cells) is kept for `breakdown_cells`, and left out of `parsed`.
CREATE OR REPLACE TEMP VIEW parsing AS
WITH cleaned AS (
    SELECT file, "row", trim(measure_id) AS measure_id, trim(period) AS period_raw,
           coalesce(nullif(trim(period_label), ''), trim(period)) AS period_label,
           trim(value) AS value_raw, lower(trim(status)) AS status, nullif(trim(note), '') AS note,
           list_value(*COLUMNS('^bd_[0-9]+$')) AS cells
    FROM sub
),
-- a file has few distinct breakdown cells and periods, however many rows: each is read once here and
-- joined back (row by row, the list and pattern functions were most of a long file's parse)
-- the filled breakdown cells as (name, value) pairs sorted by name, named from the file's header (sub_keys)
keyed AS (
    SELECT d.file, d.cells,
           list_sort(list_filter(list_zip(k.names, list_transform(d.cells, lambda v: trim(v))),
                                 lambda p: p[1] IS NOT NULL AND p[2] <> '')) AS pairs
    FROM (SELECT DISTINCT file, cells FROM cleaned) d JOIN sub_keys k USING (file)
),
periods AS (
    SELECT period_raw, kind, period_start_of(period_raw, kind) AS period_start
    FROM (SELECT period_raw, period_kind(period_raw) AS kind FROM (SELECT DISTINCT period_raw FROM cleaned))
),
typed AS (
    SELECT c.* EXCLUDE (cells), k.pairs, m.id IS NOT NULL AS known, m.owner_id, m.unit, m.frequency, p.kind,
           TRY_CAST(c.value_raw AS DOUBLE) AS value, p.period_start
    FROM cleaned c
    JOIN keyed k ON k.file = c.file AND k.cells IS NOT DISTINCT FROM c.cells
    JOIN periods p ON p.period_raw IS NOT DISTINCT FROM c.period_raw
    -- a measure defined `published: false` is unknown to every organisation but its owner: a check
    -- must not confirm that it exists, nor tell its owner, frequency, unit or breakdowns
    LEFT JOIN measures m ON m.id = c.measure_id AND (m.published OR m.owner_id IN (SELECT org FROM submitter))
)
SELECT f.*,
       f.kind IS NOT NULL AND f.frequency IS NOT NULL
           AND (f.kind = f.frequency OR (f.kind = 'date' AND is_period_start(f.frequency, f.period_start)))
           AS fits,
       period_label_of(f.frequency, f.period_start) AS period,
       -- the breakdown key: '' for the total, else 'name=value|...' sorted by name
       array_to_string(list_transform(f.pairs, lambda p: p[1] || '=' || p[2]), '|') AS breakdown,
       array_to_string(list_transform(f.pairs, lambda p: p[1]), '|') AS dimension,
       array_to_string(list_transform(f.pairs, lambda p: p[2]), '|') AS grp
FROM typed f;

CREATE OR REPLACE TEMP VIEW parsed AS SELECT * EXCLUDE (pairs) FROM parsing;

-- breakdown cells in long form: one row per non-empty breakdown cell, named from the file's header
-- (its `pairs`); run_checks makes it again over the table `parsed_rows`
CREATE OR REPLACE TEMP VIEW breakdown_cells AS
SELECT file, "row", measure_id, cell[1] AS breakdown, cell[2] AS grp
FROM (SELECT file, "row", measure_id, unnest(pairs) AS cell FROM parsing);

-- the breakdown key of every row (see parsed)
CREATE OR REPLACE TEMP VIEW row_keys AS
SELECT file, "row", breakdown, dimension, grp FROM parsed;
