"""End-to-end services: the `services:` section of the definitions, and the rules it must keep.

A service (a benefit claim, a discharge from hospital into care) is an ordered list of stages,
each run by one organisation, with hand-offs (`next`) to later stages. Each stage names, where
they exist, the measures that give its figures per period:

    arrivals, completions      work reaching and leaving the stage (counts)
    backlog                    work in progress at the end of the period (a count)
    time_median, time_p90      time in stage, median and 90th percentile (days)
    failure_demand             rework: returned, chased, re-opened (a count, or a percent of completions)
    right_first_time           share handed on complete and correct (a percent)
    capacity                   what the stage can complete in a period (a count)

Every measure a service names is monthly (its flow is judged month by month).
`end_to_end_median` / `end_to_end_p90` name measures of the whole service's time for the user
(days), when an organisation measures it. `service_problems` checks a service against the rest of
the definitions; `load_definitions` reports what it finds as `file:line: id: message`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["FIGURES", "FIGURE_UNITS", "Service", "Stage", "StageMeasures", "service_problems"]

ID = r"^[a-z0-9][a-z0-9_.\-]*$"

# every figure a stage may name, and the units its measure may have
FIGURE_UNITS: dict[str, tuple[str, ...]] = {
    "arrivals": ("count", "number"),
    "completions": ("count", "number"),
    "backlog": ("count", "number"),
    "time_median": ("days",),
    "time_p90": ("days",),
    "failure_demand": ("count", "number", "percent"),
    "right_first_time": ("percent",),
    "capacity": ("count", "number"),
}
FIGURES = tuple(FIGURE_UNITS)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class StageMeasures(_Strict):
    """The measure id of each figure of a stage (each optional)."""

    arrivals: str | None = None
    completions: str | None = None
    backlog: str | None = None
    time_median: str | None = None
    time_p90: str | None = None
    failure_demand: str | None = None
    right_first_time: str | None = None
    capacity: str | None = None

    def named(self) -> dict[str, str]:
        """{figure: measure id} for the figures this stage has."""
        return {f: getattr(self, f) for f in FIGURES if getattr(self, f)}


class Stage(_Strict):
    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    org: str
    description: str = ""
    next: list[str] = Field(default_factory=list)  # the stages work is handed on to
    measures: StageMeasures = Field(default_factory=StageMeasures)


class Service(_Strict):
    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    description: str = ""
    objectives: list[str] = Field(min_length=1)
    stages: list[Stage] = Field(min_length=1)
    end_to_end_median: str | None = None
    end_to_end_p90: str | None = None
    # Little's law: backlog and arrival rate x time in stage disagree when they differ by more than this share
    little_tolerance: float = Field(default=0.35, gt=0, le=5)

    def measure_ids(self) -> set[str]:
        found = {m for s in self.stages for m in s.measures.named().values()}
        return found | {m for m in (self.end_to_end_median, self.end_to_end_p90) if m}


def service_problems(service: Service, orgs: set[str], objectives: set[str],
                     measures: dict[str, tuple[str, str]]) -> list[tuple[tuple, str]]:
    """(location in the service's YAML, message) for each rule `service` breaks. `measures`:
    id -> (unit, frequency)."""
    out: list[tuple[tuple, str]] = []
    for i, objective in enumerate(service.objectives):
        if objective not in objectives:
            out.append((("objectives", i), f"unknown objective {objective!r}"))
    position = {}
    for i, stage in enumerate(service.stages):
        if stage.id in position:
            out.append((("stages", i, "id"), f"stage {stage.id!r} is listed twice"))
        position.setdefault(stage.id, i)
    for i, stage in enumerate(service.stages):
        if stage.org not in orgs:
            out.append((("stages", i, "org"), f"unknown organisation {stage.org!r}"))
        for j, target in enumerate(stage.next):
            if target not in position:
                out.append((("stages", i, "next", j), f"hands off to unknown stage {target!r}"))
            elif position[target] <= i:
                out.append((("stages", i, "next", j), f"hands off to {target!r}, which is not a later stage"))
        for figure, measure_id in stage.measures.named().items():
            out += _measure_problem(("stages", i, "measures", figure), figure, measure_id, measures)
    for figure in ("end_to_end_median", "end_to_end_p90"):
        measure_id = getattr(service, figure)
        if measure_id:
            out += _measure_problem((figure,), "time_median", measure_id, measures)
    return out


def _measure_problem(loc: tuple, figure: str, measure_id: str,
                     measures: dict[str, tuple[str, str]]) -> list[tuple[tuple, str]]:
    if measure_id not in measures:
        return [(loc, f"unknown measure {measure_id!r}")]
    unit, frequency = measures[measure_id]
    if unit not in FIGURE_UNITS[figure]:
        return [(loc, f"measure {measure_id!r} is in {unit}; {loc[-1]} needs {' or '.join(FIGURE_UNITS[figure])}")]
    if frequency != "monthly":
        return [(loc, f"measure {measure_id!r} is {frequency.replace('_', ' ')}; a service's flow is judged month by "
                      "month, so its measures are monthly")]
    return []
