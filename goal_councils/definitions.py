"""Definitions of organisations, councils, objectives and measures, read from YAML files.

A definitions folder holds any number of `*.yaml` files; each may carry the top-level keys
`organisations`, `breakdowns` and `councils` (councils nest their objectives, objectives
their partners and measures); one file may carry `reviews`, the monthly review schedule
(`{start: 2026-01, rotation: [council, ...], day: 25}`). `load_definitions(folder)` reads them
all, checks every rule below and raises DefinitionsError listing every problem as
`file:line: id: message`.

Rules beyond field types: ids are unique; every organisation named exists; an objective has
exactly one lead partner and at most one headline measure (exactly one when it has
measures); a measure's owner is a partner of its objective; breakdown values a measure
uses are declared in the shared `breakdowns` vocabulary; target, baseline and trajectory
periods fit the measure's frequency; target values fit the unit (percent 0-100, counts >= 0);
`no_figure_in` (the calendar months a monthly measure has no figure in, by its nature) names
months once each, leaves at least one month, and only a monthly measure declares it; every
council a review schedule names exists. `services` (goal_councils/services.py) name existing
objectives, organisations and measures of the right units.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .categories import code_of
from .periods import PeriodError, parse_period
from .services import Service, service_problems
from .yamlfile import LineDict, _Loader, line_of, load_yaml

__all__ = [
    "Organisation",
    "Partner",
    "Target",
    "Measure",
    "Objective",
    "Council",
    "Definitions",
    "DefinitionsError",
    "ReviewSchedule",
    "ScheduledReview",
    "load_definitions",
    "UNIT_BOUNDS",
    "MONTH_NAMES",
]

ID = r"^[a-z0-9][a-z0-9_.\-]*$"
OrgKind = Literal[
    "department", "agency", "local_council", "health_provider", "police", "charity",
    "contractor", "company", "statistics_office", "other",
]
Unit = Literal["count", "percent", "rate", "money", "days", "index", "number"]
Kind = Literal["outcome", "output", "quality", "people", "cost"]
Frequency = Literal["monthly", "quarterly", "annual", "financial_year"]

# (lowest, highest) a value of the unit may take; None = unbounded
UNIT_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "count": (0, None),
    "percent": (0, 100),
    "rate": (0, None),
    "money": (None, None),
    "days": (0, None),
    "index": (None, None),
    "number": (None, None),
}


# the calendar's months as definitions name them (`no_figure_in: [August]`), January first; English
# whatever the machine's locale
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


def _month_number(item) -> int:
    """A month named in `no_figure_in`: its English name (any case) or its number, 1 to 12."""
    if isinstance(item, str):
        text = item.strip()
        if text.isdigit():
            item = int(text)
        elif text.capitalize() in MONTH_NAMES:
            return MONTH_NAMES.index(text.capitalize()) + 1
    if isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 12:
        return item
    raise ValueError(f"{item!r} is not a month: name it in full, e.g. August, or give its number, 1 to 12")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Organisation(_Strict):
    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    short_name: str | None = None
    kind: OrgKind = "other"
    url: str | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Partner(_Strict):
    org: str
    role: Literal["lead", "contributor"]
    responsibility: str = Field(min_length=1)


class PeriodValue(_Strict):
    period: str
    value: float


class Target(_Strict):
    baseline: PeriodValue | None = None
    final: PeriodValue
    trajectory: dict[str, float] = Field(default_factory=dict)
    note: str | None = None

    @field_validator("trajectory", mode="before")
    @classmethod
    def _keys_as_text(cls, v):
        return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v


class OpenSdgSource(_Strict):
    """Where a measure's values sit in an Open SDG indicator file."""

    indicator: str
    series: str | None = None
    unit: str | None = None
    columns: dict[str, str] = Field(default_factory=dict)  # source column -> breakdown


class Measure(_Strict):
    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    description: str = ""
    owner: str
    role: Literal["headline", "contributing"] = "contributing"
    kind: Kind = "outcome"
    timing: Literal["leading", "lagging"] = "lagging"
    unit: Unit
    unit_label: str | None = None  # e.g. "per 100,000 population", "£", "points"
    rate_per: int | None = None
    decimals: int = Field(default=0, ge=0, le=6)
    direction: Literal["up", "down", "none"]  # none: no direction of good (never better or worse)
    frequency: Frequency
    breakdowns: dict[str, list[str]] = Field(default_factory=dict)
    published: bool = True
    source: str = ""
    target: Target | None = None
    tolerance: float | None = Field(default=None, ge=0)
    seasonal: bool = False
    demand: bool = False
    due_days: int = Field(default=15, ge=0, le=400)
    xmr_baseline: int | None = Field(default=None, ge=8, le=120)  # points the XmR limits are computed from
    # calendar months in which a monthly measure has no figure by its nature (schools are closed in
    # August): month numbers, January = 1, in order; a period in one of them never falls due
    no_figure_in: list[int] = Field(default_factory=list)
    open_sdg: OpenSdgSource | None = None
    # a categorical measure (e.g. Open SDG `graph_type: binary`): each value is a code with a label
    # ({1: "Yes", 0: "No"}); shown as its category, never as a number that changes or is forecast
    categories: dict[str, str] | None = None

    @field_validator("categories", mode="before")
    @classmethod
    def _codes_as_text(cls, v):
        # YAML reads `1: Yes` with an integer key (and `Yes` as true): codes and labels are text
        if isinstance(v, dict):
            return {code_of(k): ("Yes" if val is True else "No" if val is False else str(val)) for k, val in v.items()}
        return v

    @field_validator("categories")
    @classmethod
    def _target_is_a_category(cls, v, info):
        # a categorical measure's target is a category (reached or not), never a path of numbers
        target = info.data.get("target")
        if not v or target is None:
            return v
        if target.trajectory:
            raise ValueError("a categorical measure has no trajectory of milestones: give the target category only")
        for what, point in (("final", target.final), ("baseline", target.baseline)):
            if point is not None and code_of(point.value) not in v:
                raise ValueError(f"the {what} target {point.value:g} is not one of the codes ({', '.join(v)})")
        return v

    @field_validator("no_figure_in", mode="before")
    @classmethod
    def _months(cls, v):
        # `[August]`, `[august, 12]`: each month once, and never all twelve
        if v is None:
            return []
        if not isinstance(v, list):
            raise ValueError("write a list of months, e.g. [August]")
        months = [_month_number(item) for item in v]
        twice = sorted({m for m in months if months.count(m) > 1})
        if twice:
            raise ValueError(f"named twice: {', '.join(MONTH_NAMES[m - 1] for m in twice)}")
        if len(months) == 12:
            raise ValueError("every month is named: a measure needs at least one month with a figure")
        return sorted(months)

    @field_validator("no_figure_in")
    @classmethod
    def _monthly_only(cls, v, info):
        # a quarter or a year with no figure is not a month of a calendar: only monthly measures say so
        frequency = info.data.get("frequency")
        if v and frequency is not None and frequency != "monthly":
            raise ValueError(f"only a monthly measure has months with no figure; this one is "
                             f"{frequency.replace('_', ' ')}")
        return v

    @property
    def is_categorical(self) -> bool:
        return bool(self.categories)

    @field_validator("breakdowns", mode="before")
    @classmethod
    def _list_means_all(cls, v):
        # `breakdowns: [region, sex]` takes every declared value; filled in by the loader
        if isinstance(v, list):
            return {str(name): ["*"] for name in v}
        return v

    @property
    def is_headline(self) -> bool:
        return self.role == "headline"


class Objective(_Strict):
    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    statement: str = ""
    partners: list[Partner] = Field(min_length=1)
    measures: list[Measure] = Field(default_factory=list)

    @property
    def lead(self) -> Partner:
        return next(p for p in self.partners if p.role == "lead")

    @property
    def headline(self) -> Measure | None:
        return next((m for m in self.measures if m.role == "headline"), None)


class Council(_Strict):
    id: str = Field(pattern=ID)
    name: str = Field(min_length=1)
    goal: str = ""
    chair: str = ""
    members: list[str] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)


MONTH = r"\d{4}-(0[1-9]|1[0-2])"
SCHEDULE_YEARS = 5  # how far a schedule runs when it names no `end`


@dataclass(frozen=True)
class ScheduledReview:
    """One month's review: the council reviewed and the day it meets."""

    month: str  # YYYY-MM
    council_id: str
    meeting_date: date


class ReviewSchedule(_Strict):
    """The monthly review rotation (`reviews:`): month i from `start` reviews `rotation[i mod n]`,
    meeting on `day` of the month (a day past the month's end: its last day), up to `end`
    (default: five years of months from `start`)."""

    start: str
    rotation: list[str] = Field(min_length=1)
    day: int = Field(default=25, ge=1, le=31)
    end: str | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _a_month(cls, v):
        if v is not None and not re.fullmatch(MONTH, str(v)):
            raise ValueError(f"{v!r} is not a month: write it as YYYY-MM, e.g. 2026-01")
        return v if v is None else str(v)

    @property
    def last_month(self) -> str:
        if self.end is not None:
            return self.end
        return _month_text(_month_index(self.start) + 12 * SCHEDULE_YEARS - 1)

    def meeting_date(self, month: str) -> date:
        year, number = int(month[:4]), int(month[5:7])
        return date(year, number, min(self.day, calendar.monthrange(year, number)[1]))

    def council_for(self, month: str) -> str | None:
        """The council reviewed in `month` (YYYY-MM), or None outside the schedule."""
        i = _month_index(month) - _month_index(self.start)
        if i < 0 or month > self.last_month:
            return None
        return self.rotation[i % len(self.rotation)]

    def reviews(self) -> list[ScheduledReview]:
        """Every scheduled review, oldest first."""
        first, last = _month_index(self.start), _month_index(self.last_month)
        return [ScheduledReview(_month_text(i), self.rotation[(i - first) % len(self.rotation)],
                                self.meeting_date(_month_text(i))) for i in range(first, last + 1)]


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class DefinitionsError(Exception):
    """The definitions folder holds problems; `.problems` lists every one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in definitions:\n" + "\n".join(problems))


@dataclass
class Definitions:
    """Everything defined, with lookups. Built only by `load_definitions`."""

    organisations: dict[str, Organisation]
    breakdowns: dict[str, list[str]]
    councils: dict[str, Council]
    objectives: dict[str, Objective] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    council_of: dict[str, str] = field(default_factory=dict)  # objective id -> council id
    objective_of: dict[str, str] = field(default_factory=dict)  # measure id -> objective id
    reviews: ReviewSchedule | None = None  # the monthly review rotation, when one is defined
    services: dict[str, Service] = field(default_factory=dict)  # end-to-end services, by id

    @classmethod
    def build(cls, organisations, breakdowns, councils, reviews: ReviewSchedule | None = None,
              services: dict[str, Service] | None = None) -> Definitions:
        d = cls(dict(organisations), dict(breakdowns), dict(councils), reviews=reviews, services=dict(services or {}))
        for c in d.councils.values():
            for o in c.objectives:
                d.objectives[o.id] = o
                d.council_of[o.id] = c.id
                for m in o.measures:
                    d.measures[m.id] = m
                    d.objective_of[m.id] = o.id
        return d

    def measures_owned_by(self, org_id: str) -> list[Measure]:
        return [m for m in self.measures.values() if m.owner == org_id]


def _problem(path: Path, line: int, ident: str, message: str) -> str:
    where = f"{path}:{line}" if line else str(path)
    return f"{where}: {ident}: {message}" if ident else f"{where}: {message}"


def _pydantic_problems(path: Path, raw, err: ValidationError, ident: str, base: tuple = ()):
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        where = ".".join(str(p) for p in loc) or "(root)"
        out.append(_problem(path, line_of(raw, loc), ident, f"{where}: {e['msg']}"))
    return out


def _ident(raw) -> str:
    return str(raw.get("id", "?")) if isinstance(raw, dict) else "?"


class _FastLoader(getattr(yaml, "CSafeLoader", _Loader)):
    """libyaml's parser (when PyYAML was built with it) under `load_yaml`'s constructors and resolvers:
    the same values and line marks, about seven times faster on a large definitions folder."""

    yaml_constructors = _Loader.yaml_constructors
    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def _parse_yaml(path: Path):
    """One definitions file, parsed by libyaml. A file it refuses is parsed again by `load_yaml`, whose
    messages the problems quote, so that a broken file is reported in the same words either way."""
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.load(f, Loader=_FastLoader)  # noqa: S506 - a SafeLoader with yamlfile's constructors
    except yaml.YAMLError:
        return load_yaml(path)


def load_definitions(folder: Path | str) -> Definitions:
    """Read and check every YAML file under `folder`; raise DefinitionsError on any problem."""
    folder = Path(folder)
    problems: list[str] = []
    files = sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise DefinitionsError([f"{folder}: no definition files (*.yaml) found"])

    orgs: dict[str, tuple[Organisation, Path, int]] = {}
    vocab: dict[str, tuple[list[str], Path, int]] = {}
    councils: list[_Parsed] = []
    schedules: list[_Parsed] = []
    services: list[_Parsed] = []
    unreadable = False

    for path in files:
        try:
            doc = _parse_yaml(path)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            what = getattr(e, "problem", None) or str(e)
            problems.append(_problem(path, mark.line + 1 if mark else 0, "", f"not valid YAML: {what}"))
            unreadable = True
            continue
        except UnicodeDecodeError as e:
            problems.append(_problem(path, 0, "", f"not UTF-8 text (byte 0x{e.object[e.start]:02x}); save it as UTF-8"))
            unreadable = True
            continue
        if doc is None:
            continue
        if not isinstance(doc, dict):
            problems.append(_problem(path, 1, "", "expected a mapping with organisations, breakdowns or councils"))
            continue
        for key in doc:
            if key not in ("organisations", "breakdowns", "councils", "reviews", "services"):
                problems.append(_problem(path, doc.key_lines.get(key, 0), "", f"unknown top-level key {key!r}"))
        sections = {"organisations": list, "breakdowns": dict, "councils": list, "reviews": dict, "services": list}
        bad = [k for k, kind in sections.items() if doc.get(k) is not None and not isinstance(doc[k], kind)]
        for k in bad:
            want = ("a list" if sections[k] is list else "a mapping of start, rotation and day" if k == "reviews"
                    else "a mapping of name to values")
            problems.append(_problem(path, doc.key_lines.get(k, 0), "", f"{k} must be {want}"))
        doc = _without(doc, bad)
        for raw in doc.get("organisations") or []:
            try:
                org = Organisation.model_validate(raw)
            except ValidationError as e:
                problems += _pydantic_problems(path, raw, e, _ident(raw))
                continue
            if org.id in orgs:
                first = orgs[org.id]
                problems.append(_problem(path, raw.line, org.id,
                                         f"duplicate organisation id (first defined at {first[1]}:{first[2]})"))
            else:
                orgs[org.id] = (org, path, raw.line)
        for name, values in (doc.get("breakdowns") or {}).items():
            line = doc["breakdowns"].key_lines.get(name, 0)
            if not isinstance(values, list) or not values or not all(isinstance(v, str | int) for v in values):
                problems.append(_problem(path, line, str(name), "a breakdown lists its allowed values"))
                continue
            bad = [v for v in values if re.search(r"[|=;]", str(v))]
            twice = sorted({str(v) for v in values if [str(x) for x in values].count(str(v)) > 1})
            if twice:
                problems.append(_problem(path, line, str(name), f"values listed twice: {twice}"))
            if bad:
                problems.append(_problem(path, line, str(name), f"values may not contain | = or ;: {bad}"))
            if name in vocab:
                problems.append(_problem(path, line, str(name), f"duplicate breakdown (first at {vocab[name][1]})"))
            else:
                vocab[str(name)] = ([str(v) for v in values], path, line)
        for raw in doc.get("councils") or []:
            council, found = _validate_council(path, raw)
            problems += found
            if council:
                councils.append(council)
        if doc.get("reviews") is not None:
            line = doc.key_lines.get("reviews", 0)
            schedule = _validate_one(ReviewSchedule, path, doc["reviews"], problems, ident="reviews")
            if schedules:
                first = schedules[0]
                problems.append(_problem(path, line, "reviews", f"the review schedule is defined twice (first at "
                                         f"{first.path}:{first.raw.line})"))
            elif schedule is not None:
                schedules.append(_Parsed(schedule, doc["reviews"], path))
        for raw in doc.get("services") or []:
            service = _validate_one(Service, path, raw, problems)
            if service is not None:
                services.append(_Parsed(service, raw, path))

    if unreadable:
        # cross-file checks would only repeat what an unreadable file hides
        raise DefinitionsError(problems)
    problems += _check_councils(councils, orgs, vocab)
    problems += _check_schedule(schedules, {c.model.id for c in councils})
    problems += _check_services(services, set(orgs), councils)
    if problems:
        raise DefinitionsError(problems)

    # expand `breakdowns: [region]` to every declared value
    fixed = {}
    for council in (c.model for c in councils):
        objectives = []
        for o in council.objectives:
            measures = [
                m.model_copy(update={"breakdowns": {
                    b: (vocab[b][0] if vals == ["*"] else vals) for b, vals in m.breakdowns.items()}})
                for m in o.measures
            ]
            objectives.append(o.model_copy(update={"measures": measures}))
        members = council.members or _members(objectives)
        fixed[council.id] = council.model_copy(update={"objectives": objectives, "members": members})
    return Definitions.build(
        {k: v[0] for k, v in orgs.items()}, {k: v[0] for k, v in vocab.items()}, fixed,
        schedules[0].model if schedules else None, {ps.model.id: ps.model for ps in services},
    )


def _check_services(services: list[_Parsed], orgs: set[str], councils: list[_Parsed]) -> list[str]:
    """Each service's ids are unique, and it names existing objectives, organisations and measures."""
    objectives = {po.model.id for pc in councils for po in pc.children}
    measures = {pm.model.id: (pm.model.unit, pm.model.frequency)
                for pc in councils for po in pc.children for pm in po.children}
    problems, seen = [], {}
    for ps in services:
        service, raw, path = ps.model, ps.raw, ps.path
        if service.id in seen:
            problems.append(_problem(path, raw.line, service.id,
                                     f"duplicate service id (first defined at {seen[service.id]})"))
        seen.setdefault(service.id, f"{path}:{raw.line}")
        problems += [_problem(path, line_of(raw, loc), service.id, f"{'.'.join(str(p) for p in loc)}: {msg}")
                     for loc, msg in service_problems(service, orgs, objectives, measures)]
    return problems


def _check_schedule(schedules: list[_Parsed], council_ids: set[str]) -> list[str]:
    """Every council the rotation names exists; the schedule ends after it starts."""
    problems = []
    for ps in schedules:
        schedule, raw, path = ps.model, ps.raw, ps.path
        for i, council in enumerate(schedule.rotation):
            if council not in council_ids:
                problems.append(_problem(path, line_of(raw, ("rotation", i)), "reviews",
                                         f"rotation[{i}]: unknown council {council!r}"))
        if schedule.end is not None and schedule.end < schedule.start:
            problems.append(_problem(path, line_of(raw, ("end",)), "reviews",
                                     f"end {schedule.end} is before start {schedule.start}"))
    return problems


def _without(doc: LineDict, keys: list[str]) -> LineDict:
    if not keys:
        return doc
    out = LineDict({k: v for k, v in doc.items() if k not in keys})
    out.line, out.key_lines = doc.line, doc.key_lines
    return out


def _members(objectives: list[Objective]) -> list[str]:
    seen: dict[str, None] = {}
    for o in objectives:
        for p in o.partners:
            seen.setdefault(p.org, None)
    return list(seen)


@dataclass
class _Parsed:
    """A model with the raw YAML it came from (for line numbers) and its parsed children."""

    model: object
    raw: object
    path: Path
    children: list = field(default_factory=list)
    complete: bool = True  # False when a child failed validation and was dropped


def _validate_one(cls, path: Path, raw, problems: list[str], ident: str | None = None, **override):
    try:
        data = {**raw, **override} if isinstance(raw, dict) else raw
        return cls.model_validate(data)
    except ValidationError as e:
        problems += _pydantic_problems(path, raw, e, ident or _ident(raw))
        return None


def _validate_council(path: Path, raw) -> tuple[_Parsed | None, list[str]]:
    """Validate a council piece by piece, so one bad measure hides no other problem."""
    problems: list[str] = []
    objectives: list[_Parsed] = []
    complete = True
    raw_objectives = raw.get("objectives") if isinstance(raw, dict) else None
    for oraw in raw_objectives if isinstance(raw_objectives, list) else []:
        raw_measures = oraw.get("measures") if isinstance(oraw, dict) else None
        measures = []
        for mraw in raw_measures if isinstance(raw_measures, list) else []:
            m = _validate_one(Measure, path, mraw, problems)
            if m is not None:
                measures.append(_Parsed(m, mraw, path))
        obj = _validate_one(Objective, path, oraw, problems,
                            **({"measures": []} if isinstance(raw_measures, list) else {}))
        if obj is None:
            complete = False
            continue
        obj = obj.model_copy(update={"measures": [m.model for m in measures]})
        objectives.append(_Parsed(obj, oraw, path, measures,
                                  complete=len(measures) == len(raw_measures or [])))
    council = _validate_one(Council, path, raw, problems,
                            **({"objectives": []} if isinstance(raw_objectives, list) else {}))
    if council is None:
        return None, problems
    council = council.model_copy(update={"objectives": [o.model for o in objectives]})
    return _Parsed(council, raw, path, objectives, complete), problems


def _check_councils(councils: list[_Parsed], orgs, vocab) -> list[str]:
    problems: list[str] = []
    seen: dict[tuple[str, str], str] = {}

    def unique(kind: str, ident: str, path: Path, line: int):
        key = (kind, ident)
        if key in seen:
            problems.append(_problem(path, line, ident, f"duplicate {kind} id (first defined at {seen[key]})"))
        else:
            seen[key] = f"{path}:{line}"

    for pc in councils:
        council, raw, path = pc.model, pc.raw, pc.path
        unique("council", council.id, path, raw.line)
        for i, member in enumerate(council.members):
            if member not in orgs:
                problems.append(_problem(path, line_of(raw, ("members", i)), council.id,
                                         f"unknown organisation {member!r}"))
        for po in pc.children:
            obj, oraw = po.model, po.raw
            unique("objective", obj.id, path, oraw.line)
            leads = [p for p in obj.partners if p.role == "lead"]
            if len(leads) != 1:
                problems.append(_problem(path, oraw.line, obj.id,
                                         "an objective needs exactly one lead organisation, found "
                                         f"{len(leads)}" + (f" ({', '.join(p.org for p in leads)})" if leads else "")))
            partner_orgs = set()
            for pi, p in enumerate(obj.partners):
                if p.org not in orgs:
                    problems.append(_problem(path, line_of(oraw, ("partners", pi, "org")), obj.id,
                                             f"unknown organisation {p.org!r}"))
                if p.org in partner_orgs:
                    problems.append(_problem(path, line_of(oraw, ("partners", pi, "org")), obj.id,
                                             f"organisation {p.org!r} is listed twice"))
                partner_orgs.add(p.org)
            headlines = [m for m in obj.measures if m.role == "headline"]
            if po.complete and obj.measures and len(headlines) != 1:
                problems.append(_problem(
                    path, oraw.line, obj.id,
                    f"an objective with measures needs exactly one headline measure, found {len(headlines)}"))
            for pm in po.children:
                m, mraw = pm.model, pm.raw
                unique("measure", m.id, path, mraw.line)
                problems += [_problem(path, line_of(mraw, loc), m.id, msg)
                             for loc, msg in _measure_problems(m, orgs, vocab, partner_orgs)]
    return problems


def _measure_problems(m: Measure, orgs, vocab, partner_orgs) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    if m.owner not in orgs:
        out.append((("owner",), f"unknown organisation {m.owner!r}"))
    elif m.owner not in partner_orgs:
        out.append((("owner",), f"owner {m.owner!r} is not a lead or contributor of the objective"))
    if m.unit == "rate" and not m.rate_per:
        out.append((("unit",), "a rate needs rate_per (e.g. 100000)"))
    for name, values in m.breakdowns.items():
        if name not in vocab:
            out.append((("breakdowns", name), f"breakdown {name!r} is not declared"))
            continue
        for v in values:
            if v != "*" and v not in vocab[name][0]:
                out.append((("breakdowns", name), f"breakdown value {v!r} is not declared for {name!r}"))
    if m.target:
        t = m.target
        checks = [(("target", "final", "period"), t.final.period, t.final.value)]
        if t.baseline:
            checks.append((("target", "baseline", "period"), t.baseline.period, t.baseline.value))
        checks += [(("target", "trajectory", k), k, v) for k, v in t.trajectory.items()]
        lo, hi = UNIT_BOUNDS[m.unit]
        starts = {}
        for loc, period, value in checks:
            try:
                starts[loc] = parse_period(period, m.frequency).start
            except PeriodError as e:
                out.append((loc, f"target {e}"))
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                out.append((loc, f"target value {value:g} is outside what a {m.unit} allows"))
        final = starts.get(("target", "final", "period"))
        base = starts.get(("target", "baseline", "period"))
        if final and base and base >= final:
            out.append((("target", "baseline", "period"), "the baseline must come before the final target"))
        seen_starts: dict = {}
        for loc, start in starts.items():
            if loc[1] != "trajectory":
                continue
            if final and start > final:
                out.append((loc, f"milestone {loc[2]} is after the final target"))
            if base and start < base:
                out.append((loc, f"milestone {loc[2]} is before the baseline"))
            if start in seen_starts:
                out.append((loc, f"milestone {loc[2]} is the same period as {seen_starts[start]}"))
            seen_starts[start] = loc[2]
    if m.open_sdg:
        for col, b in m.open_sdg.columns.items():
            if b not in m.breakdowns:
                out.append((("open_sdg", "columns", col), f"maps to breakdown {b!r} that the measure does not declare"))
    return out
