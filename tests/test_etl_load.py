"""Extract, validate and load on small files: exact problem lines, quirks, revisions, idempotence."""

from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from etl.extract import ReadOptions
from etl.load import LoadRequest, Rejected, load_batch, preview, validate_files
from tests.support import mini_home, sha256, write

TODAY = date(2026, 11, 24)
GOOD = """\
measure_id,period,value,status,note,region,sex
neet-rate,2025-01,11.5,,,,
neet-rate,2025-02,11.2,provisional,,,
neet-rate,2025-02,10.2,,,North,
neet-rate,2025-02,,suppressed,small numbers,North,Female
"""

BAD = """\
measure_id,period,value,status,note,region,sex,colour
neet-rate,2025-13,11.5,,,,,
neet-rate,2025-Q1,11.2,,,,,
neet-rate,2030-01,1,,,,,
nope,2025-01,1,,,,,
youth-contacts,2025-Q1,5,,,,,
neet-rate,2025-03,abc,,,,,
neet-rate,2025-04,101,,,,,
neet-rate,2025-05,"12,5",,,,,
neet-rate,2025-06,,,,,,
neet-rate,2025-07,3,suppressed,,,,
neet-rate,2025-08,3,maybe,,,,
neet-rate,2025-09,3,,,West,,
neet-rate,2025-09,3,,,,,
neet-rate,2025-09,4,,,,,
neet-rate,2025-10,3,,,,,blue
"""

BAD_LINES = [
    "bad.csv:2:period: not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY) (value '2025-13')",
    "bad.csv:3:period: period does not fit a monthly measure (value '2025-Q1')",
    "bad.csv:4:period: period is in the future (value '2030-01')",
    "bad.csv:5:measure_id: unknown measure (value 'nope')",
    "bad.csv:6:measure_id: measure is owned by north, not by edu (value 'youth-contacts')",
    "bad.csv:7:value: value is not a number (value 'abc')",
    "bad.csv:8:value: a percent must be between 0 and 100 (value '101')",
    "bad.csv:9:value: decimal comma; declare --decimal ',' if the file uses them (value '12,5')",
    "bad.csv:10:value: value is empty; mark it suppressed if it is withheld",
    "bad.csv:11:value: a suppressed value must be left empty (value '3')",
    "bad.csv:12:status: status must be provisional, estimated, suppressed or empty (value 'maybe')",
    "bad.csv:13:region: value is not one of the declared region values for measure neet-rate (value 'West')",
    "bad.csv:15:period: duplicate of bad.csv row 14 (same measure, period and breakdown) (value '2025-09')",
    "bad.csv:16:colour: breakdown colour is not declared for measure neet-rate (value 'blue')",
]


def _load(home, path, org="edu", **kw):
    return load_batch(home, [LoadRequest(org, [path], **kw)], today=TODAY)


def _current(home):
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT period, breakdown, value, status, note FROM current_observations ORDER BY ALL").fetchall()
    finally:
        con.close()


def test_good_file_loads(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    [r] = _load(home, write(tmp_path / "good.csv", GOOD))
    assert (r.load_id, r.rows_read, r.rows_new) == (1, 4, 4)
    assert _current(home) == [
        ("2025-01", "", 11.5, None, None),
        ("2025-02", "", 11.2, "provisional", None),
        ("2025-02", "region=North", 10.2, None, None),
        ("2025-02", "region=North|sex=Female", None, "suppressed", "small numbers"),  # blank is not 0
    ]


def test_every_problem_is_reported_and_nothing_published(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, write(tmp_path / "good.csv", GOOD))
    before = sha256(home.warehouse)
    with pytest.raises(Rejected) as e:
        _load(home, write(tmp_path / "bad.csv", BAD))
    assert [str(p) for p in e.value.problems] == BAD_LINES
    assert sha256(home.warehouse) == before
    [kept] = e.value.kept
    assert (kept / "bad.csv").read_text() == BAD
    assert (kept / "report.txt").read_text().splitlines() == BAD_LINES
    assert list(home.staging.iterdir()) == []


def test_validate_loads_nothing(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    rows, errors, warnings = validate_files(home, LoadRequest("edu", [write(tmp_path / "bad.csv", BAD)]),
                                            today=TODAY)
    assert rows == 15 and [str(p) for p in errors] == BAD_LINES and warnings == []
    assert not home.warehouse.exists()


def test_same_file_twice_adds_nothing(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    good = write(tmp_path / "good.csv", GOOD)
    _load(home, good)
    before = sha256(home.warehouse)
    [r] = _load(home, good)
    assert (r.load_id, r.rows_new) == (None, 0)
    assert sha256(home.warehouse) == before  # nothing new: not even republished


def test_revision_keeps_history_and_as_at(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, write(tmp_path / "a.csv", GOOD), received_at=datetime(2025, 3, 10))
    revised = GOOD.replace("neet-rate,2025-01,11.5", "neet-rate,2025-01,11.9")
    [r] = _load(home, write(tmp_path / "b.csv", revised), received_at=datetime(2025, 4, 10))
    assert r.rows_new == 1  # only the changed row
    con = duckdb.connect(str(home.warehouse), read_only=True)
    now = con.execute("SELECT value, revised FROM current_observations WHERE period='2025-01'").fetchall()
    assert now == [(11.9, True)]
    as_at = con.execute(
        """SELECT value FROM observation_versions v WHERE period = '2025-01' AND received_at <= ?
           QUALIFY row_number() OVER (PARTITION BY measure_id, period, breakdown ORDER BY load_id DESC) = 1""",
        [datetime(2025, 3, 31)]).fetchall()
    assert as_at == [(11.5,)]
    loads = con.execute("SELECT id, org_id, rows_read, rows_new, rows_unchanged FROM loads ORDER BY id").fetchall()
    assert loads == [(1, "edu", 4, 4, 0), (2, "edu", 4, 1, 3)]
    files = con.execute("SELECT load_id, file_name, format FROM load_files ORDER BY load_id").fetchall()
    assert files == [(1, "a.csv", "csv"), (2, "b.csv", "csv")]
    con.close()
    # re-sending the older file is recognised (same sha256) and does not undo the revision
    [r] = _load(home, tmp_path / "a.csv")
    assert (r.load_id, r.rows_new) == (None, 0)
    assert [str(w) for w in r.warnings] == ["a.csv: note: already loaded in load 1; skipped"]
    assert ("2025-01", "", 11.9, None, None) in _current(home)


@pytest.mark.parametrize("content,opts,expected", [
    # a BOM is accepted
    ("\ufeff" + GOOD, ReadOptions(), None),
    # CRLF line endings
    (GOOD.replace("\n", "\r\n"), ReadOptions(), None),
    # semicolons refused unless declared
    (GOOD.replace(",", ";"), ReadOptions(),
     "x.csv:1: the header uses ';' as delimiter; declare it with --delimiter ';' "
     "(and --decimal ',' if numbers use decimal commas) (value 'measure_id;period;value;status;note;region;sex')"),
    # semicolons and decimal commas, declared: read correctly
    (GOOD.replace(",", ";").replace("11.5", "11,5").replace("11.2", "11,2").replace("10.2", "10,2"),
     ReadOptions(delimiter=";", decimal=","), None),
    # missing required column
    ("measure_id,value\nneet-rate,1\n", ReadOptions(), "x.csv:1:period: required column is missing"),
    # ragged row
    (GOOD + "neet-rate,2025-03\n", ReadOptions(), "x.csv:6: row has 2 fields, the header has 7"),
])
def test_input_quirks(tmp_path: Path, content, opts, expected):
    home = mini_home(tmp_path / "home")
    path = write(tmp_path / "x.csv", content)
    rows, errors, _ = validate_files(home, LoadRequest("edu", [path], options=opts), today=TODAY)
    if expected is None:
        assert errors == [] and rows == 4
    else:
        assert [str(p) for p in errors] == [expected]


def test_not_utf8_is_refused_or_read_when_declared(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    text = GOOD.replace("small numbers", "petits caractères")
    path = write(tmp_path / "latin.csv", text, encoding="cp1252")
    _, errors, _ = validate_files(home, LoadRequest("edu", [path]), today=TODAY)
    assert [str(p) for p in errors] == [
        "latin.csv:5: file is not UTF-8 (byte 0xe8 cannot be read); save it as UTF-8, "
        "or declare its encoding with --encoding (e.g. --encoding cp1252)"]
    [r] = _load(home, path, options=ReadOptions(encoding="cp1252"))
    assert r.rows_new == 4 and ("2025-02", "region=North|sex=Female", None, "suppressed",
                                "petits caractères") in _current(home)


def test_excel_first_or_named_sheet(tmp_path: Path):
    import openpyxl

    home = mini_home(tmp_path / "home")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["This sheet is a cover note"])
    data = book.create_sheet("Data")
    for line in GOOD.splitlines():
        data.append([float(c) if c.replace(".", "").isdigit() and "." in c else c for c in line.split(",")])
    path = tmp_path / "sub.xlsx"
    book.save(path)
    _, errors, _ = validate_files(home, LoadRequest("edu", [path]), today=TODAY)
    assert [str(p) for p in errors][:1] == ["sub.xlsx:1:measure_id: required column is missing"]
    [r] = _load(home, path, options=ReadOptions(sheet="Data"))
    assert r.rows_new == 4 and _current(home)[0] == ("2025-01", "", 11.5, None, None)
    _, errors, _ = validate_files(home, LoadRequest("edu", [path], options=ReadOptions(sheet="Nope")))
    assert [str(p) for p in errors] == ["sub.xlsx: no sheet of that name (sheets: Notes, Data) (value 'Nope')"]


def test_unknown_org_and_missing_file(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    with pytest.raises(Rejected) as e:
        load_batch(home, [LoadRequest("ghost", [tmp_path / "none.csv"])])
    assert [str(p) for p in e.value.problems] == ["(command line):--org: unknown organisation (value 'ghost')"]
    with pytest.raises(Rejected) as e:
        _load(home, tmp_path / "none.csv")
    assert [str(p) for p in e.value.problems] == [f"{tmp_path / 'none.csv'}: no such file"]


# --- found in review: each was once published wrongly or crashed ---------------------------


def test_decimal_comma_leaves_dotted_numbers_alone(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    text = "measure_id;period;value\nneet-rate;2025-01;12,5\nneet-rate;2025-02;12.25\nyouth;2025-03;1.234,5\n"
    path = write(tmp_path / "dec.csv", text.replace("youth;2025-03", "neet-rate;2025-03"))
    rows, errors, _ = validate_files(home, LoadRequest("edu", [path], options=ReadOptions(";", ",")), today=TODAY)
    # 12,5 -> 12.5; 12.25 stays 12.25 (never 1225); 1.234,5 -> 1234.5, which a percent refuses
    assert [str(p) for p in errors] == ["dec.csv:4:value: a percent must be between 0 and 100 (value '1234.5')"]


def test_unnamed_column_with_data_is_refused(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    path = write(tmp_path / "x.csv", "measure_id,period,value,\nneet-rate,2025-01,12,North\n")
    _, errors, _ = validate_files(home, LoadRequest("edu", [path]), today=TODAY)
    assert [str(p) for p in errors] == ["x.csv:2:column 4: this column has no name in the header but holds data"]


@pytest.mark.parametrize("text,expected", [
    ("measure_id,period,value\n", "x.csv: the file has a header but no data rows"),
    ("measure_id,period,value,row\nneet-rate,2025-01,1,2\n", "x.csv:1:row: column name 'row' is reserved; rename it"),
    ("measure_id\tperiod\tvalue\nneet-rate\t2025-01\t1\n",
     "x.csv:1: the header uses tabs as delimiter; declare it with --delimiter $'\\t' "
     "(value 'measure_id\\tperiod\\tvalue')"),
    ("measure_id,period,value\nneet-rate,2025-01,1_0\n", "x.csv:2:value: value is not a number (value '1_0')"),
    ("measure_id,period,value\nneet-rate,0000-01,1\n",
     "x.csv:2:period: not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY) (value '0000-01')"),
])
def test_more_refusals(tmp_path: Path, text, expected):
    home = mini_home(tmp_path / "home")
    _, errors, _ = validate_files(home, LoadRequest("edu", [write(tmp_path / "x.csv", text)]), today=TODAY)
    assert [str(p) for p in errors] == [expected]


def test_same_workbook_other_sheet_is_not_skipped(tmp_path: Path):
    import openpyxl

    home = mini_home(tmp_path / "home")
    book = openpyxl.Workbook()
    a = book.active
    a.title = "A"
    b = book.create_sheet("B")
    for sheet, value in ((a, 11.0), (b, 12.0)):
        sheet.append(["measure_id", "period", "value"])
        sheet.append(["neet-rate", "2025-01" if sheet is a else "2025-02", value])
    path = tmp_path / "two.xlsx"
    book.save(path)
    assert _load(home, path, options=ReadOptions(sheet="A"))[0].rows_new == 1
    assert _load(home, path, options=ReadOptions(sheet="B"))[0].rows_new == 1
    assert _load(home, path, options=ReadOptions(sheet="B"))[0].rows_new == 0


def test_the_most_recently_received_figure_wins(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, write(tmp_path / "a.csv", "measure_id,period,value\nneet-rate,2025-01,50\n"),
          received_at=datetime(2026, 11, 20))
    # loaded later, but sent earlier: an old figure arriving late does not overwrite the newer one
    _load(home, write(tmp_path / "b.csv", "measure_id,period,value\nneet-rate,2025-01,40\n"),
          received_at=datetime(2026, 1, 5))
    assert _current(home) == [("2025-01", "", 50.0, None, None)]


# --- a re-sent old file does not silently revert later corrections --------------------------------

HEADER = "measure_id,period,value,status,note\n"
SEPTEMBER = HEADER + "neet-rate,2025-08,11.0,provisional,\nneet-rate,2025-09,12.0,provisional,\n"
OCTOBER = ("measure_id,period,value,status,note\nneet-rate,2025-08,11.4,,final\nneet-rate,2025-09,12.3,,final\n"
           "neet-rate,2025-10,12.9,provisional,\n")
# the September file again, one figure edited by hand (2025-08: 11.0 -> 10.8)
SEPTEMBER_EDITED = HEADER + "neet-rate,2025-08,10.8,provisional,\nneet-rate,2025-09,12.0,provisional,\n"


def _corrected(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    _load(home, write(tmp_path / "sep.csv", SEPTEMBER), received_at=datetime(2025, 10, 10))
    _load(home, write(tmp_path / "oct.csv", OCTOBER), received_at=datetime(2025, 11, 10))
    return home


def test_a_resent_old_file_does_not_revert_later_corrections(tmp_path: Path):
    home = _corrected(tmp_path)
    [r] = _load(home, write(tmp_path / "sep-edited.csv", SEPTEMBER_EDITED))
    assert r.rows_new == 1 and r.reverts == 1  # the edited figure is new; the other would revert October's
    assert [str(w) for w in r.warnings] == [
        "sep-edited.csv:3:value: warning: neet-rate 2025-09 would go back to a figure that load 2 has since "
        "corrected to 12.3; not applied: pass --supersede to apply it (value '12 (provisional)')"]
    assert _current(home) == [("2025-08", "", 10.8, "provisional", None), ("2025-09", "", 12.3, None, "final"),
                              ("2025-10", "", 12.9, "provisional", None)]


def test_supersede_applies_the_reverting_rows_and_the_audit_says_so(tmp_path: Path):
    import json

    home = _corrected(tmp_path)
    [r] = _load(home, write(tmp_path / "sep-edited.csv", SEPTEMBER_EDITED), supersede=True)
    assert (r.rows_new, r.reverts) == (2, 1)
    assert "applied (--supersede)" in str(r.warnings[0])
    assert _current(home)[1] == ("2025-09", "", 12.0, "provisional", None)
    last = json.loads(home.audit_log.read_text().splitlines()[-1])
    assert (last["supersede"], last["reverting_rows"], last["rows_new"]) == (True, 1, 2)


def test_a_file_of_only_reverts_publishes_nothing(tmp_path: Path):
    home = _corrected(tmp_path)
    before = sha256(home.warehouse)
    [r] = _load(home, write(tmp_path / "sep-again.csv", SEPTEMBER.replace("\n", "\r\n")))  # not byte-identical
    assert (r.load_id, r.rows_new, r.reverts) == (None, 0, 2)
    assert sha256(home.warehouse) == before


def test_a_preview_says_what_the_load_would_do_and_publishes_nothing(tmp_path: Path):
    home = _corrected(tmp_path)
    before = sha256(home.warehouse)
    edited = write(tmp_path / "sep-edited.csv", SEPTEMBER_EDITED)
    found = preview(home, LoadRequest("edu", [edited]), today=TODAY)
    assert sha256(home.warehouse) == before
    [r] = _load(home, edited)
    assert (found.errors, found.rows_read, found.accepted) == ([], r.rows_read, r.rows_read)
    assert (found.changing, found.reverting, found.measures) == (r.rows_new, r.reverts, ["neet-rate"])
    assert found.warnings + found.reverts == r.warnings and found.flagged_notes == []
    assert [(x["row"], x["period"], x["value"]) for x in found.first_rows] == [(2, "2025-08", "10.8"),
                                                                               (3, "2025-09", "12.0")]
    again = preview(home, LoadRequest("edu", [edited]), today=TODAY)  # the same bytes: already loaded
    assert (again.rows_read, again.changing, again.errors) == (0, 0, [])
    assert [w.reason for w in again.warnings] == ["already loaded in load 3; skipped"]


def test_a_preview_of_a_broken_file_lists_every_problem_and_the_rows_that_would_pass(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    found = preview(home, LoadRequest("edu", [write(tmp_path / "bad.csv", BAD)]), today=TODAY, first_rows=5)
    assert [str(p) for p in found.errors] == BAD_LINES
    assert (found.rows_read, found.accepted, found.changing, found.reverts, found.measures) == (15, 1, 0, [], [])
    assert [x["row"] for x in found.first_rows] == [14]  # the one row without an error
    good = preview(home, LoadRequest("edu", [write(tmp_path / "good.csv", GOOD)]), today=TODAY, flag_notes=("s",))
    assert (good.errors, good.accepted, good.changing, good.measures) == ([], 4, 4, ["neet-rate"])
    assert good.flagged_notes == [("good.csv", 5, "small numbers")]
    assert not home.warehouse.exists()


# --- names from user input never become paths; long values are quoted short ------------------------

@pytest.mark.parametrize("org", ["x/../../../outside", "../outside", "/tmp/abs", "..", ".hidden", "a\\b", "é/ü"])
def test_nothing_is_written_outside_the_home_for_any_org(tmp_path: Path, org):
    home = mini_home(tmp_path / "home")
    bad = write(tmp_path / "in" / "..bad.csv", BAD)
    before = {p for p in tmp_path.rglob("*") if not p.is_relative_to(home.root)}
    with pytest.raises(Rejected) as e:
        _load(home, bad, org=org)
    [kept] = e.value.kept
    assert kept.parent == home.rejected and kept.resolve().is_relative_to(home.rejected.resolve())
    assert not kept.name.startswith(".")
    assert {p.name for p in kept.iterdir()} == {"_.bad.csv", "report.txt"}
    after = {p for p in tmp_path.rglob("*") if not p.is_relative_to(home.root)}
    assert after == before


def test_a_long_value_is_quoted_short(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    huge = "m" * 100_000
    with pytest.raises(Rejected) as e:
        _load(home, write(tmp_path / "long.csv", f"measure_id,period,value\n{huge},2025-01,1\n"))
    [line] = [str(p) for p in e.value.problems]
    assert line == f"long.csv:2:measure_id: unknown measure (value {'m' * 79!r}… (100,000 characters))"
    [kept] = e.value.kept
    assert max(len(x) for x in (kept / "report.txt").read_text().splitlines()) < 200


def test_progress_says_when_files_were_already_loaded(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    good = write(tmp_path / "good.csv", GOOD)
    said = []
    load_batch(home, [LoadRequest("edu", [good])], today=TODAY, progress=lambda i, n, m: said.append(m))
    load_batch(home, [LoadRequest("edu", [good])], today=TODAY, progress=lambda i, n, m: said.append(m))
    assert said[0] == "edu: 1 file(s), 4 rows"
    assert said[-1] == "edu: 1 file(s) already loaded; skipped"  # not "0 rows"


def test_with_skip_rejected_each_request_stands_alone(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    good, bad = write(tmp_path / "good.csv", GOOD), write(tmp_path / "bad.csv", BAD)
    requests = [LoadRequest("edu", [bad]), LoadRequest("edu", [good])]
    with pytest.raises(Rejected):  # by default one rejected request rejects the batch
        load_batch(home, requests, today=TODAY)
    assert not home.warehouse.exists()
    results = load_batch(home, requests, today=TODAY, skip_rejected=True)
    assert [r.outcome for r in results] == ["skipped", "loaded"]  # in the order asked
    skipped = results[0]
    assert skipped.load_id is None and str(skipped.problems[0]) == BAD_LINES[0]
    assert (skipped.kept / "bad.csv").read_text() == BAD and "2025-13" in (skipped.kept / "report.txt").read_text()
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM observations").fetchone()[0] == 4  # the good file, whole
    finally:
        con.close()
    before = sha256(home.warehouse)
    with pytest.raises(Rejected):  # every request rejected: nothing usable, nothing published
        load_batch(home, [LoadRequest("edu", [bad])], today=TODAY, skip_rejected=True)
    assert sha256(home.warehouse) == before


def test_a_load_received_within_the_judgement_second_is_in_the_judgement(tmp_path: Path):
    """Judgements are made as at a whole second, never before the newest load: one received at
    09:00:00.5 (the demo's calendar runs ahead of the clock) is judged as at 09:00:01, not 09:00:00."""
    home = mini_home(tmp_path / "home")
    received = datetime(2030, 1, 1, 9, 0, 0, 500_000)
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "good.csv", GOOD)], received)], today=date(2030, 1, 1))
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        as_at = con.execute("SELECT max(as_at) FROM judgement_runs").fetchone()[0]
    finally:
        con.close()
    assert as_at == datetime(2030, 1, 1, 9, 0, 1)
