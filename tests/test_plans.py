"""A workload plan saved as a measure's milestone trajectory: the plan read at period ends (hand-worked),
how it meets a target the definitions give, the saved records, and status judged against it at publish."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest

from etl.load import rejudge
from etl.plans import read_definitions
from goal_councils import DefinitionsError, Measure
from goal_councils.plans import (
    PlanProblem,
    SavedPlan,
    apply_plans,
    plan_points,
    planned_target,
    plans_from_json,
    plans_to_json,
)
from tests.service_home import service_home
from workflow import WorkflowStore, default_url
from workflow.plans import PlansFile
from workflow.review import ReviewError

SAVED = datetime(2026, 1, 15, 10, 30)
# 10 weeks from 100 waiting down to 0, from the last day of December 2025 (ends 11 March 2026)
WEEKLY = tuple(100.0 - 10 * w for w in range(11))


def _plan(measure_id="waiting", weekly=WEEKLY, start=date(2025, 12, 31), target=0.0, saved_at=SAVED, **kw):
    return SavedPlan(measure_id, kw.pop("service_id", "claim"), kw.pop("stage_id", "scan"), start, tuple(weekly),
                     target, kw.pop("saved_by", "scanco"), saved_at, kw)


def _measure(**changes) -> Measure:
    raw = {"id": "waiting", "name": "Claims waiting", "owner": "scanco", "unit": "count", "direction": "down",
           "frequency": "monthly"}
    return Measure.model_validate({**raw, **changes})


def test_the_plan_is_read_at_each_period_end_hand_worked():
    # January ends 31 days (4 3/7 weeks) in: 100 - 44.29 = 55.71; February 59 days (8 3/7 weeks): 15.71;
    # the plan ends on 11 March, in March: the target
    assert plan_points("monthly", date(2025, 12, 31), WEEKLY, 0.0) == [
        ("2025-12", 100.0), ("2026-01", 56.0), ("2026-02", 16.0), ("2026-03", 0.0)]
    assert plan_points("monthly", date(2025, 12, 31), WEEKLY, 0.0, decimals=1)[1] == ("2026-01", 55.7)


def test_a_quarterly_measure_takes_the_plan_at_quarter_ends():
    weekly = [260.0 - 10 * w for w in range(27)]  # 26 weeks: 31 Dec 2025 to 1 July 2026
    # Q1 ends 31 March: 90 days = 12 6/7 weeks in: 260 - 128.57 = 131.43
    assert plan_points("quarterly", date(2025, 12, 31), weekly, 0.0) == [
        ("2025-Q4", 260.0), ("2026-Q1", 131.0), ("2026-Q2", 1.0), ("2026-Q3", 0.0)]


def test_a_plan_that_ends_in_the_period_it_starts_is_refused():
    with pytest.raises(PlanProblem, match="ends in the period it starts in"):
        plan_points("monthly", date(2025, 12, 1), [10.0, 5.0], 5.0)
    with pytest.raises(PlanProblem, match="at least one week"):
        plan_points("monthly", date(2025, 12, 31), [10.0], 5.0)


def test_a_measure_without_a_target_takes_the_plan_whole():
    target = planned_target(_measure(), _plan(), "From the plan.")
    assert (target.baseline.period, target.baseline.value) == ("2025-12", 100.0)
    assert target.trajectory == {"2026-01": 56.0, "2026-02": 16.0}
    assert (target.final.period, target.final.value) == ("2026-03", 0.0)
    assert target.note == "From the plan."


def test_a_longer_target_keeps_its_baseline_final_and_milestones_outside_the_plan():
    old = {"baseline": {"period": "2024-01", "value": 300}, "final": {"period": "2027-12", "value": 10},
           "trajectory": {"2024-06": 250, "2026-02": 90, "2026-12": 40}, "note": "Agreed in 2024."}
    target = planned_target(_measure(target=old), _plan(), "From the plan.")
    assert (target.baseline.period, target.final.period) == ("2024-01", "2027-12")
    # the plan's span (December 2025 to March 2026) is the plan's; before and after it, the definitions'
    assert target.trajectory == {"2024-06": 250, "2025-12": 100.0, "2026-01": 56.0, "2026-02": 16.0,
                                 "2026-03": 0.0, "2026-12": 40}
    assert target.note == "From the plan. Agreed in 2024."


def test_a_target_that_ends_within_the_plan_gives_way_to_the_plans_end():
    old = {"baseline": {"period": "2025-06", "value": 120}, "final": {"period": "2026-02", "value": 50}}
    target = planned_target(_measure(target=old), _plan(), "")
    assert (target.baseline.period, target.final.period, target.final.value) == ("2025-06", "2026-03", 0.0)
    assert target.trajectory == {"2025-12": 100.0, "2026-01": 56.0, "2026-02": 16.0}


@pytest.mark.parametrize("changes, message", [
    ({"direction": "none"}, "no direction of good"),
    ({"categories": {"1": "Yes", "0": "No"}}, "categorical"),
])
def test_a_plan_cannot_be_the_trajectory_of_some_measures(changes, message):
    with pytest.raises(PlanProblem, match=message):
        planned_target(_measure(**changes), _plan(), "")


def test_plans_round_trip_through_their_file_and_a_damaged_one_names_the_plan():
    plans = [_plan(), _plan("other", target=5.0, staff=3)]
    assert plans_from_json(plans_to_json(plans)) == plans
    broken = json.loads(plans_to_json(plans))
    broken["plans"][1]["weekly"] = ["many"]
    with pytest.raises(PlanProblem, match="plan 2: ValueError"):
        plans_from_json(json.dumps(broken))
    with pytest.raises(PlanProblem, match="not JSON"):
        plans_from_json("{")


@pytest.mark.parametrize("change, message", [
    ({"weekly": [100.0, float("nan")]}, "finite numbers of 0 or more"),
    ({"weekly": [100.0, -5.0]}, "finite numbers of 0 or more"),
    ({"target": float("-inf")}, "finite numbers of 0 or more"),
    ({"weekly": [1.0] * 200}, "1 to 104 weeks"),
])
def test_a_plans_file_with_impossible_numbers_is_damaged(change, message):
    row = json.loads(plans_to_json([_plan()]))
    row["plans"][0].update(change)
    with pytest.raises(PlanProblem, match=message):
        plans_from_json(json.dumps(row))


def test_the_target_note_names_a_stage_only_as_publicly_as_the_stage_is_shown(tmp_path):
    from goal_councils import load_definitions
    from tests.service_home import DEFINITIONS

    # Northfield's decision queue published, its stage's time measure still internal: the stage is not public
    text = DEFINITIONS.replace("frequency: monthly, published: false}\n          - {id: decide-days",
                               "frequency: monthly}\n          - {id: decide-days", 1)
    assert text != DEFINITIONS
    (tmp_path / "service.yaml").write_text(text, encoding="utf-8")
    defs = load_definitions(tmp_path)
    queue = _plan("decide-waiting", stage_id="decide", saved_by="northfield")
    scan = _plan("scan-waiting", stage_id="scan")
    planned, problems = apply_plans(defs, [queue, scan])
    assert problems == []
    assert planned.measures["decide-waiting"].target.note.startswith(
        "Milestones from the workload plan, saved by Northfield Council on")  # no "Claim decided"
    assert planned.measures["scan-waiting"].target.note.startswith(
        "Milestones from the workload plan for the stage “Evidence scanned”, saved by ScanCo Ltd")


# --- the saved records -------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    return WorkflowStore(default_url(tmp_path))


def test_a_saved_plan_stands_until_another_replaces_it_or_it_is_withdrawn(store):
    first = store.save_plan(measure_id="waiting", service_id="claim", stage_id="scan", start=date(2025, 12, 31),
                            weekly=WEEKLY, target=0, org_id="scanco", by="sam", extra={"staff": 4})
    assert store.plan_for("waiting").id == first
    second = store.save_plan(measure_id="waiting", service_id="claim", stage_id="scan", start=date(2025, 12, 31),
                             weekly=[100, 80, 60], target=60, org_id="scanco", by="kim")
    [standing] = store.plans()
    assert (standing.id, standing.recorded_by, standing.weekly) == (second, "kim", (100.0, 80.0, 60.0))
    store.withdraw_plan("waiting", by="kim")
    assert store.plans() == [] and store.plan_for("waiting") is None
    actions = [e.action for e in store.audit_entries()]
    assert actions.count("plan-saved") == 2 and actions.count("plan-withdrawn") == 1
    with pytest.raises(ReviewError, match="no plan standing"):
        store.withdraw_plan("waiting", by="kim")


@pytest.mark.parametrize("field, changes", [
    ("weekly", {"weekly": [100]}),
    ("weekly", {"weekly": [100, -1]}),
    ("weekly", {"weekly": [100, float("nan")]}),
    ("weekly", {"weekly": [1.0] * 200}),
    ("weekly", {"weekly": "100,90"}),
    ("target", {"target": -5}),
    ("measure_id", {"measure_id": " "}),
    ("start", {"start": "2025-12-31"}),
])
def test_a_plan_that_does_not_fit_is_refused_naming_the_field(store, field, changes):
    args = dict(measure_id="waiting", service_id="claim", stage_id="scan", start=date(2025, 12, 31),
                weekly=WEEKLY, target=0, org_id="scanco", by="sam")
    with pytest.raises(ReviewError) as e:
        store.save_plan(**{**args, **changes})
    assert e.value.field == field
    assert store.plans() == []


def test_the_plans_file_is_rewritten_only_when_the_plans_change(store, tmp_path):
    file = PlansFile(tmp_path / "milestone-plans.json")
    assert file.write(store) is True and plans_from_json(file.path.read_text()) == []
    assert file.write(store) is False
    store.save_plan(measure_id="waiting", service_id="claim", stage_id="scan", start=date(2025, 12, 31),
                    weekly=WEEKLY, target=0, org_id="scanco", by="sam")
    assert file.write(store) is True
    [saved] = plans_from_json(file.path.read_text())
    assert (saved.measure_id, saved.saved_by, saved.weekly) == ("waiting", "scanco", WEEKLY)
    assert "sam" not in file.path.read_text()  # the organisation speaks, not its staff


# --- at publish ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The service home with a plan for ScanCo's work waiting saved: from 550 at the end of October 2025
    down to 100 within 13 weeks, while the figures went on growing (600 in November, 650 in December)."""
    home = service_home(tmp_path_factory.mktemp("planned"))
    store = WorkflowStore(default_url(home.root))
    weekly = [550 - 450 * w / 13 for w in range(14)]
    store.save_plan(measure_id="scan-waiting", service_id="claim", stage_id="scan", start=date(2025, 10, 31),
                    weekly=weekly, target=100, org_id="scanco", by="sam", now=SAVED)
    PlansFile(home.milestone_plans).write(store)
    return home, store


def _rows(home, sql, params=()):
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        return con.execute(sql, params).fetchall()


def _status(home, measure_id):
    return _rows(home, "SELECT status, reason FROM assessments WHERE measure_id = ? ORDER BY run_id DESC LIMIT 1",
                 [measure_id])[0]


def test_the_saved_plan_becomes_the_trajectory_status_is_judged_against(planned):
    home, store = planned
    assert _status(home, "scan-waiting")[0] == "no_target"
    result = rejudge(home, today=date(2026, 1, 20))
    assert (result.judged, result.carried) == (1, 8)  # only the planned measure's definition changed
    points = _rows(home, "SELECT period, value, kind FROM trajectories WHERE measure_id = 'scan-waiting' "
                         "ORDER BY period_start")
    # 30 days (4 2/7 weeks) to the end of November: 550 - 450 x 4.2857 / 13 = 401.6; 61 days (8 5/7 weeks)
    # to the end of December: 550 - 450 x 8.7143 / 13 = 248.4; the plan ends on 30 January: the target
    assert points == [("2025-10", 550.0, "baseline"), ("2025-11", 402.0, "milestone"),
                      ("2025-12", 248.0, "milestone"), ("2026-01", 100.0, "final")]
    note = _rows(home, "SELECT target_note FROM measures WHERE id = 'scan-waiting'")[0][0]
    assert note.startswith("Milestones from the workload plan for the stage “Evidence scanned”, saved by ScanCo Ltd on "
                           "15 January 2026: 100 waiting by 30 January 2026.")
    status, reason = _status(home, "scan-waiting")
    assert status == "off_track", reason  # 650 waiting against a plan of 248
    # the plan covers three figures, too few for limits around it: the variation is judged on the figures
    detail = json.loads(_rows(home, "SELECT detail FROM assessments WHERE measure_id = 'scan-waiting' "
                                    "ORDER BY run_id DESC LIMIT 1")[0][0])
    assert detail["variation"]["basis"] == "values"
    # the public file carries the same trajectory (the measure is published)
    with duckdb.connect(str(home.public_warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM trajectories WHERE measure_id = 'scan-waiting'").fetchone()[0] == 4

    store.withdraw_plan("scan-waiting", by="sam")
    PlansFile(home.milestone_plans).write(store)
    rejudge(home, today=date(2026, 1, 20))
    assert _rows(home, "SELECT count(*) FROM trajectories WHERE measure_id = 'scan-waiting'")[0][0] == 0
    assert _status(home, "scan-waiting")[0] == "no_target"


def test_a_damaged_plans_file_refuses_the_publish_and_changes_nothing(planned):
    home, _ = planned
    before = home.warehouse.read_bytes()
    home.milestone_plans.write_text('{"plans": [{"measure_id": "scan-waiting"}]}', encoding="utf-8")
    try:
        with pytest.raises(DefinitionsError, match="milestone-plans.json: the saved workload plans are damaged"):
            rejudge(home, today=date(2026, 1, 20))
        assert home.warehouse.read_bytes() == before
    finally:
        home.milestone_plans.unlink()


def test_a_plan_whose_measure_is_gone_is_left_out_and_logged(planned, caplog):
    home, _ = planned
    home.milestone_plans.write_text(plans_to_json([_plan("gone")]), encoding="utf-8")
    try:
        defs = read_definitions(home)
        assert "gone" not in defs.measures and defs.measures["scan-waiting"].target is None
        assert "the workload plan for gone (saved 2026-01-15) is left out: no measure of that id is defined" \
            in caplog.text
    finally:
        home.milestone_plans.unlink()


def test_apply_plans_takes_each_measures_newest_plan(planned):
    home, _ = planned
    defs = read_definitions(home)
    older = _plan("scan-waiting", saved_at=datetime(2026, 1, 1), target=7.0)
    newer = _plan("scan-waiting", saved_at=datetime(2026, 1, 2), target=3.0)
    planned_defs, problems = apply_plans(defs, [newer, older])
    assert problems == [] and planned_defs.measures["scan-waiting"].target.final.value == 3.0
    assert defs.measures["scan-waiting"].target is None  # the definitions read are left as they were


def test_a_load_after_a_plan_assesses_the_planned_measure_and_the_new_figures_only(tmp_path):
    from etl.load import LoadRequest, load_batch

    home = service_home(tmp_path / "home")
    store = WorkflowStore(default_url(home.root))
    store.save_plan(measure_id="scan-waiting", service_id="claim", stage_id="scan", start=date(2025, 12, 31),
                    weekly=[650 - 50 * w for w in range(14)], target=0, org_id="scanco", by="sam")
    PlansFile(home.milestone_plans).write(store)
    new = tmp_path / "january.csv"
    new.write_text("measure_id,period,value\nclaims-in,2026-01,990\n", encoding="utf-8")
    load_batch(home, [LoadRequest("intake", [new], datetime(2026, 2, 10))], today=date(2026, 2, 20))
    judged, carried = _rows(home, "SELECT judged, carried FROM judgement_runs ORDER BY id DESC LIMIT 1")[0]
    assert (judged, carried) == (2, 7)  # claims-in (a new figure) and scan-waiting (a new target)
    assert _status(home, "scan-waiting")[0] == "on_track"  # 650 in December, as planned
