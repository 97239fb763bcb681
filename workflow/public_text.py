"""The public text: commentary and actions marked public, copied out of the workflow records into a
file that holds nothing else, for anonymous visitors, the public API and the static site.

Defence in depth, as the public warehouse is for figures: anonymous requests read the text they
show from this file alone, never from the workflow database, which also holds internal commentary,
internal actions, escalations and users. The file keeps only:

    commentary   public, not withdrawn, on a measure in the public warehouse; who wrote it is left
                 out (the organisation speaks, not its staff)
    actions      public, of a council in the public warehouse, linked to no measure or a public one
                 (and no objective or a public one); the owner organisation, not the person

It is rewritten whole (to a new file, then moved over the old) after every write to commentary or
actions (`WorkflowStore.on_change`), after every publish from the command line, when the app starts,
before a static-site export and, where several app servers share the workflow records, every minute;
it is left alone when the text has not changed; the writers take a lock so that two never
interleave. A reader caches it until the file changes.

    PublicText              what the file holds: commentary and actions, with lookups
    PublicTextFile          the file: `read()` (cached until it changes; absent reads as empty) and
                            `write(store, public_warehouse)`
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

from published.access import PUBLIC, as_viewer
from published.reader import EVERYTHING, Warehouse

from .review import ACTION_STATES, action_status

__all__ = ["PublicText", "PublicTextFile", "PublicCommentary", "PublicAction", "public_text_path", "FORMAT"]

FORMAT = 1  # the file's layout version, in the file


def public_text_path(warehouse: Path) -> Path:
    """Where the public text of the warehouse at `warehouse` lives: beside it."""
    return warehouse.with_name(f"{warehouse.stem}.public-text.json")


@dataclass(frozen=True)
class PublicCommentary:
    measure_id: str
    period: str
    org_id: str
    what_happened: str
    why: str
    what_next: str
    updated: date  # the day its current version was written


@dataclass(frozen=True)
class PublicAction:
    action_id: int
    council_id: str
    objective_id: str | None
    measure_id: str | None
    title: str
    owner_org: str
    due: date
    state: str  # open | done
    notes: str
    updated: date

    def status(self, on: date) -> str:
        return action_status(self.state, self.due, on)


@dataclass(frozen=True)
class PublicText:
    commentary: tuple[PublicCommentary, ...] = ()  # newest period first
    actions: tuple[PublicAction, ...] = ()  # open before done, then by due date
    written_at: datetime | None = None

    def commentary_on(self, measure_id: str) -> list[PublicCommentary]:
        """A measure's public commentary, newest period first."""
        return [c for c in self.commentary if c.measure_id == measure_id]

    def actions_for(self, *, council_id: str | None = None, objective_id: str | None = None,
                    measure_ids: Iterable[str] = ()) -> list[PublicAction]:
        """The public actions of a council and/or an objective, leaving out those about a measure not
        in `measure_ids` (the measures the page shows: one made internal since the file was written
        stays out)."""
        measures = set(measure_ids)
        return [a for a in self.actions
                if (a.measure_id is None or a.measure_id in measures)
                and (council_id is None or a.council_id == council_id)
                and (objective_id is None or a.objective_id == objective_id)]


# --- the file -------------------------------------------------------------------------------------

class PublicTextFile:
    """The public text file at `path`: read (cached until the file changes) and (re)written. One per
    app, so the cache lives as long as the app; safe to share between threads."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()  # the threads of one process; a file lock orders processes
        self._cached: tuple[tuple, PublicText] | None = None

    def read(self) -> PublicText:
        """What the file holds; an absent or unreadable file reads as no text (nothing public is
        better than something wrong)."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return PublicText()
        version = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self._cached
        if cached is not None and cached[0] == version:
            return cached[1]
        text = _parse(self.path)
        self._cached = (version, text)
        return text

    def write(self, store, public_warehouse: Path, *, now: datetime | None = None) -> PublicText:
        """Write the public text of `store` (a WorkflowStore), keeping only what is about measures,
        objectives and councils in the public warehouse file `public_warehouse`. The old file stays
        whole until the new one is complete, and is left as it is when the text has not changed (so
        what is kept per file version stays kept). Returns what the file holds."""
        target = self.path
        with self._lock, open(target.with_name(target.name + ".lock"), "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            staging = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:
                text = _public_text(store, public_warehouse, now or datetime.now())
                held = _parse(target) if target.exists() else None
                if held is not None and (held.commentary, held.actions) == (text.commentary, text.actions):
                    return held
                staging.write_text(json.dumps(_document(text), ensure_ascii=False, indent=1, default=str),
                                   encoding="utf-8")
                with open(staging, "rb") as f:
                    os.fsync(f.fileno())
                os.replace(staging, target)
            finally:
                staging.unlink(missing_ok=True)  # gone already when it was moved into place
                fcntl.flock(lock, fcntl.LOCK_UN)
        return text


def _public_text(store, public_warehouse: Path, now: datetime) -> PublicText:
    measures, objectives, councils = _public_ids(public_warehouse)
    commentary = tuple(
        PublicCommentary(c.measure_id, c.period, c.org_id, c.what_happened, c.why, c.what_next, c.recorded_at.date())
        for c in store.commentary(measure_ids=sorted(measures), public_only=True) if c.measure_id in measures)
    actions = [
        PublicAction(a.action_id, a.council_id, a.objective_id, a.measure_id, a.title, a.owner_org, a.due, a.state,
                     a.notes, a.recorded_at.date())
        for a in store.actions(public_only=True)
        if a.council_id in councils and (a.objective_id is None or a.objective_id in objectives)
        and (a.measure_id is None or a.measure_id in measures)]
    actions.sort(key=lambda a: (ACTION_STATES.index(a.state), a.due, a.action_id))
    return PublicText(commentary, tuple(actions), now.replace(microsecond=0))


def _public_ids(public_warehouse: Path) -> tuple[set[str], set[str], set[str]]:
    """The measures, objectives and councils the public may see: those in the public file."""
    if not public_warehouse.exists():
        return set(), set(), set()
    warehouse = Warehouse(public_warehouse)
    try:
        with as_viewer(PUBLIC):
            return (set(warehouse.measures(EVERYTHING)["id"]), set(warehouse.objectives()["objective_id"]),
                    set(warehouse.councils()["id"]))
    finally:
        warehouse.close()


def _document(text: PublicText) -> dict:
    return {"format": FORMAT, "written_at": text.written_at,
            "commentary": [asdict(c) for c in text.commentary], "actions": [asdict(a) for a in text.actions]}


def _parse(path: Path) -> PublicText:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            return PublicText()
        commentary = tuple(PublicCommentary(**{**c, "updated": date.fromisoformat(c["updated"])})
                           for c in document["commentary"])
        actions = tuple(PublicAction(**{**a, "due": date.fromisoformat(a["due"]),
                                        "updated": date.fromisoformat(a["updated"])}) for a in document["actions"])
        written = document.get("written_at")
        return PublicText(commentary, actions, datetime.fromisoformat(written) if written else None)
    except (OSError, ValueError, KeyError, TypeError):
        return PublicText()
