"""Open SDG import, measures: an indicator's file planned as one measure per (series, unit,
frequency), the headline among them (`data_start_values`, else the first), their ids and
names, and each written out as a measure definition (`_measures`) with the fields
`etl.open_sdg_rules` reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from .open_sdg_metadata import _Meta, _prose, _truthy, slugify
from .open_sdg_organisations import _Source
from .open_sdg_reader import _bare, _clean, _key, _Row, _row_key, _Table
from .open_sdg_rules import (
    _YES_NO_UNIT,
    _categories,
    _decimals,
    _direction,
    _numbers,
    _target,
    unit_fields,
)
from .tables import Problem


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

    @cached_property
    def values(self) -> dict[str, list[str]]:
        """Each breakdown header's values, in the order rows first show them (headers too)."""
        seen: dict[str, dict[str, None]] = {}
        for r in self.rows:
            for h, v in self.cells(r).items():
                if v:
                    seen.setdefault(h, {})[v] = None
        return {h: list(vs) for h, vs in seen.items()}


def _plan_measures(table: _Table, problems: list[Problem]) -> list[_MeasurePlan]:
    """One measure per (series, unit, frequency), in the order the file first shows them."""
    groups: dict[tuple[str, str], dict[str, list[_Row]]] = {}
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for r in table.rows:
        k = _row_key(r)
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


def _is_binary(meta: dict, p: _MeasurePlan, unit_text: str) -> bool:
    """Open SDG `graph_type: binary` (or a `graph_types` entry for this series or unit), or a yes/no unit."""
    if str(meta.get("graph_type") or "").strip().lower() == "binary":
        return True
    for g in meta.get("graph_types") or []:
        if isinstance(g, dict) and str(g.get("type") or "").strip().lower() == "binary":
            if all(_key(g.get(k)) == _key(getattr(p, k)) for k in ("series", "unit") if g.get(k)):
                return True
    return bool(_YES_NO_UNIT.search(unit_text or ""))


@dataclass
class _Indicator:
    ind: str
    meta: _Meta
    table: _Table | None
    plans: list[_MeasurePlan]
    sources: list[_Source]
    placeholder: bool = False  # notstarted with only 0 or blank values: no value is published


def _measures(
    ind: _Indicator, slug: str, title: str, owner: str, components_entry, bname, dataset: str, problems: list[Problem]
) -> list[dict]:
    if not ind.plans:
        return []
    meta = ind.meta.doc
    headline = _headline(meta, ind.plans)
    ids = _measure_ids(slug, ind.ind, ind.plans)
    description = _prose(meta.get("national_indicator_description") or meta.get("indicator_definition"))
    if description and description[-1] not in ".!?…":
        description += "."
    number = str(meta.get("indicator_number") or ind.ind.replace("-", "."))
    sources = "; ".join(f"{s.title}" for s in ind.sources if s.title)
    out = []
    for i, (p, mid) in enumerate(zip(ind.plans, ids, strict=True)):
        mname = _measure_name(title, p, ind.plans)
        values = [r.value for r in p.rows]
        unit_text = p.unit or _clean(meta.get("computation_units"))
        categories = None
        if _is_binary(meta, p, unit_text):
            categories, stray = _categories(values)
            if stray is not None:
                first = next(r for r in p.rows if r.value == stray)
                problems.append(
                    Problem(
                        f"data/{ind.table.path.name}",
                        first.row,
                        "Value",
                        stray,
                        "graph_type is binary but the values are not the codes 1, 0 and -1; read as numbers",
                        "warning",
                    )
                )
        unit = unit_fields(unit_text, _numbers(values))
        direction, assumed = _direction(components_entry, meta, f"{title} {p.series or ''}", bool(categories))
        coded = ", ".join(f"{c} = {label}" for c, label in (categories or {}).items())
        kind = f"A yes/no measure: {coded}." if categories else ""
        text = " ".join(x for x in (description, f"Open SDG indicator {number}, {dataset}.", kind, assumed) if x)
        columns: dict[str, str] = {}
        breakdowns: dict[str, list[str]] = {}
        for h, vals in p.values.items():
            b = bname(h)
            columns.setdefault(h, b)
            have = breakdowns.setdefault(b, [])
            have += [v for v in vals if v not in have]
        m = {"id": mid, "name": mname}
        if text:
            m["description"] = text
        m["owner"] = owner
        m["role"] = "headline" if i == headline else "contributing"
        m.update(unit)
        m["decimals"] = 0 if categories else _decimals(values)
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
            t = _target(meta, components_entry, p.frequency, totals, unit["unit"], ind.meta.file, problems)
            if t and categories:
                where = next((k for k in ("progress_calculation_options", "graph_target_lines") if k in meta), "")
                reason = "a yes/no measure has no target; left out"
                problems.append(ind.meta.problem(where, t["final"]["value"], reason))
            elif t:
                m["target"] = t
        if categories:
            m["categories"] = categories
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
