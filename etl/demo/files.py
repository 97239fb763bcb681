"""Writing a load's rows in the three formats the ETL reads: the standard tidy CSV, Excel
(EXCEL_ORGS) and Open SDG CSV (OPEN_SDG_ORGS, one `indicator_<id>.csv` per indicator for the
measures that declare `open_sdg`). Same rows give byte-identical files."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from etl.demo.observations import Obs
from etl.demo.stories import EXCEL_ORGS, OPEN_SDG_ORGS
from goal_councils import Definitions, Measure
from goal_councils.periods import Period

FIXED_STAMP = datetime(2026, 1, 1)  # written into xlsx files instead of "now"


def _text(m: Measure, value: float | None) -> str:
    return "" if value is None else f"{value:.{m.decimals}f}"


def _tidy_rows(defs: Definitions, obs: list[Obs]) -> tuple[list[str], list[list]]:
    """Header and rows of the standard format: one column per breakdown the rows use."""
    used = {d for o in obs for d, _ in o.group}
    dims = [d for d in defs.breakdowns if d in used]
    header = ["measure_id", "period", "value", "status", "note", *dims]
    rows = []
    for o in obs:
        m = defs.measures[o.measure]
        cells = dict(o.group)
        rows.append(
            [
                o.measure,
                o.period.label,
                o.value if o.value is None else round(o.value, m.decimals),
                o.status,
                o.note,
                *(cells.get(d, "") for d in dims),
            ]
        )
    return header, rows


def _write_csv(path: Path, header: list[str], rows: list[list], defs: Definitions) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            m = defs.measures[r[0]]
            w.writerow([r[0], r[1], _text(m, r[2]), *r[3:]])


def _write_xlsx(path: Path, header: list[str], rows: list[list], defs: Definitions) -> None:
    """First sheet, same columns as the CSV; zip entries and properties stamped with a fixed
    time so that the same rows always give the same bytes."""
    import openpyxl
    from openpyxl.xml.functions import tostring

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("submission")
    sheet.append(header)
    for r in rows:
        value = r[2]
        if value is not None and defs.measures[r[0]].decimals == 0:
            value = int(value)
        sheet.append([r[0], r[1], value, *(c or None for c in r[3:])])
    buf = io.BytesIO()
    book.save(buf)
    book.properties.creator = "Shared Outcomes demo"
    book.properties.created = book.properties.modified = FIXED_STAMP
    core = tostring(book.properties.to_tree())
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)


TIDY_WRITERS: dict[str, Callable[[Path, list[str], list[list], Definitions], None]] = {
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
}


def _sdg_year(p: Period) -> str:
    if p.frequency == "quarterly":
        return f"{p.start.year} Q{(p.start.month - 1) // 3 + 1}"
    return p.label


def _write_open_sdg(path: Path, defs: Definitions, obs: list[Obs]) -> None:
    """An Open SDG indicator file: Year, Series, Units, the source's own disaggregation
    columns, Value; a blank disaggregation is the total."""
    columns: list[str] = []
    for mid in dict.fromkeys(o.measure for o in obs):
        for col in defs.measures[mid].open_sdg.columns:
            if col not in columns:
                columns.append(col)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Year", "Series", "Units", *columns, "Value"])
        for o in obs:
            if o.value is None:
                continue  # Open SDG files leave suppressed cells out
            m = defs.measures[o.measure]
            src = m.open_sdg
            by_breakdown = {b: col for col, b in src.columns.items()}
            cells = {by_breakdown[d]: v for d, v in o.group}
            w.writerow(
                [
                    _sdg_year(o.period),
                    src.series or "",
                    src.unit or "",
                    *(cells.get(c, "") for c in columns),
                    _text(m, o.value),
                ]
            )


def write_load(defs: Definitions, folder: Path, org: str, label: str, obs: list[Obs]) -> tuple[Path, ...]:
    """Write one load's rows under `folder` in the organisation's format; the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    obs = sorted(obs, key=lambda o: o.order)
    files: list[Path] = []
    tidy = obs
    if org in OPEN_SDG_ORGS:
        # measures with an Open SDG source go to indicator files; any others to the tidy file
        by_indicator: dict[str, list[Obs]] = defaultdict(list)
        tidy = []
        for o in obs:
            src = defs.measures[o.measure].open_sdg
            (by_indicator[src.indicator] if src else tidy).append(o)
        for indicator, rows in sorted(by_indicator.items()):
            path = folder / f"indicator_{indicator}.csv"
            _write_open_sdg(path, defs, rows)
            files.append(path)
    if tidy:
        header, rows = _tidy_rows(defs, tidy)
        suffix = ".xlsx" if org in EXCEL_ORGS else ".csv"
        path = folder / f"{org}_{label}{suffix}"
        TIDY_WRITERS[suffix](path, header, rows, defs)
        files.append(path)
    return tuple(files)
