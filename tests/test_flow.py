"""Flow arithmetic of a service (goal_councils/flow.py) and the what-if model (goal_councils/whatif.py),
on cases worked by hand."""

from __future__ import annotations

import pytest

from goal_councils.flow import (
    DAYS_PER_MONTH,
    Figures,
    Handoff,
    backlog_change,
    end_to_end,
    failure_share,
    handoffs,
    little_check,
    losses,
    pinch_point,
    routes,
)
from goal_councils.whatif import WEEKS_PER_MONTH, plan_workload, staffing, what_if


@pytest.mark.parametrize("arrivals, completions, change", [
    (100, 80, 20), (50, 70, -20), (0, 0, 0), (None, 80, None), (100, None, None),
])
def test_backlog_change_is_arrivals_minus_completions(arrivals, completions, change):
    assert backlog_change(arrivals, completions) == change


# (next stages, figures, expected hand-offs, expected losses)
HANDOFF_CASES = {
    "measured arrivals downstream: the gap left the service": (
        {"a": ["b"], "b": []}, {"a": Figures(completions=100), "b": Figures(arrivals=90)},
        {("a", "b"): 90}, {"a": 10}),
    "unmeasured arrivals downstream: everything completed is handed on": (
        {"a": ["b"], "b": []}, {"a": Figures(completions=100), "b": Figures()},
        {("a", "b"): 100}, {"a": 0}),
    "a branch": (
        {"a": ["b", "c"], "b": [], "c": []},
        {"a": Figures(completions=100), "b": Figures(arrivals=60), "c": Figures(arrivals=30)},
        {("a", "b"): 60, ("a", "c"): 30}, {"a": 10}),
    "a merge, shared by what each upstream stage completed": (
        {"b": ["d"], "c": ["d"], "d": []},
        {"b": Figures(completions=60), "c": Figures(completions=20), "d": Figures(arrivals=80)},
        {("b", "d"): 60, ("c", "d"): 20}, {"b": 0, "c": 0}),
    "more arrives downstream than was handed: a negative loss": (
        {"a": ["b"], "b": []}, {"a": Figures(completions=100), "b": Figures(arrivals=110)},
        {("a", "b"): 110}, {"a": -10}),
}


@pytest.mark.parametrize("next_of, figures, flows, lost", HANDOFF_CASES.values(), ids=HANDOFF_CASES)
def test_volumes_are_conserved_between_stages(next_of, figures, flows, lost):
    found = handoffs(next_of, figures)
    assert {(h.source, h.target): pytest.approx(h.volume) for h in found} == flows
    assert losses(next_of, figures, found) == pytest.approx(lost)
    # conservation: what a stage completes is what it hands on plus what left
    for s, gone in losses(next_of, figures, found).items():
        assert figures[s].completions == pytest.approx(sum(h.volume for h in found if h.source == s) + gone)


@pytest.mark.parametrize("backlog, arrivals, days, expected, agrees", [
    (300, 600, 15, 600 * 15 / DAYS_PER_MONTH, True),  # 295.7 expected: 1.5% apart
    (600, 600, 15, 600 * 15 / DAYS_PER_MONTH, False),  # twice the expected
    (200, 600, 15, 600 * 15 / DAYS_PER_MONTH, True),  # 32% under: within 35%
    (150, 600, 15, 600 * 15 / DAYS_PER_MONTH, False),  # 49% under
])
def test_littles_law(backlog, arrivals, days, expected, agrees):
    found = little_check(backlog, arrivals, days, tolerance=0.35)
    assert found.expected == pytest.approx(expected)
    assert found.ratio == pytest.approx(backlog / expected)
    assert found.agrees is agrees


@pytest.mark.parametrize("backlog, arrivals, days", [(None, 600, 15), (300, None, 15), (300, 600, None), (300, 0, 15)])
def test_littles_law_needs_every_figure(backlog, arrivals, days):
    assert little_check(backlog, arrivals, days, tolerance=0.35) is None


@pytest.mark.parametrize("figures, stage, reason, size", [
    ({"a": Figures(arrivals=120, capacity=100), "b": Figures(arrivals=50, capacity=40, time_p90=99)},
     "b", "over capacity", 1.25),
    ({"a": Figures(arrivals=90, capacity=100, time_p90=20), "b": Figures(time_median=30)},
     "b", "longest wait", 30),
    ({"a": Figures(backlog=300, completions=100), "b": Figures(time_median=60)},
     "a", "longest wait", 3 * DAYS_PER_MONTH),
])
def test_pinch_point(figures, stage, reason, size):
    found = pinch_point(figures)
    assert (found.stage, found.reason) == (stage, reason)
    assert found.size == pytest.approx(size)


def test_no_pinch_point_without_figures():
    assert pinch_point({"a": Figures()}) is None


def test_end_to_end_weights_routes_by_volume_and_takes_the_slowest_90th_percentile():
    next_of = {"a": ["b", "c"], "b": [], "c": []}
    figures = {"a": Figures(time_median=5, time_p90=10), "b": Figures(time_median=10, time_p90=20),
               "c": Figures(time_median=20, time_p90=40)}
    flows = [Handoff("a", "b", 75), Handoff("a", "c", 25)]
    assert routes(["a", "b", "c"], next_of) == [["a", "b"], ["a", "c"]]
    median, p90 = end_to_end(["a", "b", "c"], next_of, figures, flows)
    assert median == pytest.approx((15 * 75 + 25 * 25) / 100)
    assert p90 == 50


def test_end_to_end_leaves_out_a_stage_with_no_time_and_a_route_with_none():
    next_of = {"a": ["b"], "b": ["c"], "c": []}
    figures = {"a": Figures(time_median=5, time_p90=10), "b": Figures(time_median=10), "c": Figures(completions=3)}
    assert end_to_end(["a", "b", "c"], next_of, figures, []) == (15, 20)
    assert end_to_end(["c"], {"c": []}, figures, []) == (None, None)


@pytest.mark.parametrize("figures, share", [
    (Figures(arrivals=75, failure_demand=25), 0.25),
    (Figures(failure_demand=4, failure_is_percent=True), 0.04),
    (Figures(arrivals=75), None),
    (Figures(failure_demand=25), None),
])
def test_failure_demand_share(figures, share):
    assert failure_share(figures) == (pytest.approx(share) if share is not None else None)


def _monthly(weekly: float) -> float:
    return weekly * WEEKS_PER_MONTH


def test_what_if_more_demand_builds_a_backlog_week_by_week():
    # one stage: 100 a week arrive, 100 a week can be done, nothing waiting, 7 days in stage
    figures = {"a": Figures(arrivals=_monthly(100), completions=_monthly(100), capacity=_monthly(100),
                            backlog=0, time_median=7)}
    base, changed = what_if(["a"], {"a": []}, figures, [], {}, "a", "demand", 10, weeks=4)
    assert base.backlog["a"] == pytest.approx([0, 0, 0, 0, 0])
    assert changed.backlog["a"] == pytest.approx([0, 10, 20, 30, 40])
    # 7 days handling + 7 x backlog / 100 completed a week
    assert changed.days["a"] == pytest.approx([7, 7.7, 8.4, 9.1, 9.8])
    assert changed.end_to_end == pytest.approx(changed.days["a"])


def test_what_if_less_capacity_upstream_starves_the_stage_downstream():
    figures = {"a": Figures(arrivals=_monthly(100), completions=_monthly(100), capacity=_monthly(100),
                            backlog=0, time_median=2),
               "b": Figures(completions=_monthly(100), capacity=_monthly(100), backlog=0, time_median=3)}
    next_of = {"a": ["b"], "b": []}
    flows = handoffs(next_of, figures)
    base, changed = what_if(["a", "b"], next_of, figures, flows, {}, "a", "capacity", -20, weeks=3)
    assert changed.backlog["a"] == pytest.approx([0, 20, 40, 60])
    assert changed.backlog["b"] == pytest.approx([0, 0, 0, 0])
    assert base.end_to_end == pytest.approx([5, 5, 5, 5])
    assert changed.end_to_end[1] == pytest.approx(2 + 7 * 20 / 80 + 3)


def test_what_if_more_capacity_clears_a_backlog_then_stops():
    # 100 waiting, 50 a week arrive, capacity 50 a week plus 40%: 20 a week more is done until it is clear
    figures = {"a": Figures(arrivals=_monthly(50), completions=_monthly(50), capacity=_monthly(50),
                            backlog=100, time_median=21)}
    _, changed = what_if(["a"], {"a": []}, figures, [], {}, "a", "capacity", 40, weeks=6)
    assert changed.backlog["a"] == pytest.approx([100, 80, 60, 40, 20, 0, 0])
    # handling time: 21 days measured less 7 x 100 / 50 queueing = 7
    assert changed.days["a"][0] == pytest.approx(21)
    assert changed.days["a"][-1] == pytest.approx(7)


def test_without_a_capacity_measure_the_best_recent_month_is_the_capacity():
    figures = {"a": Figures(arrivals=_monthly(100), completions=_monthly(100), backlog=0, time_median=7)}
    _, changed = what_if(["a"], {"a": []}, figures, [], {"a": _monthly(105)}, "a", "demand", 10, weeks=2)
    assert changed.backlog["a"] == pytest.approx([0, 5, 10])


def test_plan_the_workload_of_a_stage_falling_behind():
    # 650 waiting, 230 a week arrive, 218.5 a week can be done: to have 130 waiting in 13 weeks takes
    # 230 + 520 / 13 = 270 a week, 23.6% more than now; at today's capacity it never clears
    plan = plan_workload(650, 230, 218.5, 130, 13)
    assert plan.capacity_needed == pytest.approx(270)
    assert plan.extra_share == pytest.approx(270 / 218.5 - 1)
    assert plan.weeks_to_clear_now is None
    assert plan.backlog == pytest.approx([650 - 40 * w for w in range(14)])


def test_plan_the_workload_of_a_stage_that_would_clear_anyway():
    plan = plan_workload(100, 50, 70, 0, 4)
    assert plan.capacity_needed == 75 and plan.weeks_to_clear_now == 5
    assert plan.backlog == pytest.approx([100, 75, 50, 25, 0])


def test_plan_the_workload_against_forecast_demand_week_by_week():
    # demand rises 10, 20, 30, 40: to go from 100 to 20 in 4 weeks takes (100 - 20 + 100) / 4 = 45 a week;
    # at 50 a week now: 60, 30, 10 waiting after weeks 0-2, and week 3's 40 leaves room to clear the last 10
    plan = plan_workload(100, [10, 20, 30, 40], 50, 20, 4)
    assert plan.capacity_needed == 45 and plan.demand == 25
    assert plan.backlog == pytest.approx([100, 65, 40, 25, 20])
    assert plan.weeks_to_clear_now == pytest.approx(4.0)
    # a forecast shorter than the plan: its last week holds
    assert plan_workload(100, [10, 20], 50, 20, 4).capacity_needed == pytest.approx((80 + 10 + 20 + 20 + 20) / 4)


def test_a_plan_whose_queue_empties_early_still_meets_the_late_rise():
    # 1,000 waiting, 50 a week for 8 weeks then 400 a week for 5: over the whole plan (1,000 + 2,400) / 13 =
    # 261.5 a week would empty the queue by week 4 and leave the last 5 weeks' 2,000 to pile up to 692;
    # the last 5 weeks alone need 2,000 / 5 = 400 a week, and at 400 the plan ends with nothing waiting
    plan = plan_workload(1000, [50] * 8 + [400] * 5, 300, 0, 13)
    assert plan.capacity_needed == pytest.approx(400)
    assert plan.backlog[-1] == pytest.approx(0) and plan.backlog[3] == pytest.approx(0)


def test_staffing_from_staff_absence_and_productivity():
    # 10 in post, a fifth of their time on leave or absent, completing 80 a week: 10 each a week at work
    team = staffing(10, 0.2, 80)
    assert team.productivity == pytest.approx(10) and team.capacity == pytest.approx(80)
    assert team.staff_for(100) == pytest.approx(12.5)
    # a productivity given is taken as it is: 8 in post x 0.75 x 12 = 72 a week
    assert staffing(8, 0.25, 80, productivity=12).capacity == pytest.approx(72)
    with pytest.raises(ValueError):
        staffing(0, 0.2, 80)
    with pytest.raises(ValueError):
        staffing(10, 1.0, 80)


def test_a_plan_needs_a_week():
    with pytest.raises(ValueError):
        plan_workload(100, 50, 70, 0, 0)
