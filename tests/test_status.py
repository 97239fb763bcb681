"""Status rules on hand-worked examples (the arithmetic is written out beside each case)."""

from datetime import date

import pytest

from goal_councils.status import (
    AT_RISK,
    DETERIORATION,
    LIMITED,
    MODERATE,
    NO_TARGET,
    NOT_ENOUGH_DATA,
    OFF_TRACK,
    ON_TRACK,
    SUBSTANTIAL,
    TARGET_MET,
    StatusResult,
    interpolate_plan,
    limit_scaling,
    measure_status,
    progress,
    roll_up,
    trajectory_status,
)

D = date


def test_interpolation_is_linear_by_day_and_flat_after_the_end():
    pts = [(D(2024, 1, 1), 100.0), (D(2024, 1, 11), 200.0)]
    assert interpolate_plan(pts, D(2024, 1, 5)) == pytest.approx(140.0)  # 4 of 10 days: 100 + 0.4 x 100
    assert interpolate_plan(pts, D(2024, 2, 1)) == 200.0
    assert interpolate_plan(pts, D(2023, 12, 1)) is None
    assert interpolate_plan([], D(2024, 1, 1)) is None


@pytest.mark.parametrize("actual,direction,tolerance,status,reason", [
    # plan 80 for 2025-09 (flat), lower is better
    (83.1, "down", 2.0, OFF_TRACK, "3.1 percentage points above plan for 2025-09; tolerance 2.0 percentage points"),
    (81.5, "down", 2.0, AT_RISK, "1.5 percentage points above plan for 2025-09"
        "; within the tolerance of 2.0 percentage points"),
    (79.0, "down", 2.0, ON_TRACK, "1.0 percentage points below plan for 2025-09, the better side"),
    (80.0, "down", 2.0, ON_TRACK, "On plan for 2025-09"),
    # higher is better: the same numbers read the other way
    (83.1, "up", 2.0, ON_TRACK, "3.1 percentage points above plan for 2025-09, the better side"),
    (76.0, "up", None, AT_RISK, "4.0 percentage points below plan for 2025-09"
        "; within the tolerance of 4.0 percentage points"),  # 5% of 80
    (75.9, "up", None, OFF_TRACK, "4.1 percentage points below plan for 2025-09; tolerance 4.0 percentage points"),
    # a gap its decimals would show as its tolerance, or as nil: told with more
    (82.04, "down", 2.0, OFF_TRACK, "2.04 percentage points above plan for 2025-09; tolerance 2.00 percentage points"),
    (81.96, "down", 2.0, AT_RISK, "1.96 percentage points above plan for 2025-09"
        "; within the tolerance of 2.00 percentage points"),
    (79.97, "down", 2.0, ON_TRACK, "0.03 percentage points below plan for 2025-09, the better side"),
    (82.0, "down", 2.0, AT_RISK, "2.0 percentage points above plan for 2025-09"
        "; within the tolerance of 2.0 percentage points"),
    (77.96, "down", 2.0, ON_TRACK, "2.0 percentage points below plan for 2025-09"
        ", the better side"),  # no tolerance said
    (82.00001, "down", 2.0, OFF_TRACK, "2.0 percentage points above plan for 2025-09"
        "; tolerance 2.0 percentage points"),  # past 4 places
])
def test_trajectory_status(actual, direction, tolerance, status, reason):
    plan = [(D(2024, 1, 1), 80.0), (D(2025, 1, 1), 80.0)]
    actuals = [(D(2025, 8, 1), "2025-08", 90.0), (D(2025, 9, 1), "2025-09", actual)]
    r = trajectory_status(actuals, plan, direction, tolerance=tolerance, unit="percent", decimals=1)
    assert (r.status, r.reason, r.period, r.plan) == (status, reason, "2025-09", 80.0)


def test_trajectory_gaps_and_missing():
    plan = [(D(2024, 1, 1), 10.0)]
    assert trajectory_status([], plan, "up").status == NOT_ENOUGH_DATA
    assert trajectory_status([(D(2024, 1, 1), "2024-01", 1.0)], [], "up").status == NO_TARGET
    # a suppressed (None) latest value is skipped, not read as zero
    r = trajectory_status([(D(2024, 1, 1), "2024-01", 10.0), (D(2024, 2, 1), "2024-02", None)], plan, "up")
    assert (r.status, r.period) == (ON_TRACK, "2024-01")


def test_growth_with_target_substantial():
    # y0 = 100 (2015), yi = 81 (2017): CAGR_i = 0.81^(1/2) - 1 = -0.10
    # target 50 by 2030: CAGR_T = 0.5^(1/15) - 1 = -0.045158; down is good (d = -1)
    # R = -1 x -0.10 / 0.045158 = 2.2144 -> substantial
    r = progress((D(2015, 1, 1), 100.0), (D(2017, 1, 1), "2017", 81.0), "down", target=(D(2030, 1, 1), 50.0))
    assert r.status == SUBSTANTIAL and r.value == pytest.approx(2.2144, abs=1e-4)
    assert r.reason == "Since 2015: growth is 221% of the rate needed to meet the target on time"


def test_growth_with_target_moderate_limited_deterioration_met():
    target = (D(2030, 1, 1), 50.0)
    # y0 = 100 (2015), yi = 70 (2025): CAGR_i = 0.7^(1/10) - 1 = -0.035039; R = 0.035039/0.045158 = 0.7759
    r = progress((D(2015, 1, 1), 100.0), (D(2025, 1, 1), "2025", 70.0), "down", target=target)
    assert r.status == MODERATE and r.value == pytest.approx(0.7759, abs=1e-4)
    # yi = 90 (2025): CAGR_i = 0.9^(0.1) - 1 = -0.010481; R = 0.2321 -> limited
    r = progress((D(2015, 1, 1), 100.0), (D(2025, 1, 1), "2025", 90.0), "down", target=target)
    assert r.status == LIMITED and r.value == pytest.approx(0.2321, abs=1e-4)
    # yi = 110: moving away from the target -> R < 0
    assert progress((D(2015, 1, 1), 100.0), (D(2025, 1, 1), "2025", 110.0), "down",
                    target=target).status == DETERIORATION
    assert progress((D(2015, 1, 1), 100.0), (D(2025, 1, 1), "2025", 49.0), "down",
                    target=target).status == TARGET_MET


@pytest.mark.parametrize("yi,status", [
    (102.01, MODERATE),      # 1.01^2: CAGR 1.0% -> between 0.5% and 1.5%
    (104.0401, SUBSTANTIAL),  # 1.02^2: 2.0%
    (100.6, LIMITED),         # (1.006)^(1/2) - 1 = 0.30%
    (99.0, DETERIORATION),
])
def test_growth_without_target(yi, status):
    assert progress((D(2015, 1, 1), 100.0), (D(2017, 1, 1), "2017", yi), "up").status == status


def test_growth_near_a_natural_limit_scales_thresholds():
    # base 95%: C = ((100/95)^(1/15) - 1) / 0.015 = 0.22836; thresholds 0.3425% and 0.1142%
    assert limit_scaling(95.0, 100.0) == pytest.approx(0.22836, abs=1e-5)
    # 95 -> 95.5 over 2 years: CAGR = (95.5/95)^(1/2) - 1 = 0.26281% -> moderate (limited without C)
    r = progress((D(2015, 1, 1), 95.0), (D(2017, 1, 1), "2017", 95.5), "up", limit=100.0)
    assert r.status == MODERATE
    assert progress((D(2015, 1, 1), 95.0), (D(2017, 1, 1), "2017", 95.5), "up").status == LIMITED
    assert progress((D(2015, 1, 1), 100.0), (D(2017, 1, 1), "2017", 100.0), "up", limit=100.0).status == SUBSTANTIAL


def test_growth_edge_cases():
    # a zero base is replaced by 0.001, as the method documents
    assert progress((D(2015, 1, 1), 0.0), (D(2016, 1, 1), "2016", 10.0), "up").status == SUBSTANTIAL
    assert progress((D(2015, 1, 1), -5.0), (D(2016, 1, 1), "2016", 5.0), "up").status == NOT_ENOUGH_DATA
    assert progress((D(2015, 1, 1), 5.0), (D(2015, 1, 1), "2015", 5.0), "up").status == NOT_ENOUGH_DATA


def test_measure_status_chooses_the_method():
    actuals = [(D(2015, 1, 1), "2015", 100.0), (D(2017, 1, 1), "2017", 81.0)]
    final = (D(2030, 1, 1), 50.0)
    assert measure_status(actuals, "down", final=final).method == "growth"
    r = measure_status(actuals, "down", baseline=(D(2015, 1, 1), 100.0), milestones=[(D(2020, 1, 1), 80.0)],
                       final=final)
    assert r.method == "trajectory"
    assert measure_status(actuals, "down").status == NO_TARGET
    assert measure_status(actuals[:1], "down", final=final).status == NOT_ENOUGH_DATA


@pytest.mark.parametrize("unit,label,rate_per,decimals,actual,reason", [
    # plan 1,000 for 2025-09 (flat), higher is better, tolerance 50: the gap in the measure's own unit
    ("count", "homes", None, 0, 244.0, "756 homes below plan for 2025-09; tolerance 50 homes"),
    ("count", "homes", None, 0, 999.0, "1 home below plan for 2025-09; within the tolerance of 50 homes"),
    ("count", "people", None, 0, 1089.0, "89 people above plan for 2025-09, the better side"),
    ("count", "premises", None, 0, 999.0, "1 premises below plan for 2025-09; within the tolerance of 50 premises"),
    ("count", "homes", None, 0, 1000.3, "0.3 homes above plan for 2025-09, the better side"),  # not "0 homes"
    ("money", "£ million", None, 1, 1006.4, "£6.4 million above plan for 2025-09, the better side"),
    ("money", None, None, 0, 940.0, "£60 below plan for 2025-09; tolerance £50"),
    ("money", "£ per claim", None, 2, 1000.5, "£0.50 per claim above plan for 2025-09, the better side"),
    ("money", "pence per £100 collected", None, 0, 990.0,
     "10 pence per £100 collected below plan for 2025-09; within the tolerance of 50 pence per £100 collected"),
    ("rate", "offences per 1,000 people", 1000, 2, 1000.12,
     "0.12 offences per 1,000 people above plan for 2025-09, the better side"),
    ("rate", None, 100000, 1, 999.5,
     "0.5 per 100,000 below plan for 2025-09; within the tolerance of 50.0 per 100,000"),
    ("number", "kg per household", None, 0, 976.0,
     "24 kg per household below plan for 2025-09; within the tolerance of 50 kg per household"),
    ("number", None, None, 1, 1000.4, "0.4 above plan for 2025-09, the better side"),  # no unit named: a number
    ("index", float("nan"), float("nan"), 0, 900.0, "100 below plan for 2025-09; tolerance 50"),  # missing, as NaN
    # a gap in percent is in points, in days in days, whatever the label says (as it was)
    ("percent", "% of 16 to 24 year olds", None, 1, 999.7,
     "0.3 percentage points below plan for 2025-09; within the tolerance of 50.0 percentage points"),
    ("days", None, None, 1, 1002.0, "2.0 days above plan for 2025-09, the better side"),
])
def test_a_gap_to_plan_is_written_in_the_measures_unit(unit, label, rate_per, decimals, actual, reason):
    plan = [(D(2024, 1, 1), 1000.0), (D(2025, 1, 1), 1000.0)]
    actuals = [(D(2025, 9, 1), "2025-09", actual)]
    r = trajectory_status(actuals, plan, "up", tolerance=50.0, unit=unit, decimals=decimals, unit_label=label,
                          rate_per=rate_per)
    assert r.reason == reason
    # the page's status takes the unit the same way, and passes it on to the trajectory
    r = measure_status(actuals, "up", milestones=plan[:1], final=plan[1], tolerance=50.0, unit=unit,
                       decimals=decimals, unit_label=label, rate_per=rate_per)
    assert r.reason == reason
    # with no direction of good, judged along the path the target points
    rising = measure_status(actuals, "none", baseline=(D(2023, 1, 1), 900.0), milestones=plan[:1], final=plan[1],
                            tolerance=50.0, unit=unit, decimals=decimals, unit_label=label, rate_per=rate_per)
    assert rising.reason.startswith(reason.replace("the better side", "ahead of the path to the target"))


def test_roll_up_takes_the_worst_headline_and_counts_contributors():
    green = StatusResult(ON_TRACK, "fine")
    red = StatusResult(OFF_TRACK, "3 below plan")
    moderate = StatusResult(MODERATE, "slow")
    r = roll_up([green, red], [green, moderate, red, red])
    assert (r.status, r.reason) == (OFF_TRACK, "3 below plan")
    assert r.contributing == {ON_TRACK: 1, AT_RISK: 1, OFF_TRACK: 2}
    assert roll_up([], []).status == NOT_ENOUGH_DATA


def test_a_figure_on_its_plan_up_to_arithmetics_own_error_is_on_plan():
    # the plan at a milestone worked out between two points: 1.4 + 1.0 x (7.3 - 1.4) is 7.300000000000001
    points = [(D(2024, 4, 1), 1.4), (D(2025, 4, 1), 7.3), (D(2026, 4, 1), 80.0)]
    r = trajectory_status([(D(2025, 4, 1), "2025-04", 7.3)], points, "up", unit="percent", decimals=1)
    assert (r.status, r.reason) == (ON_TRACK, "On plan for 2025-04")
    flat = [(D(2024, 1, 1), 80.1), (D(2025, 1, 1), 80.1)]  # 80.3 - 80.1 is 0.20000000000000284: the tolerance
    r = trajectory_status([(D(2025, 9, 1), "2025-09", 80.3)], flat, "down", tolerance=0.2, unit="percent", decimals=1)
    assert (r.status, r.reason) == (AT_RISK, "0.2 percentage points above plan for 2025-09"
        "; within the tolerance of 0.2 percentage points")
