"""Uploads: a file sent from the browser, checked by its content, stored safely in the home
folder, checked like a load without loading, then loaded; and an organisation's load history.

    store_upload(home, org, filename, contents, by=...)  base64 from the browser -> Upload on disk
    stored_upload(home, org, upload_id)                  the upload of that id, for that organisation
    check_upload(home, upload, ...)                      every check of a load, and what it would change
    load_upload(home, upload, by=...)                    load and publish it (etl.load.load_batch)
    load_history(home, org)                              the organisation's loads, newest first

Rules for what is stored (the browser is never trusted):

  - size: the base64 text is measured before it is decoded; a file over the limit is refused;
  - type by content, never by name or the browser's declared type: a CSV must be UTF-8 text (no
    zip, no binary, no UTF-16); an Excel workbook must be a zip holding `[Content_Types].xml` and
    `xl/workbook.xml`, without macros, and not a zip bomb;
  - the browser's file name is never a path: the file is stored as
    HOME/uploads/<org>/<sha256>.<csv|xlsx>; the name is kept only as text, made safe, beside it
    (<sha256>.json) and in reports;
  - the organisation is always the caller's (the page passes the signed-in steward's).

A load from the browser never supersedes: rows that would turn a later correction back into an
older figure are reported and not applied (an administrator can apply them with
`outcomes load --supersede` on the stored file).

Exceptions:

    UploadRefused   the file is not stored or not loaded; `str(e)` says why, for its sender
    Unavailable     the home cannot check or load just now (definitions unreadable, a new warehouse
                    cannot be built); the upload stays stored
    etl.load.Rejected from load_upload: the file fails the checks (nothing is published)
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import io
import json
import os
import re
import uuid
import zipfile
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath, PureWindowsPath

from goal_councils import Definitions, DefinitionsError

from .extract import Problem, ReadOptions, detect_format, sha256_of
from .home import Home, safe_name
from .load import NOT_APPLIED, LoadRequest, LoadResult, load_batch, preview
from .plans import read_definitions
from .warehouse import PublishError

__all__ = [
    "MAX_UPLOAD_BYTES", "PREVIEW_ROWS", "FORMATS", "Upload", "UploadRefused", "Unavailable", "Check", "decode_upload",
    "file_type", "shown_name", "size_words", "in_browser_terms", "store_upload", "stored_upload", "check_upload",
    "load_upload", "load_history",
]

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # a month's figures are kilobytes; years of history belong to the command line
MAX_UNZIPPED_BYTES = 64 * 1024 * 1024  # what a workbook may expand to (a zip bomb expands to gigabytes)
MAX_ZIP_ENTRIES = 2_000
MAX_NAME = 120  # characters of the browser's file name kept, as text
PREVIEW_ROWS = 20
HISTORY = 50  # loads shown
# the file types accepted: stored extension -> the reader (etl.extract) that reads it
FORMATS = {"csv": "csv", "xlsx": "excel"}
UPLOAD_ID = re.compile(r"[0-9a-f]{64}")  # an upload is named by its sha256
BROWSER_VERDICT = ("not applied: a file sent from the browser never turns a corrected figure back; an "
                   "administrator can apply it with `outcomes load --supersede`")

# what the first bytes say a file is, for a clear refusal
MAGIC = {
    b"\xd0\xcf\x11\xe0": "an old-style Excel workbook (.xls) or a password-protected one; save it as .xlsx or CSV",
    b"%PDF": "a PDF document, not a table; save the figures as CSV or .xlsx",
    b"\x1f\x8b": "a gzip archive, not a CSV or Excel file",
    b"7z\xbc\xaf": "a 7-Zip archive, not a CSV or Excel file",
    b"Rar!": "a RAR archive, not a CSV or Excel file",
    b"\x89PNG": "an image, not a table",
    b"\xff\xd8\xff": "an image, not a table",
    b"\xff\xfe": "text saved as UTF-16 (\"Unicode text\"); save it as \"CSV UTF-8\"",
    b"\xfe\xff": "text saved as UTF-16 (\"Unicode text\"); save it as \"CSV UTF-8\"",
}


class UploadRefused(Exception):
    """The file is not stored or not loaded; `str(e)` says why, in words for the person who sent it."""


class Unavailable(Exception):
    """The home cannot check or load just now; the stored upload is kept. The message names no
    server path (the cause, chained, is for the log)."""


def _definitions(home: Home) -> Definitions:
    try:
        return read_definitions(home)
    except DefinitionsError as e:
        raise Unavailable("the definitions cannot be read just now; an administrator has to fix them") from e


@dataclass(frozen=True)
class Upload:
    """A stored upload: the file at `path`, named by its checksum; `name` is only text."""

    org: str
    sha256: str
    name: str  # the browser's file name, made safe (never used as a path)
    kind: str  # 'csv' | 'xlsx' (found from the content)
    size: int
    path: Path
    uploaded_at: datetime
    by: str

    @property
    def options(self) -> ReadOptions:
        """Read as the command line reads a file by default (so that a file it loaded is known as
        already loaded), but always as the standard format: never as Open SDG."""
        if FORMATS[self.kind] != detect_format(self.path, ReadOptions()):
            return ReadOptions(format=FORMATS[self.kind])
        return ReadOptions()


@dataclass(frozen=True)
class Check:
    """What loading an upload would do, found without loading it."""

    rows_read: int
    errors: list[Problem]  # any one rejects the file
    warnings: list[Problem]  # reported; reverting rows among them are not applied
    accepted: int  # rows without an error
    changing: int  # rows that would add or change a published figure
    reverting: int  # rows that would turn a later correction back: not applied
    preview: list[dict] = field(default_factory=list)  # the first accepted rows, as read
    measures: list[str] = field(default_factory=list)  # the measures whose figures would change

    @property
    def loadable(self) -> bool:
        return not self.errors


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


# --- what the browser sent -------------------------------------------------------------------

def decode_upload(contents, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The bytes of a `dcc.Upload` value ("data:<type>;base64,<data>"), the size checked first."""
    if not isinstance(contents, str) or not contents.startswith("data:") or "," not in contents[:300]:
        raise UploadRefused("nothing was received that looks like a file; choose the file again")
    header, _, data = contents.partition(",")
    if not header.endswith(";base64"):
        raise UploadRefused("the file did not arrive whole; choose it again")
    if len(data) > 4 * -(-limit // 3):  # longer than the base64 of `limit` bytes: refused before decoding
        size = len(data) * 3 // 4 - data[-2:].count("=")
        raise UploadRefused(f"the file is larger than {size_words(limit)} ({size:,} bytes)")
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as e:
        raise UploadRefused("the file did not arrive whole; choose it again") from e
    if len(raw) > limit:
        raise UploadRefused(f"the file is larger than {size_words(limit)} ({len(raw):,} bytes)")
    if not raw:
        raise UploadRefused("the file is empty")
    return raw


def size_words(n: int) -> str:
    """A size in bytes as a person reads it: "10 MB", "1.5 MB", "640 KB"."""
    return f"{n / 2**20:.1f}".removesuffix(".0") + " MB" if n >= 2**20 else f"{max(1, round(n / 1024)):,} KB"


def file_type(raw: bytes) -> str:
    """'csv' or 'xlsx', from the bytes alone; UploadRefused for anything else."""
    if raw.startswith(b"PK\x03\x04") or raw.startswith(b"PK\x05\x06"):
        return _workbook(raw)
    for magic, what in MAGIC.items():
        if raw.startswith(magic):
            raise UploadRefused(f"this is {what}")
    text = raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
    if b"\x00" in text:
        raise UploadRefused("this is not a text file (it holds binary data); save the figures as CSV or .xlsx")
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as e:
        line = text[: e.start].count(b"\n") + 1
        raise UploadRefused(f"the file is not UTF-8 text (line {line}, byte 0x{text[e.start]:02x}); save it as "
                            "\"CSV UTF-8\" (in Excel: File › Save As › CSV UTF-8)") from e
    return "csv"


def _workbook(raw: bytes) -> str:
    """An .xlsx workbook, checked as a zip before any reader opens it."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            entries = z.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise UploadRefused("this is a damaged zip file, not a CSV or Excel workbook") from e
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UploadRefused("this is a zip archive, not a CSV file or an Excel workbook; send the .csv or .xlsx "
                            "file itself")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused("this workbook holds macros; save it as a plain .xlsx workbook or as CSV")
    if len(entries) > MAX_ZIP_ENTRIES or sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
        raise UploadRefused(f"this workbook expands to more than {size_words(MAX_UNZIPPED_BYTES)}; "
                            "send the figures as CSV, or load them from the command line")
    return "xlsx"


def shown_name(filename) -> str:
    """The browser's file name as text to show: its last part only, made safe; never a path."""
    text = filename if isinstance(filename, str) else ""
    last = PureWindowsPath(PurePosixPath(text.replace("\x00", "")).name).name
    return safe_name(last, MAX_NAME) if last.strip(". ") else "upload"


# --- stored in the home ----------------------------------------------------------------------

def _folder(home: Home, org: str) -> Path:
    root = home.uploads.resolve()
    folder = (root / safe_name(org)).resolve()
    if folder.parent != root:  # safe_name makes this impossible; checked because it guards the disk
        raise UploadRefused("the organisation's name cannot name a folder")
    return folder


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def store_upload(home: Home, org: str, filename, contents, *, by: str, limit: int = MAX_UPLOAD_BYTES) -> Upload:
    """Check what the browser sent and store it as HOME/uploads/<org>/<sha256>.<csv|xlsx>."""
    raw = decode_upload(contents, limit)
    kind = file_type(raw)
    sha = hashlib.sha256(raw).hexdigest()
    folder = _folder(home, org)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{sha}.{kind}"
    if not path.exists():
        _write(path, raw)
    upload = Upload(org, sha, shown_name(filename), kind, len(raw), path, _now(), str(by or "unknown"))
    facts = {**asdict(upload), "path": path.name, "uploaded_at": upload.uploaded_at.isoformat()}
    _write(folder / f"{sha}.json", json.dumps(facts, ensure_ascii=False).encode("utf-8"))
    return upload


def stored_upload(home: Home, org: str, upload_id) -> Upload | None:
    """The upload `upload_id` (its sha256) of organisation `org`, or None: an id from the browser
    is only looked up in the organisation's own folder, and must name a file that still holds
    the bytes it was named for."""
    if not isinstance(upload_id, str) or not UPLOAD_ID.fullmatch(upload_id):
        return None
    folder = _folder(home, org)
    try:
        facts = json.loads((folder / f"{upload_id}.json").read_text(encoding="utf-8"))
        kind = facts["kind"] if facts["kind"] in FORMATS else None
        path = folder / f"{upload_id}.{kind}"
        if kind is None or facts["org"] != org or not path.is_file() or sha256_of(path) != upload_id:
            return None
        return Upload(org, upload_id, shown_name(facts["name"]), kind, path.stat().st_size, path,
                      datetime.fromisoformat(facts["uploaded_at"]), str(facts["by"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- checked and loaded ----------------------------------------------------------------------

def _request(upload: Upload, by: str) -> LoadRequest:
    return LoadRequest(upload.org, [upload.path], None, by, upload.options, supersede=False)


def in_browser_terms(problems: list[Problem], upload: Upload) -> list[Problem]:
    """Problems name the file as its sender named it, and say what the browser does with reverts.
    (Made directly, not with dataclasses.replace: a file of 10 MB can have 400,000 problems.)"""
    stored = upload.path.name
    return [Problem(file=upload.name if p.file == stored else p.file, row=p.row, column=p.column, value=p.value,
                    reason=p.reason.removesuffix(NOT_APPLIED) + BROWSER_VERDICT if p.reason.endswith(NOT_APPLIED)
                    else p.reason, severity=p.severity)
            for p in problems]


FORMULA_REASON = ("starts like a spreadsheet formula: kept as text, and every download from this site starts it "
                  "with a quote so that no spreadsheet runs it")


def check_upload(home: Home, upload: Upload, *, formula_starts: tuple[str, ...] = (), by: str = "browser",
                 defs: Definitions | None = None, today: date | None = None) -> Check:
    """Every check `load_upload` makes (etl.load's own, through `etl.load.preview`), and what the load
    would change, without loading: rows that would revert a later correction are warnings. A note
    that starts like a spreadsheet formula (`formula_starts`) is a warning too: kept as text, never run."""
    found = preview(home, _request(upload, by), defs=defs or _definitions(home), today=today,
                    first_rows=PREVIEW_ROWS, flag_notes=formula_starts)
    formulas = [Problem(file, row, "note", note, FORMULA_REASON, "warning") for file, row, note in found.flagged_notes]
    return Check(found.rows_read, in_browser_terms(found.errors, upload),
                 in_browser_terms(found.warnings + formulas + found.reverts, upload), found.accepted, found.changing,
                 found.reverting, found.first_rows, found.measures)


def load_upload(home: Home, upload: Upload, *, by: str) -> LoadResult:
    """Load and publish the stored upload (never superseding); etl.load.Rejected if it fails a check.
    The file is checked to still hold the bytes its name promises first."""
    if sha256_of(upload.path) != upload.sha256:
        raise UploadRefused("the stored file has changed since it was checked; upload it again")
    try:
        [result] = load_batch(home, [_request(upload, by)], defs=_definitions(home))
    except PublishError as e:
        raise Unavailable("the new figures could not be published just now; nothing was changed") from e
    return replace(result, warnings=in_browser_terms(result.warnings, upload))


# --- history ----------------------------------------------------------------------------------

def load_history(home: Home, org: str, limit: int = HISTORY) -> list[dict]:
    """The organisation's loads from the audit log (HOME/audit/loads.jsonl), newest first: when, by
    whom, outcome, the files by name (an upload by the name it was sent with; never a server path),
    rows read and new, reverting rows not applied, problems."""
    try:
        lines = home.audit_log.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    folder = _folder(home, org)
    out = []
    for line in reversed(lines):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict) or entry.get("org") != org:
            continue
        out.append({
            "at": str(entry.get("at", ""))[:19].replace("T", " "),
            "outcome": str(entry.get("outcome", "")),
            "by": str(entry.get("by", "")),
            "files": [_file_name(f, folder) for f in entry.get("files") or [] if isinstance(f, dict)],
            "rows_read": entry.get("rows_read"),
            "rows_new": entry.get("rows_new"),
            "reverting_rows": entry.get("reverting_rows"),
            "problems": entry.get("problems"),
            "load_id": entry.get("load_id"),
        })
        if len(out) >= limit:
            break
    return out


def _file_name(facts: dict, folder: Path) -> str:
    path = Path(str(facts.get("path", "")))
    if path.parent == folder and UPLOAD_ID.fullmatch(path.stem):
        try:
            return shown_name(json.loads((folder / f"{path.stem}.json").read_text(encoding="utf-8"))["name"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return shown_name(path.name)
