"""Extract: read a submission file (tidy CSV, Excel, Open SDG CSV) into the contract shape.

Every reader returns an `Extracted` (etl/tables.py): a frame of text columns `row` (the line or
sheet row a person would look at; the header is row 1), `measure_id`, `period`, `period_label`,
`value`, `status`, `note` and one column per breakdown, plus the problems found while reading.
A standard CSV's rows are not read here: its bytes and header are checked, and `validate` streams
its rows into DuckDB (`CsvRows`), so that a load's memory does not grow with the file.
Nothing is judged here beyond what reading needs; `validate` judges the rows in DuckDB.
`READERS` maps each format to its reader; Open SDG's lives in `etl/open_sdg.py`.

Exceptions: ExtractError (the file cannot be read at all) carries its Problems.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from goal_councils import Definitions

from .open_sdg_reader import read_open_sdg_file
from .tables import (
    NO_ROWS,
    OPTIONAL,
    REQUIRED,
    STANDARD_COLUMNS,
    UNNAMED_WITH_DATA,
    CsvRows,
    Extracted,
    ExtractError,
    Problem,
    ReadOptions,
    frame_from_rows,
    read_table_excel,
    scan_csv,
    sha256_of,
)

__all__ = [
    "Problem",
    "Extracted",
    "ExtractError",
    "ReadOptions",
    "READERS",
    "extract",
    "detect_format",
    "sha256_of",
    "REQUIRED",
    "OPTIONAL",
    "STANDARD_COLUMNS",
]

RESERVED = ("row", "period_label", "file")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")


def _from_decimal_comma(text: str) -> str:
    """'1.234,5' -> '1234.5'; '12,5' -> '12.5'; anything else is left for the value check."""
    t = text.strip()
    if THOUSANDS.match(t):
        return t.replace(".", "").replace(",", ".")
    if "," in t and "." not in t:
        return t.replace(",", ".")
    return t


def _columns(path: Path, header: list[str], problems: list[Problem], line: int = 1) -> dict[str, int]:
    """Where each named column is (the first, if a name repeats); reserved, repeated and missing names."""
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in RESERVED:
            raise ExtractError(problems + [
                Problem(path.name, line, h, None, f"column name {h!r} is reserved; rename it")])
        if h == "":
            continue
        if h in seen:
            problems.append(Problem(path.name, line, h, None,
                                    f"column appears twice (columns {seen[h] + 1} and {i + 1})"))
        seen.setdefault(h, i)
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise ExtractError(problems + [
            Problem(path.name, line, c, None, "required column is missing") for c in missing
        ])
    return seen


def _standard(path: Path, fmt: str, header, rows, problems, defs: Definitions, org: str, opts) -> Extracted:
    seen = _columns(path, header, problems)
    for i in (i for i, h in enumerate(header) if h == ""):
        filled = next((n for n, cells in rows if i < len(cells) and str(cells[i]).strip()), None)
        if filled is not None:
            problems.append(Problem(path.name, filled, f"column {i + 1}", None, UNNAMED_WITH_DATA))
    breakdowns = [h for h in seen if h not in REQUIRED + OPTIONAL]
    frame = frame_from_rows(path, header, rows)
    for col in ("status", "note"):
        if col not in frame:
            frame[col] = ""
    frame["period_label"] = frame["period"]
    if opts.decimal == "," and fmt == "csv":  # Excel numbers are numbers already
        frame["value"] = frame["value"].map(_from_decimal_comma)
    frame = frame[list(STANDARD_COLUMNS) + breakdowns]
    if not rows and not problems:
        raise ExtractError([Problem(path.name, None, None, None, NO_ROWS)])
    return Extracted(path, fmt, sha256_of(path), frame, breakdowns, problems)


def read_csv(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    """A standard CSV: bytes and header checked here, rows left for DuckDB when staged."""
    text = scan_csv(path, opts)
    problems: list[Problem] = []
    seen = _columns(path, text.header, problems, text.header_line)
    rows = CsvRows(path, opts, width=len(text.header), columns=seen,
                   unnamed=[i for i, h in enumerate(text.header) if h == ""], blank_above=text.header_line - 1,
                   lines=text.lines, quoted=text.quoted)
    return Extracted(path, "csv", text.sha256, rows, [h for h in seen if h not in REQUIRED + OPTIONAL], problems)


def read_excel(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    header, rows, problems = read_table_excel(path, opts)
    return _standard(path, "excel", header, rows, problems, defs, org, opts)


READERS: dict[str, Callable[..., Extracted]] = {
    "csv": read_csv,
    "excel": read_excel,
    "open_sdg": read_open_sdg_file,
}


def detect_format(path: Path, opts: ReadOptions) -> str:
    """'excel' by extension; a CSV whose header has Year and Value but no measure_id is Open SDG."""
    if opts.format:
        return opts.format
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return "excel"
    try:
        with open(path, "rb") as f:
            first = f.readline(64 * 1024).decode("utf-8-sig", errors="replace")
    except OSError:
        return "csv"
    cols = {c.strip().strip('"') for c in first.strip().split(opts.delimiter)}
    if "measure_id" not in cols and "Year" in cols and "Value" in cols:
        return "open_sdg"
    return "csv"


def extract(path: Path, defs: Definitions, org: str, opts: ReadOptions = ReadOptions()) -> Extracted:
    """Read one submission file of any supported format."""
    path = Path(path)
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "no such file"
        raise ExtractError([Problem(str(path), None, None, None, what)])
    fmt = detect_format(path, opts)
    if fmt not in READERS:
        raise ExtractError([Problem(path.name, None, None, fmt, f"unknown format (known: {', '.join(READERS)})")])
    return READERS[fmt](path, defs, org, opts)
