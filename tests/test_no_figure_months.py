"""Months with no figure (`no_figure_in: [August]`): never due, so never on time, late or missing, left out of
the year's count and of staleness; declared and checked in the definitions, stored with the measure, shown
with its definition, and declared by the demo's school measures."""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from goal_councils import DefinitionsError, load_definitions
from goal_councils.assess import next_due, no_figure_months, timeliness, timeliness_rows
from tests.support import MINI_DEFINITIONS, mini_home, text_of, write

AUGUST = frozenset({8})

# --- timeliness worked by hand ------------------------------------------------------------------------------

# monthly, due 15 days after the month ends, reported from May 2026; as at 2026-10-20 the months due are
# May (due 15 June) to September (due 15 October); October is not yet due
RECEIVED = {
    "2026-05": datetime(2026, 6, 10),  # on time
    # 2026-06 never arrived: missing
    "2026-07": datetime(2026, 8, 20),  # due 15 August: late
    # 2026-08: schools are closed, no figure
    "2026-09": datetime(2026, 10, 14),  # on time
}
SINCE = date(2026, 5, 1)


def test_a_month_with_no_figure_never_falls_due():
    t = timeliness("monthly", 15, RECEIVED, datetime(2026, 10, 20), since=SINCE, no_figure_in=AUGUST)
    assert [(p, d) for p, d, _ in t.due] == [("2026-05", date(2026, 6, 15)), ("2026-06", date(2026, 7, 15)),
                                            ("2026-07", date(2026, 8, 15)), ("2026-09", date(2026, 10, 15))]
    assert (t.on_time, t.late, t.missing) == (2, 1, 1)
    assert t.missing_periods == ["2026-06"] and t.late_periods == ["2026-07"]
    assert t.latest_period == "2026-09" and not t.stale
    assert [(r["rule"], r["reason"]) for r in timeliness_rows("m", "monthly", t)] == [
        ("missing", "No figure for June 2026"),
        ("late", "1 of the last 4 submissions arrived after the due date")]
    # declaring nothing, August is due and missing, as it always was
    t = timeliness("monthly", 15, RECEIVED, datetime(2026, 10, 20), since=SINCE)
    assert t.missing_periods == ["2026-06", "2026-08"] and len(t.due) == 5


def test_the_last_n_periods_due_count_only_months_with_a_figure():
    t = timeliness("monthly", 15, RECEIVED, datetime(2026, 10, 20), periods=3, no_figure_in=AUGUST)
    assert [p for p, _, _ in t.due] == ["2026-06", "2026-07", "2026-09"]


def test_a_year_of_a_measure_with_no_august_has_eleven_figures_due():
    received = {f"{y}-{m:02d}": datetime(y + m // 12, m % 12 + 1, 5) for y in (2025, 2026) for m in range(1, 13)
                if m != 8}
    t = timeliness("monthly", 15, received, datetime(2026, 10, 20), no_figure_in=AUGUST)
    assert (len(t.due), t.on_time, t.late, t.missing) == (11, 11, 0, 0)
    assert [p for p, _, _ in t.due][:3] == ["2025-10", "2025-11", "2025-12"] and "2026-08" not in dict(
        (p, d) for p, d, _ in t.due)


def test_a_figure_sent_for_a_month_with_none_is_kept_but_never_judged():
    sent = {**RECEIVED, "2026-08": datetime(2026, 11, 1)}  # sent anyway, long after
    t = timeliness("monthly", 15, sent, datetime(2026, 11, 2), since=SINCE, no_figure_in=AUGUST)
    assert "2026-08" not in [p for p, _, _ in t.due] and t.late_periods == ["2026-07"]
    only = timeliness("monthly", 15, {"2026-08": datetime(2026, 9, 5)}, datetime(2026, 10, 20), no_figure_in=AUGUST)
    assert only.latest_period == "2026-08" and not only.stale  # September and October are the two after it


@pytest.mark.parametrize("as_at,declared,stale", [
    (datetime(2026, 10, 20), (), True),  # two months after July is September, due 15 October: passed
    (datetime(2026, 10, 20), AUGUST, False),  # the two after July with a figure: September, October (due 15 Nov)
    (datetime(2026, 11, 15), AUGUST, False),
    (datetime(2026, 11, 16), AUGUST, True),
])
def test_staleness_counts_only_months_with_a_figure(as_at, declared, stale):
    t = timeliness("monthly", 15, {"2026-07": datetime(2026, 8, 10)}, as_at, no_figure_in=declared)
    assert t.latest_period == "2026-07" and t.stale is stale


def test_months_mean_nothing_to_a_measure_that_is_not_monthly():
    received = {"2026-Q2": datetime(2026, 8, 1)}
    assert (timeliness("quarterly", 45, received, datetime(2026, 12, 1), no_figure_in={7, 8, 9})
            == timeliness("quarterly", 45, received, datetime(2026, 12, 1)))
    assert next_due("quarterly", 45, date(2026, 9, 1), no_figure_in={7}) == next_due("quarterly", 45, date(2026, 9, 1))


@pytest.mark.parametrize("today,due_days,declared,expected", [
    (date(2026, 8, 20), 15, (), ("2026-08", date(2026, 9, 15))),
    (date(2026, 8, 20), 15, AUGUST, ("2026-09", date(2026, 10, 15))),
    (date(2026, 8, 10), 15, AUGUST, ("2026-07", date(2026, 8, 15))),  # July's figure is still to come
    (date(2026, 9, 20), 40, (), ("2026-08", date(2026, 10, 10))),  # a long due_days: August is still open
    (date(2026, 9, 20), 40, AUGUST, ("2026-09", date(2026, 11, 9))),
    (date(2026, 7, 20), 15, {7, 8}, ("2026-09", date(2026, 10, 15))),
    (date(2026, 12, 20), 15, {12, 1}, ("2027-02", date(2027, 3, 15))),  # across the turn of the year
])
def test_the_next_figures_due_skip_months_with_no_figure(today, due_days, declared, expected):
    assert next_due("monthly", due_days, today, no_figure_in=declared) == expected


@pytest.mark.parametrize("stored,months", [
    ([8], {8}), ("[8, 12]", {8, 12}), (None, set()), (float("nan"), set()), ("", set()), ((), set()),
])
def test_the_stored_months_are_read_back(stored, months):
    assert no_figure_months(stored) == months


# --- the definitions ----------------------------------------------------------------------------------------

MINI = (MINI_DEFINITIONS / "mini.yaml").read_text()


def _declared(months: str, measure: str = "neet-rate") -> str:
    """The mini definitions with `no_figure_in: <months>` on the NEET rate (monthly) or youth contacts."""
    frequency = {"neet-rate": "monthly", "youth-contacts": "quarterly"}[measure]
    line = f"            frequency: {frequency}\n"
    assert MINI.count(line) == 1
    return MINI.replace(line, f"{line}            no_figure_in: {months}\n")


@pytest.mark.parametrize("months,stored", [
    ("[August]", [8]), ("[august, 12]", [8, 12]), ("[DECEMBER, 1, '7']", [1, 7, 12]), ("[]", []),
])
def test_months_are_named_in_full_or_numbered(tmp_path: Path, months, stored):
    defs = load_definitions(write(tmp_path / "d" / "mini.yaml", _declared(months)).parent)
    assert defs.measures["neet-rate"].no_figure_in == stored
    assert defs.measures["youth-contacts"].no_figure_in == []


@pytest.mark.parametrize("months,measure,reason", [
    ("[Agust]", "neet-rate", "'Agust' is not a month: name it in full, e.g. August, or give its number, 1 to 12"),
    ("[Aug]", "neet-rate", "'Aug' is not a month: name it in full, e.g. August, or give its number, 1 to 12"),
    ("[13]", "neet-rate", "13 is not a month: name it in full, e.g. August, or give its number, 1 to 12"),
    ("[yes]", "neet-rate", "'yes' is not a month: name it in full, e.g. August, or give its number, 1 to 12"),
    ("[August, august, 12, December]", "neet-rate", "named twice: August, December"),
    ("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]", "neet-rate",
     "every month is named: a measure needs at least one month with a figure"),
    ("August", "neet-rate", "write a list of months, e.g. [August]"),
    ("[August]", "youth-contacts", "only a monthly measure has months with no figure; this one is quarterly"),
])
def test_a_wrong_list_of_months_is_refused_naming_the_measure_and_the_field(tmp_path: Path, months, measure, reason):
    text = _declared(months, measure)
    f = write(tmp_path / "d" / "mini.yaml", text)
    line = text.splitlines().index(f"            no_figure_in: {months}") + 1
    with pytest.raises(DefinitionsError) as e:
        load_definitions(f.parent)
    assert e.value.problems == [f"{f}:{line}: {measure}: no_figure_in: Value error, {reason}"]


def test_a_home_that_declares_no_months_keeps_its_definitions_digest():
    """The digest decides whether definitions changed (a judgement run, a public file written whole): adding
    the field changes nothing for a home that does not use it."""
    import hashlib

    from etl.warehouse import definitions_digest

    defs = load_definitions(MINI_DEFINITIONS)
    without = {"objectives": {"__all__": {"measures": {"__all__": {"no_figure_in"}}}}}
    payload = {"organisations": [o.model_dump() for o in defs.organisations.values()],
               "councils": [c.model_dump(exclude=without) for c in defs.councils.values()]}
    as_before = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    assert definitions_digest(defs) == as_before


# --- end to end: stored, judged, shown ----------------------------------------------------------------------

# NEET rate figures for July 2025 and September 2025 to July 2026 (none for August), each sent on the 10th
# of the next month; published (and judged) on 21 August 2026
SENT = ["2025-07", *[f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}" for m in range(9, 20)]]
PUBLISHED = datetime(2026, 8, 21, 9, 0)


def _month_after(period: str) -> datetime:
    y, m = int(period[:4]), int(period[5:])
    return datetime(y + m // 12, m % 12 + 1, 10, 9, 0)


def _publish(home, today: datetime, **kw):
    """A load (or, without `requests`, `outcomes judge`) published on `today` by the warehouse's clock."""
    import etl.load

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(etl.load, "_now", lambda: today)
        if "requests" in kw:
            return etl.load.load_batch(home, kw["requests"], today=today.date())
        return etl.load.rejudge(home, today=today.date())


def _home(root: Path, declared: bool = True):
    from etl.load import LoadRequest

    home = mini_home(root)
    if declared:
        (home.definitions / "mini.yaml").write_text(_declared("[August]"))
    files = {p: write(root.parent / "in" / f"{p}.csv", f"measure_id,period,value\nneet-rate,{p},11\n") for p in SENT}
    requests = [LoadRequest("edu", [files[p]], _month_after(p)) for p in SENT]
    _publish(home, PUBLISHED, requests=requests)
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return _home(tmp_path_factory.mktemp("no-figure") / "home")


def _query(path: Path, sql: str, params=()):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _timeliness(path: Path, measure: str = "neet-rate", run: int | None = None) -> dict:
    run = run or _query(path, "SELECT max(id) FROM judgement_runs")[0][0]
    (detail,) = _query(path, "SELECT detail FROM timeliness WHERE measure_id = ? AND run_id = ?", [measure, run])[0]
    return json.loads(detail)


def test_the_months_are_stored_with_the_measure_in_both_warehouses(home):
    for path in (home.warehouse, home.public_warehouse):
        assert dict(_query(path, "SELECT id, no_figure_in FROM measures")).get("neet-rate") == "[8]"
    assert dict(_query(home.warehouse, "SELECT id, no_figure_in FROM measures"))["youth-contacts"] is None


def test_the_publish_judges_no_august_missing(home):
    t = _timeliness(home.warehouse)
    due = [p for p, _, _ in t["due"]]
    # as at 21 August 2026 the year's figures due are September 2025 to July 2026; August 2025 never fell due
    assert due == SENT[1:] and (t["on_time"], t["late"], t["missing"], t["stale"]) == (11, 0, 0, False)
    assert _query(home.warehouse, "SELECT rule FROM exceptions WHERE measure_id = 'neet-rate' "
                                  "AND rule IN ('missing', 'late', 'stale')") == []


def test_a_home_that_declares_nothing_still_calls_august_missing(tmp_path: Path):
    home = _home(tmp_path / "home", declared=False)
    t = _timeliness(home.warehouse)
    assert [p for p, _, r in t["due"] if r is None] == ["2025-08"]
    assert _query(home.warehouse, "SELECT reason FROM exceptions WHERE measure_id = 'neet-rate' AND rule = 'missing'"
                  ) == [("No figure for August 2025",)]
    # declaring the month later re-judges the measure in full: its definition changed
    (home.definitions / "mini.yaml").write_text(_declared("[August]"))
    result = _publish(home, datetime(2026, 8, 22, 9, 0))
    assert (result.judged, result.carried) == (1, 1)  # NEET rate in full, youth contacts carried
    assert [p for p, _, r in _timeliness(home.warehouse)["due"] if r is None] == []
    # and nothing else changed: judged again, nothing is judged in full
    assert _publish(home, datetime(2026, 8, 23, 9, 0)).judged == 0


def test_a_measure_carried_to_a_later_run_skips_the_month_too(home, tmp_path: Path):
    shutil.copytree(home.root, tmp_path / "home")
    from etl.home import Home

    later = Home.at(tmp_path / "home")
    result = _publish(later, datetime(2026, 10, 20, 9, 0))  # no new figures: timeliness made anew, carried
    assert result.judged == 0
    t = _timeliness(later.warehouse)
    assert [p for p, _, r in t["due"] if r is None] == ["2026-09"]  # August 2026 never fell due; September did
    assert len(t["due"]) == 11 and not t["stale"]  # July's figure: two months with one after it is October
    assert _query(later.warehouse, "SELECT rule, reason FROM exceptions WHERE measure_id = 'neet-rate' AND run_id = ?"
                  " AND rule IN ('missing', 'late', 'stale')", [result.run_id]) == [
        ("missing", "No figure for September 2026")]


def test_an_older_public_file_without_the_column_is_written_whole(home, tmp_path: Path):
    """A public file published before the column existed cannot be appended to: it is written whole."""
    from etl.public import write_public

    older = tmp_path / "older.duckdb"
    shutil.copyfile(home.public_warehouse, older)
    con = duckdb.connect(str(older))
    con.execute("ALTER TABLE measures DROP COLUMN no_figure_in")
    con.close()
    version = _query(home.warehouse, "SELECT value FROM meta WHERE key = 'version'")[0][0]
    target = tmp_path / "public.duckdb"
    assert write_public(home.warehouse, target, previous=older, grew_from=version) == "whole"
    assert dict(_query(target, "SELECT id, no_figure_in FROM measures")) == {"neet-rate": "[8]", "youth-contacts": None}
    # the same file with the column is brought up to date instead
    assert write_public(home.warehouse, target, previous=home.public_warehouse, grew_from=version) == "appended"
    assert dict(_query(target, "SELECT id, no_figure_in FROM measures")) == {"neet-rate": "[8]", "youth-contacts": None}


# --- shown with the definition -------------------------------------------------------------------------------


MEASURE = {"id": "days", "name": "Days to decide", "owner_id": "northfield", "owner_name": "Northfield Council",
           "colour_index": 2, "role": "contributing", "timing": "leading", "published": False, "unit": "days",
           "unit_label": None, "rate_per": None, "decimals": 1, "direction": "down", "frequency": "monthly",
           "target_value": None, "target_period": None, "description": None, "source": None, "kind": "outcome",
           "due_days": 15, "baseline_value": None}


def test_the_definition_says_which_months_have_no_figure():
    from dashboard.components.measure import definition_list, no_figure_words

    assert no_figure_words("[8]") == "No figure for August, so none is due then"
    assert no_figure_words([7, 8]) == "No figure for July and August, so none is due then"
    assert no_figure_words([12, 1, 8]) == "No figure for January, August and December, so none is due then"
    assert no_figure_words(None) is None

    def text(**changed) -> str:
        return text_of(definition_list({**MEASURE, **changed}, [], {}))

    assert ("Due 15 days after each period ends Months with no figure No figure for August, so none is due then "
            "Baseline") in text(no_figure_in="[8]")
    assert "Months with no figure" not in text() and "Months with no figure" not in text(no_figure_in=None)


def test_the_measure_page_says_so_and_names_no_august_as_next_due(home):
    from dashboard import Settings, create_app

    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40))
    from dashboard.pages import measure, organisation  # registered with the app just made

    with app.server.test_request_context("/measure/neet-rate"):
        page = text_of(measure.layout(measure_id="neet-rate"))
    assert "Months with no figure No figure for August, so none is due then" in page
    # judged on 21 August: August's figure would be next, but there is none
    assert "Next update: September 2026 figures, due by 15 September 2026" not in page
    assert "Next update: September 2026 figures, due by 15 October 2026." in page
    with app.server.test_request_context("/org/edu"):
        strips = text_of(organisation.layout(org_id="edu"))
    assert "August 2025: missing" not in strips and "11 on time, 0 late, 0 missing" in strips


def test_the_static_site_says_so_too(home, tmp_path: Path):
    from dashboard.static_site import export_site

    export_site(home.public_warehouse, tmp_path / "site")
    page = (tmp_path / "site" / "measure" / "neet-rate.html").read_text(encoding="utf-8")
    assert ('<dt class="col-sm-3">Months with no figure</dt><dd class="col-sm-9">No figure for August, so none is '
            "due then</dd>") in page
    assert "Next update: September 2026 figures, due by 15 October 2026." in page


# --- the demo --------------------------------------------------------------------------------------------------


def test_the_demo_sends_no_figure_in_a_month_a_measure_declares_has_none():
    from etl.demo import load_demo_definitions
    from etl.demo.series import measure_periods
    from etl.demo.stories import SHAPES

    defs = load_demo_definitions()
    declared = {m.id: m for m in defs.measures.values() if m.no_figure_in}
    assert {"persistent_absence", "attendance_support_families", "school_nurse_contacts"} <= set(declared)
    assert "August has no figure" in declared["persistent_absence"].description
    for m in declared.values():
        assert not [p.label for p in measure_periods(m, SHAPES.get(m.id)) if p.start.month in m.no_figure_in], m.id


def test_the_demo_flags_no_august_missing(demo_home):
    declared = ["persistent_absence", "attendance_support_families", "school_nurse_contacts"]
    w = demo_home.warehouse
    stored = _query(w, "SELECT id, no_figure_in FROM measures WHERE id IN (SELECT unnest(?::VARCHAR[]))", [declared])
    assert dict(stored) == {m: "[8]" for m in declared}
    assert _query(w, "SELECT DISTINCT measure_id FROM observations WHERE month(period_start) = 8 "
                     "AND measure_id IN (SELECT unnest(?::VARCHAR[]))", [declared]) == []
    runs = [r for (r,) in _query(w, "SELECT id FROM judgement_runs ORDER BY id")]
    for measure in declared:
        for run in runs:
            t = _timeliness(w, measure, run)
            assert not [p for p, _, _ in t["due"] if p.endswith("-08")], (measure, run)
    assert _query(w, "SELECT measure_id, reason FROM exceptions WHERE measure_id IN (SELECT unnest(?::VARCHAR[])) "
                     "AND rule = 'missing' AND reason LIKE '%August%'", [declared]) == []


def test_the_next_review_does_not_ask_for_a_month_with_no_figure():
    # the goal map's next review lists figures due before the meeting: on 20 August, with a meeting on
    # 20 September, August's figure (due 15 September) is not due for a measure that has none in August
    from dashboard.pages.review_due import _due

    row = {"missing": 0, "frequency": "monthly", "due_days": 15, "latest_period": "2026-07",
           "measure_name": "Pupils persistently absent", "owner_name": "Education", "owner_id": "edu"}
    asked = _due(row, date(2026, 8, 20), date(2026, 9, 20), None)
    assert asked is not None and asked.period == "2026-08"
    assert _due({**row, "no_figure_in": "[8]"}, date(2026, 8, 20), date(2026, 9, 20), None) is None


# --- the same month a year earlier, and the months a forecast is for --------------------------------------------

def _school_year(years: int = 5, declared=("August",)) -> tuple[dict, pd.DataFrame]:
    """A monthly measure with no August figure, whose months differ far more than its years (term and
    holidays): each month's level, plus a small rise a year."""
    rows = []
    for year in range(2021, 2021 + years):
        for month in range(1, 13):
            if month == 8:
                continue
            rows.append({"period": f"{year}-{month:02d}", "period_start": date(year, month, 1),
                         "value": 100.0 + 10 * month + (year - 2021) * 0.5 + (0.1 if (year + month) % 2 else 0.0)})
    measure = {"id": "absence", "frequency": "monthly", "direction": "down", "unit": "count", "decimals": 1,
               "role": "lead", "due_days": 15, "seasonal": True, "no_figure_in": json.dumps([8]) if declared else None,
               "forecast": True}
    return measure, pd.DataFrame(rows)


def test_a_seasonal_measure_without_august_is_compared_with_the_same_month_a_year_earlier():
    from goal_councils.assess import assess_measure

    measure, series = _school_year()
    a = assess_measure(measure, series, as_at=datetime(2026, 1, 20))
    assert a.variation.basis == "change on the same period a year earlier"
    changes = [v for v in a.variation.values if v is not None]
    # September on September, not on the October eleven figures before it (a month's level apart: ±10 or more)
    assert len(changes) == 11 * 4 and all(0.3 < v < 0.7 for v in changes)


def test_a_missing_figure_does_not_shift_the_year_earlier_comparison():
    from goal_councils.xmr import xmr

    values = [float(m) for m in range(1, 13)] * 2 + [float(m) + 1 for m in range(1, 13)]
    starts = list(range(36))
    del values[20], starts[20]  # one month never sent
    back = [starts.index(s - 12) if s - 12 in starts else None for s in starts]
    result = xmr(values, seasonal_lag_periods=12, year_earlier=back)
    # each figure against its own month a year before: 0 in the second year, 1 in the third
    assert {v for v in result.values if v is not None} == {0.0, 1.0}


def test_a_forecast_is_for_the_months_that_have_a_figure():
    from goal_councils.assess import periods_after

    after = periods_after("monthly", date(2026, 6, 1), 12, no_figure_months([8]))
    assert [d.month for d in after] == [7, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7] and after[-1] == date(2027, 7, 1)
    assert periods_after("monthly", date(2026, 6, 1), 2) == [date(2026, 7, 1), date(2026, 8, 1)]
    assert periods_after("quarterly", date(2026, 4, 1), 2, no_figure_months([8])) == [date(2026, 7, 1),
                                                                                        date(2026, 10, 1)]


def test_a_figure_sent_for_august_anyway_does_not_put_the_forecast_out_of_step():
    from goal_councils.assess import assess_measure

    measure, series = _school_year()
    stray = pd.concat([series, pd.DataFrame([{"period": "2023-08", "period_start": date(2023, 8, 1), "value": 500.0}])])
    without = assess_measure(measure, series, as_at=datetime(2026, 1, 20), with_forecast=True)
    kept = assess_measure(measure, stray, as_at=datetime(2026, 1, 20), with_forecast=True)
    assert kept.forecast.mean == without.forecast.mean


def test_a_measure_with_a_figure_in_one_month_a_year_is_judged_without_a_season():
    from goal_councils.assess import assess_measure

    measure = {"id": "december", "frequency": "monthly", "direction": "up", "unit": "count", "decimals": 0,
               "role": "lead", "due_days": 15, "seasonal": True, "no_figure_in": json.dumps(list(range(1, 12))),
               "forecast": True}
    series = pd.DataFrame([{"period": f"{y}-12", "period_start": date(y, 12, 1), "value": 100.0 + y % 7}
                           for y in range(2010, 2026)])
    a = assess_measure(measure, series, as_at=datetime(2026, 1, 20), with_forecast=True)
    assert a.variation.basis == "values" and a.forecast is not None  # a season of one is no season: no error


def test_a_seasonal_forecast_of_a_measure_without_august_keeps_its_months_in_step():
    from goal_councils.assess import assess_measure

    measure, series = _school_year()
    a = assess_measure(measure, series, as_at=datetime(2026, 1, 20), with_forecast=True)
    # the series ends in December 2025: the forecast's first is January (110-odd), its seventh July (170-odd)
    # and its eighth September (190-odd), as the months' levels are
    jan, july, september = a.forecast.mean[0], a.forecast.mean[6], a.forecast.mean[7]
    assert 108 < jan < 115 and 168 < july < 175 and 188 < september < 195


def test_a_figure_sent_for_a_month_with_none_is_loaded_with_a_note_saying_so(tmp_path: Path):
    from etl.load import LoadRequest, load_batch, validate_files

    home = mini_home(tmp_path / "home")
    (home.definitions / "mini.yaml").write_text(_declared("[August]"))
    sent = write(tmp_path / "in" / "aug.csv", "measure_id,period,value\nneet-rate,2026-07,11\nneet-rate,2026-08,12\n"
                                              "neet-rate,2026-09,13\n")
    request = LoadRequest("edu", [sent], datetime(2026, 10, 10, 9, 0))
    read, errors, warnings = validate_files(home, request, today=date(2026, 10, 10))
    assert (read, errors) == (3, [])
    assert [(w.file, w.row, w.column, w.value, w.severity) for w in warnings] == [("aug.csv", 3, "period", "2026-08",
                                                                                   "note")]
    assert "neet-rate has no figure in August by its definition (no_figure_in)" in str(warnings[0])
    result = load_batch(home, [request], today=date(2026, 10, 10))[0]
    assert result.load_id is not None and [w.row for w in result.warnings] == [3]  # loaded, the note reported
    assert _query(home.warehouse, "SELECT count(*) FROM observations")[0][0] == 3


def test_a_month_with_no_figure_sent_empty_gets_no_note(tmp_path: Path):
    from etl.load import LoadRequest, validate_files

    home = mini_home(tmp_path / "home")
    (home.definitions / "mini.yaml").write_text(_declared("[August]"))
    sent = write(tmp_path / "in" / "aug.csv", "measure_id,period,value,status\nneet-rate,2026-08,,suppressed\n")
    request = LoadRequest("edu", [sent], datetime(2026, 10, 10))
    _, errors, warnings = validate_files(home, request, today=date(2026, 10, 10))
    assert errors == [] and not [w for w in warnings if "no_figure_in" in w.reason]


def test_a_home_that_declares_no_months_gets_no_note(tmp_path: Path):
    from etl.load import LoadRequest, validate_files

    home = mini_home(tmp_path / "home")
    sent = write(tmp_path / "in" / "aug.csv", "measure_id,period,value\nneet-rate,2026-08,12\n")
    request = LoadRequest("edu", [sent], datetime(2026, 10, 10))
    _, errors, warnings = validate_files(home, request, today=date(2026, 10, 10))
    assert (errors, warnings) == ([], [])
