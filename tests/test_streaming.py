"""Standard CSVs stream into DuckDB: a million rows within a fixed memory budget, an absurdly wide
file refused before any row is read, and every reading problem still at the line a person sees.

The million-row tests print their figures (rows/s, peak RSS); only memory is asserted, never time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl.extract import extract
from etl.load import LoadRequest, Rejected, load_batch, validate_files
from etl.tables import MAX_COLUMNS, ReadOptions
from etl.validate import memory_limit, run_checks, stage_submission
from etl.warehouse import init_schema, sync_definitions
from goal_councils import DefinitionsError, load_definitions
from goal_councils.yamlfile import load_yaml
from tests.support import MINI_DEFINITIONS, mini_home, write

TODAY = date(2026, 11, 24)
ROOT = Path(__file__).resolve().parents[1]

# --- a million rows ------------------------------------------------------------------------------

MEASURES, MONTHS, AREAS = 40, 250, 99  # 40 x 250 x (total + 99 areas) = 1,000,000 rows
# Peak RSS of a process validating the million rows. Before it reads a row such a process holds
# ~230 MB (Python with pandas, DuckDB, pydantic and statsmodels imported, the definitions read):
# 300 MB would leave DuckDB ~70 MB; with its cap (memory_limit: 134 MB for these 12 columns) and some
# slack it stays under this.
BUDGET_MB = 400
GROWTH_MB = 250  # over the same process once its definitions are read: the connection, the schema, the file
# the whole load (changes, insert, judging every value of the 40 measures in pandas) was 2.3 GB
LOAD_CEILING_MB = 1200

RUN = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from etl.home import Home
from etl.load import LoadRequest, load_batch, validate_files
from goal_councils import load_definitions

def peak_mb():
    # this process's own peak: VmHWM, as ru_maxrss keeps the peak of the process that started it (pytest)
    status = Path("/proc/self/status")
    if status.exists():
        return next(int(line.split()[1]) for line in status.read_text().splitlines() if line.startswith("VmHWM")) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


mode, root, path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
home = Home.at(root)
defs = load_definitions(home.definitions)
before = peak_mb()
started = time.perf_counter()
if mode == "validate":
    rows, errors, _ = validate_files(home, LoadRequest("edu", [path]), defs=defs, today=date(2026, 11, 24))
else:
    [result] = load_batch(home, [LoadRequest("edu", [path])], defs=defs, today=date(2026, 11, 24))
    rows, errors = result.rows_new, []
seconds = time.perf_counter() - started
print(json.dumps({"rows": rows, "errors": [str(p) for p in errors[:5]], "seconds": seconds,
                  "before_mb": before, "peak_mb": peak_mb()}))
"""


def _definitions(folder: Path) -> None:
    areas = ", ".join(f"Area {i:03d}" for i in range(1, AREAS + 1))
    measures = "".join(
        f"          - {{id: measure-{i:03d}, name: Measure {i}, owner: edu, "
        f"role: {'headline' if i == 0 else 'contributing'}, unit: days, direction: down, "
        "frequency: monthly, breakdowns: [area]}\n" for i in range(MEASURES))
    write(folder / "big.yaml", f"""\
organisations:
  - {{id: edu, name: Department for Education, kind: department}}
breakdowns:
  area: [{areas}]
councils:
  - id: c
    name: A council
    objectives:
      - id: o
        name: An objective
        partners:
          - {{org: edu, role: lead, responsibility: Owns it}}
        measures:
{measures}""")


def _million_rows(path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("measure_id,period,value,status,note,area\n")
        for m in range(MEASURES):
            for month in range(MONTHS):
                period = f"{1990 + month // 12}-{month % 12 + 1:02d}"
                f.write("".join(f"measure-{m:03d},{period},{(m * 7 + month + a) % 997 / 10},,,"
                                f"{f'Area {a:03d}' if a else ''}\n" for a in range(AREAS + 1)))


@pytest.fixture(scope="module")
def million(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("million")
    _definitions(folder / "definitions")
    _million_rows(folder / "rows.csv")
    return folder


def _run(mode: str, million: Path, tmp_path: Path) -> dict:
    home = mini_home(tmp_path / "home")  # then the million-row definitions in place of the mini ones
    for p in home.definitions.iterdir():
        p.unlink()
    _definitions(home.definitions)
    out = subprocess.run([sys.executable, "-c", RUN, mode, str(home.root), str(million / "rows.csv")],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(out.stdout.splitlines()[-1])  # after any progress bar DuckDB draws on a long query


@pytest.mark.slow
def test_a_million_rows_validate_within_a_fixed_memory_budget(million, tmp_path, capsys):
    figures = _run("validate", million, tmp_path)
    assert figures["rows"] == 1_000_000 and figures["errors"] == []
    with capsys.disabled():
        print(f"\nvalidate 1,000,000 rows: {figures['rows'] / figures['seconds']:,.0f} rows/s, "
              f"peak RSS {figures['peak_mb']:.0f} MB ({figures['before_mb']:.0f} MB before reading; "
              f"DuckDB capped at {memory_limit(12)})")
    assert figures["peak_mb"] <= BUDGET_MB
    assert figures["peak_mb"] - figures["before_mb"] <= GROWTH_MB


@pytest.mark.slow
def test_a_million_rows_load(million, tmp_path, capsys):
    figures = _run("load", million, tmp_path)
    assert figures["rows"] == 1_000_000
    with capsys.disabled():
        print(f"\nload 1,000,000 rows: {figures['rows'] / figures['seconds']:,.0f} rows/s, "
              f"peak RSS {figures['peak_mb']:.0f} MB")
    assert figures["peak_mb"] <= LOAD_CEILING_MB


# --- refused early -------------------------------------------------------------------------------


def test_a_file_with_twenty_thousand_empty_columns_is_refused_before_its_rows_are_read(tmp_path):
    home = mini_home(tmp_path / "home")
    row = "neet-rate,2025-01,1" + "," * 20_000 + "\n"
    path = write(tmp_path / "wide.csv", "measure_id,period,value" + "," * 20_000 + "\n" + row * 200)
    rows, errors, _ = validate_files(home, LoadRequest("edu", [path]), today=TODAY)
    assert rows == 0
    assert [str(p) for p in errors] == [
        f"wide.csv:1: the header has 20,003 columns (20,000 without a name); a standard file has at most "
        f"{MAX_COLUMNS:,}: measure_id, period, value, status, note and one per breakdown "
        "(delete the empty columns a spreadsheet may have added)"]


# --- reading problems keep their lines ---------------------------------------------------------------

HEADER = "measure_id,period,value,status,note,region,sex\n"
ROW = "neet-rate,2025-{:02d},11.5,,,,\n"


def _rows(*months: int) -> str:
    return "".join(ROW.format(m) for m in months)


@pytest.mark.parametrize("text,opts,expected", [
    # a quoted note over three lines and a blank line: the short row is on line 8
    (HEADER + _rows(1) + 'neet-rate,2025-02,11.2,,"one\ntwo\nthree",,\n\n' + _rows(3) + "neet-rate,2025-04\n",
     ReadOptions(), ["x.csv:8: row has 2 fields, the header has 7"]),
    # the same with Windows line ends, inside the note too
    ((HEADER + _rows(1) + 'neet-rate,2025-02,11.2,,"one\ntwo\nthree",,\n\n' + _rows(3) + "neet-rate,2025-04\n")
     .replace("\n", "\r\n"), ReadOptions(), ["x.csv:8: row has 2 fields, the header has 7"]),
    # long rows are counted in full (DuckDB itself reads one field past the header)
    (HEADER + _rows(1, 2) + "neet-rate,2025-03,1,,,,,,,,x\n" + "neet-rate,2025-04,1,,,,,\n",
     ReadOptions(), ["x.csv:4: row has 11 fields, the header has 7", "x.csv:5: row has 8 fields, the header has 7"]),
    # rows of spaces or of empty fields carry nothing and are skipped, however many fields they have
    (HEADER + "   \n,,,,,,,,,,\n" + _rows(1) + "\n" + "neet-rate,2025-13,1,,,,\n", ReadOptions(),
     ["x.csv:6:period: not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY) (value '2025-13')"]),
    # blank lines above the header: the header's own line is where its problems are
    ("\n\nmeasure_id,value\nneet-rate,1\n", ReadOptions(), ["x.csv:3:period: required column is missing"]),
    # text after a closing quote is kept as Python's csv reader kept it ('"10"1' is 101), never cut
    (HEADER + 'neet-rate,2025-01,"10"1,,,,\n', ReadOptions(),
     ["x.csv:2:value: a percent must be between 0 and 100 (value '101')"]),
    # an unnamed column is reported at its first row with text, counted past blank lines
    ("measure_id,period,value,\n\nneet-rate,2025-01,1,\nneet-rate,2025-02,1,x\n", ReadOptions(),
     ["x.csv:4:column 4: this column has no name in the header but holds data"]),
    ("measure_id,period,value\n\n   \n", ReadOptions(), ["x.csv: the file has a header but no data rows"]),
    ("\n\n", ReadOptions(), ["x.csv: file is empty"]),
])
def test_reading_problems_name_the_line_a_person_sees(tmp_path, text, opts, expected):
    home = mini_home(tmp_path / "home")
    _, errors, _ = validate_files(home, LoadRequest("edu", [write(tmp_path / "x.csv", text)], options=opts),
                                  today=TODAY)
    assert [str(p) for p in errors] == expected


def test_an_undecodable_byte_is_placed_on_its_line_past_the_first_chunk(tmp_path):
    home = mini_home(tmp_path / "home")
    rows = _rows(*[m % 12 + 1 for m in range(40_000)])  # ~1.2 MB: the byte is in the second chunk read
    path = tmp_path / "x.csv"
    path.write_bytes((HEADER + rows).encode() + "neet-rate,2025-01,1,,caf\xe9,,\n".encode("cp1252"))
    _, errors, _ = validate_files(home, LoadRequest("edu", [path]), today=TODAY)
    assert [str(p) for p in errors] == [
        "x.csv:40002: file is not UTF-8 (byte 0xe9 cannot be read); save it as UTF-8, "
        "or declare its encoding with --encoding (e.g. --encoding cp1252)"]


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16"])
def test_a_declared_encoding_is_read_through_a_utf8_copy_with_lines_intact(tmp_path, encoding):
    home = mini_home(tmp_path / "home")
    text = HEADER + 'neet-rate,2025-01,1,,"café\ncrème",,\n' + "neet-rate,2025-02,abc,,,,\n"
    path = write(tmp_path / "x.csv", text, encoding=encoding)
    _, errors, _ = validate_files(home, LoadRequest("edu", [path], options=ReadOptions(encoding=encoding)),
                                  today=TODAY)
    assert [str(p) for p in errors] == ["x.csv:4:value: value is not a number (value 'abc')"]


def test_a_file_duckdb_refuses_does_not_break_the_load_around_it(tmp_path):
    # DuckDB refuses a long row when reading strictly; had it failed inside the load's transaction,
    # every statement after it would fail too. The load still reports each problem at its line.
    home = mini_home(tmp_path / "home")
    good = write(tmp_path / "good.csv", HEADER + _rows(1, 2))
    bad = write(tmp_path / "bad.csv", HEADER + _rows(3) + "neet-rate,2025-04,1,,,,,,\n" + "nope,2025-05,1,,,,\n")
    with pytest.raises(Rejected) as e:
        load_batch(home, [LoadRequest("edu", [good, bad])], today=TODAY)
    assert [str(p) for p in e.value.problems] == [
        "bad.csv:3: row has 9 fields, the header has 7",
        "bad.csv:4:measure_id: unknown measure (value 'nope')",
    ]
    [r] = load_batch(home, [LoadRequest("edu", [good])], today=TODAY)
    assert r.rows_new == 2
    assert list(home.staging.iterdir()) == []  # DuckDB spills elsewhere, and cleans up


def test_the_memory_cap_is_lifted_once_the_rows_are_staged_and_once_they_are_checked(tmp_path):
    defs = load_definitions(MINI_DEFINITIONS)
    con = duckdb.connect()
    init_schema(con)
    sync_definitions(con, defs)
    limit = "SELECT current_setting('memory_limit')"
    before = con.execute(limit).fetchone()[0]
    stage_submission(con, [extract(write(tmp_path / "x.csv", HEADER + _rows(1)), defs, "edu")])
    assert con.execute(limit).fetchone()[0] == before
    assert run_checks(con, "edu", TODAY) == []
    assert con.execute(limit).fetchone()[0] == before


# --- definitions: libyaml for speed, the same lines and words -------------------------------------


def test_libyaml_reads_the_definitions_with_the_same_values_and_lines(tmp_path):
    from goal_councils.definitions import _parse_yaml

    def lines(node):
        if isinstance(node, dict):
            return node.line, node.key_lines, {k: lines(v) for k, v in node.items()}
        if isinstance(node, list):
            return node.line, node.item_lines, [lines(v) for v in node]
        return node

    for path in sorted((ROOT / "data" / "demo" / "definitions").glob("*.yaml")):
        assert lines(_parse_yaml(path)) == lines(load_yaml(path)), path.name


def test_a_broken_definitions_file_is_reported_in_the_pure_python_loaders_words(tmp_path):
    write(tmp_path / "defs" / "bad.yaml", "organisations:\n  - {id: edu, name: a: b}\n")
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "defs")
    assert f"{tmp_path / 'defs' / 'bad.yaml'}:2: not valid YAML: " in str(e.value)
    assert str(e.value).endswith("expected ',' or '}', but got ':'")  # libyaml: "did not find expected ..."
