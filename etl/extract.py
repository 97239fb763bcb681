"""Extract: read a submission file (tidy CSV, Excel, Open SDG CSV) into the contract shape.

Every reader returns an `Extracted`: a frame of text columns `row` (the line or sheet row a
person would look at; the header is row 1), `measure_id`, `period`, `period_label`, `value`,
`status`, `note` and one column per breakdown, plus the problems found while reading.
Nothing is judged here beyond what reading needs; `validate` judges the rows in DuckDB.

Exceptions: ExtractError (the file cannot be read at all) carries its Problems.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from goal_councils import Definitions

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
]

REQUIRED = ("measure_id", "period", "value")
OPTIONAL = ("status", "note")
STANDARD_COLUMNS = ("row", "measure_id", "period", "period_label", "value", "status", "note")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, located as precisely as the reader knows."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    severity: str = "error"  # 'error' rejects the load; 'warning' is reported, row skipped

    def __str__(self) -> str:
        where = ":".join(_clip(str(x), SHOWN_CHARS) for x in (self.file, self.row, self.column) if x not in (None, ""))
        shown = "" if self.value in (None, "") else f" (value {_quoted(self.value)})"
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{where}: {tag}{_clip(self.reason, 4 * SHOWN_CHARS)}{shown}"


SHOWN_CHARS = 80  # a problem line quotes at most this much of any one text from the file


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit - 1]}… ({len(text):,} characters)"


def _quoted(value) -> str:
    text = str(value)
    return repr(text) if len(text) <= SHOWN_CHARS else f"{text[:SHOWN_CHARS - 1]!r}… ({len(text):,} characters)"


class ExtractError(Exception):
    """The file cannot be read at all; `.problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class ReadOptions:
    """What the submitter declares about the file (command-line flags)."""

    delimiter: str = ","
    decimal: str = "."
    encoding: str = "utf-8"
    sheet: str | None = None
    format: str | None = None  # force 'csv' | 'excel' | 'open_sdg'
    indicator: str | None = None  # Open SDG indicator id when the file name does not say
    # a published repository repeats rows now and then: the import keeps the first and warns;
    # a submission with conflicting repeats is rejected
    tolerate_repeats: bool = False

    def check(self) -> None:
        """Raise ValueError for options that cannot be used (a usage error, not bad data)."""
        if len(self.delimiter) != 1:
            raise ValueError(f"--delimiter must be one character, not {self.delimiter!r} (for a tab: $'\\t')")
        if self.delimiter in ('"', "\n", "\r"):
            raise ValueError(f"--delimiter cannot be {self.delimiter!r}")
        try:
            codecs.lookup(self.encoding)
        except LookupError as e:
            raise ValueError(f"--encoding {self.encoding!r} is not an encoding Python knows") from e

    @property
    def fingerprint(self) -> str:
        """What changes how the bytes of a file are read (a re-sent file is matched on this too)."""
        return f"delimiter={self.delimiter!r};decimal={self.decimal!r};encoding={self.encoding};sheet={self.sheet};" \
               f"format={self.format};indicator={self.indicator}"


@dataclass
class Extracted:
    file: Path
    format: str
    sha256: str
    frame: pd.DataFrame  # STANDARD_COLUMNS + breakdown columns, all text ('' = empty)
    breakdown_columns: list[str]
    problems: list[Problem] = field(default_factory=list)
    # contract column -> the file's own header, where they differ (Open SDG: value -> Value)
    source_columns: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.file.name


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _decode(path: Path, raw: bytes, opts: ReadOptions) -> str:
    name = path.name
    if raw.startswith(b"PK\x03\x04"):
        raise ExtractError([Problem(name, None, None, None,
                                    "this is a zip file (an Excel workbook?), not text; save it as .xlsx or as CSV")])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode(opts.encoding)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ExtractError([Problem(
            name, line, None, None,
            f"file is not {opts.encoding.upper()} (byte 0x{raw[e.start]:02x} cannot be read); "
            "save it as UTF-8, or declare its encoding with --encoding (e.g. --encoding cp1252)",
        )]) from e
    except LookupError as e:
        raise ExtractError([Problem(name, None, None, opts.encoding, "unknown encoding")]) from e


def _frame_from_rows(path: Path, header: list[str], rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """Rows of text with their source row numbers -> a frame; ragged rows are reported by the caller."""
    data = {h: [r[i] if i < len(r) else "" for _, r in rows] for i, h in enumerate(header)}
    frame = pd.DataFrame(data, dtype=object)
    frame.insert(0, "row", pd.array([n for n, _ in rows], dtype="int64"))
    return frame


def read_table_csv(path: Path, opts: ReadOptions) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """Read a delimited text file: header and (row number, cells) pairs; ragged rows reported."""
    text = _decode(path, path.read_bytes(), opts)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=opts.delimiter)
    problems: list[Problem] = []
    try:
        header = next(reader)
    except StopIteration:
        raise ExtractError([Problem(path.name, None, None, None, "file is empty")]) from None
    except csv.Error as e:
        raise ExtractError([Problem(path.name, 1, None, None, f"cannot read the header: {e}")]) from e
    header = [h.strip() for h in header]
    if opts.delimiter == "," and len(header) == 1 and "\t" in header[0]:
        raise ExtractError([Problem(path.name, 1, None, header[0][:60],
                                    "the header uses tabs as delimiter; declare it with --delimiter $'\\t'")])
    if opts.delimiter == "," and len(header) == 1 and ";" in header[0]:
        raise ExtractError([Problem(
            path.name, 1, None, header[0][:60],
            "the header uses ';' as delimiter; declare it with --delimiter ';' "
            "(and --decimal ',' if numbers use decimal commas)",
        )])
    rows: list[tuple[int, list[str]]] = []
    line = reader.line_num
    try:
        for cells in reader:
            start, line = line + 1, reader.line_num
            if not cells or all(c.strip() == "" for c in cells):
                continue  # a blank line carries no observation
            if len(cells) != len(header):
                problems.append(Problem(
                    path.name, start, None, None,
                    f"row has {len(cells)} fields, the header has {len(header)}",
                ))
                continue
            rows.append((start, cells))
    except csv.Error as e:
        problems.append(Problem(path.name, line + 1, None, None, f"cannot read the row: {e}"))
    return header, rows, problems


def read_table_excel(path: Path, opts: ReadOptions) -> tuple[list[str], list[tuple[int, list[str]]], list[Problem]]:
    """First sheet (or `opts.sheet`) of a workbook, as text, with sheet row numbers."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a damaged file
        raise ExtractError([Problem(path.name, None, None, None, f"not a readable .xlsx workbook: {e}")]) from e
    try:
        if opts.sheet is not None:
            if opts.sheet not in book.sheetnames:
                raise ExtractError([Problem(path.name, None, None, opts.sheet,
                                            f"no sheet of that name (sheets: {', '.join(book.sheetnames)})")])
            sheet = book[opts.sheet]
        else:
            sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        try:
            header = [("" if c is None else str(c)).strip() for c in next(it)]
        except StopIteration:
            raise ExtractError([Problem(path.name, None, None, sheet.title,
                                        f"the sheet is empty (sheets: {', '.join(book.sheetnames)}; "
                                        "choose one with --sheet)")]) from None
        while header and header[-1] == "":
            header.pop()
        rows, problems = [], []
        for n, cells in enumerate(it, start=2):
            text = [_cell_text(c) for c in cells]
            if any(t != "" for t in text[len(header):]):
                extra = next(i for i, t in enumerate(text) if i >= len(header) and t != "")
                problems.append(Problem(path.name, n, f"column {extra + 1}", text[extra],
                                        "this column has no name in the header but holds data"))
            text = text[: len(header)] + [""] * max(0, len(header) - len(text))
            if all(t == "" for t in text):
                continue
            rows.append((n, text))
        return header, rows, problems
    finally:
        book.close()


def _cell_text(c) -> str:
    if c is None:
        return ""
    if isinstance(c, float) and c.is_integer():
        return str(int(c))
    if hasattr(c, "strftime"):
        return c.strftime("%Y-%m-%d")
    return str(c)


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


def _standard(path: Path, fmt: str, header, rows, problems, defs: Definitions, org: str, opts) -> Extracted:
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        if h in RESERVED:
            raise ExtractError(problems + [Problem(path.name, 1, h, None, f"column name {h!r} is reserved; rename it")])
        if h == "":
            filled = next((n for n, cells in rows if i < len(cells) and str(cells[i]).strip()), None)
            if filled is not None:
                problems.append(Problem(path.name, filled, f"column {i + 1}", None,
                                        "this column has no name in the header but holds data"))
            continue
        if h in seen:
            problems.append(Problem(path.name, 1, h, None, f"column appears twice (columns {seen[h] + 1} and {i + 1})"))
        seen.setdefault(h, i)
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        raise ExtractError(problems + [
            Problem(path.name, 1, c, None, "required column is missing") for c in missing
        ])
    breakdowns = [h for h in header if h not in REQUIRED + OPTIONAL and h]
    frame = _frame_from_rows(path, header, rows)
    for col in ("status", "note"):
        if col not in frame:
            frame[col] = ""
    frame["period_label"] = frame["period"]
    if opts.decimal == "," and fmt == "csv":  # Excel numbers are numbers already
        frame["value"] = frame["value"].map(_from_decimal_comma)
    frame = frame[list(STANDARD_COLUMNS) + breakdowns]
    if not rows and not problems:
        raise ExtractError([Problem(path.name, None, None, None, "the file has a header but no data rows")])
    return Extracted(path, fmt, sha256_of(path), frame, breakdowns, problems)


def read_csv(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    header, rows, problems = read_table_csv(path, opts)
    return _standard(path, "csv", header, rows, problems, defs, org, opts)


def read_excel(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    header, rows, problems = read_table_excel(path, opts)
    return _standard(path, "excel", header, rows, problems, defs, org, opts)


def read_open_sdg(path: Path, defs: Definitions, org: str, opts: ReadOptions) -> Extracted:
    from .open_sdg import read_open_sdg_file

    return read_open_sdg_file(path, defs, org, opts)


READERS: dict[str, Callable[..., Extracted]] = {
    "csv": read_csv,
    "excel": read_excel,
    "open_sdg": read_open_sdg,
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
