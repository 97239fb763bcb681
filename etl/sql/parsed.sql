-- Every submitted row read against the definitions: the input of every check and of the load.
-- Inputs: sub (file, row, measure_id, period, period_label, value, status, note, bd_0..bd_n),
--         sub_columns (file, col, name): which breakdown column each bd_i is in each file,
--         measures, measure_breakdowns (the definitions), $org, $today.
CREATE OR REPLACE TEMP VIEW parsed AS
WITH cleaned AS (
    SELECT file, "row", trim(measure_id) AS measure_id, trim(period) AS period_raw,
           coalesce(nullif(trim(period_label), ''), trim(period)) AS period_label,
           trim(value) AS value_raw, lower(trim(status)) AS status, nullif(trim(note), '') AS note
    FROM sub
),
typed AS (
    SELECT c.*, m.id IS NOT NULL AS known, m.owner_id, m.unit, m.frequency,
           period_kind(c.period_raw) AS kind,
           TRY_CAST(c.value_raw AS DOUBLE) AS value
    FROM cleaned c LEFT JOIN measures m ON m.id = c.measure_id
),
final AS (
    SELECT t.*, period_start_of(t.period_raw, t.kind) AS period_start
    FROM typed t
)
SELECT f.*,
       f.kind IS NOT NULL AND f.frequency IS NOT NULL
           AND (f.kind = f.frequency OR (f.kind = 'date' AND is_period_start(f.frequency, f.period_start)))
           AS fits,
       period_label_of(f.frequency, f.period_start) AS period
FROM final f;

-- breakdown cells in long form: one row per non-empty breakdown cell
CREATE OR REPLACE TEMP VIEW breakdown_cells AS
WITH long AS (
    UNPIVOT sub ON COLUMNS('^bd_[0-9]+$') INTO NAME col VALUE grp
)
SELECT l.file, l."row", trim(l.measure_id) AS measure_id, sc.name AS breakdown, trim(l.grp) AS grp
FROM long l JOIN sub_columns sc ON sc.file = l.file AND sc.col = l.col
WHERE trim(l.grp) <> '';

-- the breakdown key of every row: '' for the total, else 'name=value|...' sorted by name
CREATE OR REPLACE TEMP VIEW row_keys AS
SELECT p.file, p."row",
       coalesce(string_agg(b.breakdown || '=' || b.grp, '|' ORDER BY b.breakdown), '') AS breakdown,
       coalesce(string_agg(b.breakdown, '|' ORDER BY b.breakdown), '') AS dimension,
       coalesce(string_agg(b.grp, '|' ORDER BY b.breakdown), '') AS grp
FROM parsed p LEFT JOIN breakdown_cells b ON b.file = p.file AND b."row" = p."row"
GROUP BY p.file, p."row";
