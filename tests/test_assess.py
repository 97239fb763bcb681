"""Assessments and exceptions: timeliness worked by hand, and the demo's planted stories found."""

from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from etl import demo
from goal_councils.assess import assess_measure, exception_rows, timeliness


def test_timeliness_worked_by_hand():
    # monthly, due 15 days after the month ends; as at 2026-05-20 the periods due are
    # ... 2026-03 (due 2026-04-15) and 2026-04 (due 2026-05-15); 2026-05 is not yet due.
    received = {
        "2026-01": datetime(2026, 2, 10),   # due 2026-02-15: on time
        "2026-02": datetime(2026, 3, 20),   # due 2026-03-15: late
        # 2026-03 never arrived: missing
        "2026-04": datetime(2026, 5, 15, 9),  # due 2026-05-15: on time (same day)
    }
    t = timeliness("monthly", 15, received, datetime(2026, 5, 20), periods=4, since=datetime(2026, 1, 1).date())
    assert [p for p, _, _ in t.due] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert (t.on_time, t.late, t.missing) == (2, 1, 1)
    assert t.late_periods == ["2026-02"] and t.missing_periods == ["2026-03"]
    assert t.latest_period == "2026-04" and not t.stale
    # as at 2026-08-01 nothing newer came: 2026-05 and 2026-06 are missing, the data is stale
    # (two periods after 2026-04 is 2026-06, due 2026-07-15, before 2026-08-01)
    t = timeliness("monthly", 15, received, datetime(2026, 8, 1), periods=6, since=datetime(2026, 1, 1).date())
    assert t.missing_periods == ["2026-03", "2026-05", "2026-06"] and t.stale


def test_quarterly_due_dates():
    # 2026-Q1 ends 2026-03-31; due 45 days later = 2026-05-15
    t = timeliness("quarterly", 45, {"2026-Q1": datetime(2026, 5, 16)}, datetime(2026, 6, 1), periods=1)
    assert t.due[0][:2] == ("2026-Q1", datetime(2026, 5, 15).date()) and t.late == 1


# --- the demo's stories, found by the rules --------------------------------------------------

AS_AT = datetime(2026, 11, 24)


def _frames(con, measure_id):
    m = con.execute("SELECT * FROM measures WHERE id = ?", [measure_id]).df().iloc[0].to_dict()
    cur = con.execute(
        "SELECT period, period_start, breakdown, dimension, grp, value FROM current_observations "
        "WHERE measure_id = ? ORDER BY period_start", [measure_id]).df()
    plan = con.execute("SELECT period, period_start, value, kind FROM trajectories WHERE measure_id = ?",
                       [measure_id]).df()
    first = con.execute(
        "SELECT o.period, min(l.received_at) FROM observations o JOIN loads l ON l.id = o.load_id "
        "WHERE o.measure_id = ? GROUP BY o.period", [measure_id]).fetchall()
    total = cur[cur.breakdown == ""]
    groups = cur[(cur.breakdown != "") & ~cur.dimension.str.contains("|", regex=False)]
    return m, total, plan, groups, {p: r for p, r in first}


@pytest.fixture(scope="module")
def con(demo_home):
    c = duckdb.connect(str(demo_home.warehouse), read_only=True)
    yield c
    c.close()


def _assess(con, measure_id, **kw):
    m, total, plan, groups, first = _frames(con, measure_id)
    return assess_measure(m, total, plan=plan, groups=groups, first_received=first, as_at=AS_AT, **kw)


def test_shift_is_signalled(con):
    a = _assess(con, demo.SHIFT_MEASURE)
    runs = [s for s in a.variation.signals if s.rule in ("run_of_8", "beyond_limit") and s.side == "high"]
    assert runs, "the shift in Northfield's days to decide is not signalled"
    first = a.periods[min(s.index for s in runs)]
    assert demo.SHIFT_FROM <= first <= "2025-09"
    assert len(a.variation.phases) >= 2  # limits recomputed after the change point


def test_divergent_group_is_flagged(con):
    a = _assess(con, demo.DIVERGENT_MEASURE)
    dim, group = demo.DIVERGENT_GROUP
    worse = [d for d in a.groups if d.worse]
    assert worse and worse[0].group == f"{dim}: {group}", [d.reason for d in a.groups]


@pytest.mark.parametrize("measure_id", sorted(m for m, months in demo.SEASONAL_MEASURES.items()
                                                if set(months) == set(demo.DEMAND_PEAK_MONTHS))[:1])
def test_seasonal_peak_is_forecast(con, measure_id):
    a = _assess(con, measure_id, with_forecast=True)
    assert a.forecast and a.forecast.seasonal
    last = pd.Period(a.periods[-1], freq="M")
    by_month = {(last + k).month: v for k, v in enumerate(a.forecast.mean, start=1)}
    others = [v for mth, v in by_month.items() if mth not in demo.DEMAND_PEAK_MONTHS]
    # the demo's claims stay high from January to May and fall in summer: both peaks forecast above
    # the other months' mean and above every summer month
    summer = max(by_month[m] for m in (7, 8, 9))
    for peak in demo.DEMAND_PEAK_MONTHS:
        assert by_month[peak] > sum(others) / len(others) and by_month[peak] > summer
    assert a.variation.basis == "change on the same period a year earlier"


def test_late_submitter_is_listed(con):
    owned = [r[0] for r in con.execute("SELECT id FROM measures WHERE owner_id = ? AND frequency = 'monthly'",
                                       [demo.LATE_ORG]).fetchall()]
    rows = [r for m in owned for r in exception_rows(_assess(con, m))]
    assert any(r["rule"] == "late" for r in rows)
    on_time = [r[0] for r in con.execute(
        "SELECT id FROM measures WHERE owner_id = 'northfield' AND frequency = 'monthly' LIMIT 3").fetchall()]
    late_elsewhere = [r for m in on_time for r in exception_rows(_assess(con, m)) if r["rule"] == "late"]
    assert len(late_elsewhere) < len([r for r in rows if r["rule"] == "late"])


def test_on_and_off_track(con):
    assert _assess(con, demo.ON_TRACK_MEASURE).status.rag == "on_track"
    off = _assess(con, demo.OFF_TRACK_MEASURE)
    assert off.status.rag == "off_track"
    assert any(r["rule"] == "off_track" and r["severity"] == 6 for r in exception_rows(off))


def test_whole_demo_exceptions_and_health(demo_home):
    """What the demo's publish step stored: every planted story is found, most severe first."""
    from published.judgements import review, stored_assessments
    from published.reader import Scope, Warehouse

    w = Warehouse(demo_home.warehouse)
    try:
        result = review(w, Scope(), None)
        assessed = stored_assessments(w, Scope(), None).found
        measures = w.measures(Scope())
    finally:
        w.close()
    assert len(assessed) == len(measures)
    ex, health = result.exceptions, result.health.set_index("org_id")
    assert list(ex["severity"]) == sorted(ex["severity"], reverse=True)
    found = set(zip(ex["measure_id"], ex["rule"], strict=True))
    assert (demo.SHIFT_MEASURE, "signal") in found or any(
        m == demo.SHIFT_MEASURE and r == "off_track" for m, r in found)
    assert (demo.DIVERGENT_MEASURE, "divergent") in found
    assert (demo.OFF_TRACK_MEASURE, "off_track") in found
    assert health.loc[demo.LATE_ORG, "late"] > health.loc["northfield", "late"]
    assert health.loc[demo.LATE_ORG, "on_time_share"] < 0.5


def test_measure_sets_its_xmr_baseline():
    from datetime import date

    values = [10.0, 11, 10, 11, 10, 11, 10, 11, 10, 11, 10, 11] + [20.0, 21, 20, 21]
    frame = pd.DataFrame({"period": [f"2025-{i:02d}" for i in range(1, 13)] + [f"2026-{i:02d}" for i in range(1, 5)],
                          "period_start": [date(2025 + i // 12, i % 12 + 1, 1) for i in range(16)], "value": values})
    measure = {"id": "m", "frequency": "monthly", "direction": "up", "unit": "number", "decimals": 0,
               "due_days": 15}
    whole = assess_measure(measure, frame, as_at=datetime(2026, 6, 1))
    fixed = assess_measure({**measure, "xmr_baseline": 12}, frame, as_at=datetime(2026, 6, 1))
    assert whole.variation.phases[0].baseline_end == 16  # all points: the jump is inside the limits' own data
    assert fixed.variation.phases[0].baseline_end == 12 and fixed.variation.phases[0].centre == 10.5
    assert any(s.rule == "beyond_limit" for s in fixed.variation.signals)


def test_a_series_that_follows_its_plan_with_noise_raises_no_signals():
    """Emissions falling along their trajectory: judged on the gap to the plan, no point is a signal;
    judged on the values with one flat centre line, most points would be."""
    import random

    from goal_councils.xmr import xmr

    rng = random.Random(7)
    years = list(range(2013, 2027))
    plan = [100 - 4 * (y - 2013) for y in years]
    values = [p + rng.gauss(0, 0.8) for p in plan]
    series = pd.DataFrame({"period": [str(y) for y in years], "period_start": [date(y, 1, 1) for y in years],
                           "value": values})
    points = [0, 3, 6, 9, len(years) - 1]
    trajectory = pd.DataFrame({"period": [str(years[i]) for i in points],
                               "period_start": [date(years[i], 1, 1) for i in points],
                               "value": [plan[i] for i in points], "kind": ["baseline", *["milestone"] * 3, "final"]})
    measure = {"id": "emissions", "frequency": "annual", "direction": "down", "unit": "number", "decimals": 1,
               "due_days": 90, "role": "headline", "baseline_period": "2013", "baseline_value": plan[0],
               "target_period": "2026", "target_value": plan[-1]}
    a = assess_measure(measure, series, plan=trajectory, as_at=datetime(2027, 6, 1))
    assert a.variation is not None and a.variation.basis == "gap to the planned trajectory"
    assert a.variation.signals == []
    assert a.status.rag in ("on_track", "at_risk")
    assert len(xmr(values).signals) >= 5  # the flat centre line through a trend: the old false alarms


def test_too_few_points_draw_no_limits():
    from goal_councils.xmr import MIN_POINTS, xmr

    assert xmr([1.0, 2.0, 3.0] * 2) is None and MIN_POINTS == 8


@pytest.mark.parametrize("frequency, due_days, today, expected", [
    ("monthly", 15, date(2026, 12, 1), ("2026-11", date(2026, 12, 15))),
    ("monthly", 15, date(2026, 11, 15), ("2026-10", date(2026, 11, 15))),  # due today: still the next
    ("monthly", 15, date(2026, 11, 16), ("2026-11", date(2026, 12, 15))),
    ("monthly", 0, date(2026, 12, 1), ("2026-12", date(2026, 12, 31))),
    ("quarterly", 45, date(2026, 12, 1), ("2026-Q4", date(2027, 2, 14))),
    ("annual", 400, date(2026, 12, 1), ("2025", date(2027, 2, 4))),  # due over a year after it ends
    ("financial_year", 60, date(2026, 12, 1), ("2026/27", date(2027, 5, 30))),
])
def test_the_next_submission_due(frequency, due_days, today, expected):
    from goal_councils.assess import next_due

    assert next_due(frequency, due_days, today) == expected


def test_first_received_moments_become_plain_datetimes_as_pandas_makes_them():
    from goal_councils.assess import datetimes_of

    column = pd.Series([pd.Timestamp("2026-01-02 03:04:05.123456"), pd.Timestamp("2025-12-31")])
    expected = [pd.Timestamp(x).to_pydatetime() for x in column]
    got = datetimes_of(column)
    assert got == expected and all(type(x) is datetime for x in got)
    gappy = pd.Series([pd.Timestamp("2026-01-02"), pd.NaT])
    assert datetimes_of(gappy)[0] == datetime(2026, 1, 2) and datetimes_of(gappy)[1] is pd.NaT


def test_a_gap_to_plan_is_said_in_the_measures_own_unit(con):
    # the demo's new homes are behind their plan: the reason counts homes, tolerance too, as the page's values do
    reason = _assess(con, "net_additional_homes").status.reason
    assert "homes below plan" in reason and reason.endswith(" homes"), reason
    money = _assess(con, "cashable_savings").status.reason
    assert money.startswith("£") and " million " in money, money
