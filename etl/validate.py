"""Validate: judge every submitted row at once, in DuckDB, against the definitions.

Each rule is one file in `etl/sql/checks/`, a query returning the offending rows as
(file, row, column, value, reason). All rules run over the whole submission and every
problem is collected; nothing is judged row by row in Python.

A standard CSV reaches DuckDB without passing through Python rows: DuckDB's reader streams it
into the staging table, every cell as text, each record numbered by the line it starts on (its
place among the records, plus the line breaks inside the quoted cells before it). A row with too
few or too many fields, or with text under a column without a name, is a reading problem of the
file (`Extracted.problems`), reported with its line. DuckDB first reads each file on a connection
of its own, so that a file it cannot parse never breaks the load's transaction.

Staging and the checks cap DuckDB's memory (`memory_limit`: a base, and a little more for each
column, since DuckDB holds a block per column of a table it fills): beyond it the staged rows and
the checks' working memory spill to a temporary folder, so that a long file costs disk and time
rather than memory. The cap is lifted again when each returns (what the load does next is its own).
"""

from __future__ import annotations

import codecs
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from .extract import STANDARD_COLUMNS, Extracted, Problem
from .tables import NO_ROWS, UNNAMED_WITH_DATA, CsvRows, write_utf8
from .warehouse import sql_text

__all__ = ["stage_submission", "run_checks", "memory_capped", "memory_limit", "CHECKS"]


def _check_names() -> list[str]:
    folder = resources.files("etl").joinpath("sql", "checks")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))


CHECKS = _check_names()

# DuckDB's memory while rows are staged and checked: a base and so much a column (tests/test_streaming.py
# holds a 1M-row file to the budget this gives); SPILL begins the name of the folder it spills to, which
# DuckDB removes on closing
MEMORY_MB, MEMORY_MB_A_COLUMN = 128, 0.5
SPILL = "outcomes-duckdb-"

# DuckDB's null string: a field the row lacks reads as NULL, an empty one as '' (no file holds this)
MISSING = "\x00\x01missing\x01\x00"
# what Python's str.strip() removes, so that a row of spaces is blank here as it was for the csv reader
BLANK = r"[\s\v\x1c-\x1f\x85\p{Z}]*"
# the line breaks in a text, counted as Python's csv reader counts lines (\r\n, \r and \n each end one)
BREAKS = ("CASE WHEN contains({t}, chr(10)) OR contains({t}, chr(13)) THEN length({t}) * 2 "
          "- length(replace({t}, chr(10), '')) - length(replace({t}, chr(13), '')) "
          "- (length({t}) - length(replace({t}, chr(13) || chr(10), ''))) // 2 ELSE 0 END")
# a value written with a decimal comma: '1.234,5' -> '1234.5', '12,5' -> '12.5'; anything else as it is
DECIMAL_COMMA = (r"CASE WHEN regexp_full_match(trim({v}), '[+-]?\d{{1,3}}(\.\d{{3}})+(,\d+)?') "
                 "THEN replace(replace(trim({v}), '.', ''), ',', '.') "
                 "WHEN contains({v}, ',') AND NOT contains({v}, '.') THEN replace(trim({v}), ',', '.') "
                 "ELSE trim({v}) END")
# every record of a UTF-8 file, the header's included, each cell text; one column past the header's,
# so that a long row shows (a short row's missing fields read as NULL). Strict, DuckDB refuses what
# its loose reading would alter: a longer row, text after a closing quote, some mixed line ends.
RECORDS = """read_csv($path, delim = $delim, quote = '"', escape = '"', header = false, auto_detect = false,
                   columns = {types}, nullstr = $missing, null_padding = true, strict_mode = $strict,
                   parallel = false, encoding = 'utf-8')"""
# the rows after the header, numbered by the line they start on
READ_CSV = """
INSERT INTO staged BY NAME
SELECT $file AS file, rec + upto - breaks AS "row", {fields} AS fields,
       regexp_full_match(concat({cells}), $blank) AS blank, {unnamed} AS unnamed, {named}
FROM (SELECT row_number() OVER () AS rec, {upto} AS upto, * FROM (SELECT {breaks} AS breaks, * FROM {records}))
WHERE rec > $header_at
"""


def memory_limit(columns: int) -> str:
    """DuckDB's memory cap for a table (or a file) of so many columns."""
    return f"{MEMORY_MB + round(MEMORY_MB_A_COLUMN * columns)}MB"


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def _records(rows: CsvRows, source: Path, strict: bool) -> tuple[str, dict, list[str], str]:
    """DuckDB's reading of a file: the table function, its parameters, its cells and their line breaks."""
    cells = [f"c{i}" for i in range(rows.width + 1)]
    types = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in cells) + "}"
    params = {"path": str(source), "delim": rows.options.delimiter, "missing": MISSING, "strict": strict}
    breaks = BREAKS.format(t=f"concat_ws(',', {', '.join(cells)})") if rows.quoted else "0"
    return RECORDS.format(types=types), params, cells, breaks


def _lines_read(rows: CsvRows, source: Path, *, strict: bool) -> int | str:
    """The lines DuckDB's records of a file take, or why it cannot read them; on a connection of its own,
    since a failed read would abort the load's transaction."""
    records, params, _, breaks = _records(rows, source, strict)
    probe = duckdb.connect(config={"memory_limit": memory_limit(rows.width)})
    try:
        return probe.execute(f"SELECT count(*) + sum({breaks}) FROM {records}", params).fetchone()[0] or 0
    except duckdb.InvalidInputException as e:  # refused: a long row, text after a closing quote, ...
        return str(e).splitlines()[0]
    finally:
        probe.close()


def _read_csv(con: duckdb.DuckDBPyConnection, x: Extracted, source: Path, header_at: int,
              col_of: dict[str, str], *, strict: bool) -> None:
    """Stream one CSV, read before without fault (`_lines_read`), into `staged`."""
    rows: CsvRows = x.frame
    records, params, cells, breaks = _records(rows, source, strict)
    width = rows.width
    upto = "sum(breaks) OVER (ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)" if rows.quoted else "0"
    present = f"len(list_filter([{', '.join(cells[:width])}], lambda c: c IS NOT NULL))"  # flat, for wide files
    fields = f"CASE WHEN c{width} IS NOT NULL THEN {width + 1} WHEN c{width - 1} IS NULL THEN {present} END"
    unnamed = ", ".join(f"CASE WHEN NOT regexp_full_match(c{i}, $blank) THEN {i + 1} END" for i in rows.unnamed)
    unnamed = f"nullif(list_filter([{unnamed}], lambda u: u IS NOT NULL), [])" if unnamed else "NULL"
    named = []
    for name, i in rows.columns.items():
        cell = DECIMAL_COMMA.format(v=f"c{i}") if name == "value" and rows.options.decimal == "," else f"c{i}"
        if name in col_of or name in STANDARD_COLUMNS:
            named.append(f"{cell} AS {col_of.get(name, name)}")
    sql = READ_CSV.format(fields=fields, cells=", ".join(cells), unnamed=unnamed, named=", ".join(named),
                          breaks=breaks, upto=upto, records=records)
    con.execute(sql, {**params, "file": x.name, "blank": BLANK, "header_at": header_at})


def _stage_csv(con: duckdb.DuckDBPyConnection, x: Extracted, col_of: dict[str, str]) -> None:
    """Read one standard CSV into `staged` and add its reading problems to `x.problems`.

    DuckDB reads the file itself when it is UTF-8 (else a UTF-8 copy), strictly. Its reader skips
    blank lines, so its records must take every line up to the file's last line of text. A file it
    refuses, or whose lines do not add up, is read from an exact copy instead (written through
    Python's csv reader, as files were read before: slower, and only for files like these)."""
    rows: CsvRows = x.frame
    longer: dict[int, int] = {}
    with tempfile.TemporaryDirectory(prefix="outcomes-csv-") as tmp:
        copy, read = Path(tmp) / "utf8.csv", False
        if rows.blank_above == 0:
            source = rows.path if _is_utf8(rows.options.encoding) else copy
            if source == copy:
                write_utf8(rows, copy, exact=False)
            if _lines_read(rows, source, strict=True) == rows.lines:
                _read_csv(con, x, source, 1, col_of, strict=True)
                read = True
        if not read:
            stopped, longer = write_utf8(rows, copy, exact=True)
            if stopped:
                x.problems.append(stopped)
            refused = _lines_read(rows, copy, strict=False)
            if isinstance(refused, str):
                x.problems.append(Problem(x.name, None, None, None, f"cannot be read as CSV: {refused}"))
            else:
                _read_csv(con, x, copy, rows.blank_above + 1, col_of, strict=False)
    x.problems.extend(_reading_problems(con, x, longer))
    rows.rows = con.execute("SELECT count(*) FROM staged WHERE file = ? AND fields IS NULL AND NOT blank",
                            [x.name]).fetchone()[0]
    if rows.rows == 0 and not x.problems:
        x.problems.append(Problem(x.name, None, None, None, NO_ROWS))


def _reading_problems(con: duckdb.DuckDBPyConnection, x: Extracted, longer: dict[int, int]) -> list[Problem]:
    """Rows whose fields do not match the header, and text under a column without a name (its first row).
    DuckDB reads a row only to one field past the header: `longer` has the count of each row the csv
    reader found longer than that (with text somewhere)."""
    width = x.frame.width
    ragged = con.execute('SELECT "row", fields, blank FROM staged WHERE file = ? AND fields IS NOT NULL '
                         'ORDER BY "row"', [x.name]).fetchall()
    out = [Problem(x.name, line, None, None, f"row has {longer.get(line, n)} fields, the header has {width}")
           for line, n, blank in ragged if line in longer or not blank]
    filled = con.execute('SELECT u, min("row") FROM (SELECT "row", unnest(unnamed) AS u FROM staged '
                         'WHERE file = ? AND fields IS NULL AND NOT blank) GROUP BY u ORDER BY u', [x.name]).fetchall()
    out += [Problem(x.name, line, f"column {u}", None, UNNAMED_WITH_DATA) for u, line in filled]
    return out


@contextmanager
def memory_capped(con: duckdb.DuckDBPyConnection, columns: int) -> Iterator[None]:
    """DuckDB's memory capped for tables of so many columns, spilling to a folder in the system's temporary
    folder (not DuckDB's default beside the database: a load's staging folder must hold only its files)."""
    previous, folder = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')").fetchone()
    if not Path(folder).name.startswith(SPILL):  # once per connection, and only before DuckDB has spilled
        folder = Path(tempfile.gettempdir()) / f"{SPILL}{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            con.execute("SET temp_directory = '{}'".format(str(folder).replace("'", "''")))
        except duckdb.NotImplementedException:
            pass  # it has spilled already, where it was told to
    con.execute(f"SET memory_limit = '{memory_limit(columns)}'")
    try:
        yield
    finally:
        try:  # DuckDB shows a limit rounded ('18.8 GiB'): its default comes back exactly by RESET
            con.execute("RESET memory_limit")
            if con.execute("SELECT current_setting('memory_limit')").fetchone()[0] != previous:
                con.execute(f"SET memory_limit = '{previous}'")
        except duckdb.TransactionException:
            pass  # the load's transaction failed: it is rolled back, and the error raised is that one


def stage_submission(con: duckdb.DuckDBPyConnection, files: list[Extracted]) -> None:
    """Put the rows of all files into the temp table `staged` (view `sub`: the rows read in full)
    and `sub_keys`, and the views over them.

    Breakdown columns are renamed bd_0..bd_n so that no text from a file header ever
    becomes an SQL identifier; `sub_keys` says which name each stands for in each file.
    """
    names: list[str] = []
    for x in files:
        for b in x.breakdown_columns:
            if b not in names:
                names.append(b)
    col_of = {b: f"bd_{i}" for i, b in enumerate(names)}
    # UNPIVOT needs at least one column to turn; an always-empty one keeps the views uniform
    bd_columns = list(col_of.values()) or ["bd_0"]
    read = max([x.frame.width + 1 for x in files if isinstance(x.frame, CsvRows)], default=0)
    with memory_capped(con, max(read, len(STANDARD_COLUMNS) + 4 + len(bd_columns))):
        _stage(con, files, col_of, bd_columns)


def _stage(con: duckdb.DuckDBPyConnection, files: list[Extracted], col_of: dict[str, str],
           bd_columns: list[str]) -> None:
    text = ", ".join(f"{c} VARCHAR DEFAULT ''" for c in [*STANDARD_COLUMNS[1:], *bd_columns])
    con.execute("DROP TABLE IF EXISTS parsed_rows")  # the last submission's reading (run_checks)
    con.execute("CREATE OR REPLACE TEMP TABLE staged (file VARCHAR, \"row\" BIGINT, fields INTEGER, "
                f"blank BOOLEAN DEFAULT false, unnamed INTEGER[], {text})")
    frames = []
    for x in files:
        if isinstance(x.frame, CsvRows):
            _stage_csv(con, x, col_of)
            continue
        f = x.frame.rename(columns=col_of).copy()
        f.insert(0, "file", x.name)
        frames.append(f[["file", *STANDARD_COLUMNS, *(c for c in col_of.values() if c in f)]])
    if frames:
        sub = pd.concat(frames, ignore_index=True)
        for c in sub.columns:
            if c != "row":
                sub[c] = sub[c].fillna("").astype(str)
        sub["row"] = sub["row"].astype("int64")
        con.register("_frames", sub)
        con.execute("INSERT INTO staged BY NAME SELECT * FROM _frames")
        con.unregister("_frames")
    con.execute("CREATE OR REPLACE TEMP TABLE sub_keys (file VARCHAR, names VARCHAR[])")
    for x in files:
        mine = {col_of[b]: b for b in x.breakdown_columns}
        con.execute("INSERT INTO sub_keys VALUES (?, ?)", [x.name, [mine.get(c) for c in bd_columns]])
    # who submits (set by run_checks): an internal measure of another organisation is not known to it
    con.execute("CREATE OR REPLACE TEMP TABLE submitter (org VARCHAR)")
    con.execute(sql_text("macros.sql"))
    con.execute(sql_text("parsed.sql"))


# a figure for a month its measure has no figure in by its nature (`no_figure_in`): kept, as sent, but most
# likely meant for another month; one note a file, measure and month (its first row), not one a breakdown
NO_FIGURE_MONTH = """
SELECT p.file, min(p."row") AS "row", 'period' AS "column", any_value(p.period_raw) AS value,
       'measure ' || p.measure_id || ' has no figure in ' || monthname(p.period_start)
       || ' by its definition (no_figure_in): the figure is kept, but that month is never due; '
       || 'check that this is the month meant' AS reason
FROM parsed p JOIN measures m ON m.id = p.measure_id
WHERE p.fits AND p.value IS NOT NULL AND m.frequency = 'monthly' AND m.no_figure_in IS NOT NULL
  AND list_contains(CAST(CAST(m.no_figure_in AS JSON) AS INTEGER[]), month(p.period_start))
GROUP BY p.file, p.measure_id, p.period_start
ORDER BY p.file, "row"
"""


def run_checks(con: duckdb.DuckDBPyConnection, org: str, today: date) -> list[Problem]:
    """Every problem of the staged submission, ordered by file and row: each rule's rows are kept in
    DuckDB (a temp table, which can spill) and merged there, not in Python."""
    params = {"org": org, "today": today}
    con.execute("DELETE FROM submitter")
    con.execute("INSERT INTO submitter VALUES (?)", [org])
    problems, shared = [], {}  # one copy of each file name, column and reason, however many rows repeat it
    columns = con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'staged'").fetchone()[0]
    with memory_capped(con, columns):
        # read against the definitions once (a table, which can spill): the checks and the load read that
        con.execute("CREATE OR REPLACE TEMP TABLE parsed_rows AS SELECT * FROM parsing")
        con.execute("CREATE OR REPLACE TEMP VIEW parsed AS SELECT * EXCLUDE (pairs) FROM parsed_rows")
        con.execute("CREATE OR REPLACE TEMP VIEW breakdown_cells AS SELECT file, \"row\", measure_id, "
                    "cell[1] AS breakdown, cell[2] AS grp FROM (SELECT file, \"row\", measure_id, "
                    "unnest(pairs) AS cell FROM parsed_rows)")
        con.execute('CREATE OR REPLACE TEMP TABLE found (file VARCHAR, "row" BIGINT, "column" VARCHAR, '
                    'value VARCHAR, reason VARCHAR)')
        for name in CHECKS:
            query = sql_text(f"checks/{name}")
            con.execute(f"INSERT INTO found {query}", {k: v for k, v in params.items() if f"${k}" in query})
        result = con.execute('SELECT DISTINCT * FROM found '
                             'ORDER BY file, "row", coalesce("column", \'\'), reason, value')
        while chunk := result.fetchmany(10_000):
            problems += [Problem(shared.setdefault(f, f), r, shared.setdefault(c, c), v,
                                 shared.setdefault(reason, reason)) for f, r, c, v, reason in chunk]
        con.execute("DROP TABLE found")
        notes = con.execute(NO_FIGURE_MONTH).fetchall()
        problems += [Problem(f, r, c, v, reason, "note") for f, r, c, v, reason in notes]
    return problems
