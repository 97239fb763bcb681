"""Tables: the shapes every submission reader shares, and reading a file's cells as text.

`Problem` (one thing wrong, located by file, row and column), `ExtractError`, `ReadOptions`
(what the submitter declares), `Extracted` (a reader's result) and the two table readers
(`read_table_csv`, `read_table_excel`) that turn bytes into a header and numbered rows of text.
The format readers (`extract` for tidy CSV and Excel, `open_sdg` for Open SDG CSV) build on these;
this module imports neither, so they never import each other in a circle.

A standard CSV is not read into Python rows: `scan_csv` checks its bytes in one pass and reads the
header, and `etl.validate` streams the rows into DuckDB (`CsvRows` says how), with `write_utf8`
for a UTF-8 copy where DuckDB cannot read the file itself.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pandas as pd

__all__ = [
    "Problem", "Extracted", "ExtractError", "ReadOptions", "sha256_of", "read_table_csv", "read_table_excel",
    "frame_from_rows", "REQUIRED", "OPTIONAL", "STANDARD_COLUMNS", "SHOWN_CHARS",
    "CsvText", "CsvRows", "scan_csv", "write_utf8", "MAX_COLUMNS", "NO_ROWS", "UNNAMED_WITH_DATA",
]

REQUIRED = ("measure_id", "period", "value")
OPTIONAL = ("status", "note")
STANDARD_COLUMNS = ("row", "measure_id", "period", "period_label", "value", "status", "note")
# a standard file has five columns and one per breakdown; thousands are a spreadsheet's stray cells
MAX_COLUMNS = 1_000
NO_ROWS = "the file has a header but no data rows"
UNNAMED_WITH_DATA = "this column has no name in the header but holds data"
CHUNK = 1 << 20  # bytes read at a time: what a pass over a file holds in memory


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
class CsvRows:
    """The rows of a standard CSV, read by DuckDB when the submission is staged (`etl.validate`).

    `columns` maps each contract and breakdown column to its position in the header; `unnamed`
    lists the positions whose name is empty (they must stay empty). `len()` is the number of data
    rows, known once the file is staged.
    """

    path: Path
    options: ReadOptions
    width: int  # fields in the header
    columns: dict[str, int]
    unnamed: list[int]
    blank_above: int  # blank lines above the header
    lines: int  # the last line that holds any text
    quoted: bool  # a quote character appears, so a row may span lines
    rows: int | None = None

    def __len__(self) -> int:
        if self.rows is None:
            raise RuntimeError(f"{self.path.name}: rows are counted when the file is staged")
        return self.rows


@dataclass
class Extracted:
    file: Path
    format: str
    sha256: str
    # STANDARD_COLUMNS + breakdown columns, all text ('' = empty); a standard CSV's rows stay in the
    # file until staged (CsvRows)
    frame: pd.DataFrame | CsvRows
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


def _not_text(name: str, raw: bytes) -> None:
    if raw.startswith(b"PK\x03\x04"):
        raise ExtractError([Problem(name, None, None, None,
                                    "this is a zip file (an Excel workbook?), not text; save it as .xlsx or as CSV")])


def _undecodable(name: str, line: int, byte: int, opts: ReadOptions) -> Problem:
    return Problem(name, line, None, None,
                   f"file is not {opts.encoding.upper()} (byte 0x{byte:02x} cannot be read); "
                   "save it as UTF-8, or declare its encoding with --encoding (e.g. --encoding cp1252)")


def _decode(path: Path, raw: bytes, opts: ReadOptions) -> str:
    name = path.name
    _not_text(name, raw)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    try:
        return raw.decode(opts.encoding)
    except UnicodeDecodeError as e:
        raise ExtractError([_undecodable(name, raw[: e.start].count(b"\n") + 1, raw[e.start], opts)]) from e
    except LookupError as e:
        raise ExtractError([Problem(name, None, None, opts.encoding, "unknown encoding")]) from e


def _checked_header(name: str, header: list[str], opts: ReadOptions, line: int = 1) -> list[str]:
    """The header's names, stripped; a header that is one cell holding tabs or semicolons is refused."""
    header = [h.strip() for h in header]
    if opts.delimiter == "," and len(header) == 1 and "\t" in header[0]:
        raise ExtractError([Problem(name, line, None, header[0][:60],
                                    "the header uses tabs as delimiter; declare it with --delimiter $'\\t'")])
    if opts.delimiter == "," and len(header) == 1 and ";" in header[0]:
        raise ExtractError([Problem(
            name, line, None, header[0][:60],
            "the header uses ';' as delimiter; declare it with --delimiter ';' "
            "(and --decimal ',' if numbers use decimal commas)",
        )])
    return header


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
    header = _checked_header(path.name, header, opts)
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


@dataclass(frozen=True)
class CsvText:
    """What one pass over a CSV's bytes and a read of its header tell; no row is kept."""

    sha256: str
    header: list[str]
    header_line: int  # the line the header starts on (1 unless blank lines come first)
    lines: int  # the last line that holds any text
    quoted: bool  # a quote character appears, so a row may span lines


def _breaks(text: str) -> int:
    """Line breaks as Python's csv reader counts lines: \\r\\n, \\r and \\n each end one."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


@contextmanager
def _open_text(path: Path, opts: ReadOptions, errors: str = "strict") -> Iterator[TextIO]:
    """The file as text in the declared encoding, a UTF-8 byte order mark skipped, line ends kept."""
    with open(path, "rb") as raw:
        if raw.read(len(codecs.BOM_UTF8)) != codecs.BOM_UTF8:
            raw.seek(0)
        with io.TextIOWrapper(raw, encoding=opts.encoding, errors=errors, newline="") as text:
            yield text


def _header(path: Path, opts: ReadOptions) -> tuple[list[str], int]:
    """The first record that is not a blank line, and the line it starts on. (A byte the encoding
    cannot read is replaced here: the pass over the bytes reports it, with its line.)"""
    with _open_text(path, opts, errors="replace") as text:
        reader = csv.reader(text, delimiter=opts.delimiter)
        start = 1
        try:
            for cells in reader:
                if cells:
                    return _checked_header(path.name, cells, opts, start), start
                start = reader.line_num + 1
        except csv.Error as e:
            raise ExtractError([Problem(path.name, start, None, None, f"cannot read the header: {e}")]) from e
    raise ExtractError([Problem(path.name, None, None, None, "file is empty")])


def scan_csv(path: Path, opts: ReadOptions) -> CsvText:
    """Read the header, refuse an absurdly wide one, then pass once over the bytes: decoded in the
    declared encoding (the first byte that is not is reported with its line), hashed, lines counted."""
    name = path.name
    try:
        decoder = codecs.getincrementaldecoder(opts.encoding)("strict")
    except LookupError as e:
        raise ExtractError([Problem(name, None, None, opts.encoding, "unknown encoding")]) from e
    with open(path, "rb") as f:
        _not_text(name, f.read(4))
    header, header_line = _header(path, opts)
    if len(header) > MAX_COLUMNS:
        unnamed = sum(h == "" for h in header)
        raise ExtractError([Problem(
            name, header_line, None, None,
            f"the header has {len(header):,} columns ({unnamed:,} without a name); a standard file has at most "
            f"{MAX_COLUMNS:,}: measure_id, period, value, status, note and one per breakdown "
            "(delete the empty columns a spreadsheet may have added)")])
    digest = hashlib.sha256()
    newlines = lines = last = 0  # b"\n" before this chunk (to place a decoding error); line breaks; last text line
    quoted, carry, first = False, "", True
    with open(path, "rb") as f:
        while True:
            raw = f.read(CHUNK)
            digest.update(raw)
            data = raw[len(codecs.BOM_UTF8):] if first and raw.startswith(codecs.BOM_UTF8) else raw
            first = False
            pending = getattr(decoder, "buffer", b"")  # bytes of a character the last chunk split
            try:
                text = carry + decoder.decode(data, final=not raw)
            except UnicodeDecodeError as e:
                at = newlines - pending.count(b"\n") + e.object[: e.start].count(b"\n") + 1
                raise ExtractError([_undecodable(name, at, e.object[e.start], opts)]) from e
            newlines += data.count(b"\n")
            carry = "\r" if raw and text.endswith("\r") else ""  # it may begin a \r\n
            text = text[: len(text) - len(carry)]
            quoted = quoted or '"' in text
            content = text.rstrip("\r\n")
            if content:
                last = lines + _breaks(content) + 1
            lines += _breaks(text)
            if not raw:
                break
    return CsvText(digest.hexdigest(), header, header_line, last, quoted)


def write_utf8(rows: CsvRows, target: Path, *, exact: bool) -> tuple[Problem | None, dict[int, int]]:
    """Copy a CSV as UTF-8 for DuckDB. Plain: transcoded a chunk at a time. Exact: record by record
    through Python's csv reader, a blank line written as `""`, so that DuckDB reads every record the
    reader does and each record's line follows from the records before it (for a file DuckDB's own
    reading of which does not add up). Returns the problem that stopped the reader, if one did, and
    the fields of each record longer than the header, by line (DuckDB reads one field past the header)."""
    longer: dict[int, int] = {}
    with _open_text(rows.path, rows.options) as text, open(target, "w", encoding="utf-8", newline="") as out:
        if not exact:
            while chunk := text.read(CHUNK):
                out.write(chunk)
            return None, longer
        reader = csv.reader(text, delimiter=rows.options.delimiter)
        writer = csv.writer(out, delimiter=rows.options.delimiter, lineterminator="\r\n")
        line, width = 0, rows.width
        try:
            for cells in reader:
                if len(cells) > width and any(c.strip() for c in cells):
                    longer[line + 1] = len(cells)
                # DuckDB reads one field past the header: the rest go into it, so that their line breaks count
                cells = cells[:width] + ["".join(cells[width:])] if len(cells) > width + 1 else cells
                writer.writerow(cells or [""])
                line = reader.line_num
        except csv.Error as e:
            return Problem(rows.path.name, line + 1, None, None, f"cannot read the row: {e}"), longer
    return None, longer


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
