"""Load: extract, validate and add submissions to the warehouse, then publish atomically.

    load_batch(home, requests)  all requests are validated; if any is rejected nothing is
                                published, each rejected file is kept with its report, and
                                Rejected is raised; otherwise one new warehouse is published.
    validate_files(...)         the same checks, loading nothing.
    preview(home, request)      the checks a load of one request makes, against the published
                                warehouse, and what it would change: a Preview; nothing is published.

Exceptions: Rejected(problems) for bad input; DefinitionsError for bad definitions;
PublishError when the new file cannot be built (the published one is untouched).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from goal_councils import Definitions

from .extract import Extracted, ExtractError, Problem, ReadOptions, extract, sha256_of
from .home import Home, safe_name
from .judge import JudgeResult, judge
from .plans import read_definitions
from .services import sync_services
from .validate import run_checks, stage_submission
from .warehouse import (
    PublishError,
    definitions_digest,
    init_schema,
    load_lock,
    sql_text,
    staged_build,
    sync_definitions,
)

__all__ = ["LoadRequest", "LoadResult", "Rejected", "Preview", "load_batch", "validate_files", "preview", "rejudge",
           "NOT_APPLIED"]

Progress = Callable[[int, int, str], None]
ALREADY_LOADED = "already loaded"
NOT_APPLIED = "not applied: pass --supersede to apply it"  # how a reverting row's warning ends without --supersede

# what a load changes, beside the values as they stand now (the shared "values as at" fragment)
CHANGES = sql_text("changes.sql").replace("{values_as_at}", sql_text("values_as_at.sql"))
NOW = {"as_at": None, "since": None, "dimension": None, "breakdown": None}
# which loads hold figures of which measure, so that finding a load's changes scans only the loads that
# hold its measures, not every observation (a batch of many loads would read the table once a load):
# made on a connection's first use, then brought up to date with the loads added since (observations
# are only ever added, each with a load id above every one before it)
OBSERVED_LOADS = (
    "CREATE TEMP TABLE IF NOT EXISTS observed_loads (measure_id VARCHAR, load_id INTEGER)",
    "INSERT INTO observed_loads SELECT DISTINCT measure_id, load_id FROM observations WHERE load_id > ?",
)


@dataclass(frozen=True)
class LoadRequest:
    org: str
    files: list[Path]
    received_at: datetime | None = None  # when the organisation sent it; default: now
    by: str = "cli"
    options: ReadOptions = ReadOptions()
    supersede: bool = False  # apply rows that would revert a later-received correction


@dataclass
class LoadResult:
    request: LoadRequest
    load_id: int | None  # None when nothing was new
    rows_read: int
    rows_new: int
    warnings: list[Problem] = field(default_factory=list)
    reverts: int = 0  # rows that repeat a superseded version: applied only with `supersede`
    problems: list[Problem] = field(default_factory=list)  # why it was skipped (skip_rejected)
    kept: Path | None = None  # where a skipped submission and its report are kept

    @property
    def outcome(self) -> str:
        if self.problems:
            return "skipped"
        return "loaded" if self.rows_new else "unchanged"


@dataclass(frozen=True)
class Preview:
    """What loading one request would do, found without loading (`preview`)."""

    rows_read: int
    errors: list[Problem]  # any one rejects the request
    warnings: list[Problem]  # the checks' warnings and notes (a file already loaded...)
    reverts: list[Problem]  # rows that would turn a later correction back, one warning each
    accepted: int  # rows without an error
    first_rows: list[dict]  # the first accepted rows, as read
    changing: int  # rows that would add or change a published figure (none when there is an error)
    measures: list[str]  # the measures whose figures would change
    flagged_notes: list[tuple[str, int, str]]  # (file, row, note) of accepted rows whose note starts as asked

    @property
    def reverting(self) -> int:
        return len(self.reverts)


class Rejected(Exception):
    """Submissions that break the contract; `.problems` lists every problem found."""

    def __init__(self, problems: list[Problem], kept: list[Path] | None = None):
        self.problems = problems
        self.kept = kept or []
        super().__init__(f"rejected with {len(problems)} problem(s)")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _extract_all(req: LoadRequest, defs: Definitions) -> tuple[list[Extracted], list[Problem]]:
    files, problems = [], []
    if req.org not in defs.organisations:
        problems.append(Problem("(command line)", None, "--org", req.org, "unknown organisation"))
        return files, problems
    for path in req.files:
        try:
            files.append(extract(Path(path), defs, req.org, req.options))
        except ExtractError as e:
            problems += e.problems
    names = [x.name for x in files]
    for n in {n for n in names if names.count(n) > 1}:
        problems.append(Problem(n, None, None, None, "two files of the same name in one load"))
    return files, problems


def _in_file_terms(problems: list[Problem], files: list[Extracted]) -> list[Problem]:
    """Name columns as the file's own header does, and order problems by file and row."""
    names = {x.name: x.source_columns for x in files}
    out = [p if (column := names.get(p.file, {}).get(p.column, p.column)) == p.column else replace(p, column=column)
           for p in problems]  # a file of 10 MB can have 400,000 problems: replaced only when renamed
    return sorted(out, key=lambda p: (p.file, p.row or 0, p.column or "", p.reason))


def _already_loaded(con, req: LoadRequest, files: list[Extracted]) -> tuple[list[Extracted], list[Problem]]:
    """Files this organisation has already had published (same sha256) are skipped, so a
    re-sent file adds nothing, even if later loads have since revised its figures."""
    if con is None or not files:
        return files, []
    keep, notes = [], []
    for x in files:
        row = con.execute(
            "SELECT min(f.load_id) FROM load_files f JOIN loads l ON l.id = f.load_id "
            "WHERE f.sha256 = ? AND f.read_options = ? AND l.org_id = ?",
            [x.sha256, req.options.fingerprint, req.org]).fetchone()
        if row[0] is None:
            keep.append(x)
        else:
            notes.append(Problem(x.name, None, None, None, f"{ALREADY_LOADED} in load {row[0]}; skipped", "note"))
    return keep, notes


def _check(con, req: LoadRequest, defs: Definitions, today: date, *, skip_loaded: bool = True):
    """Extract and stage one request; return (files, errors, warnings)."""
    files, problems = _extract_all(req, defs)
    if skip_loaded:
        files, notes = _already_loaded(con, req, files)
        problems += notes
    if files:
        stage_submission(con, files)
        problems += [p for x in files for p in x.problems]
        problems += run_checks(con, req.org, today)
    problems = _in_file_terms(problems, files)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    return files, errors, warnings


def validate_files(home: Home, req: LoadRequest, *, defs: Definitions | None = None,
                   today: date | None = None) -> tuple[int, list[Problem], list[Problem]]:
    """Run every check on a submission without loading it: (rows read, errors, warnings)."""
    defs = defs or read_definitions(home)
    con = duckdb.connect()
    try:
        init_schema(con)
        sync_definitions(con, defs)
        sync_services(con, defs)
        files, errors, warnings = _check(con, req, defs, today or date.today(), skip_loaded=False)
        return sum(len(x.frame) for x in files), errors, warnings
    finally:
        con.close()


# what a preview copies from the published warehouse, so that it sees what a load would see: the
# loads and their files (a file already loaded), then the figures of the staged rows' measures
# (a row that would revert a later correction)
COPY_LOADS = ("INSERT INTO loads BY NAME SELECT * FROM published.loads",
              "INSERT INTO load_files BY NAME SELECT * FROM published.load_files")
COPY_FIGURES = ("INSERT INTO observations BY NAME SELECT * FROM published.observations "
                "WHERE measure_id IN (SELECT DISTINCT measure_id FROM parsed)",)


def preview(home: Home, req: LoadRequest, *, defs: Definitions | None = None, today: date | None = None,
            first_rows: int = 20, flag_notes: Sequence[str] = ()) -> Preview:
    """Every check `load_batch` makes of `req` against the published warehouse, and what the load
    would change, in a database of its own: nothing is published or kept. Rows that would revert
    a later correction are `reverts` (one warning each, its verdict by `req.supersede`);
    `flagged_notes` lists the accepted rows whose note starts with one of the characters `flag_notes`."""
    defs = defs or read_definitions(home)
    con = duckdb.connect()
    try:
        init_schema(con)
        sync_definitions(con, defs)
        sync_services(con, defs)
        _copy_published(con, home, COPY_LOADS)
        files, errors, warnings = _check(con, req, defs, today or date.today())
        rows_read = sum(len(x.frame) for x in files)
        if not files:
            return Preview(rows_read, errors, warnings, [], 0, [], 0, [], [])
        failed = {p.row for p in errors if p.row is not None}
        whole_file = any(p.row is None for p in errors)
        accepted, first = (0, []) if whole_file else _accepted(con, failed, first_rows)
        notes = _flagged_notes(con, flag_notes, failed)
        if errors:
            return Preview(rows_read, errors, warnings, [], accepted, first, 0, [], notes)
        _copy_published(con, home, COPY_FIGURES)
        _changes(con)
        changing, measures = con.execute(
            "SELECT count(*) FILTER (NOT reverts), "
            "coalesce(list(DISTINCT measure_id ORDER BY measure_id) FILTER (NOT reverts), []) "
            "FROM changes").fetchone()
        return Preview(rows_read, errors, warnings, _reverts(con, req), accepted, first, changing, list(measures),
                       notes)
    finally:
        con.close()


def _changes(con) -> None:
    """The temp table `changes` (changes.sql): the staged rows that would add or change a figure."""
    con.execute(OBSERVED_LOADS[0])
    newest = con.execute("SELECT coalesce(max(load_id), 0) FROM observed_loads").fetchone()[0]
    con.execute(OBSERVED_LOADS[1], [newest])
    con.execute(CHANGES, NOW)


def _copy_published(con, home: Home, statements: tuple[str, ...]) -> None:
    if not home.warehouse.exists():
        return
    con.execute("ATTACH ? AS published (READ_ONLY)", [str(home.warehouse)])
    try:
        for sql in statements:
            con.execute(sql)
    finally:
        con.execute("DETACH published")


def _accepted(con, failed: set[int], limit: int) -> tuple[int, list[dict]]:
    """How many staged rows have no error, and the first `limit` of them as read. The failed rows
    are joined as a table: a list searched once per row would be quadratic."""
    con.execute("CREATE OR REPLACE TEMP TABLE failed_rows AS SELECT unnest(?::BIGINT[]) AS \"row\"", [sorted(failed)])
    count = con.execute("SELECT count(*) FROM parsed ANTI JOIN failed_rows USING (\"row\")").fetchall()[0][0]
    rows = con.execute(
        "SELECT p.\"row\", p.measure_id, p.period_label AS period, k.breakdown, p.value_raw AS value, "
        "p.status, p.note FROM parsed p ANTI JOIN failed_rows f ON f.\"row\" = p.\"row\" "
        "JOIN row_keys k ON k.file = p.file AND k.\"row\" = p.\"row\" ORDER BY p.\"row\" LIMIT ?",
        [limit]).fetchdf()
    return count, rows.astype(object).where(rows.notna(), None).to_dict("records")


def _flagged_notes(con, starts: Sequence[str], failed: set[int]) -> list[tuple[str, int, str]]:
    if not starts:
        return []
    rows = con.execute(
        "SELECT file, \"row\", note FROM parsed WHERE list_contains(?, left(note, 1)) ORDER BY \"row\"",
        [list(starts)]).fetchall()
    return [(file, row, note) for file, row, note in rows if row not in failed]


def _judged_at(con, today: date) -> datetime:
    """The moment judgements are made as at, on the warehouse's one clock (UTC, like `received_at`):
    now, and never before a load already received (one sent with a later --received, or a calendar
    that runs ahead, like the demo's), so that every published figure is in the judgement."""
    newest = con.execute("SELECT max(received_at) FROM loads").fetchone()[0]
    moments = [_now(), datetime.combine(today, datetime.min.time()), *([newest] if newest else [])]
    latest = max(moments)
    # whole seconds, rounded up: cut down, a load received earlier in the same second would fall after it
    return latest if not latest.microsecond else latest.replace(microsecond=0) + timedelta(seconds=1)


# a measure's own definition as published: what its assessment is made from, besides its figures
MEASURE_DEFINITION = """
SELECT m.* EXCLUDE (position),
       (SELECT list((t.period, t.value, t.kind) ORDER BY t.period_start, t.kind) FROM trajectories t
        WHERE t.measure_id = m.id) AS plan,
       (SELECT list((b.breakdown, b.value) ORDER BY b.breakdown, b.position) FROM measure_breakdowns b
        WHERE b.measure_id = m.id) AS declared
FROM measures m
"""


def _measure_definitions(con) -> dict[str, tuple]:
    return {row[0]: row for row in con.execute(MEASURE_DEFINITION).fetchall()}


def rejudge(home: Home, *, full: bool = False, today: date | None = None) -> JudgeResult:
    """A judgement run on the published figures as they are, published atomically like a load:
    timeliness made anew for every measure (lateness moves with the calendar), and a full
    assessment of the measures never judged, of those whose own definition changed since the last
    publish (a target, a saved workload plan, a unit...), and of every measure with `full`."""
    if not home.warehouse.exists():
        raise PublishError(f"{home.warehouse}: nothing has been published yet")
    with load_lock(home), staged_build(home) as (con, state):
        con.execute("BEGIN TRANSACTION")
        defs = read_definitions(home)
        previous = con.execute("SELECT value FROM meta WHERE key = 'definitions_sha256'").fetchone()
        before = _measure_definitions(con)
        sync_definitions(con, defs)  # colours and definitions as they are now
        sync_services(con, defs)
        after = _measure_definitions(con)
        changed = {m for m, row in after.items() if before.get(m) != row}
        full = full or previous is None
        result = judge(con, as_at=_judged_at(con, today or date.today()), changed=None if full else changed)
        con.execute("COMMIT")
        state["publish"] = state["only_added"] = True  # a judgement run, and definitions written whole
    return result


def _progress_line(req: LoadRequest, files: list[Extracted], rows_read: int, errors: list[Problem],
                   warnings: list[Problem]) -> str:
    skipped = sum(w.reason.startswith(ALREADY_LOADED) for w in warnings)
    if skipped and not files and not errors:
        return f"{req.org}: {len(req.files)} file(s) already loaded; skipped"
    line = f"{req.org}: {len(files)} file(s), {rows_read:,} rows"
    if skipped:
        line += f" ({skipped} already loaded; skipped)"
    return line + (f", {len(errors)} problem(s)" if errors else "")


def _reverts(con, req: LoadRequest) -> list[Problem]:
    """Rows that would put back a value a later-received load has corrected, one warning each."""
    rows = con.execute(
        "SELECT file, \"row\", measure_id, period, breakdown, value, status, current_value, current_status, "
        "current_load FROM changes WHERE reverts ORDER BY file, \"row\"").fetchall()
    verdict = "applied (--supersede)" if req.supersede else NOT_APPLIED
    out = []
    for file, row, measure, period, breakdown, value, status, current, current_status, load in rows:
        key = f"{measure} {period}" + (f" [{breakdown}]" if breakdown else "")
        out.append(Problem(file, row, "value", _shown(value, status), (
            f"{key} would go back to a figure that load {load} has since corrected to "
            f"{_shown(current, current_status)}; {verdict}"), "warning"))
    return out


def _shown(value, status) -> str:
    text = "empty" if value is None else f"{value:.15g}"
    return f"{text} ({status})" if status else text


def _keep_rejected(home: Home, req: LoadRequest, errors: list[Problem], stamp: str) -> Path:
    base = f"{stamp}-{safe_name(req.org)}"
    folder, n = home.rejected / base, 1
    while folder.exists():
        n += 1
        folder = home.rejected / f"{base}-{n}"
    folder.mkdir(parents=True)
    for path in req.files:
        if Path(path).is_file():
            target, n = folder / safe_name(Path(path).name, 200), 1
            while target.exists() or target.name == "report.txt":  # two names made alike stay two files
                n += 1
                target = folder / f"{n}-{safe_name(Path(path).name, 200)}"
            shutil.copy2(path, target)
    (folder / "report.txt").write_text("".join(f"{p}\n" for p in errors), encoding="utf-8")
    return folder


def _file_facts(paths: list[Path]) -> list[dict]:
    out = []
    for p in paths:
        p = Path(p).resolve()
        out.append({"path": str(p), "sha256": sha256_of(p) if p.is_file() else None})
    return out


def _audit(home: Home, entry: dict) -> None:
    home.audit_log.parent.mkdir(parents=True, exist_ok=True)
    with open(home.audit_log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry, default=str) + "\n")


def load_batch(home: Home, requests: list[LoadRequest], *, defs: Definitions | None = None,
               today: date | None = None, progress: Progress | None = None,
               judged_before: Sequence[datetime] = (), skip_rejected: bool = False) -> list[LoadResult]:
    """Validate and load every request; publish one new warehouse, or nothing at all.

    A request with any error is rejected whole (never half a file). By default one rejected
    request rejects the batch (`Rejected`, nothing published). With `skip_rejected`, each request
    stands alone: rejected ones are kept with their report and returned as "skipped" results, and
    the rest are published; only when every request is rejected is the batch `Rejected`.

    The publish step judges the changed measures as at today; `judged_before` adds full judgement
    runs as at earlier moments first (a batch of history, like the demo's, judged as the months
    stood then, so that "as at" views have the statuses and forecasts a council would have seen)."""
    home.ensure()
    defs = defs or read_definitions(home)
    today = today or date.today()
    started = _now()
    results: list[LoadResult] = []
    rejected: list[tuple[LoadRequest, list[Problem]]] = []
    with load_lock(home), staged_build(home) as (con, state):
        con.execute("BEGIN TRANSACTION")
        previous = con.execute("SELECT value FROM meta WHERE key = 'definitions_sha256'").fetchone()
        before = _measure_definitions(con)
        sync_definitions(con, defs)
        sync_services(con, defs)
        redefined = {m for m, row in _measure_definitions(con).items() if before.get(m) != row}
        next_id = con.execute("SELECT coalesce(max(id), 0) + 1 FROM loads").fetchone()[0]
        for i, req in enumerate(requests, start=1):
            files, errors, warnings = _check(con, req, defs, today)
            rows_read = sum(len(x.frame) for x in files)
            if progress:
                progress(i, len(requests), _progress_line(req, files, rows_read, errors, warnings))
            if errors:
                rejected.append((req, errors))
                continue
            if rejected and not skip_rejected:
                continue  # the batch is lost anyway; keep checking to report every problem
            if not files:
                results.append(LoadResult(req, None, 0, 0, warnings))  # every file already loaded
                continue
            received = req.received_at or started
            con.execute(
                "INSERT INTO loads VALUES (?, ?, ?, ?, ?, 'loaded', ?, 0, 0, ?)",
                [next_id, req.org, received, started, started, rows_read, req.by],
            )
            _changes(con)
            reverting = _reverts(con, req)
            warnings += reverting
            con.execute(sql_text("insert_observations.sql"), {"load_id": next_id, "supersede": req.supersede})
            new = con.execute("SELECT count(*) FROM observations WHERE load_id = ?", [next_id]).fetchone()[0]
            if new == 0:
                con.execute("DELETE FROM loads WHERE id = ?", [next_id])
                results.append(LoadResult(req, None, rows_read, 0, warnings, len(reverting)))
                continue
            con.executemany(
                "INSERT INTO load_files VALUES (?, ?, ?, ?, ?, ?)",
                [(next_id, x.name, x.sha256, x.format, len(x.frame), req.options.fingerprint) for x in files],
            )
            con.execute("UPDATE loads SET rows_new = ?, rows_unchanged = ?, finished_at = ? WHERE id = ?",
                        [new, rows_read - new, _now(), next_id])
            results.append(LoadResult(req, next_id, rows_read, new, warnings, len(reverting)))
            next_id += 1
        stamp = started.strftime("%Y%m%dT%H%M%S")
        kept = [_keep_rejected(home, req, errors, stamp) for req, errors in rejected]
        for (req, errors), folder in zip(rejected, kept, strict=True):
            _audit(home, {"at": _now(), "org": req.org, "outcome": "rejected", "by": req.by,
                          "files": _file_facts(req.files), "problems": len(errors), "kept": str(folder)})
        if rejected and (not skip_rejected or len(rejected) == len(requests)):
            con.execute("ROLLBACK")
            raise Rejected([p for _, errors in rejected for p in errors], kept)
        skipped = [LoadResult(req, None, 0, 0, problems=errors, kept=folder)
                   for (req, errors), folder in zip(rejected, kept, strict=True)]
        changed_defs = previous is None or previous[0] != definitions_digest(defs)
        never_judged = not con.execute("SELECT count(*) FROM judgement_runs").fetchone()[0]
        if not any(r.rows_new for r in results) and not changed_defs and not never_judged and home.warehouse.exists():
            con.execute("ROLLBACK")
        else:
            first_new = min((r.load_id for r in results if r.load_id), default=next_id)
            # in full: the measures with new figures and those whose own definition changed (every one, the
            # first time a warehouse is judged)
            changed = None if previous is None else redefined | {row[0] for row in con.execute(
                "SELECT DISTINCT measure_id FROM observations WHERE load_id >= ?", [first_new]).fetchall()}
            # earlier moments only where no judgement is newer, so that runs rise with their ids
            newest_run = con.execute("SELECT max(as_at) FROM judgement_runs").fetchone()[0]
            for moment in sorted(m for m in judged_before if newest_run is None or m > newest_run):
                judge(con, as_at=moment, changed=None)
            judged = judge(con, as_at=_judged_at(con, today), changed=changed)
            if progress:
                progress(len(requests), len(requests), f"judged {judged.judged} measure(s) in full and "
                         f"{judged.carried} for timeliness in {judged.seconds:.1f} s")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('published_at', ?)", [_now().isoformat()])
            con.execute("COMMIT")
            state["publish"] = state["only_added"] = True  # new loads and judgement runs; definitions written whole
    for r in results:
        if r.problems:
            continue  # audited as rejected above
        _audit(home, {"at": _now(), "org": r.request.org, "outcome": r.outcome, "load_id": r.load_id,
                      "by": r.request.by, "files": _file_facts(r.request.files),
                      "rows_read": r.rows_read, "rows_new": r.rows_new,
                      "reverting_rows": r.reverts, "supersede": r.request.supersede,
                      "received_at": r.request.received_at or started})
    position = {id(req): i for i, req in enumerate(requests)}
    return sorted(results + skipped, key=lambda r: position[id(r.request)])
