"""Open SDG import, the repository read once: every `data/indicator_*.csv` (through
`etl.open_sdg_reader`), every indicator's metadata and the organisations it names, its measures
planned, not-started placeholders told apart, and Canada's `indicator_calculation_components.yml`."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from .open_sdg_measures import _Indicator, _plan_measures
from .open_sdg_metadata import YAML_LOADER, _Meta, _read_metadata
from .open_sdg_organisations import _one_organisation, _organisation_fields, _Orgs, _sources
from .open_sdg_reader import _norm_indicator, _read_table, _Table
from .open_sdg_rules import _numbers
from .tables import ExtractError, Problem, ReadOptions


def _indicator_sort(ind: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[-.]", ind)]


def _placeholder_values(meta: dict, table: _Table) -> bool:
    """`reporting_status: notstarted` and nothing but 0 or blank in the file: a placeholder."""
    if str(meta.get("reporting_status") or "").strip().lower() != "notstarted" or not table.rows:
        return False
    return all(v == "" or (n := _numbers([v])) and n[0] == 0 for v in (r.value for r in table.rows))


def _read_data(src: Path, problems: list[Problem]) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for path in sorted((src / "data").glob("indicator_*.csv")):
        try:
            t = _read_table(path, ReadOptions())
        except ExtractError as e:
            problems += [replace(p, file=f"data/{p.file}") for p in e.problems]
            continue
        if t.indicator in tables:
            first = tables[t.indicator].path.name
            problems.append(
                Problem(
                    f"data/{path.name}",
                    None,
                    None,
                    None,
                    f"another file for indicator {t.indicator} (data/{first}, kept); not loaded",
                    "warning",
                )
            )
            continue
        tables[t.indicator] = t
        problems += [replace(p, file=f"data/{p.file}") for p in t.problems if p.severity == "error"]
    return tables


def _load_inputs(src: Path, problems: list[Problem], orgs: _Orgs) -> list[_Indicator]:
    tables = _read_data(src, problems)
    metas = _read_metadata(src, set(tables), problems)
    # names seen standing alone are 'known' when splitting strings that list several
    known = set()
    for meta in metas.values():
        for _, text, _ in _organisation_fields(meta.doc):
            known.add(_one_organisation(text)[0])
    out = []
    for ind in sorted(set(metas) | set(tables), key=_indicator_sort):
        meta = metas.get(ind) or _Meta({}, f"meta/{ind}.md")
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
        placeholder = table is not None and _placeholder_values(meta.doc, table)
        plans = _plan_measures(table, problems) if table and not placeholder else []
        if table is None:
            problems.append(
                Problem(
                    meta.file, None, None, None, "no data file; the objective is defined without measures", "warning"
                )
            )
        elif placeholder:
            first = table.rows[0]
            problems.append(
                Problem(
                    f"data/{table.path.name}",
                    first.row,
                    "Value",
                    first.value,
                    f"reporting_status is notstarted and every value is 0 or blank ({len(table.rows):,} "
                    f"row{'s' if len(table.rows) > 1 else ''}): a placeholder, not data; no value is published "
                    "(no data yet) and the file is not loaded",
                    "warning",
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
        out.append(_Indicator(ind, meta, table, plans, _sources(meta, orgs, known, problems), placeholder))
    return out


def _components(src: Path, problems: list[Problem]) -> dict:
    path = src / "indicator_calculation_components.yml"
    if not path.is_file():
        return {}
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as e:
        problems.append(Problem(path.name, None, None, None, f"not valid YAML ({e}); directions guessed", "warning"))
        return {}
    return {_norm_indicator(str(k)): v for k, v in (doc or {}).items()}
