"""Open SDG, read: one `data/indicator_<id>.csv` as a submission.

    read_open_sdg_file(path, defs, org, opts) -> Extracted
        the file's rows mapped onto the measures whose `open_sdg` names the indicator
        (etl.extract routes READERS['open_sdg'] here).
    reusing(tables)
        a block in which files the import has already read are not parsed again (each one
        only while its bytes are unchanged), so an import reads every CSV once.

How the mess of published data is handled, each on purpose:


- `Year` is free text. It is read with `parse_free_label`; the canonical label goes to
  `period`, the text as published to `period_label`. A file that writes three-year
  windows as `2012-14` has `2009-11` read as a window too, not as November 2009.
- A footnote marker after a period (`2021-2022*`, `2019 (p)`, `2018r`; YEAR_MARKERS) is
  read off the period and kept: p / provisional and e / estimated become the status (when
  `Observation status` gives none), r / revised and `*` `†` `‡` go to the note. A marker
  is only tried where the whole label is not a period, and only after a digit.
- A row whose Year is not a period and whose Value is empty is a placeholder ("There is
  no data for this indicator yet"): a warning, row skipped. With a value it is an error.
- A blank Value is never 0: status `suppressed`, value empty, the note says why.
- `Units` and `Unit measure` both name the unit (a cell holding a multiplier word such
  as `Units` is passed over). Each (series, unit, frequency) is its own measure, so units
  and frequencies never mix in one series. Rows with neither a value nor a unit, in a file
  whose other rows name units, are no series: a warning, skipped.
- `data.` header prefixes and ` (default)` suffixes are dropped from breakdown names;
  `|`, `=` and `;` in values become `/`, `:` and `,` (the warehouse key uses them).
- Columns with no name and no data (`Year,Value,,` from a spreadsheet) are ignored; an
  unnamed column that holds data is an error, as in a tidy CSV.
- A row repeating the measure, period and breakdown of an earlier row (a publisher's
  error) is a warning and is skipped; the first row is kept.
- Indicator ids are compared with `.` and `_` read as `-` (`15_a_1`, `15.a.1`: 15-a-1).
- Organisation names are normalised: see `organisation_names`.
"""


from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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

__all__ = ["read_open_sdg_file", "reusing", "breakdown_name", "breakdown_value", "YEAR_MARKERS"]

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
# footnote markers after a period label (`2019 (p)`, `2018r`, `2021-2022*`; compared in lower
# case without brackets) -> (status, what the note says); a status applies when the
# Observation status gives none, else the marker goes to the note too
YEAR_MARKERS = {
    "p": ("provisional", "provisional"),
    "prov": ("provisional", "provisional"),
    "provisional": ("provisional", "provisional"),
    "e": ("estimated", "estimated"),
    "est": ("estimated", "estimated"),
    "estimate": ("estimated", "estimated"),
    "estimated": ("estimated", "estimated"),
    "r": ("", "revised"),
    "rev": ("", "revised"),
    "revised": ("", "revised"),
    "*": ("", "footnote in the source"),
    "**": ("", "footnote in the source"),
    "†": ("", "footnote in the source"),
    "‡": ("", "footnote in the source"),
}
_MARKER = re.compile(r"^(.*\S)\s*(\(\s*[A-Za-z]+\s*\)|(?<![A-Za-z])[A-Za-z]+|(?<!\*)\*{1,2}|[†‡])$")
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


def _memo(fn: Callable[[str], str]) -> Callable[[str], str]:
    """`fn` remembered per text, for one file: a column repeats a handful of texts many times."""
    seen: dict[str, str] = {}

    def once(text: str) -> str:
        try:
            return seen[text]
        except KeyError:
            seen[text] = out = fn(text)
            return out

    return once


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
    """An indicator id as compared: `15.a.1`, `15_a_1` and `15-A-1` are all `15-a-1`."""
    return re.sub(r"[._]", "-", _clean(text).lower())


def _key(text: str | None) -> str:
    return _clean(text).casefold()


def _row_key(r: _Row) -> tuple[str, str]:
    """(series, unit) as compared; a row's texts are clean already."""
    return (r.series or "").casefold(), (r.unit or "").casefold()


def _split_markers(label: str) -> tuple[str, tuple[str, ...]]:
    """`2019 (p)*` -> ('2019', ('(p)', '*')): footnote markers after the last digit, as written."""
    text, markers = label.strip(), []
    while len(markers) < 3 and (m := _MARKER.match(text)) and _marker_key(m[2]) in YEAR_MARKERS:
        text, markers = m[1].strip(), [m[2], *markers]
    return (text, tuple(markers)) if text[-1:].isdigit() else (label.strip(), ())


def _marker_key(marker: str) -> str:
    return marker.strip("() ").lower()


def _period_reader(labels: Iterable[str]) -> Callable[[str], tuple[Period, tuple[str, ...]]]:
    """A period parser for one file: label -> (period, footnote markers). `YYYY-YY` is a
    window when the file writes windows so."""
    windows = False
    for label in set(labels):
        m = _DASHED_SPAN.match(_split_markers(label)[0])
        if m and not 1 <= int(m[2]) <= 12 and int(m[2]) != (int(m[1]) + 1) % 100:
            windows = True
            break
    cache: dict[str, tuple[Period, tuple[str, ...]] | PeriodError] = {}

    def period(text: str) -> Period:
        m = _DASHED_SPAN.match(text)
        if windows and m and int(m[2]) != (int(m[1]) + 1) % 100:
            y0 = int(m[1])
            y1 = y0 // 100 * 100 + int(m[2])
            text = f"{y0} to {y1 + 100 if y1 < y0 else y1}"
        return parse_free_label(text)

    def parse(label: str) -> tuple[Period, tuple[str, ...]]:
        if label not in cache:
            text = label.strip()
            try:
                cache[label] = (period(text), ())
            except PeriodError as e:
                bare, markers = _split_markers(text)
                try:
                    cache[label] = (period(bare), markers) if markers else e
                except PeriodError:
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
    markers: tuple[str, ...] = ()  # footnote markers read off the Year, as written


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
    sha256: str = ""  # of the bytes read
    read_as: tuple = ()  # the reading options that shape the table (see _read_as)


def _read_as(path: Path, opts: ReadOptions) -> tuple:
    return (opts.delimiter, opts.encoding, _indicator_of(path, opts))


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


def _read_table(path: Path, opts: ReadOptions, sha256: str | None = None) -> _Table:
    """Read an Open SDG CSV into rows with their periods, series, units and breakdown cells."""
    header, raw_rows, problems = read_table_csv(path, opts)
    name = path.name
    indicator = _indicator_of(path, opts)
    roles: dict[int, str] = {}
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        bare = _bare(h).lower()
        if not bare:
            roles[i] = "unnamed"  # several may stand side by side (`Year,Value,,`)
            continue
        if bare in seen:
            problems.append(Problem(name, 1, h, None, f"column appears twice (columns {seen[bare] + 1} and {i + 1})"))
            continue
        seen[bare] = i
        roles[i] = ATTRIBUTE_ROLES.get(bare, "breakdown")
    missing = [c for c in ("Year", "Value") if c.lower() not in seen]
    if missing:
        raise ExtractError(problems + [Problem(name, 1, c, None, "required column is missing") for c in missing])
    year_i, value_i = seen["year"], seen["value"]
    series_i = seen.get("series")
    status_i = seen.get("observation status")
    geo_i = seen.get("geocode")
    unit_is = [i for i, r in roles.items() if r == "unit"]
    bd_is = [i for i, r in roles.items() if r == "breakdown"]
    for i in (i for i, r in roles.items() if r == "unnamed"):
        first = next(((n, cells[i]) for n, cells in raw_rows if cells[i].strip()), None)
        if first is not None:
            reason = "this column has no name in the header but holds data"
            problems.append(Problem(name, first[0], f"column {i + 1}", first[1], reason))
    clean = _memo(_clean)
    values = {i: _memo(_value_reader(header[i])) for i in bd_is}
    parse = _period_reader(cells[year_i] for _, cells in raw_rows)
    rows: list[_Row] = []
    placeholders: list[_Row] = []
    for n, cells in raw_rows:
        label = cells[year_i].strip()
        value = cells[value_i].strip()
        unit = next((u for u in (clean(cells[i]) for i in unit_is) if u and u.lower() not in MULTIPLIER_WORDS), None)
        row = _Row(
            n,
            label,
            None,
            clean(cells[series_i]) or None if series_i is not None else None,
            unit,
            {header[i]: values[i](cells[i]) for i in bd_is},
            clean(cells[geo_i]) if geo_i is not None else "",
            clean(cells[status_i]) if status_i is not None else "",
            value,
        )
        try:
            row.period, row.markers = parse(label)
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
    unit_headers = [header[i] for i in unit_is]
    rows, phantoms = _without_phantoms(name, rows, unit_headers, series_i is not None)
    return _Table(
        path,
        indicator,
        header,
        [header[i] for i in bd_is],
        unit_headers,
        rows,
        placeholders,
        problems + phantoms,
        sha256 or sha256_of(path),
        _read_as(path, opts),
    )


def _value_reader(header: str) -> Callable[[str], str]:
    prefixed = header.strip().lower().startswith("data.")
    return lambda cell: breakdown_value(cell, prefixed)


def _without_phantoms(name: str, rows: list[_Row], unit_headers: list[str], has_series: bool):
    """Rows with no value and no unit, in a file whose other rows name units, hold nothing and
    belong to no series: left out (one warning per series), so they never become a measure."""
    if not any(r.unit for r in rows):
        return rows, []
    empty: dict[str, list[_Row]] = {}
    filled: set[str] = set()
    for r in rows:
        if r.unit is None:
            series = _row_key(r)[0]
            empty.setdefault(series, []).append(r)
            if r.value != "":
                filled.add(series)
    phantom = {k: rs for k, rs in empty.items() if k not in filled}
    if not phantom:
        return rows, []
    problems = []
    for rs in phantom.values():
        first = rs[0]
        where = f" of series {first.series or '(none)'!r}" if has_series else ""
        problems.append(
            Problem(
                name,
                first.row,
                unit_headers[0],
                None,
                f"no value and no unit{where}: not a series of its own; skipped" + _more(len(rs) - 1),
                "warning",
            )
        )
    skip = {id(r) for rs in phantom.values() for r in rs}
    return [r for r in rows if id(r) not in skip], problems


def _more(n: int) -> str:
    return f" (and {n:,} more row{'s' if n > 1 else ''} like it)" if n else ""


def _status_and_note(row: _Row) -> tuple[str, str]:
    obs = row.status
    low = obs.lower()
    marks = [(m, *YEAR_MARKERS[_marker_key(m)]) for m in row.markers]
    if row.value == "":
        status, note = "suppressed", f"blank in source: {obs}" if obs else "blank in source"
    elif "provisional" in low:
        status, note = "provisional", "" if low in STATUS_OF else obs
    elif low in STATUS_OF:
        status, note = STATUS_OF[low], ""
    elif low.startswith("estimated"):
        status, note = "estimated", obs
    else:
        status = next((s for _, s, _ in marks if s), "")
        note = "" if low in NORMAL_STATUS else obs
    notes = [note] if note else []
    notes += [f"Year marked {m!r}: {meaning}" for m, s, meaning in marks if not s or s != status]
    return status, "; ".join(notes)


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


# the Table each file was read into, while an import loads what it has just read (see `reusing`)
_REUSABLE: ContextVar[dict[Path, _Table] | None] = ContextVar("open_sdg_reusable", default=None)


@contextmanager
def reusing(tables: Iterable[_Table]) -> Iterator[None]:
    """Within the block, `read_open_sdg_file` takes these tables as the reading of their files
    instead of parsing them again; a file whose bytes or reading options have changed is read anew."""
    token = _REUSABLE.set({t.path.resolve(): t for t in tables})
    try:
        yield
    finally:
        _REUSABLE.reset(token)


def _table_of(path: Path, opts: ReadOptions) -> _Table:
    digest = sha256_of(path)
    known = (_REUSABLE.get() or {}).get(path.resolve())
    if known is not None and known.sha256 == digest and known.read_as == _read_as(path, opts):
        return known
    return _read_table(path, opts, digest)


def read_open_sdg_file(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    """Read one Open SDG indicator CSV into the contract shape, mapped onto its measures."""
    path = Path(path)
    table = _table_of(path, opts)
    name = path.name
    problems = list(table.problems)
    index = _measure_index(defs, table.indicator)
    series_known = {s for s, _ in index}
    unmatched: dict[tuple[str, str], list[_Row]] = {}
    out: dict[str, list] = {c: [] for c in STANDARD_COLUMNS}
    bd_out: dict[str, list[str]] = {}
    seen: dict[tuple, _Row] = {}
    names: dict[str, tuple[dict[str, str], str | None]] = {}  # measure -> (header -> breakdown, GeoCode's)
    count = 0
    for r in table.rows:
        candidates = index.get(_row_key(r))
        if not candidates:
            unmatched.setdefault(_row_key(r), []).append(r)
            continue
        m = _pick(candidates, org, r.period)
        if m.id not in names:
            names[m.id] = _breakdowns_of(m, table.breakdown_headers)
        headers, geo = names[m.id]
        cells = {headers[h]: v for h, v in r.cells.items() if v}
        if geo and r.geocode:  # attribute columns (GeoCode) only when a measure maps them
            cells[geo] = breakdown_value(r.geocode)
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
    return Extracted(path, "open_sdg", table.sha256, frame, list(bd_out), problems,
                     source_columns={"value": "Value", "period": "Year", "status": "Observation status"})


def _breakdowns_of(m: Measure, headers: list[str]) -> tuple[dict[str, str], str | None]:
    """The breakdown each disaggregation header feeds in measure `m`, and GeoCode's where `m` maps it."""
    columns = m.open_sdg.columns
    named = {h: columns.get(h) or columns.get(_bare(h)) or breakdown_name(h) for h in headers}
    geo = next((b for h, b in columns.items() if _bare(h).lower() == "geocode"), None)
    return named, geo


def _unmatched_problems(name, table: _Table, index, series_known, unmatched) -> list[Problem]:
    """One error per kind of row no measure takes, at its first row, with how many more."""
    if unmatched and not index:
        rows = sorted((r for rs in unmatched.values() for r in rs), key=lambda r: r.row)
        return [
            Problem(
                name,
                rows[0].row,
                None,
                None,
                f"no measure is defined for Open SDG indicator {table.indicator}" + _more(len(rows) - 1),
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
        out.append(Problem(name, r.row, column, value, reason + _more(len(rows) - 1)))
    return out
