"""What pages say about a measure: status, latest value and changes, freshness, records, exports."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from dashboard.summaries import (
    export_rows,
    objective_status,
    plan_points,
    submission_record,
    submissions_by_month,
    summaries,
    summarise,
)
from goal_councils.assess import timeliness
from goal_councils.status import StatusResult, measure_status
from published.judgements import StoredTimeliness

MEASURE = {
    "id": "days",
    "objective_id": "waits",
    "role": "headline",
    "frequency": "monthly",
    "direction": "down",
    "unit": "days",
    "decimals": 1,
    "tolerance": None,
    "due_days": 15,
    "baseline_period": "2025-01",
    "baseline_value": 40.0,
    "target_period": "2025-12",
    "target_value": 29.0,
}

PLAN = pd.DataFrame(
    [
        ("days", "2025-06", pd.Timestamp("2025-06-01"), 35.0, "milestone"),
        ("other", "2025-06", pd.Timestamp("2025-06-01"), 1.0, "milestone"),
    ],
    columns=["measure_id", "period", "period_start", "value", "kind"],
)


def series(*rows, measure="days"):
    """(period, value, status, revised) rows of a monthly total."""
    return pd.DataFrame(
        [
            {
                "measure_id": measure,
                "period": p,
                "period_start": pd.Timestamp(f"{p}-01"),
                "value": v,
                "status": s,
                "revised": r,
                "breakdown": "",
                "grp": "",
            }
            for p, v, s, r in rows
        ]
    )


JUDGED = datetime(2025, 7, 20)


def receipts(measure="days", first_period="2025-01", at=JUDGED, **received):
    """Timeliness as the judge stores it at publish (as at `at`), from period -> when its figure
    first arrived."""
    first = {p: pd.Timestamp(t).to_pydatetime() for p, t in received.items()}
    judged = timeliness("monthly", 15, first, at, since=date.fromisoformat(f"{first_period}-01"))
    return StoredTimeliness(at, {measure: judged}, {measure: max(first.values())})


def test_plan_points_take_this_measures_milestones_only():
    assert plan_points(MEASURE, PLAN) == {
        "baseline": (date(2025, 1, 1), 40.0),
        "milestones": [(date(2025, 6, 1), 35.0)],
        "final": (date(2025, 12, 1), 29.0),
    }


ON_PLAN = StatusResult("on_track", "On plan for June 2025", "2025-06", 34.0, 35.0)
OFF_PLAN = StatusResult("off_track", "4.0 days above plan for June 2025; tolerance 1.8 days", "2025-06", 39.0, 35.0)
NO_FIGURES = StatusResult("not_enough_data", "No figures have been submitted yet")


def test_the_status_is_the_judges_never_the_pages():
    frame = series(("2025-05", 37.0, None, False), ("2025-06", 34.0, None, False))
    stored = measure_status(
        [(date(2025, 5, 1), "2025-05", 37.0), (date(2025, 6, 1), "2025-06", 34.0)],
        "down",
        baseline=(date(2025, 1, 1), 40.0),
        milestones=[(date(2025, 6, 1), 35.0)],
        final=(date(2025, 12, 1), 29.0),
        unit="days",
        decimals=1,
        frequency="monthly",
    )
    assert summarise(MEASURE, frame, stored).status == stored
    assert stored.status == "on_track"
    assert stored.reason == "1.0 days below plan for June 2025, the better side"  # periods in words
    # nothing stored for the date: the page says so rather than judging
    assert summarise(MEASURE, frame, None).status.status == "not_judged"


def test_latest_value_changes_and_flags():
    frame = series(
        ("2024-06", 44.0, None, False),
        ("2025-05", 37.0, None, False),
        ("2025-06", 34.0, "provisional", True),
    )
    s = summarise(MEASURE, frame, ON_PLAN)
    assert (s.latest_period, s.latest_value, s.latest_flags) == ("2025-06", 34.0, ["Provisional", "Revised"])
    assert (s.previous_period, s.previous_value, s.change) == ("2025-05", 37.0, -3.0)
    assert (s.year_ago_period, s.year_ago_value, s.change_on_year) == ("2024-06", 44.0, -10.0)
    assert s.status.status == "on_track"


def test_a_gap_is_not_a_zero_and_not_skipped_over():
    # May has no figure and June's is suppressed: the latest figure is April's, and there is no
    # figure for March to compare it with
    frame = series(("2025-04", 36.0, None, False), ("2025-06", None, "suppressed", False))
    s = summarise(MEASURE, frame, None)
    assert (s.latest_period, s.latest_value) == ("2025-04", 36.0)
    assert (s.previous_period, s.previous_value, s.change) == ("2025-03", None, None)


def test_the_period_before_skips_a_month_the_measure_has_no_figure_in():
    # schools: no figure in August by its nature, so September's change is on July, and says so
    frame = series(("2025-07", 36.0, None, False), ("2025-09", 38.5, None, False), ("2024-09", 37.0, None, False))
    s = summarise({**MEASURE, "no_figure_in": "[8]"}, frame, None)
    assert (s.previous_period, s.previous_value, s.change) == ("2025-07", 36.0, 2.5)
    assert (s.year_ago_period, s.change_on_year) == ("2024-09", 1.5)
    # a measure that declares nothing: August is simply missing
    plain = summarise(MEASURE, frame, None)
    assert (plain.previous_period, plain.previous_value, plain.change) == ("2025-08", None, None)


def test_no_figures_at_all():
    s = summarise(MEASURE, series(), NO_FIGURES)
    assert (s.latest_period, s.latest_value, s.change) == (None, None, None)
    assert s.status.status == "not_enough_data"


@pytest.mark.parametrize(
    "received, state, text",
    [
        ({"2025-06": "2025-07-10 09:00"}, "on_time", "June 2025 arrived 10 Jul 2025, due 15 Jul 2025"),
        ({"2025-06": "2025-07-18 09:00"}, "late", "June 2025 arrived 18 Jul 2025, 3 days after it was due"),
        ({"2025-05": "2025-06-10 09:00"}, "missing", "No figure for June 2025 yet; it was due 15 Jul 2025"),
    ],
)
def test_freshness_of_the_newest_figure_due(received, state, text):
    frame = series(("2025-05", 37.0, None, False), ("2025-06", 34.0, None, False))
    s = summarise(MEASURE, frame, None, receipts(first_period="2025-05", **received))
    assert (s.freshness.state, s.freshness.text) == (state, text)


def test_late_submissions_are_counted_over_the_last_year():
    received = {f"2025-{m:02d}": f"2025-{m + 1:02d}-{20 if m % 2 else 10} 09:00" for m in range(1, 7)}
    s = summarise(MEASURE, series(), None, receipts(**received))
    assert (s.freshness.late_in_window, s.freshness.due_in_window) == (3, 6)
    assert s.last_received == pd.Timestamp("2025-07-10 09:00")


def test_submission_record_and_counts_by_month_due():
    received = receipts(**{"2025-04": "2025-05-10", "2025-05": "2025-06-20"})
    record = submission_record(MEASURE, received)
    assert [(r["period"], r["due"], r["state"]) for r in record] == [
        ("2025-01", date(2025, 2, 15), "missing"),
        ("2025-02", date(2025, 3, 15), "missing"),
        ("2025-03", date(2025, 4, 15), "missing"),
        ("2025-04", date(2025, 5, 15), "on_time"),
        ("2025-05", date(2025, 6, 15), "late"),
        ("2025-06", date(2025, 7, 15), "missing"),
    ]
    counts = submissions_by_month(record)
    assert counts.to_dict("records")[-3:] == [
        {"month": date(2025, 5, 1), "on_time": 1, "late": 0, "missing": 0},
        {"month": date(2025, 6, 1), "on_time": 0, "late": 1, "missing": 0},
        {"month": date(2025, 7, 1), "on_time": 0, "late": 0, "missing": 1},
    ]
    assert submissions_by_month([]).empty


def test_objective_status_is_the_roll_up_of_its_measures():
    contributing = {**MEASURE, "id": "calls", "role": "contributing", "target_period": None, "target_value": None}
    measures = pd.DataFrame([MEASURE, contributing])
    totals = pd.concat([series(("2025-06", 39.0, None, False)), series(("2025-06", 5.0, None, False), measure="calls")])
    found = summaries(measures, totals, {MEASURE['id']: OFF_PLAN, 'calls': StatusResult('no_target', 'No target')},
                      )
    rollup = objective_status({"objective_id": "waits"}, measures, found)
    assert rollup.status == "off_track"
    assert rollup.contributing == {"no_target": 1}


def test_freshness_is_the_stored_judgement_not_the_clock():
    # a run judged before June's figure fell due says nothing is missing, whatever today is
    early = receipts(at=datetime(2025, 7, 10), **{"2025-05": "2025-06-10 09:00"})
    assert summarise(MEASURE, series(), None, early).freshness.state == "on_time"
    # no run stood at the date shown: the page says so instead of judging
    s = summarise(MEASURE, series(), None, StoredTimeliness(None, {}, {}))
    assert (s.freshness.state, s.freshness.text) == (
        "not_judged", "Not judged as at this date: timeliness is judged when data is published")
    assert submission_record(MEASURE, StoredTimeliness(None, {}, {})) == []


def test_export_rows_are_exactly_the_rows_shown():
    frame = series(("2025-06", 34.0, "provisional", True), ("2025-05", None, "suppressed", False))
    frame.loc[2] = {**frame.loc[0], "breakdown": "sex=female", "grp": "female", "value": 36.0, "status": None}
    rows = export_rows("days", frame, "2025-07")
    assert list(rows.columns) == ["measure", "period", "breakdown", "value", "status", "revised", "as_of"]
    assert rows.astype(object).where(rows.notna(), None).to_dict("records") == [
        {
            "measure": "days",
            "period": "2025-05",
            "breakdown": "",
            "value": None,
            "status": "suppressed",
            "revised": False,
            "as_of": "2025-07",
        },
        {
            "measure": "days",
            "period": "2025-06",
            "breakdown": "",
            "value": 34.0,
            "status": "provisional",
            "revised": True,
            "as_of": "2025-07",
        },
        {
            "measure": "days",
            "period": "2025-06",
            "breakdown": "sex=female",
            "value": 36.0,
            "status": None,
            "revised": True,
            "as_of": "2025-07",
        },
    ]
    assert export_rows("days", frame, None, today=date(2026, 1, 2)).as_of.unique().tolist() == ["2026-01-02"]
    text = rows.to_json(orient="records")
    assert '"value":null,"status":"suppressed"' in text  # suppressed stays empty, never zero


def test_counts_by_month_due_add_up_every_measure_in_month_order():
    def due(measure, day, state):
        return {"measure_id": measure, "period": "2025-01", "due": day, "received": None, "state": state}

    record = [due("b", date(2025, 3, 2), "late"), due("a", date(2025, 2, 15), "on_time"),
              due("b", date(2025, 2, 1), "missing"), due("c", date(2025, 2, 28), "on_time")]
    assert submissions_by_month(record).to_dict("records") == [
        {"month": date(2025, 2, 1), "on_time": 2, "late": 0, "missing": 1},
        {"month": date(2025, 3, 1), "on_time": 0, "late": 1, "missing": 0},
    ]
