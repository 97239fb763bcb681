"""Queries of published.reader on the tiny warehouse: latest values, revisions, as-at, reopening."""

from __future__ import annotations

import os
import threading
from datetime import datetime

import duckdb
import pandas as pd
import pytest

from published.reader import SCOPE_IDS, Scope, Warehouse, WarehouseError, WarehouseMissing

WAITS = "mh-days-to-first-appointment"
BEFORE_REVISION = datetime(2025, 4, 1)


@pytest.fixture(scope="module")
def warehouse(tiny_warehouse):
    w = Warehouse(tiny_warehouse)
    yield w
    w.close()


def headline(frame, measure_id):
    rows = frame[frame.measure_id == measure_id].to_dict("records")
    assert len(rows) == 1
    return rows[0]


def test_goal_map_has_one_row_per_objective_in_council_then_objective_order(warehouse):
    frame = warehouse.goal_map()
    assert list(frame.objective_id) == [
        "mental-health-waits",
        "childhood-vaccination",
        "burglary",
        "housing-on-release",
        "hardship-support",
        "adult-skills",
    ]
    assert list(frame.council_id.unique()) == ["healthy-lives", "safe-communities", "prosperity"]
    assert list(frame.lead_id) == ["eastvale-nhs", "northfield", "westshire-police", "northfield", "dww", "dww"]


@pytest.mark.parametrize(
    "measure_id, period, value, previous_period, previous_value",
    [
        (WAITS, "2025-03", 35.2, "2025-02", 36.5),
        ("vaccinated-by-two", "2024-Q4", 85.9, "2024-Q3", 86.4),
        ("burglary-rate", "2025-02", 28.25, "2025-01", 31.7),
        ("hardship-paid", "2025-02", 1232650.0, "2025-01", 1187400.0),
    ],
)
def test_latest_total_value_per_headline(warehouse, measure_id, period, value, previous_period, previous_value):
    row = headline(warehouse.goal_map(), measure_id)
    assert (row["latest_period"], row["latest_value"]) == (period, value)
    assert (row["previous_period"], row["previous_value"]) == (previous_period, previous_value)
    assert row["change"] == pytest.approx(value - previous_value)


def test_goal_map_carries_unit_direction_and_target(warehouse):
    row = headline(warehouse.goal_map(), WAITS)
    assert {k: row[k] for k in ("measure_name", "unit", "decimals", "direction", "frequency")} == {
        "measure_name": "Median days from referral to first appointment",
        "unit": "days",
        "decimals": 1,
        "direction": "down",
        "frequency": "monthly",
    }
    assert (row["target_value"], row["target_period"]) == (28.0, "2026-03")
    assert (row["baseline_value"], row["baseline_period"]) == (41.5, "2024-03")
    assert row["latest_status"] == "provisional"


def test_contributing_measures_and_breakdowns_stay_off_the_goal_map(warehouse):
    frame = warehouse.goal_map()
    assert "mh-referrals" not in set(frame.measure_id.dropna())
    # the sex=female slice (44.0) is not the total
    assert 44.0 not in set(frame.latest_value.dropna()) | set(frame.previous_value.dropna())


def test_objectives_without_data_or_headline_still_appear(warehouse):
    frame = warehouse.goal_map().set_index("objective_id")
    assert frame.loc["housing-on-release", "measure_id"] == "housed-on-release"
    assert pd.isna(frame.loc["housing-on-release", "latest_period"])
    assert pd.isna(frame.loc["adult-skills", "measure_id"])


def test_newest_load_wins_and_the_revision_is_flagged(warehouse):
    series = warehouse.series(WAITS).set_index("period")
    assert series.loc["2025-02", "value"] == 36.5
    assert series.loc["2025-02", "load_id"] == 5
    assert bool(series.loc["2025-02", "revised"]) is True
    assert bool(series.loc["2025-01", "revised"]) is False
    assert list(series.index) == ["2024-12", "2025-01", "2025-02", "2025-03"]


def test_as_at_before_the_revision_gives_the_old_value(warehouse):
    row = headline(warehouse.goal_map(as_at=BEFORE_REVISION), WAITS)
    assert (row["latest_period"], row["latest_value"], row["latest_status"]) == ("2025-02", 38.0, "provisional")
    series = warehouse.series(WAITS, as_at=BEFORE_REVISION).set_index("period")
    assert series.loc["2025-02", "value"] == 38.0
    assert "2025-03" not in series.index


def test_as_at_before_any_load_gives_no_values(warehouse):
    frame = warehouse.goal_map(as_at=datetime(2020, 1, 1))
    assert len(frame) == 6
    assert frame.latest_value.isna().all()


def test_series_with_every_breakdown(warehouse):
    frame = warehouse.series(WAITS, breakdown=None, as_at=BEFORE_REVISION)
    assert list(zip(frame.period, frame.breakdown, frame.value, strict=True)) == [
        ("2024-12", "", 40.2),
        ("2025-01", "", 39.1),
        ("2025-02", "", 38.0),
        ("2025-02", "sex=female", 44.0),
    ]


@pytest.mark.parametrize(
    "as_at, received_at, loads, period",
    [
        (None, datetime(2025, 4, 11, 9, 30), 5, "2025-03"),
        (BEFORE_REVISION, datetime(2025, 3, 17, 16, 45), 4, "2025-02"),
        (datetime(2025, 3, 11), datetime(2025, 3, 10, 9, 0), 1, "2025-02"),
    ],
)
def test_as_of(warehouse, as_at, received_at, loads, period):
    row = warehouse.as_of(as_at).iloc[0]
    assert (row.received_at.to_pydatetime(), row.loads, row.period) == (received_at, loads, period)


def test_councils_and_organisations(warehouse):
    councils = warehouse.councils()
    assert list(councils.id) == ["healthy-lives", "safe-communities", "prosperity"]
    assert list(councils.objectives) == [2, 2, 2]
    orgs = warehouse.organisations().set_index("id")
    assert list(orgs.index) == ["northfield", "eastvale-nhs", "westshire-police", "dww"]
    assert (orgs.loc["northfield", "leads"], orgs.loc["northfield", "contributes"]) == (2, 3)


def test_missing_warehouse_raises_a_named_error(tmp_path):
    with pytest.raises(WarehouseMissing, match="outcomes demo"):
        Warehouse(tmp_path / "warehouse.duckdb").goal_map()


def test_a_file_that_is_not_a_warehouse_raises_warehouse_error(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    path.write_text("not a database")
    with pytest.raises(WarehouseError):
        Warehouse(path).as_of()


def test_the_warehouse_is_read_only(warehouse):
    with pytest.raises(WarehouseError, match="read-only"):
        warehouse.query("DELETE FROM loads")


def test_reopens_after_the_file_is_replaced(tmp_path, build_tiny_warehouse):
    live = build_tiny_warehouse(tmp_path / "warehouse.duckdb", last_load=4)
    w = Warehouse(live)
    assert headline(w.goal_map(), WAITS)["latest_value"] == 38.0
    first = w._opened.connection
    # publish the way the ETL does: build a new file, then rename it onto the live path
    os.replace(build_tiny_warehouse(tmp_path / "staging.duckdb"), live)
    assert headline(w.goal_map(), WAITS)["latest_value"] == 35.2
    assert w._opened.connection is not first
    with pytest.raises(Exception, match="closed"):
        first.execute("SELECT 1")  # the old file is let go
    w.close()


def test_a_query_in_flight_finishes_on_the_old_file(tmp_path, build_tiny_warehouse):
    live = build_tiny_warehouse(tmp_path / "warehouse.duckdb", last_load=4)
    w = Warehouse(live)
    w.as_of()
    opened = w._acquire()  # as if a request were half-way through a query
    os.replace(build_tiny_warehouse(tmp_path / "staging.duckdb"), live)
    assert w.as_of().loads[0] == 5
    cursor = opened.connection.cursor()
    assert cursor.execute("SELECT count(*) FROM warehouse.loads").fetchone() == (4,)
    cursor.close()
    w._release(opened)
    with pytest.raises(Exception, match="closed"):
        opened.connection.execute("SELECT 1")
    w.close()


def test_threads_share_one_warehouse(warehouse):
    results, errors = [], []

    def read():
        try:
            results.append(headline(warehouse.goal_map(), WAITS)["latest_value"])
        except Exception as e:  # collected and re-raised below
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert results == [35.2] * 8


# --- the queries of the council, objective, organisation and measure pages -----------------------


@pytest.fixture(scope="module")
def planned(tmp_path_factory, build_tiny_warehouse):
    """The tiny warehouse with a trajectory and declared breakdowns added."""
    path = build_tiny_warehouse(tmp_path_factory.mktemp("planned") / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    con.execute(
        "INSERT INTO trajectories VALUES (?, '2024-03', DATE '2024-03-01', 41.5, 'baseline'),"
        " (?, '2025-03', DATE '2025-03-01', 35.0, 'milestone'), (?, '2026-03', DATE '2026-03-01', 28.0, 'final')",
        [WAITS] * 3,
    )
    con.execute("INSERT INTO measure_breakdowns VALUES (?, 'sex', 'female', 1), (?, 'sex', 'male', 2)", [WAITS, WAITS])
    con.execute("CHECKPOINT")
    con.close()
    w = Warehouse(path)
    yield w
    w.close()


def test_months_with_loads_newest_first(warehouse):
    assert warehouse.months() == ["2025-04", "2025-03"]


def test_measures_in_a_scope_carry_owner_colour_and_breakdowns(planned):
    frame = planned.measures(Scope(objective="mental-health-waits"))
    assert list(frame.id) == [WAITS, "mh-referrals"]  # headline first
    row = frame.iloc[0]
    assert (row.owner_name, row.colour_index, row.council_name, row.breakdowns) == (
        "Eastvale NHS Trust",
        1,
        "Healthy lives",
        "sex",
    )
    assert list(planned.measures(Scope(council="prosperity")).id) == ["hardship-paid"]
    assert list(planned.measures(Scope(owner="northfield")).id) == [
        "mh-referrals",
        "vaccinated-by-two",
        "housed-on-release",
    ]
    # what an organisation takes part in: its own measures and the headline of each of its objectives
    assert set(planned.measures(Scope(partner="dww")).id) == {"hardship-paid", "housed-on-release"}


def test_values_as_at_a_month_leave_out_later_loads_and_periods(warehouse):
    scope = Scope(objective="mental-health-waits")
    latest = warehouse.values(scope)
    assert list(zip(latest.measure_id, latest.period, latest.value, strict=True)) == [
        (WAITS, "2024-12", 40.2),
        (WAITS, "2025-01", 39.1),
        (WAITS, "2025-02", 36.5),
        (WAITS, "2025-03", 35.2),
        ("mh-referrals", "2025-02", 1840.0),
    ]
    end_of_march = datetime(2025, 3, 31, 23, 59, 59)
    before = warehouse.values(scope, end_of_march)
    assert list(before[before.measure_id == WAITS].value) == [40.2, 39.1, 38.0]
    # a period that had not started by then is left out even if it was loaded earlier
    assert warehouse.values(scope, datetime(2025, 1, 31, 23, 59)).empty


def test_values_by_breakdown_and_since(warehouse):
    frame = warehouse.values(Scope(measure=WAITS), dimension="sex")
    assert list(zip(frame.breakdown, frame.period, strict=True))[-1] == ("sex=female", "2025-02")
    assert set(frame.breakdown) == {"", "sex=female"}
    assert set(warehouse.values(Scope(measure=WAITS)).breakdown) == {""}
    since = warehouse.values(Scope(measure=WAITS), since=datetime(2025, 2, 1).date())
    assert list(since.period) == ["2025-02", "2025-03"]


def test_plan_points(planned):
    assert list(planned.plan(Scope(measure=WAITS)).kind) == ["baseline", "milestone", "final"]
    assert planned.plan(Scope(measure="burglary-rate")).empty


def test_last_received_says_when_the_newest_figure_arrived(warehouse):
    frame = warehouse.last_received(Scope(measure=WAITS)).set_index("measure_id")
    assert frame.loc[WAITS, "last_received"] == pd.Timestamp("2025-04-11 09:30")
    before = warehouse.last_received(Scope(measure=WAITS), BEFORE_REVISION).set_index("measure_id")
    assert before.loc[WAITS, "last_received"] < pd.Timestamp("2025-04-11 09:30")


def test_objectives_partners_and_members(warehouse):
    obj = warehouse.objectives(objective_id="housing-on-release").iloc[0]
    assert (obj.council_name, obj.objective_number, obj.lead_id, obj.headline_id) == (
        "Safe communities",
        2,
        "northfield",
        "housed-on-release",
    )
    mine = warehouse.objectives(partner="westshire-police")
    assert list(zip(mine.objective_id, mine.partner_role, strict=True)) == [
        ("burglary", "lead"),
        ("housing-on-release", "contributor"),
    ]
    partners = warehouse.partners("housing-on-release")
    assert list(zip(partners.org_id, partners.role, strict=True)) == [
        ("northfield", "lead"),
        ("westshire-police", "contributor"),
        ("dww", "contributor"),
    ]
    assert partners.responsibility.iloc[1] == "contributor for housing-on-release"
    assert list(warehouse.council_members("prosperity").id) == ["dww", "northfield"]
    assert warehouse.councils(council_id="nope").empty
    assert warehouse.organisations(org_id="dww").iloc[0].colour_index == 3


@pytest.mark.parametrize(
    "text, expected",
    [
        ("burglar", [("objective", "burglary"), ("measure", "burglary-rate")]),
        ("NORTHFIELD", [("org", "northfield")]),
        ("days appointment", [("measure", WAITS)]),
        ("healthy", [("council", "healthy-lives")]),
        ("%", []),
        ("'; DROP TABLE loads; --", []),
        ("", []),
    ],
)
def test_search_by_name(warehouse, text, expected):
    found = warehouse.search(text)
    assert list(zip(found.kind, found.id, strict=True)) == expected


def test_a_warehouse_published_before_categories_still_reads(tmp_path, build_tiny_warehouse):
    path = build_tiny_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    try:
        con.execute("ALTER TABLE measures DROP COLUMN categories")
    finally:
        con.close()
    w = Warehouse(path)
    try:
        assert len(w.measures(Scope())) and w.measures(Scope()).categories.isna().all()
        assert len(w.goal_map()) and w.goal_map().categories.isna().all()
    finally:
        w.close()


def test_latest_year_is_what_latest_values_and_changes_need(tmp_path):
    from datetime import date as day

    from dashboard.summaries import summarise
    from etl.load import LoadRequest, load_batch
    from tests.support import mini_home, write

    home = mini_home(tmp_path / "home")
    months = [f"{y}-{m:02d}" for y in (2022, 2023, 2024) for m in range(1, 13)][:30]
    text = "measure_id,period,value,status\n" + "".join(
        f"neet-rate,{p},{10 + i / 10:.1f},\n" for i, p in enumerate(months))
    text += "neet-rate,2024-07,,suppressed\n"  # the newest period has no figure: the latest is June's
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "n.csv", text)], datetime(2024, 8, 20))],
               today=day(2024, 8, 20))
    w = Warehouse(home.warehouse)
    try:
        scope = Scope(measure="neet-rate")
        every, recent = w.values(scope), w.latest_year(scope)
        assert len(every) == 31 and list(recent.period)[0] == "2023-06" and list(recent.period)[-1] == "2024-07"
        measure = w.measures(scope).to_dict("records")[0]
        full, short = summarise(measure, every, None), summarise(measure, recent, None)
        assert (short.latest_period, round(short.change, 6), round(short.change_on_year, 6)) == ("2024-06", 0.1, 1.2)
        assert (short.latest_value, short.change, short.change_on_year) == (
            full.latest_value, full.change, full.change_on_year)
    finally:
        w.close()


def _counting(monkeypatch) -> list[str]:
    """The statements Warehouse sends DuckDB from now on."""
    sent, run = [], Warehouse._run
    monkeypatch.setattr(Warehouse, "_run", staticmethod(lambda opened, sql, params: sent.append(sql)
                                                        or run(opened, sql, params)))
    return sent


def test_a_request_asks_duckdb_each_statement_once(warehouse, monkeypatch):
    warehouse = Warehouse(warehouse.path)  # its own: nothing remembered from other tests
    sent, scope = _counting(monkeypatch), Scope(objective="mental-health-waits")
    with warehouse.one_version():
        first = warehouse.values(scope)
        first["value"] = -1.0  # a caller changing its frame changes no later answer
        again = warehouse.values(scope)
        other = warehouse.values(Scope(objective="burglary"))
    # each scope's measures once per published file (published/reader.py SCOPE_IDS), each values statement once
    assert sent.count(SCOPE_IDS) == 2 and len(sent) == 4 and len(again) and (again.value != -1.0).all()
    assert set(other.measure_id).isdisjoint(again.measure_id)
    warehouse.values(scope)  # outside a request's block, asked anew; its measures are still known
    assert len(sent) == 5 and sent.count(SCOPE_IDS) == 2


def test_as_of_is_read_once_per_published_file_and_viewer(warehouse, monkeypatch):
    from published.access import Viewer, as_viewer

    warehouse.as_of()
    sent = _counting(monkeypatch)
    first = warehouse.as_of()
    first["loads"] = -1
    assert warehouse.as_of().loads[0] == 5 and sent == []
    with as_viewer(Viewer("admin", name="someone")):
        assert warehouse.as_of().loads[0] == 5
    assert len(sent) == 2 and sent.count(SCOPE_IDS) == 1  # the measures the admin sees, then as_of
