"""Tables: the shapes every submission reader shares, and reading a file's cells as text.

`Problem` (one thing wrong, located by file, row and column), `ExtractError`, `ReadOptions`
(what the submitter declares), `Extracted` (a reader's result) and the two table readers
(`read_table_csv`, `read_table_excel`) that turn bytes into a header and numbered rows of text.
The format readers (`extract` for tidy CSV and Excel, `open_sdg` for Open SDG CSV) build on these;
this module imports neither, so they never import each other in a circle.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = [
    "Problem", "Extracted", "ExtractError", "ReadOptions", "sha256_of", "read_table_csv", "read_table_excel",
    "frame_from_rows", "REQUIRED", "OPTIONAL", "STANDARD_COLUMNS", "SHOWN_CHARS",
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


def frame_from_rows(path: Path, header: list[str], rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
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
