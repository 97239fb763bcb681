"""Open SDG, imported: turn an Open SDG data repository into definitions and a load plan.

    import_open_sdg(src, definitions_dir, *, council_map=None, name=None) -> ImportPlan
        a folder laid out like an Open SDG data repository (`data/indicator_*.csv`,
        `meta/*.md`) -> definitions YAML under `definitions_dir`, and the list of
        (organisation id, [data files]) to load through the normal path. Each file is read
        by `etl.open_sdg_reader` (re-exported here with the names tests and callers use).

What the import makes of a repository:


- Organisations: the active `source_organisation_N` of every indicator (split and
  normalised), `kind: statistics_office` for statistics offices. Ids are slugs of the name.
- One objective per indicator, led by its first source organisation; the other source
  organisations are contributors. An indicator whose metadata names no active source is
  led by the organisation the repository names most often (its publisher), reported.
- One measure per (series, unit, frequency), all owned by the lead, so one file is one
  organisation's submission. The headline is the series `data_start_values` names, else the
  first. Unit from the unit text checked against the values (a "percentage" outside 0-100,
  such as a growth rate, is a number in %). Direction from Canada's
  `indicator_calculation_components.yml` or `progress_calculation_options`, else the
  keyword rule LOWER_IS_BETTER, else up; an assumed direction says so in the description.
  Targets from `progress_calculation_options` (whole-series ones only) or
  `graph_target_lines`, with the baseline read from the data.
- Placeholder-only indicators (and metadata without data) get an objective without
  measures; their files are still in the plan, so the load reports the placeholder.
- Councils group SDG goals into THEMES (DEFAULT_COUNCILS, or `council_map`); council,
  objective and measure ids start with the dataset slug, so imports do not collide.
  Organisations and breakdowns go to one shared file, merged across imports.
"""


from __future__ import annotations

import html
import math
import os
import re
import shutil
import statistics
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import yaml

from goal_councils import DefinitionsError, load_definitions
from goal_councils.definitions import UNIT_BOUNDS
from goal_councils.periods import period_from_start

from .open_sdg_reader import (
    _bare,
    _clean,
    _key,
    _norm_indicator,
    _read_table,
    _Row,
    _Table,
    breakdown_name,
    breakdown_value,
    read_open_sdg_file,
)
from .tables import (
    ExtractError,
    Problem,
    ReadOptions,
)

__all__ = [
    "read_open_sdg_file",
    "import_open_sdg",
    "ImportPlan",
    "OpenSdgError",
    "THEMES",
    "DEFAULT_COUNCILS",
    "organisation_names",
    "breakdown_name",
    "breakdown_value",
    "unit_fields",
    "SHARED_FILE",
]


SHARED_FILE = "open-sdg-shared.yaml"  # organisations and breakdowns shared by every import

# --- councils -------------------------------------------------------------------------------

THEMES = {
    "education": ("Education", "Everyone learning, from the early years to adult skills"),
    "economy": ("Economy", "Good work, fair incomes and a growing economy"),
    "environment": ("Environment", "Clean air and water, clean energy and thriving nature"),
    "health-safety": ("Health and safety", "Long, healthy and safe lives"),
    "government": (
        "Efficient and accountable government",
        "Effective, open and trusted public institutions and finances",
    ),
}
# SDG goal number -> theme. Goal 5 (gender equality: representation, unpaid work) and 16
# (peace, justice, institutions) sit with government; 2 (hunger) with health and safety.
DEFAULT_COUNCILS = {
    "1": "economy",
    "2": "health-safety",
    "3": "health-safety",
    "4": "education",
    "5": "government",
    "6": "environment",
    "7": "environment",
    "8": "economy",
    "9": "economy",
    "10": "economy",
    "11": "environment",
    "12": "environment",
    "13": "environment",
    "14": "environment",
    "15": "environment",
    "16": "government",
    "17": "government",
}

# --- organisations --------------------------------------------------------------------------

# names that contain ' and ' or ',' yet are one organisation, and their short names; a
# multi-organisation string is split only where the part before a separator is a known name
KNOWN_ORGANISATIONS: dict[str, str | None] = {
    "Office for National Statistics": "ONS",
    "Northern Ireland Statistics and Research Agency": "NISRA",
    "Ricardo Energy and Environment": None,
    "Department for Energy Security and Net Zero": "DESNZ",
    "Department for Environment, Food & Rural Affairs": "Defra",
    "Department for Digital, Culture, Media & Sport": "DCMS",
    "Department for Business, Energy & Industrial Strategy": "BEIS",
    "Foreign, Commonwealth & Development Office": "FCDO",
    "Home Office": None,
    "World Bank": None,
    "Statistics Canada": None,
    "Environment and Climate Change Canada": "ECCC",
    "Fisheries and Oceans Canada": "DFO",
    "Parks Canada": None,
    "Health Canada": None,
    "Natural Resources Canada": "NRCan",
    "Public Health Agency of Canada": "PHAC",
    "Canadian Radio-television and Telecommunications Commission": "CRTC",
    "Committee on the Status of Endangered Wildlife in Canada Secretariat": "COSEWIC Secretariat",
    "Food and Agriculture Organization of the United Nations": "FAO",
}
# misspellings and long forms found in published metadata (compared case-insensitively)
ORGANISATION_ALIASES = {
    "national resources canada": "Natural Resources Canada",
    "national health service (nhs) digital": "NHS Digital",
    "department for business, energy & industrial strategey": "Department for Business, Energy & Industrial Strategy",
}
# kind of organisation by name; the first pattern that matches wins
ORGANISATION_KINDS = {
    "statistics_office": r"statistic|eurostat|\bnisra\b|national records of scotland",
    "health_provider": r"\bnhs\b|health service",
    "department": r"^(department|ministry|home office|foreign, commonwealth)"
    r"|^(health|parks|natural resources|fisheries and oceans|environment and climate change) canada$",
    "agency": r"agency|commission|authority|secretariat",
    "charity": r"society|trust|foundation",
}

# --- direction of good ----------------------------------------------------------------------

# The UK data has no direction field. Higher is assumed better unless the name says otherwise.
LOWER_IS_BETTER = re.compile(
    r"mortality|death|suicide|homicide|victim|violence|unemploy|poverty|low income|emission"
    r"|greenhouse|particulate|debris|plastic|smok|obes|alcohol|tuberculosis|incidence|disease"
    r"|neonatal|remanded|not in education|\bneet\b|disposal|intensity|crime|unmet|debt|gini"
    r"|opioid|e-cigarette|unpaid|inequalit|at risk of poverty|incarcerat",
    re.I,
)
DIRECTION_WORDS = {"positive": "up", "negative": "down", "1": "up", "-1": "down"}

_TRANSLATION_KEY = re.compile(r"^[a-z_]+\.[A-Za-z0-9_.\-]+$")


class OpenSdgError(Exception):
    """The folder cannot be imported as an Open SDG data repository; `.problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# === importing a repository ==================================================================


class ImportPlan(list):
    """What `import_open_sdg` did. Iterates as [(org_id, [data files])] to load, one per lead
    organisation; `.problems` lists what was reported (warnings: handled on purpose; errors:
    rows the load will refuse), `.files` the definitions written, `.slug` the id prefix."""

    def __init__(self, requests, *, slug: str, files: list[Path], problems: list[Problem]):
        super().__init__(requests)
        self.slug = slug
        self.files = files
        self.problems = problems


def slugify(text: str, max_len: int = 60) -> str:
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "-", t.lower().replace("&", " and ")).strip("-")
    if len(t) > max_len:
        t = t[:max_len].rsplit("-", 1)[0]
    return t or "x"


def _truthy(v) -> bool:
    return v is True or str(v).strip().lower() in ("true", "yes", "1")


def _prose(text, limit: int = 800) -> str:
    """Metadata prose as plain text: no HTML, one line, cut at a word near `limit`."""
    s = html.unescape(re.sub(r"<[^>]+>", " ", str(text or "")))
    s = _clean(s)
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0] + " …"
    return s


def _readable(v) -> str:
    s = _prose(v, 300) if isinstance(v, str) else ""
    return "" if not s or _TRANSLATION_KEY.match(s) else s


def _front_matter(path: Path) -> tuple[dict, list[Problem]]:
    """YAML front matter of meta/<id>.md (or a whole meta/<id>.yml); tolerant of broken YAML."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    rel = f"meta/{path.name}"
    if path.suffix == ".md":
        m = re.match(r"^---[ \t]*\n(.*?)\n---[ \t]*(\n|$)", text, re.S)
        if not m:
            return {}, [Problem(rel, 1, None, None, "no front matter between --- lines; metadata ignored", "warning")]
        text = m[1]
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        doc = {}
        for line in text.splitlines():  # fall back to plain `key: value` lines
            k, sep, v = line.partition(":")
            if sep and k and not k.startswith((" ", "-", "#")):
                doc[k.strip()] = v.strip().strip("'\"")
        return doc, [
            Problem(
                rel,
                mark.line + 2 if mark else None,
                None,
                None,
                "front matter is not valid YAML; read line by line",
                "warning",
            )
        ]
    return (doc if isinstance(doc, dict) else {}), []


# --- organisations --------------------------------------------------------------------------


def _one_organisation(piece: str) -> tuple[str, str | None]:
    """One organisation's text -> (name, short name): quotes, '(ONS)' suffix, typos, 'the'."""
    s = _clean(piece).strip("'\"‘’“” ").rstrip(".,;").strip()
    s = re.sub(r"^the\s+", "", s, flags=re.I)
    short = None
    m = re.match(r"^(.*?)\s*\(([A-Za-z][A-Za-z&.]{1,11})\)$", s)
    if m and m[1]:
        s, short = m[1].strip(), m[2]
    left, dash, _ = s.partition(" - ")
    if dash and left.casefold() in _KNOWN_KEYS:
        s = left  # 'Home Office - Homicide Index': the office, not its dataset
    s = ORGANISATION_ALIASES.get(s.casefold(), s)
    known = _KNOWN_KEYS.get(s.casefold())
    if known:
        s = known
        short = short or KNOWN_ORGANISATIONS[known]
    return s, short


_KNOWN_KEYS = {n.casefold(): n for n in KNOWN_ORGANISATIONS}
_ORG_SEPARATOR = re.compile(r"\s*;\s*|,\s+and\s+|\s+and\s+|\s*,\s*")


def organisation_names(text: str, known: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """Split and normalise a `source_organisation_N` string into (name, short name) pairs.

    Splits at ';' always, and at ',' / 'and' only where the text before is a known
    organisation (KNOWN_ORGANISATIONS or `known`, e.g. names seen alone elsewhere) or ends
    with an acronym in brackets, so 'Environment and Climate Change Canada' stays whole.
    """
    known_keys = set(_KNOWN_KEYS) | {k.casefold() for k in known}
    text = _clean(text).strip("'\" ")
    pieces, start = [], 0
    for m in _ORG_SEPARATOR.finditer(text):
        left = text[start : m.start()]
        if not left.strip():
            continue
        if ";" in m.group() or left.rstrip().endswith(")") or _one_organisation(left)[0].casefold() in known_keys:
            pieces.append(left)
            start = m.end()
    pieces.append(text[start:])
    return [_one_organisation(p) for p in pieces if _one_organisation(p)[0]]


def _kind(name: str) -> str:
    return next((k for k, rx in ORGANISATION_KINDS.items() if re.search(rx, name, re.I)), "other")


@dataclass
class _Source:
    orgs: list[str]  # organisation keys (casefolded names)
    title: str


@dataclass
class _Orgs:
    """Every organisation named in the metadata, merged by normalised name."""

    names: dict[str, Counter] = field(default_factory=dict)  # key -> display names seen
    shorts: dict[str, Counter] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def add(self, name: str, short: str | None) -> str:
        key = name.casefold()
        if key not in self.names:
            self.names[key], self.shorts[key] = Counter(), Counter()
            self.order.append(key)
        self.names[key][name] += 1
        if short:
            self.shorts[key][short] += 1
        return key

    def merge_acronyms(self) -> dict[str, str]:
        """A bare acronym ('NISRA') that is another organisation's short name is that organisation."""
        alias = {}
        for key in self.order:
            for other in self.order:
                if other != key and any(s.casefold() == key for s in self.shorts[other]):
                    alias[key] = other
        for key in alias:
            self.order.remove(key)
        return alias

    def name(self, key: str) -> str:
        return self.names[key].most_common(1)[0][0]

    def short(self, key: str) -> str | None:
        return self.shorts[key].most_common(1)[0][0] if self.shorts[key] else None

    def id(self, key: str) -> str:
        return slugify(self.name(key))


def _sources(meta: dict, orgs: _Orgs, known: set[str]) -> list[_Source]:
    out = []
    numbers = sorted({int(m[1]) for k in meta if (m := re.match(r"^source_organisation_(\d+)$", str(k)))})
    for n in numbers:
        text = meta.get(f"source_organisation_{n}")
        active = meta.get(f"source_active_{n}", True)
        if not text or not _truthy(active):
            continue
        keys = [orgs.add(nm, sh) for nm, sh in organisation_names(str(text), known)]
        if keys:
            out.append(_Source(keys, _readable(meta.get(f"source_url_text_{n}")) or ""))
    return out


# --- units, directions, targets -------------------------------------------------------------


def _numbers(values: Iterable[str]) -> list[float]:
    """The finite numbers among the values (the rest is the validator's to report)."""
    out = []
    for v in values:
        try:
            x = float(v)
        except ValueError:
            continue
        if math.isfinite(x):
            out.append(x)
    return out


def unit_fields(text: str | None, numbers: list[float]) -> dict:
    """Measure unit fields from a unit text, checked against the values it must hold."""
    t = _clean(text)
    low = t.lower()
    lo = min(numbers, default=0.0)
    hi = max(numbers, default=0.0)
    rate = re.search(r"\bper\s+([\d,]{2,})\b\s*(.*)$", low)
    if rate and lo >= 0:
        per = int(rate[1].replace(",", ""))
        rest = t[rate.start() :]
        return {"unit": "rate", "rate_per": per, "unit_label": rest[:1].lower() + rest[1:]}
    if re.search(r"\bgbp\b|£|\busd\b|\$|dollar|\beur\b|€|\bpounds?\b", low) and "per million" not in low:
        return {"unit": "money", "unit_label": t}
    if "percent" in low or "%" in low:
        if 0 <= lo and hi <= 100:
            return {"unit": "percent"}
        return {"unit": "number", "unit_label": "%"}
    if low in ("number", "count", "median count") and lo >= 0 and all(x == round(x) for x in numbers):
        return {"unit": "count"} if low != "median count" else {"unit": "count", "unit_label": t}
    if re.search(r"\bindex\b|\bindice|\bscore\b", low):
        return {"unit": "index", "unit_label": t} if low not in ("index",) else {"unit": "index"}
    return {"unit": "number", "unit_label": t} if t else {"unit": "number"}


def _decimals(values: list[str]) -> int:
    places = [len(v.split(".", 1)[1]) if "." in v else 0 for v in values if v]
    return min(3, int(statistics.median(places))) if places else 0


def _direction(entry, meta: dict, text: str) -> tuple[str, str]:
    """('up'|'down', a note when assumed): Canada's calculation components (`entry`), its
    progress options, else the keyword rule LOWER_IS_BETTER (default: higher is better)."""
    if isinstance(entry, dict):
        dirs = {
            str(v.get("direction")) for v in entry.values() if isinstance(v, dict) and v.get("direction") is not None
        }
        if len(dirs) == 1 and (d := DIRECTION_WORDS.get(dirs.pop())):
            return d, ""
    for opt in meta.get("progress_calculation_options") or []:
        if isinstance(opt, dict) and (d := DIRECTION_WORDS.get(str(opt.get("direction", "")).lower())):
            return d, ""
    m = LOWER_IS_BETTER.search(text)
    if m:
        return "down", (
            f"Direction assumed (the source gives none): lower is better, because the name mentions '{m[0].lower()}'."
        )
    return "up", "Direction assumed (the source gives none): higher is better."


def _period_in(frequency: str, year: int) -> str:
    """The period of `frequency` that ends in `year` (a financial year ending March `year`)."""
    start = {
        "annual": date(year, 1, 1),
        "quarterly": date(year, 10, 1),
        "monthly": date(year, 12, 1),
        "financial_year": date(year - 1, 4, 1),
    }[frequency]
    return period_from_start(frequency, start)


def _as_int(v) -> int | None:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


def _target(
    meta: dict,
    components_entry,
    frequency: str,
    totals: dict[str, float],
    unit: str,
    where: str,
    problems: list[Problem],
) -> dict | None:
    """Canada: target and target year from progress_calculation_options / graph_target_lines,
    baseline from the data (the total series at the base year, else its first period)."""
    opts = [o for o in meta.get("progress_calculation_options") or [] if isinstance(o, dict)]
    whole = [o for o in opts if "disaggregation" not in o and o.get("target") is not None]
    value = whole[0].get("target") if whole else None
    year = _as_int(whole[0].get("target_year")) if whole else None
    base_year = _as_int(whole[0].get("base_year")) if whole else None
    if value is None and not opts:
        lines = [g for g in meta.get("graph_target_lines") or [] if isinstance(g, dict)]
        value = lines[0].get("value") if lines else None
    comp = {}
    if isinstance(components_entry, dict):
        comp = next((v for v in components_entry.values() if isinstance(v, dict)), {})
        year = year or _as_int(comp.get("target_year"))
        base_year = base_year or _as_int(comp.get("base_year"))
    if value is None:
        return None
    if year is None:
        problems.append(
            Problem(
                where,
                None,
                "progress_calculation_options",
                str(value),
                "target has no target year; left out",
                "warning",
            )
        )
        return None
    statement = _readable(meta.get("target_name"))
    target = {"final": {"period": _period_in(frequency, year), "value": float(value)}}
    if totals:
        by_year = {p[:4]: p for p in totals}
        period = by_year.get(str(base_year)) if base_year else None
        period = period or min(totals)
        target["baseline"] = {"period": period, "value": totals[period]}
    if statement:
        target["note"] = statement
    lo, hi = UNIT_BOUNDS[unit]
    if (lo is not None and float(value) < lo) or (hi is not None and float(value) > hi):
        problems.append(
            Problem(where, None, "target", str(value), f"target is outside what a {unit} allows; left out", "warning")
        )
        return None
    return target


# --- the import -----------------------------------------------------------------------------


@dataclass
class _MeasurePlan:
    series: str | None
    unit: str | None
    frequency: str
    rows: list[_Row]
    geocode: str | None = None  # the GeoCode header, when only GeoCode tells some rows apart

    def cells(self, r: _Row) -> dict[str, str]:
        """The row's breakdown cells by source header, GeoCode among them where it must be."""
        return {**r.cells, self.geocode: r.geocode} if self.geocode else r.cells


def _indicator_sort(ind: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[-.]", ind)]


def _title(meta: dict, ind: str) -> str:
    for k in ("graph_title", "indicator_available", "national_indicator_available", "indicator_name"):
        t = _readable(meta.get(k))
        if t:
            return t
    return f"Indicator {ind.replace('-', '.')}"


def _council_of(ind: str, goal: str, council_map: dict[str, str]) -> str:
    for key in (ind, ind.replace("-", "."), goal):
        if key in council_map:
            return council_map[key]
    return DEFAULT_COUNCILS.get(goal, "government")


def _plan_measures(table: _Table, problems: list[Problem]) -> list[_MeasurePlan]:
    """One measure per (series, unit, frequency), in the order the file first shows them."""
    groups: dict[tuple[str, str], dict[str, list[_Row]]] = {}
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for r in table.rows:
        k = (_key(r.series), _key(r.unit))
        names.setdefault(k, (r.series, r.unit))
        groups.setdefault(k, {}).setdefault(r.period.frequency, []).append(r)
    plans = []
    for k, by_freq in groups.items():
        series, unit = names[k]
        if len(by_freq) > 1:
            counts = ", ".join(
                f"{f.replace('_', ' ')}: {len(rs):,} row{'s' if len(rs) > 1 else ''}" for f, rs in by_freq.items()
            )
            first = min(rs[0].row for rs in list(by_freq.values())[1:])
            problems.append(
                Problem(
                    f"data/{table.path.name}",
                    first,
                    "Year",
                    None,
                    f"series {series or '(none)'!r} mixes period kinds ({counts}); one measure each",
                    "warning",
                )
            )
        for f, rs in sorted(by_freq.items(), key=lambda kv: -len(kv[1])):
            plans.append(_MeasurePlan(series, unit, f, rs, _geocode_needed(table, rs)))
    return plans


def _geocode_needed(table: _Table, rows: list[_Row]) -> str | None:
    """The GeoCode header when rows with the same period and breakdown differ only by GeoCode."""
    header = next((h for h in table.header if _bare(h).lower() == "geocode"), None)
    if header is None:
        return None
    codes: dict[tuple, set[str]] = {}
    for r in rows:
        codes.setdefault((r.period.label, *r.cells.values()), set()).add(r.geocode)
    return header if any(len(c) > 1 for c in codes.values()) else None


def _headline(meta: dict, plans: list[_MeasurePlan]) -> int:
    """The measure Open SDG shows first: `data_start_values` Series / Units where they name
    one; else the first series of the file (of its kinds of period, the one with most rows)."""
    wanted: dict[str, set[str]] = {}
    for d in meta.get("data_start_values") or []:
        if isinstance(d, dict):
            field_ = str(d.get("field", "")).strip().lower()
            wanted.setdefault("unit" if field_ in ("units", "unit measure") else field_, set()).add(
                _key(d.get("value"))
            )
    candidates = list(range(len(plans)))
    for attr in ("series", "unit"):
        narrowed = [i for i in candidates if _key(getattr(plans[i], attr)) in wanted.get(attr, ())]
        candidates = narrowed or candidates
    return candidates[0]


def _distinct_parts(texts: list[str]) -> dict[str, str]:
    """Each text without the words every text shares at its start and end (for short ids)."""
    words = {t: t.split() for t in texts}
    lists = list(words.values())
    head = 0
    while all(len(w) > head for w in lists) and len({w[head].lower() for w in lists}) == 1:
        head += 1
    tail = 0
    while all(len(w) > head + tail for w in lists) and len({w[-1 - tail].lower() for w in lists}) == 1:
        tail += 1
    return {t: " ".join(w[head : len(w) - tail]) or t for t, w in words.items()}


def _measure_ids(slug: str, ind: str, plans: list[_MeasurePlan]) -> list[str]:
    """`<slug>.<indicator>`, plus what tells the measures apart: series, unit, frequency."""
    base = f"{slug}.{ind}"
    if len(plans) == 1:
        return [base]
    series = _distinct_parts(list(dict.fromkeys(p.series or "no series" for p in plans)))
    ids, used = [], set()
    for p in plans:
        parts = [base]
        if len(series) > 1:
            parts.append(slugify(series[p.series or "no series"], 40))
        same_series = [q for q in plans if _key(q.series) == _key(p.series)]
        if len({_key(q.unit) for q in same_series}) > 1:
            parts.append(slugify(p.unit or "no-unit", 24))
        if len({q.frequency for q in same_series}) > 1:
            parts.append(p.frequency.replace("_", "-"))
        mid, n = ".".join(parts), 2
        while mid in used:
            mid, n = f"{'.'.join(parts)}-{n}", n + 1
        used.add(mid)
        ids.append(mid)
    return ids


FREQUENCY_WORDS = {
    "annual": "annual",
    "quarterly": "quarterly",
    "monthly": "monthly",
    "financial_year": "financial years",
}


def _measure_name(title: str, p: _MeasurePlan, plans: list[_MeasurePlan]) -> str:
    if len(plans) == 1:
        return title
    name = p.series or title
    same_series = [q for q in plans if _key(q.series) == _key(p.series)]
    if len({_key(q.unit) for q in same_series}) > 1 and p.unit:
        name += f", {p.unit}"
    if len({q.frequency for q in same_series}) > 1:
        name += f", {FREQUENCY_WORDS[p.frequency]}"
    return name


@dataclass
class _Indicator:
    ind: str
    meta: dict
    meta_file: str
    table: _Table | None
    plans: list[_MeasurePlan]
    sources: list[_Source]


def _load_inputs(src: Path, problems: list[Problem], orgs: _Orgs) -> list[_Indicator]:
    metas: dict[str, tuple[dict, str]] = {}
    meta_dir = src / "meta"
    for path in sorted(p for p in meta_dir.iterdir() if p.is_file() and p.suffix in (".md", ".yml", ".yaml")):
        doc, probs = _front_matter(path)
        problems += probs
        metas[_norm_indicator(path.stem)] = (doc, f"meta/{path.name}")
    tables: dict[str, _Table] = {}
    for path in sorted((src / "data").glob("indicator_*.csv")):
        try:
            t = _read_table(path, ReadOptions())
        except ExtractError as e:
            problems += [replace(p, file=f"data/{p.file}") for p in e.problems]
            continue
        tables[t.indicator] = t
        problems += [replace(p, file=f"data/{p.file}") for p in t.problems if p.severity == "error"]
    # names seen standing alone are 'known' when splitting strings that list several
    known = set()
    for doc, _ in metas.values():
        for k, v in doc.items():
            if re.match(r"^source_organisation_\d+$", str(k)) and v:
                known.add(_one_organisation(str(v))[0])
    out = []
    for ind in sorted(set(metas) | set(tables), key=_indicator_sort):
        meta, meta_file = metas.get(ind, ({}, f"meta/{ind}.md"))
        if ind not in metas:
            problems.append(
                Problem(
                    f"data/indicator_{ind}.csv",
                    None,
                    None,
                    None,
                    "no metadata file; names and sources are guessed",
                    "warning",
                )
            )
        table = tables.get(ind)
        plans = _plan_measures(table, problems) if table else []
        if table is None:
            problems.append(
                Problem(
                    meta_file, None, None, None, "no data file; the objective is defined without measures", "warning"
                )
            )
        elif not plans:
            problems.append(
                Problem(
                    f"data/{table.path.name}",
                    None,
                    None,
                    None,
                    "no data rows (placeholder only); the objective is defined without measures",
                    "warning",
                )
            )
        out.append(_Indicator(ind, meta, meta_file, table, plans, _sources(meta, orgs, known)))
    return out


def _components(src: Path, problems: list[Problem]) -> dict:
    path = src / "indicator_calculation_components.yml"
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        problems.append(Problem(path.name, None, None, None, f"not valid YAML ({e}); directions guessed", "warning"))
        return {}
    return {_norm_indicator(str(k)): v for k, v in (doc or {}).items()}


def _existing(definitions_dir: Path, own: set[Path]) -> tuple[set[str], dict[str, list[str]], dict]:
    """Organisation ids and breakdowns declared by other files, and the shared file's contents."""
    org_ids: set[str] = set()
    vocab: dict[str, list[str]] = {}
    shared: dict = {}
    if not definitions_dir.is_dir():
        return org_ids, vocab, shared
    for path in sorted(definitions_dir.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file() or path in own:
            continue
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, UnicodeError):
            continue  # load_definitions will say what is wrong with it
        if not isinstance(doc, dict):
            continue
        if path.name == SHARED_FILE and path.parent == definitions_dir:
            shared = doc
            continue
        for o in doc.get("organisations") or []:
            if isinstance(o, dict) and o.get("id"):
                org_ids.add(str(o["id"]))
        for k, v in (doc.get("breakdowns") or {}).items():
            vocab[str(k)] = [str(x) for x in v or []]
    return org_ids, vocab, shared


def _dump(doc: dict, header: str) -> str:
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return header + body


def import_open_sdg(
    src: Path, definitions_dir: Path, *, council_map: dict[str, str] | None = None, name: str | None = None
) -> ImportPlan:
    """Write definitions for an Open SDG data repository and say which files to load for whom.

    `src` holds `data/indicator_<id>.csv` and `meta/<id>.md`. Definitions go to
    `definitions_dir/open-sdg-<slug>/councils.yaml` (councils, objectives, measures; ids
    prefixed with the slug) and `definitions_dir/open-sdg-shared.yaml` (organisations and
    breakdowns, merged with what earlier imports put there). `council_map` maps an SDG goal
    number (or an indicator id) to a theme key of THEMES or any council name; unmapped
    goals follow DEFAULT_COUNCILS. Indicators with no data rows get an objective without
    measures. Returns an ImportPlan: [(org_id, [data files])] plus the problems reported.
    """
    src, definitions_dir = Path(src), Path(definitions_dir)
    if not (src / "data").is_dir() or not (src / "meta").is_dir():
        raise OpenSdgError(
            [Problem(str(src), None, None, None, "not an Open SDG data repository (needs data/ and meta/ folders)")]
        )
    title = name or src.resolve().name
    slug = slugify(title, 40)
    council_map = {str(k).strip(): str(v).strip() for k, v in (council_map or {}).items()}
    problems: list[Problem] = []
    orgs = _Orgs()
    indicators = _load_inputs(src, problems, orgs)
    if not indicators:
        raise OpenSdgError([Problem(str(src), None, None, None, "no indicator_*.csv or meta files found")])
    components = _components(src, problems)
    alias = orgs.merge_acronyms()

    def org_key(k: str) -> str:
        return alias.get(k, k)

    # the organisation named most often (ONS, Statistics Canada) publishes the repository and
    # leads the indicators whose metadata names no source
    named = Counter(org_key(k) for i in indicators for s in i.sources for k in s.orgs)
    publisher = named.most_common(1)[0][0] if named else orgs.add(f"{title} publisher", None)

    folder = definitions_dir / f"open-sdg-{slug}"
    own_file = folder / "councils.yaml"
    shared_file = definitions_dir / SHARED_FILE
    other_orgs, other_vocab, shared = _existing(definitions_dir, {own_file})

    # breakdown names: normalised, renamed only where another (non-Open SDG) file declares
    # the same name with values that do not cover ours
    vocab: dict[str, list[str]] = {}
    for i in indicators:
        for p in i.plans:
            for r in p.rows:
                for h, v in p.cells(r).items():
                    if v:
                        vals = vocab.setdefault(breakdown_name(h), [])
                        if v not in vals:
                            vals.append(v)
    rename = {}
    for b, vals in vocab.items():
        if b in other_vocab and not set(vals) <= set(other_vocab[b]):
            rename[b] = f"{b} ({title})"
            problems.append(
                Problem(
                    str(definitions_dir),
                    None,
                    None,
                    b,
                    f"breakdown is declared elsewhere with other values; imported as {rename[b]!r}",
                    "warning",
                )
            )

    def bname(header: str) -> str:
        b = breakdown_name(header)
        return rename.get(b, b)

    councils: dict[str, dict] = {}
    used_orgs: dict[str, None] = {}
    requests: dict[str, list[Path]] = {}
    for ind in indicators:
        meta, where = ind.meta, ind.meta_file
        goal = str(meta.get("sdg_goal") or ind.ind.split("-")[0]).strip()
        theme = _council_of(ind.ind, goal, council_map)
        cid = f"{slug}.{slugify(theme, 40)}"
        if cid not in councils:
            tname, tgoal = THEMES.get(theme, (theme, ""))
            councils[cid] = {"id": cid, "name": f"{tname} ({title})", "goal": tgoal, "objectives": [], "_goals": []}
        if goal not in councils[cid]["_goals"]:
            councils[cid]["_goals"].append(goal)
        itl = _title(meta, ind.ind)
        partners = _partners(ind, org_key, publisher, orgs, where, problems)
        lead = partners[0]["org"]
        for p in partners:
            used_orgs.setdefault(org_key(p["org"]), None)
        objective = {"id": f"{slug}.{ind.ind}", "name": itl}
        statement = _readable(meta.get("target_name"))
        if statement:
            objective["statement"] = statement
        objective["partners"] = [{**p, "org": orgs.id(org_key(p["org"]))} for p in partners]
        measures = _measures(ind, slug, itl, orgs.id(lead), components.get(ind.ind), bname, title, problems)
        if measures:
            objective["measures"] = measures
        councils[cid]["objectives"].append(objective)
        if ind.table is not None:
            requests.setdefault(orgs.id(lead), []).append(ind.table.path)

    # organisations and breakdowns, merged into the shared file
    shared_orgs = [o for o in shared.get("organisations") or [] if isinstance(o, dict) and o.get("id")]
    have = {str(o["id"]) for o in shared_orgs} | other_orgs
    for k in used_orgs:
        oid = orgs.id(k)
        if oid in have:
            continue
        have.add(oid)
        entry = {"id": oid, "name": orgs.name(k)}
        if orgs.short(k):
            entry["short_name"] = orgs.short(k)
        entry["kind"] = _kind(orgs.name(k))
        shared_orgs.append(entry)
    shared_vocab = {str(k): [str(x) for x in v or []] for k, v in (shared.get("breakdowns") or {}).items()}
    for b, vals in vocab.items():
        b = rename.get(b, b)
        if b in other_vocab and b not in rename:
            continue  # declared elsewhere with every value we use
        merged = shared_vocab.setdefault(b, [])
        merged += [v for v in vals if v not in merged]

    # councils in THEMES order, then those named only in the council map
    order = [f"{slug}.{slugify(t, 40)}" for t in [*THEMES, *council_map.values()]]
    council_list = [councils[cid] for cid in dict.fromkeys([*order, *councils]) if cid in councils]
    for c in council_list:
        goals = sorted(c.pop("_goals"), key=lambda g: int(g) if g.isdigit() else 99)
        c["goal"] = (
            (c["goal"] + "; " if c["goal"] else "") + f"SDG goal{'s' if len(goals) > 1 else ''} " + ", ".join(goals)
        )

    stamp = (
        f"# Written by `outcomes import-open-sdg` from {src.resolve()}.\n"
        "# Regenerated on every import: change the source or the import, not this file.\n"
    )
    texts = {
        own_file: _dump({"councils": council_list}, stamp),
        shared_file: _dump(
            {"organisations": shared_orgs, "breakdowns": shared_vocab},
            "# Organisations and breakdowns of every Open SDG import, merged across imports.\n",
        ),
    }
    _check_then_write(definitions_dir, texts)
    plan = [(org, files) for org, files in requests.items()]
    return ImportPlan(plan, slug=slug, files=list(texts), problems=problems)


def _partners(ind: _Indicator, org_key, publisher: str, orgs: _Orgs, where: str, problems: list[Problem]) -> list[dict]:
    partners: dict[str, dict] = {}
    for si, s in enumerate(ind.sources):
        about = f" ({s.title})" if s.title else ""
        for oi, k in enumerate(s.orgs):
            k = org_key(k)
            if k in partners:
                if about and partners[k]["responsibility"] == "Supplies data":
                    partners[k]["responsibility"] += about
                continue
            if not partners:
                partners[k] = {"org": k, "role": "lead", "responsibility": f"Publishes the source data{about}"}
            else:
                verb = "Co-publishes the source data" if si == 0 and oi else "Supplies data"
                partners[k] = {"org": k, "role": "contributor", "responsibility": verb + about}
    if not partners:
        problems.append(
            Problem(
                where,
                None,
                None,
                None,
                f"no active source organisation; led by {orgs.name(publisher)}, "
                "the organisation this repository names most often",
                "warning",
            )
        )
        partners[publisher] = {
            "org": publisher,
            "role": "lead",
            "responsibility": "Publishes the indicator (no source organisation named)",
        }
    return list(partners.values())


def _measures(
    ind: _Indicator, slug: str, title: str, owner: str, components_entry, bname, dataset: str, problems: list[Problem]
) -> list[dict]:
    if not ind.plans:
        return []
    meta = ind.meta
    headline = _headline(meta, ind.plans)
    ids = _measure_ids(slug, ind.ind, ind.plans)
    description = _prose(meta.get("national_indicator_description") or meta.get("indicator_definition"))
    number = str(meta.get("indicator_number") or ind.ind.replace("-", "."))
    sources = "; ".join(f"{s.title}" for s in ind.sources if s.title)
    out = []
    for i, (p, mid) in enumerate(zip(ind.plans, ids, strict=True)):
        mname = _measure_name(title, p, ind.plans)
        values = [r.value for r in p.rows]
        unit_text = p.unit or _clean(meta.get("computation_units"))
        unit = unit_fields(unit_text, _numbers(values))
        direction, assumed = _direction(components_entry, meta, f"{title} {p.series or ''}")
        if description and description[-1] not in ".!?…":
            description += "."
        text = " ".join(x for x in (description, f"Open SDG indicator {number}, {dataset}.", assumed) if x)
        columns: dict[str, str] = {}
        breakdowns: dict[str, list[str]] = {}
        for r in p.rows:
            for h, v in p.cells(r).items():
                if v:
                    b = bname(h)
                    columns.setdefault(h, b)
                    vals = breakdowns.setdefault(b, [])
                    if v not in vals:
                        vals.append(v)
        m = {"id": mid, "name": mname}
        if text:
            m["description"] = text
        m["owner"] = owner
        m["role"] = "headline" if i == headline else "contributing"
        m.update(unit)
        m["decimals"] = _decimals(values)
        m["direction"] = direction
        m["frequency"] = p.frequency
        if breakdowns:
            m["breakdowns"] = breakdowns
        if not _truthy(meta.get("published", True)):
            m["published"] = False
        if sources:
            m["source"] = sources
        if i == headline:
            totals = {
                r.period.label: float(r.value)
                for r in p.rows
                if r.value and not any(r.cells.values()) and _numbers([r.value])
            }
            t = _target(meta, components_entry, p.frequency, totals, unit["unit"], ind.meta_file, problems)
            if t:
                m["target"] = t
        src = {"indicator": ind.ind}
        if p.series:
            src["series"] = p.series
        if p.unit:
            src["unit"] = p.unit
        if columns:
            src["columns"] = columns
        m["open_sdg"] = src
        out.append(m)
    return out


def _not_definitions(folder: str, names: list[str]) -> list[str]:
    """What the scratch copy leaves out: hidden entries and files that are not YAML."""
    return [n for n in names if n.startswith(".") or (Path(folder, n).is_file() and not n.endswith((".yaml", ".yml")))]


def _check_then_write(definitions_dir: Path, texts: dict[Path, str]) -> None:
    """Load the new files beside every existing definition in a scratch copy; write only if clean."""
    with tempfile.TemporaryDirectory(prefix="open-sdg-check-") as tmp:
        scratch = Path(tmp) / "definitions"
        if definitions_dir.is_dir():
            shutil.copytree(definitions_dir, scratch, ignore=_not_definitions)
        scratch.mkdir(parents=True, exist_ok=True)
        for path, text in texts.items():
            target = scratch / path.relative_to(definitions_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            load_definitions(scratch)
        except DefinitionsError as e:
            raise DefinitionsError([p.replace(str(scratch), str(definitions_dir)) for p in e.problems]) from None
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
