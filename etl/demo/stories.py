"""The demo's stories: stories.yaml, read once at import into typed values.

stories.yaml holds every hand-written number of the demo (the calendar, the planted stories, the
seasons, the breakdown gaps and shares, each measure's shape); this module only reads and types it,
under the names the rest of the package and the tests use. Comments on what each value means are in
the YAML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any, NamedTuple

import yaml

from goal_councils.periods import shift_period


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that a key given twice is an error (YAML keeps the last one)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"key {key!r} is given twice", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _read() -> dict[str, Any]:
    text = resources.files("etl.demo").joinpath("stories.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)  # safe: _Loader is a SafeLoader


_DATA = _read()

Knots = tuple[tuple[float, float], ...]


def _knots(path: dict[float, float]) -> Knots:
    """A {year: value} path as (year, value) knots, years increasing (np.interp needs them so)."""
    knots = tuple((float(t), float(v)) for t, v in path.items())
    if any(a[0] >= b[0] for a, b in zip(knots, knots[1:], strict=False)):
        raise ValueError(f"stories.yaml: the years of a path must increase: {path}")
    return knots


def _by_group(spec: dict[str, dict[str, float]] | None) -> tuple[tuple[str, str, float], ...]:
    """{breakdown: {value: factor}} as (breakdown, value, factor) triples."""
    return tuple((dim, value, float(f)) for dim, values in (spec or {}).items() for value, f in values.items())


def _notes(spec: dict[str, dict[str, str]]) -> dict[tuple[str, str], str]:
    """{measure: {period: note}} as {(measure, period): note}."""
    return {(mid, str(period)): note for mid, by_period in spec.items() for period, note in by_period.items()}


# --- the calendar of the demo ----------------------------------------------------------------

_calendar = _DATA["calendar"]
DEMO_START = date.fromisoformat(_calendar["start"])
DEMO_END = date.fromisoformat(_calendar["end"])  # last monthly period
DEMO_PREVIOUS_REVIEW = datetime.fromisoformat(_calendar["previous_review"])
MONTHLY_LOADS: int = int(_calendar["monthly_loads"])
HISTORY_RECEIVED_AT = datetime.fromisoformat(_calendar["history_received_at"])
HISTORY_LABEL = "history"  # the label (and folder) of the bulk load before the monthly ones
HISTORY_TO = shift_period("monthly", DEMO_END, -MONTHLY_LOADS)  # last month in the history load

# --- the stories of the storyboard's table ---------------------------------------------------

_shift = _DATA["shift"]
SHIFT_MEASURE: str = _shift["measure"]
SHIFT_ORG: str = _shift["org"]
SHIFT_FROM: str = _shift["from"]
SHIFT_DAYS = float(_shift["days"])
SHIFT_DECIDED = float(_shift["decided"])  # factor on the share of open claims decided a month

_divergent = _DATA["divergent"]
DIVERGENT_MEASURE: str = _divergent["measure"]
DIVERGENT_GROUP: tuple[str, str] = tuple(_divergent["group"])

_seasonal = _DATA["seasonal"]
DEMAND_PEAK_MONTHS: tuple[int, ...] = tuple(int(m) for m in _seasonal["demand_peak_months"])
WINTER_MONTHS: tuple[int, ...] = tuple(int(m) for m in _seasonal["winter_months"])
SEASONAL_MEASURES: dict[str, tuple[int, ...]] = {
    mid: tuple(int(m) for m in months) for mid, months in _seasonal["measures"].items()
}

LATE_ORG: str = _DATA["late"]["org"]
LATE_LOADS: int = int(_DATA["late"]["loads"])

_revised = _DATA["revised"]
REVISED_MEASURE: str = _revised["measure"]
REVISED_ORG: str = _revised["org"]
REVISED_PERIOD: str = _revised["period"]
REVISED_FIRST_LOAD: str = _revised["first_load"]
REVISION_LOAD: str = _revised["revision_load"]
REVISION_DELTA = float(_revised["delta"])
REVISION_NOTE: str = _revised["note"]

_chain = _DATA["chain"]
CHAIN_ORG: str = _chain["org"]
CHAIN_UPSTREAM: str = _chain["upstream"]
CHAIN_DOWNSTREAM: tuple[str, ...] = tuple(_chain["downstream"])
CHAIN_FROM: str = _chain["from"]
CHAIN_LAG_MONTHS: int = int(_chain["lag_months"])

ON_TRACK_MEASURE: str = _DATA["headlines"]["on_track"]
OFF_TRACK_MEASURE: str = _DATA["headlines"]["off_track"]

INTERNAL_MEASURES: tuple[str, ...] = tuple(_DATA["internal_measures"])
PROVISIONAL_MEASURES: tuple[str, ...] = tuple(_DATA["provisional_measures"])
FINAL_NOTE: str = _DATA["final_note"]

# (measure, period) -> note on the total; ESTIMATED also marks the value estimated
ESTIMATED: dict[tuple[str, str], str] = _notes(_DATA["estimated"])
NOTES: dict[tuple[str, str], str] = {(SHIFT_MEASURE, SHIFT_FROM): _shift["note"], **_notes(_DATA["notes"])}

# --- how the organisations send their files --------------------------------------------------

EXCEL_ORGS: tuple[str, ...] = tuple(_DATA["excel_orgs"])
OPEN_SDG_ORGS: tuple[str, ...] = tuple(_DATA["open_sdg_orgs"])
SUPPRESS_BELOW: int = int(_DATA["suppress_below"])

# --- the housing-support flow ----------------------------------------------------------------


class CouncilFlow(NamedTuple):
    share: float  # of the claims
    decided: float  # share of its open claims decided in a month
    pace: float  # days to decide at the usual rate


_housing = _DATA["housing_support"]
CLAIMS_LEVEL: Knots = _knots(_housing["claims"])
CLAIMS_SEASON: str = _housing["season"]
COUNCIL_FLOWS: dict[str, CouncilFlow] = {
    c: CouncilFlow(float(f["share"]), float(f["decided"]), float(f["pace"])) for c, f in _housing["councils"].items()
}
COUNCILS: tuple[str, ...] = tuple(COUNCIL_FLOWS)
RIGHT_FIRST_TIME = float(_housing["right_first_time"])
QUALITY_SLIDE: tuple[float, ...] = tuple(float(x) for x in _housing["quality_slide"])

# --- seasons, breakdowns and shapes ----------------------------------------------------------

SEASONS: dict[str, tuple[float, ...]] = {
    name: tuple(float(x) for x in months) for name, months in _DATA["seasons"].items()
}


def _factors(spec: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {dim: {value: float(f) for value, f in values.items()} for dim, values in spec.items()}


# share of a count that falls in each group (renormalised over the values a measure uses)
SHARES: dict[str, dict[str, float]] = _factors(_DATA["shares"])
# channel shares drift to online over the years: share at DEMO_END
CHANNEL_SHIFT: dict[str, float] = {v: float(s) for v, s in _DATA["channel_shift"].items()}
# how much worse a group fares than the total on a rate, share or average (1 = the same)
GAPS: dict[str, dict[str, float]] = _factors(_DATA["gaps"])
# a group's own path, when it does not follow the total (the divergent group)
GROUP_PATHS: dict[tuple[str, str, str], Knots] = {
    (DIVERGENT_MEASURE, *DIVERGENT_GROUP): _knots(_divergent["path"]),
}
ROUGH_SLEEPING_AGES: dict[str, float] = {v: float(s) for v, s in _DATA["rough_sleeping_ages"].items()}


@dataclass(frozen=True)
class Shape:
    """A piecewise-linear path through (year, value) knots, times a seasonal pattern, plus
    AR(1) noise of relative size `noise`. Years are decimal: 2020.25 is early April 2020."""

    knots: Knots
    noise: float = 0.02
    season: str | None = None
    first: str | None = None  # first period reported, when later than DEMO_START
    skip: tuple[str, ...] = ()  # period labels with no figure (fnmatch patterns)
    gaps: tuple[tuple[str, str, float], ...] = ()  # (breakdown, value, how much worse)
    shares: tuple[tuple[str, str, float], ...] = ()  # (breakdown, value, share of a count)
    cumulative: bool = False  # never falls (installed capacity)


def _shape(mid: str, spec: dict[str, Any]) -> Shape:
    spec = dict(spec)
    shape = Shape(
        knots=_knots(spec.pop("knots")),
        noise=float(spec.pop("noise", Shape.noise)),
        skip=tuple(str(p) for p in spec.pop("skip", ())),
        gaps=_by_group(spec.pop("gaps", None)),
        shares=_by_group(spec.pop("shares", None)),
        **spec,  # season, first, cumulative; anything else is a TypeError
    )
    if shape.season is not None and shape.season not in SEASONS:
        raise ValueError(f"stories.yaml: {mid} has season {shape.season!r}, which is not in `seasons`")
    return shape


SHAPES: dict[str, Shape] = {mid: _shape(mid, spec) for mid, spec in _DATA["shapes"].items()}
