"""Open SDG, read: one `data/indicator_<id>.csv` as a submission.

    read_open_sdg_file(path, defs, org, opts) -> Extracted
        the file's rows mapped onto the measures whose `open_sdg` names the indicator
        (etl.extract routes READERS['open_sdg'] here).

How the mess of published data is handled, each on purpose:


- `Year` is free text. It is read with `parse_free_label`; the canonical label goes to
  `period`, the text as published to `period_label`. A file that writes three-year
  windows as `2012-14` has `2009-11` read as a window too, not as November 2009.
- A row whose Year is not a period and whose Value is empty is a placeholder ("There is
  no data for this indicator yet"): a warning, row skipped. With a value it is an error.
- A blank Value is never 0: status `suppressed`, value empty, the note says why.
- `Units` and `Unit measure` both name the unit (a cell holding a multiplier word such
  as `Units` is passed over). Each (series, unit, frequency) is its own measure, so units
  and frequencies never mix in one series.
- `data.` header prefixes and ` (default)` suffixes are dropped from breakdown names;
  `|`, `=` and `;` in values become `/`, `:` and `,` (the warehouse key uses them).
- A row repeating the measure, period and breakdown of an earlier row (a publisher's
  error) is a warning and is skipped; the first row is kept.
- Organisation names are normalised: see `organisation_names`.
"""


from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from goal_councils import Definitions, Measure
from goal_councils.periods import Period, PeriodError, parse_free_label

from .tables import (
    STANDARD_COLUMNS,
    Extracted,
    ExtractError,
    Problem,
    ReadOptions,
    read_table_csv,
    sha256_of,
)

__all__ = ["read_open_sdg_file", "breakdown_name", "breakdown_value"]

# --- the vocabulary of an Open SDG CSV ------------------------------------------------------

# columns that describe a row rather than break it down (compared without `data.`, lower case)
ATTRIBUTE_ROLES = {
    "year": "year",
    "value": "value",
    "series": "series",
    "units": "unit",
    "unit measure": "unit",
    "unit multiplier": "multiplier",
    "observation status": "status",
    "geocode": "geocode",
}
# a unit cell holding one of these is an SDMX multiplier label, not a unit (UK 3-1-1)
MULTIPLIER_WORDS = {"unit", "units", "tens", "hundreds", "thousands", "millions", "billions"}
# Observation status (SDMX OBS_STATUS labels) -> contract status; anything else goes to `note`
STATUS_OF = {
    "estimated value": "estimated",
    "estimated": "estimated",
    "provisional value": "provisional",
    "provisional": "provisional",
}
NORMAL_STATUS = {"", "normal value", "normal"}
# characters the warehouse key 'name=value|name=value' reserves, and what they become
RESERVED = {"|": "/", "=": ":", ";": ","}
_DASHED_SPAN = re.compile(r"^(\d{4})-(\d{2})$")


# === text rules shared by the reader and the importer ========================================


def _clean(text) -> str:
    """Strip, collapse whitespace and undo UTF-8-read-as-cp1252 (`Â£` -> `£`)."""
    s = " ".join(str(text or "").split())
    if "Â" in s or "Ã" in s:
        try:
            s = s.encode("cp1252").decode("utf-8")
        except UnicodeError:
            pass
    return s


def _bare(header: str) -> str:
    h = _clean(header)
    return h[5:] if h.lower().startswith("data.") else h


def breakdown_name(header: str) -> str:
    """The breakdown a disaggregation column stands for: `data.Gender` -> `Gender`."""
    name = _bare(header)
    name = re.sub(r"\s*\(default\)$", "", name, flags=re.I) or name
    for bad, good in RESERVED.items():
        name = name.replace(bad, good)
    if name in STANDARD_COLUMNS:
        name += " (breakdown)"
    return name


def breakdown_value(cell: str, strip_prefix: bool = False) -> str:
    """A breakdown value as stored: cleaned, `data.` dropped where the header had it, no | = ;."""
    v = _clean(cell)
    if strip_prefix and v.lower().startswith("data."):
        v = v[5:].strip()
    for bad, good in RESERVED.items():
        v = v.replace(bad, good)
    return v


def _norm_indicator(text: str) -> str:
    return _clean(text).lower().replace(".", "-")


def _key(text: str | None) -> str:
    return _clean(text).casefold()


def _period_reader(labels: Iterable[str]) -> Callable[[str], Period]:
    """A period parser for one file: `YYYY-YY` is a window when the file writes windows so."""
    windows = False
    for label in set(labels):
        m = _DASHED_SPAN.match(label.strip())
        if m and not 1 <= int(m[2]) <= 12 and int(m[2]) != (int(m[1]) + 1) % 100:
            windows = True
            break
    cache: dict[str, Period | PeriodError] = {}

    def parse(label: str) -> Period:
        if label not in cache:
            text = label.strip()
            m = _DASHED_SPAN.match(text)
            if windows and m and int(m[2]) != (int(m[1]) + 1) % 100:
                y0 = int(m[1])
                y1 = y0 // 100 * 100 + int(m[2])
                text = f"{y0} to {y1 + 100 if y1 < y0 else y1}"
            try:
                cache[label] = parse_free_label(text)
            except PeriodError as e:
                cache[label] = e
        got = cache[label]
        if isinstance(got, PeriodError):
            raise got
        return got

    return parse


# === reading one indicator file ==============================================================


@dataclass
class _Row:
    row: int
    label: str
    period: Period | None
    series: str | None
    unit: str | None
    cells: dict[str, str]  # disaggregation header -> value as stored ('' = empty)
    geocode: str
    status: str  # Observation status as published
    value: str


@dataclass
class _Table:
    path: Path
    indicator: str
    header: list[str]
    breakdown_headers: list[str]
    unit_headers: list[str]
    rows: list[_Row]
    placeholders: list[_Row]
    problems: list[Problem]


def _indicator_of(path: Path, opts: ReadOptions) -> str:
    if opts.indicator:
        return _norm_indicator(opts.indicator)
    m = re.match(r"^indicator_(.+)\.csv$", path.name, re.I)
    if not m:
        raise ExtractError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    "cannot tell the Open SDG indicator: name the file indicator_<id>.csv "
                    "or give the indicator (--indicator 3-2-1)",
                )
            ]
        )
    return _norm_indicator(m[1])


def _read_table(path: Path, opts: ReadOptions) -> _Table:
    """Read an Open SDG CSV into rows with their periods, series, units and breakdown cells."""
    header, raw_rows, problems = read_table_csv(path, opts)
    name = path.name
    indicator = _indicator_of(path, opts)
    roles: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        bare = _bare(h).lower()
        if bare in seen:
            problems.append(Problem(name, 1, h, None, f"column appears twice (columns {seen[bare] + 1} and {i + 1})"))
            continue
        seen[bare] = i
        roles[i] = ATTRIBUTE_ROLES.get(bare, "breakdown" if h else "unnamed")
    missing = [c for c in ("Year", "Value") if c.lower() not in seen]
    if missing:
        raise ExtractError(problems + [Problem(name, 1, c, None, "required column is missing") for c in missing])
    year_i, value_i = seen["year"], seen["value"]
    series_i = seen.get("series")
    status_i = seen.get("observation status")
    geo_i = seen.get("geocode")
    unit_is = [i for i, r in roles.items() if r == "unit"]
    bd_is = [i for i, r in roles.items() if r == "breakdown"]
    prefixed = {i: header[i].strip().lower().startswith("data.") for i in bd_is}
    for i in (i for i, r in roles.items() if r == "unnamed"):
        first = next((n for n, cells in raw_rows if cells[i].strip()), None)
        if first is not None:
            problems.append(
                Problem(name, first, f"column {i + 1}", None, "column has no name; its values are ignored", "warning")
            )
    parse = _period_reader(cells[year_i] for _, cells in raw_rows)
    rows: list[_Row] = []
    placeholders: list[_Row] = []
    for n, cells in raw_rows:
        label = cells[year_i].strip()
        value = cells[value_i].strip()
        unit = next((u for u in (_clean(cells[i]) for i in unit_is) if u and u.lower() not in MULTIPLIER_WORDS), None)
        row = _Row(
            n,
            label,
            None,
            _clean(cells[series_i]) or None if series_i is not None else None,
            unit,
            {header[i]: breakdown_value(cells[i], prefixed[i]) for i in bd_is},
            _clean(cells[geo_i]) if geo_i is not None else "",
            _clean(cells[status_i]) if status_i is not None else "",
            value,
        )
        try:
            row.period = parse(label)
        except PeriodError:
            if value == "":
                placeholders.append(row)
                problems.append(
                    Problem(
                        name,
                        n,
                        header[year_i],
                        label,
                        "no data: the row holds only a placeholder text; skipped",
                        "warning",
                    )
                )
            else:
                problems.append(
                    Problem(
                        name,
                        n,
                        header[year_i],
                        label,
                        "Year is not a period (expected e.g. 2015, 2015 Q1, 2015/16, 2010 to 2012)",
                    )
                )
            continue
        rows.append(row)
    return _Table(
        path, indicator, header, [header[i] for i in bd_is], [header[i] for i in unit_is], rows, placeholders, problems
    )


def _status_and_note(row: _Row) -> tuple[str, str]:
    obs = row.status
    low = obs.lower()
    if row.value == "":
        return "suppressed", f"blank in source: {obs}" if obs else "blank in source"
    if "provisional" in low:
        return "provisional", "" if low in STATUS_OF else obs
    if low in STATUS_OF:
        return STATUS_OF[low], ""
    if low.startswith("estimated"):
        return "estimated", obs
    return "", "" if low in NORMAL_STATUS else obs


def _measure_index(defs: Definitions, indicator: str) -> dict[tuple[str, str], list[Measure]]:
    index: dict[tuple[str, str], list[Measure]] = {}
    for m in defs.measures.values():
        src = m.open_sdg
        if src and _norm_indicator(src.indicator) == indicator:
            index.setdefault((_key(src.series), _key(src.unit)), []).append(m)
    return index


def _pick(candidates: list[Measure], org: str, period: Period) -> Measure:
    """Among measures fed by the same series and unit: the organisation's, of the period's frequency."""
    own = [m for m in candidates if m.owner == org] or candidates
    return next((m for m in own if m.frequency == period.frequency), own[0])


def read_open_sdg_file(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    """Read one Open SDG indicator CSV into the contract shape, mapped onto its measures."""
    path = Path(path)
    table = _read_table(path, opts)
    name = path.name
    problems = list(table.problems)
    index = _measure_index(defs, table.indicator)
    series_known = {s for s, _ in index}
    unmatched: dict[tuple[str, str], list[_Row]] = {}
    out: dict[str, list] = {c: [] for c in STANDARD_COLUMNS}
    bd_out: dict[str, list[str]] = {}
    seen: dict[tuple, _Row] = {}
    count = 0
    for r in table.rows:
        candidates = index.get((_key(r.series), _key(r.unit)))
        if not candidates:
            unmatched.setdefault((_key(r.series), _key(r.unit)), []).append(r)
            continue
        m = _pick(candidates, org, r.period)
        columns = m.open_sdg.columns
        cells = {}
        for h, v in r.cells.items():
            if v:
                cells[columns.get(h) or columns.get(_bare(h)) or breakdown_name(h)] = v
        for h, b in columns.items():  # attribute columns (GeoCode) only when a measure maps them
            if _bare(h).lower() == "geocode" and r.geocode:
                cells[b] = breakdown_value(r.geocode)
        key = (m.id, r.period.label, tuple(sorted(cells.items())))
        if key in seen:
            first = seen[key]
            same = "same value" if first.value == r.value else f"value there {first.value or 'blank'!r}"
            problems.append(
                Problem(
                    name,
                    r.row,
                    "Value",
                    r.value,
                    f"same measure, period and breakdown as row {first.row} ({same}); "
                    f"row {first.row} kept, this row skipped" if opts.tolerate_repeats else
                    f"same measure, period and breakdown as row {first.row} ({same})",
                    "warning" if opts.tolerate_repeats else "error",
                )
            )
            continue
        seen[key] = r
        status, note = _status_and_note(r)
        for col, v in zip(STANDARD_COLUMNS, (r.row, m.id, r.period.label, r.label, r.value, status, note), strict=True):
            out[col].append(v)
        for b in cells:
            bd_out.setdefault(b, [""] * count)
        for b, col in bd_out.items():
            col.append(cells.get(b, ""))
        count += 1
    problems += _unmatched_problems(name, table, index, series_known, unmatched)
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in out.items()})
    frame["row"] = frame["row"].astype("int64")
    for b, col in bd_out.items():
        frame[b] = pd.Series(col, dtype=object)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return Extracted(path, "open_sdg", sha256_of(path), frame, list(bd_out), problems,
                     source_columns={"value": "Value", "period": "Year", "status": "Observation status"})


def _unmatched_problems(name, table: _Table, index, series_known, unmatched) -> list[Problem]:
    """One error per kind of row no measure takes, at its first row, with how many more."""

    def more(n: int) -> str:
        return f" (and {n:,} more row{'s' if n > 1 else ''} like it)" if n else ""

    if unmatched and not index:
        rows = sorted((r for rs in unmatched.values() for r in rs), key=lambda r: r.row)
        return [
            Problem(
                name,
                rows[0].row,
                None,
                None,
                f"no measure is defined for Open SDG indicator {table.indicator}" + more(len(rows) - 1),
            )
        ]
    out = []
    for (skey, _), rows in unmatched.items():
        r = rows[0]
        if skey not in series_known:
            column, value = "Series", r.series
            reason = f"no measure is defined for series {r.series or '(none)'!r} of indicator {table.indicator}"
        else:
            column = table.unit_headers[0] if table.unit_headers else None
            value = r.unit
            reason = (
                f"no measure is defined for unit {r.unit or '(none)'!r} of series "
                f"{r.series or '(none)'!r} of indicator {table.indicator}"
            )
        out.append(Problem(name, r.row, column, value, reason + more(len(rows) - 1)))
    return out
