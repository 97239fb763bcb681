"""Assess one measure as a council would, and turn assessments into the exceptions list.

Pure: inputs are plain values and DataFrames fetched by the caller; nothing here reads a file.

An assessment gathers, for the data as it stood at `as_at`:
  status      against the trajectory or by growth (goal_councils.status)
  variation   XmR chart and its recent signals (goal_councils.xmr); seasonal measures are
              judged on the change from the same period a year earlier
  groups      divergent groups (goal_councils.divergence), per declared breakdown
  forecast    for demand and leading measures (goal_councils.forecast): whether the central
              forecast misses the plan or the final target
  timeliness  each period that fell due in the last year: on time, late or missing (due =
              period end + due_days); stale when the newest figure is older than two
              reporting periods past its due date. A monthly measure's `no_figure_in` months
              (no figure by its nature: schools closed in August) never fall due: they are
              neither on time, late nor missing nor counted among the periods due, and
              staleness counts only the months that have a figure

A categorical measure (codes with labels, goal_councils.categories) is not a number: its status
is categorical (goal_councils.status.categorical_status) and it has no variation, divergent
groups or forecast; its timeliness is judged as any other's. A measure with no direction of
good (`direction` "none") gets its XmR chart and groups, but no side of them is worse, so they
raise no exception; its status and forecast are set against the target only when the target
says which way it should move (goal_councils.status.planned_direction).

Exceptions: every assessment contributes zero or more rows (severity, rule, reason). Severity
(higher is worse): off track 5 (+1 on a headline), missing submission 4, a recent signal on
the worse side for the direction of good 4 (signals on the better side show on the measure
page, not here),
divergent group 3 (a group whose gap to the total is moving the wrong way; steady differences
in level are shown on the measure page but are not exceptions), forecast misses target 3,
at risk 2, late submission 2, stale 2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import pandas as pd

from .categories import categories_of
from .divergence import Divergence, divergent_groups
from .forecast import Forecast, forecast
from .periods import (
    FREQUENCIES,
    FY_START_MONTH,
    PeriodError,
    parse_period,
    period_end,
    period_from_start,
    period_words,
    shift_period,
)
from .status import AT_RISK, OFF_TRACK, StatusResult, interpolate_plan, measure_status, planned_direction
from .units import UnitWords, number_text
from .xmr import MIN_POINTS as XMR_MIN_POINTS
from .xmr import Signal, XmrResult, looks_seasonal, seasonal_lag, xmr

__all__ = [
    "Timeliness", "Assessment", "assess_measure", "plan_points", "timeliness", "exception_rows",
    "RECENT_SIGNAL_PERIODS", "SEVERITY", "assess_all", "timeliness_rows", "TIMELINESS_RULES", "next_due",
    "forecast_wanted", "datetimes_of", "no_figure_months", "periods_after", "gaps_before",
]

RECENT_SIGNAL_PERIODS = 3
SEVERITY = {
    "off_track": 5, "missing": 4, "signal": 4, "divergent": 3, "forecast_miss": 3,
    "at_risk": 2, "late": 2, "stale": 2,
}
RULE_LABELS = {
    "off_track": "Off track", "missing": "Missing submission", "signal": "Variation signal",
    "divergent": "Divergent group", "forecast_miss": "Forecast misses target", "at_risk": "At risk",
    "late": "Late submission", "stale": "Stale data",
}


@dataclass(frozen=True)
class Timeliness:
    due: list[tuple[str, date, datetime | None]]  # (period, due date, first received) per due period
    on_time: int
    late: int
    missing: int
    stale: bool
    latest_period: str | None

    @property
    def late_periods(self) -> list[str]:
        return [p for p, d, r in self.due if r is not None and r.date() > d]

    @property
    def missing_periods(self) -> list[str]:
        return [p for p, _, r in self.due if r is None]


@dataclass
class Assessment:
    measure_id: str
    role: str
    direction: str
    status: StatusResult
    variation: XmrResult | None
    recent_signals: list[Signal]
    groups: list[Divergence]
    forecast: Forecast | None
    forecast_miss: str | None  # the reason, when the forecast misses the plan/target
    timeliness: Timeliness
    periods: list[str] = field(default_factory=list)  # the judged series' period labels
    frequency: str = ""  # so that reasons name periods in words


def _as_date(x) -> date:
    if isinstance(x, datetime):
        return x.date()
    if isinstance(x, date):
        return x
    return pd.Timestamp(x).date()


def no_figure_months(value) -> frozenset[int]:
    """The months (1 to 12) a measure has no figure in (its `no_figure_in`), from a list of numbers, the
    warehouse's JSON text of one ("[8]"), or nothing (None, NaN, ""): none."""
    if isinstance(value, str):
        value = json.loads(value) if value.strip() else None
    if value is None or (not hasattr(value, "__iter__") and pd.isna(value)):
        return frozenset()
    return frozenset(int(m) for m in value)


def _expected(frequency: str, start: date, no_figure_in: Collection[int]) -> bool:
    """Does the period starting on `start` have a figure to send? Not a month the measure declares has none."""
    return not (no_figure_in and frequency == "monthly" and start.month in no_figure_in)


def timeliness(frequency: str, due_days: int, first_received: Mapping[str, datetime], as_at: datetime,
               *, periods: int | None = None, since: date | None = None,
               no_figure_in: Collection[int] = ()) -> Timeliness:
    """On time / late / missing for the periods that fell due in the year up to `as_at`
    (or, given `periods`, the last that many periods whose due date has passed).

    `first_received`: canonical period label -> when the first figure for it arrived.
    `since`: periods starting before this date are not expected (e.g. before the measure began).
    `no_figure_in`: months (1 to 12) in which a monthly measure has no figure: never due, so never
    counted, and skipped when counting the two periods after the newest figure that make it stale.
    """
    today = as_at.date()
    # the newest period whose due date has passed
    start = date(today.year, today.month, 1)
    probe = parse_period(_label_for(frequency, start), frequency).start if frequency in FREQUENCIES else start
    due_list = []
    window_start = date.fromordinal(today.toordinal() - 365)
    while periods is None or len(due_list) < periods:
        due = date.fromordinal(period_end(frequency, probe).toordinal() + due_days)
        if (since and probe < since) or (periods is None and due <= window_start):
            break
        if due <= today and _expected(frequency, probe, no_figure_in):
            label = parse_period(_label_for(frequency, probe), frequency).label
            got = first_received.get(label)
            due_list.append((label, due, got if got is not None and got <= as_at else None))
        probe = shift_period(frequency, probe, -1)
        if probe.year < 1900:
            break
    due_list.reverse()
    late = sum(1 for _, d, r in due_list if r is not None and r.date() > d)
    missing = sum(1 for _, _, r in due_list if r is None)
    received = [p for p, r in first_received.items() if r is not None and r <= as_at]
    latest = max(received, key=lambda p: parse_period(p, frequency).start) if received else None
    stale = False
    if latest:
        two_later = parse_period(latest, frequency).start
        for _ in range(2):  # two periods that have a figure to send
            two_later = _next_expected(frequency, shift_period(frequency, two_later, 1), no_figure_in)
        stale = date.fromordinal(period_end(frequency, two_later).toordinal() + due_days) < today
    return Timeliness(due_list, len(due_list) - late - missing, late, missing, stale, latest)


def _next_expected(frequency: str, start: date, no_figure_in: Collection[int]) -> date:
    """The period starting on `start`, or the first after it that has a figure to send."""
    for _ in range(12):  # the definitions leave a month with a figure; a year of months bounds it regardless
        if _expected(frequency, start, no_figure_in):
            break
        start = shift_period(frequency, start, 1)
    return start


def periods_after(frequency: str, start: date, count: int, no_figure_in: Collection[int] = ()) -> list[date]:
    """The starts of the `count` periods after the one starting on `start` that have a figure to send (a
    forecast's periods): a month in `no_figure_in` is skipped."""
    out = []
    for _ in range(count):
        start = _next_expected(frequency, shift_period(frequency, start, 1), no_figure_in)
        out.append(start)
    return out


def gaps_before(frequency: str, starts: Sequence[date], no_figure_in: Collection[int] = ()) -> frozenset[int]:
    """The indices of a series' periods (`starts`, oldest first) that a period with no figure comes before:
    2022 after 2019, not August after July where the measure has no figure in August by its nature."""
    return frozenset(i for i in range(1, len(starts))
                     if starts[i] != _next_expected(frequency, shift_period(frequency, starts[i - 1], 1), no_figure_in))


def next_due(frequency: str, due_days: int, today: date, *, no_figure_in: Collection[int] = ()) -> tuple[str, date]:
    """The next submission to fall due after `today`: its period's label and its due date (the
    period's end + due_days), the earliest period whose due date is still to come; a month in
    `no_figure_in` (1 to 12, a monthly measure's months with no figure) never falls due."""
    start = parse_period(_label_for(frequency, today), frequency).start  # due after today: it has not ended

    def due(s: date) -> date:
        return date.fromordinal(period_end(frequency, s).toordinal() + due_days)

    while due(earlier := shift_period(frequency, start, -1)) >= today:  # a long due_days: earlier ones still open
        start = earlier
    start = _next_expected(frequency, start, no_figure_in)
    return parse_period(_label_for(frequency, start), frequency).label, due(start)


def _label_for(frequency: str, d: date) -> str:
    """The label of the period of `frequency` that contains day `d`."""
    if frequency == "monthly":
        return period_from_start(frequency, date(d.year, d.month, 1))
    if frequency == "quarterly":
        return period_from_start(frequency, date(d.year, 3 * ((d.month - 1) // 3) + 1, 1))
    if frequency == "annual":
        return period_from_start(frequency, date(d.year, 1, 1))
    y = d.year if d.month >= FY_START_MONTH else d.year - 1
    return period_from_start(frequency, date(y, FY_START_MONTH, 1))


def plan_points(measure: Mapping, plan: pd.DataFrame | list[dict] | None) -> dict:
    """A measure's plan as (period start, value) points: its `baseline`, its `milestones` (the
    trajectory, oldest first) and its `final` target; a missing point is None.

    `plan`: trajectory rows (period_start, value, kind, and measure_id when several measures'
    rows are given), as a frame or as records. The one place plan points are built: the judge
    and every chart use it."""
    freq = measure["frequency"]

    def point(period, value):
        if _missing(period) or _missing(value):
            return None
        try:
            return (parse_period(str(period), freq).start, float(value))
        except PeriodError:
            return None

    rows = plan.to_dict("records") if isinstance(plan, pd.DataFrame) else list(plan or [])
    milestones = sorted(
        (_as_date(r["period_start"]), float(r["value"]))
        for r in rows
        if r["kind"] == "milestone" and r.get("measure_id", measure["id"]) == measure["id"]
    )
    return {
        "baseline": point(measure.get("baseline_period"), measure.get("baseline_value")),
        "milestones": milestones,
        "final": point(measure.get("target_period"), measure.get("target_value")),
    }


def _missing(x) -> bool:
    return x is None or x is pd.NaT or (isinstance(x, float) and math.isnan(x))


def assess_measure(
    measure: Mapping,
    series: pd.DataFrame,
    *,
    plan: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    first_received: Mapping[str, datetime] | None = None,
    as_at: datetime,
    with_forecast: bool | None = None,
) -> Assessment:
    """Everything a council needs to know about one measure.

    `series`: the total (period, period_start, value) oldest first, as at `as_at`.
    `groups`: breakdown rows (dimension, grp, period, value) of single-dimension breakdowns.
    """
    freq = measure["frequency"]
    direction = measure["direction"]
    decimals = int(measure.get("decimals") or 0)
    s = series.sort_values("period_start") if len(series) else series
    periods = list(s["period"]) if len(s) else []
    values = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)
              for v in (s["value"] if len(s) else [])]
    starts = list(s["period_start"]) if len(s) else []
    actuals = [(_as_date(d), p, v) for d, p, v in zip(starts, periods, values, strict=True)]
    plan_at = plan_points(measure, plan)
    baseline, milestones, final = plan_at["baseline"], plan_at["milestones"], plan_at["final"]
    tol = measure.get("tolerance")
    tol = None if tol is None or (isinstance(tol, float) and math.isnan(tol)) else float(tol)
    categories = categories_of(measure.get("categories"))
    status = measure_status(actuals, direction, baseline=baseline, milestones=milestones, final=final,
                            tolerance=tol, unit=measure["unit"], decimals=decimals, frequency=freq,
                            categories=categories, unit_label=measure.get("unit_label"),
                            rate_per=measure.get("rate_per"))
    since = parse_period(periods[0], freq).start if periods else None
    no_figure = no_figure_months(measure.get("no_figure_in")) if freq == "monthly" else frozenset()
    timely = timeliness(freq, int(measure.get("due_days") or 0), first_received or {}, as_at, since=since,
                        no_figure_in=no_figure)
    if categories:  # codes, not numbers: nothing varies, diverges or can be forecast
        return Assessment(measure["id"], measure.get("role", "contributing"), direction, status, None, [], [],
                          None, None, timely, periods, freq)

    lag = seasonal_lag(freq)
    # a year of figures: twelve months less those with no figure by their nature (eleven without August); a
    # season needs two at least
    per_year = lag - len(no_figure) if lag else None
    per_year = per_year if per_year and per_year >= 2 else None
    # what the season and the forecast are fitted to: a figure sent for a month with none by its nature (kept, with
    # a note) would put the year's figures out of step
    fitted = [v for d, _, v in actuals if d.month not in no_figure] if no_figure else values
    seasonal = per_year is not None and (bool(measure.get("seasonal")) or looks_seasonal(fitted, per_year))
    base = measure.get("xmr_baseline")
    base = None if base is None or (isinstance(base, float) and math.isnan(base)) else int(base)
    # a measure with a trajectory is meant to move: judge its variation around the plan, not a flat line
    points = ([baseline] if baseline else []) + list(milestones) + ([final] if final else [])
    planned = [interpolate_plan(points, d) for d, _, _ in actuals] if milestones else None
    covered = 0 if planned is None else sum(p is not None and v is not None and v == v
                                            for p, v in zip(planned, values, strict=True))
    if covered < XMR_MIN_POINTS:  # a plan too young to judge the variation around it: judge the figures themselves
        planned = None
    index_of = {d: i for i, (d, _, _) in enumerate(actuals)}
    # the same period a year earlier by the calendar, not twelve figures back: a gap would shift that
    year_earlier = [index_of.get(shift_period(freq, d, -lag)) for d, _, _ in actuals] if seasonal and lag else None
    variation = xmr(values, baseline=base, seasonal_lag_periods=lag if seasonal and lag else None, planned=planned,
                    year_earlier=year_earlier, breaks=gaps_before(freq, [d for d, _, _ in actuals], no_figure))
    recent = []
    if variation:
        last = max((i for i, v in enumerate(variation.values) if v is not None), default=-1)
        recent = [x for x in variation.signals if x.index > last - RECENT_SIGNAL_PERIODS]

    found: list[Divergence] = []
    if groups is not None and len(groups):
        total = dict(zip(periods, values, strict=True))
        unit = UnitWords(measure["unit"], measure.get("unit_label"), measure.get("rate_per"))
        # one pass over the columns as lists (a pandas group-by per dimension and group cost more
        # than the judging): each group's values by period, in the rows' order
        nested: dict[str, dict[str, dict]] = {}
        for dim, grp, p, v in zip(groups["dimension"].tolist(), groups["grp"].tolist(), groups["period"].tolist(),
                                  groups["value"].tolist(), strict=True):
            nested.setdefault(dim, {}).setdefault(grp, {})[p] = (
                None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v))
        for dim in sorted(nested):
            by_group = {g: nested[dim][g] for g in sorted(nested[dim])}
            found += [replace(d, group=f"{dim}: {d.group}")
                      for d in divergent_groups(total, by_group, direction, decimals=decimals,
                                                relative=measure["unit"] in ("count", "money"), unit=unit,
                                                dimension=dim.replace("_", " "))]
        found.sort(key=lambda d: (not d.worse, d.kind != "trend", -d.score))

    wants = with_forecast if with_forecast is not None else forecast_wanted(measure)
    fc = miss = None
    if wants and len(fitted) >= 12:
        horizon = {"monthly": 12, "quarterly": 6}.get(freq, 4)
        floor = 0.0 if measure["unit"] in ("count", "percent", "rate", "days") else None
        fc = forecast(fitted, horizon, seasonal_periods=per_year if seasonal else None, floor=floor)
        towards = planned_direction(direction, baseline, final)
        if fc and actuals and (milestones or final) and towards:
            last_start = actuals[-1][0]
            sign = 1 if towards == "up" else -1
            for when, mean in zip(periods_after(freq, last_start, len(fc.mean), no_figure), fc.mean, strict=True):
                target = interpolate_plan(points, when) if milestones else (
                    final[1] if final and when >= final[0] else None)
                if target is not None and sign * (mean - target) < 0:
                    label = period_words(parse_period(_label_for(freq, when), freq).label, freq)
                    # no direction of good: the target sets the way, and nothing is "wrong"
                    side = ("is on the wrong side of the plan" if towards == direction
                            else "falls behind the path to the target")
                    miss = (f"The forecast for {label} ({number_text(mean, decimals)}) {side} "
                            f"({number_text(target, decimals)})")
                    break

    return Assessment(measure["id"], measure.get("role", "contributing"), direction, status, variation, recent, found,
                      fc, miss, timely, periods, freq)


def forecast_wanted(measure: Mapping) -> bool:
    """Is this measure forecast when assessed (given twelve values or more)? Demand measures, and
    monthly leading measures."""
    return bool(measure.get("demand")) or (measure.get("timing") == "leading" and measure["frequency"] == "monthly")


def _shortfall(status: StatusResult) -> float | None:
    """How far from plan, as a share of the plan: comparable across units, so that exceptions of one
    severity can be ranked by size. None when there is no plan figure to compare with."""
    if status.actual is None or status.plan is None or status.plan == 0:
        return None
    return round(abs(status.actual - status.plan) / abs(status.plan), 6)


def exception_rows(a: Assessment) -> list[dict]:
    """The exceptions an assessment raises, each with a severity and a readable reason."""
    rows: list[dict] = []

    def add(rule: str, period: str | None, reason: str, bump: int = 0, size: float | None = None):
        rows.append({"severity": SEVERITY[rule] + bump, "rule": rule, "rule_label": RULE_LABELS[rule],
                     "measure_id": a.measure_id, "period": period, "reason": reason, "size": size})

    headline = 1 if a.role == "headline" else 0
    if a.status.rag == OFF_TRACK:
        add("off_track", a.status.period, a.status.reason, headline, _shortfall(a.status))
    elif a.status.rag == AT_RISK:
        add("at_risk", a.status.period, a.status.reason, headline, _shortfall(a.status))
    bad_side = {"up": "low", "down": "high"}.get(a.direction)  # no direction of good: no worse side
    bad = [x for x in a.recent_signals if bad_side and x.side == bad_side]
    if bad and a.variation:
        x = bad[-1]
        p = a.periods[x.index] if x.index < len(a.periods) else None
        basis = "" if a.variation.basis == "values" else f" (judged on the {a.variation.basis})"
        add("signal", p, f"{x.label}, on the worse side{basis}")
    for d in a.groups:
        if d.worse and d.kind == "trend":
            add("divergent", None, d.reason)
    if a.forecast_miss:
        add("forecast_miss", None, a.forecast_miss)
    return rows + timeliness_rows(a.measure_id, a.frequency, a.timeliness)


TIMELINESS_RULES = ("missing", "late", "stale")  # the rules that move with the calendar


def timeliness_rows(measure_id: str, frequency: str, t: Timeliness) -> list[dict]:
    """The exceptions a measure's timeliness raises: missing, late, stale (made anew every run)."""
    rows: list[dict] = []

    def add(rule: str, period: str | None, reason: str):
        rows.append({"severity": SEVERITY[rule], "rule": rule, "rule_label": RULE_LABELS[rule],
                     "measure_id": measure_id, "period": period, "reason": reason, "size": None})

    def words(label):
        return period_words(label, frequency or None)

    if t.missing_periods:
        add("missing", t.missing_periods[-1], f"No figure for {', '.join(map(words, t.missing_periods[-3:]))}"
            + (" and earlier" if t.missing > 3 else ""))
    if t.late:
        add("late", t.late_periods[-1], f"{t.late} of the last {len(t.due)} submissions arrived after the due date")
    if t.stale:
        add("stale", t.latest_period, f"The newest figure is for {words(t.latest_period)}")
    return rows


def datetimes_of(column: pd.Series) -> list:
    """A column of naive moments as Python datetimes, converted in one go (a Timestamp each was
    slower than judging a measure); with a gap or a time zone, one by one as pandas makes them."""
    if column.dtype.kind == "M" and getattr(column.dtype, "tz", None) is None and not column.isna().any():
        return column.astype("datetime64[us]").to_numpy().astype(object).tolist()
    return [pd.Timestamp(x).to_pydatetime() for x in column]


def assess_all(
    measures: pd.DataFrame,
    observations: pd.DataFrame,
    trajectories: pd.DataFrame,
    first_received: pd.DataFrame,
    *,
    as_at: datetime,
    forecasts: bool = True,
) -> dict[str, Assessment]:
    """Assess every measure in `measures` (rows of the measures table).

    `observations`: measure_id, period, period_start, dimension, grp, value, as at `as_at`
    (totals have dimension ''; only single-dimension breakdowns are used for groups).
    `trajectories`: measure_id, period, period_start, value, kind.
    `first_received`: measure_id, period, first_received (the first time a figure arrived).
    """
    obs = observations.sort_values(["measure_id", "period_start"])
    # totals and single-dimension groups split once for all measures, then grouped by measure:
    # masking each measure's rows (text columns) apart cost more than judging many of them
    dims = obs["dimension"]
    totals = dict(tuple(obs[dims == ""].groupby("measure_id", sort=False)))
    grouped = dict(tuple(obs[(dims != "") & ~dims.str.contains("|", regex=False)].groupby("measure_id", sort=False)))
    plans = dict(tuple(trajectories.groupby("measure_id", sort=False))) if len(trajectories) else {}
    firsts: dict[str, dict] = {}
    for m, p, when in zip(first_received["measure_id"].tolist(), first_received["period"].tolist(),
                          datetimes_of(first_received["first_received"]), strict=True):
        firsts.setdefault(m, {})[p] = when
    empty = obs.iloc[0:0]
    out: dict[str, Assessment] = {}
    for m in measures.to_dict("records"):
        out[m["id"]] = assess_measure(
            m, totals.get(m["id"], empty), plan=plans.get(m["id"]), groups=grouped.get(m["id"], empty),
            first_received=firsts.get(m["id"], {}),
            as_at=as_at, with_forecast=None if forecasts else False)
    return out
