"""The definitions for the administrator's page: checked (every problem, named by its file inside
the definitions folder, never by a server path) and published again by a judgement run; and
whether a load holds the home just now.

    check_definitions(home)   what the definitions hold, or DefinitionsRefused with every problem
    reload_definitions(home)  check, then `rejudge`: the definitions synced into a new warehouse,
                              judged (in full when they changed) and published atomically
    load_running(home)        a load or a reload holds the home's load lock now
    Reloader                  one reload at a time in this process, in a background thread, telling
                              a `record` function how it started and how it ended
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from goal_councils import Definitions, DefinitionsError

from .home import Home
from .judge import JudgeResult
from .load import rejudge
from .plans import read_definitions
from .warehouse import PublishError

__all__ = ["DefinitionsRefused", "DefinitionsSummary", "check_definitions", "reload_definitions", "load_running",
           "Reloader"]

log = logging.getLogger(__name__)


class DefinitionsRefused(Exception):
    """The definitions hold problems; `.problems` lists every one as `file:line: message`, each file
    relative to the definitions folder."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the definitions")


@dataclass(frozen=True)
class DefinitionsSummary:
    organisations: int
    councils: int
    objectives: int
    measures: int


def _relative(home: Home, problems: list[str]) -> list[str]:
    folder = str(home.definitions)
    return [p.replace(folder + os.sep, "").replace(folder, "the definitions folder") for p in problems]


def _definitions(home: Home) -> Definitions:
    try:
        return read_definitions(home)
    except DefinitionsError as e:
        raise DefinitionsRefused(_relative(home, e.problems)) from e


def check_definitions(home: Home) -> DefinitionsSummary:
    """Read and check every definition file; DefinitionsRefused lists every problem."""
    defs = _definitions(home)
    return DefinitionsSummary(len(defs.organisations), len(defs.councils), len(defs.objectives), len(defs.measures))


def reload_definitions(home: Home, *, today: date | None = None) -> JudgeResult:
    """Publish the definitions as they are now (a judgement run, in full when they changed).
    DefinitionsRefused when they hold problems (nothing is built); PublishError when the new
    warehouse cannot be built or nothing has been published yet (the published one is untouched)."""
    _definitions(home)  # every problem, before waiting for the lock
    try:
        return rejudge(home, today=today)
    except DefinitionsError as e:  # changed while waiting for the lock
        raise DefinitionsRefused(_relative(home, e.problems)) from e


def load_running(home: Home) -> bool:
    """Does a load (or a reload) hold the home's load lock now? A shared probe: it never waits,
    and never keeps a load waiting longer than the probe itself."""
    try:
        fd = os.open(home.lock, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


class Reloader:
    """Reloads the definitions in a background thread, one at a time in this process (and none while
    a load or reload of any process holds the home). `record(what)` is called with
    `{"outcome": "started"}`, then with the outcome: `published` (run_id, judged, carried, seconds),
    `rejected` (problems) or `failed` (a reason in words, naming no server path)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, home: Home, record: Callable[[dict], object]) -> bool:
        """Start a reload; False (and nothing started) when one or a load is running."""
        with self._lock:
            if self.running() or load_running(home):
                return False
            record({"outcome": "started"})
            self._thread = threading.Thread(target=_reload, args=(home, record), name="definitions-reload",
                                            daemon=True)
            self._thread.start()
        return True


def _reload(home: Home, record: Callable[[dict], object]) -> None:
    """The background thread: publish the definitions; record the outcome, whatever it is."""
    try:
        result = reload_definitions(home)
    except DefinitionsRefused as e:
        what = {"outcome": "rejected", "problems": e.problems}
    except PublishError:
        log.exception("definitions reload: not published")
        what = {"outcome": "failed", "reason": "the new warehouse could not be built (the server log says why)"
                if home.warehouse.exists() else "nothing has been published yet: load figures first"}
    except Exception:  # a thread has nobody to raise to: whoever started it must still learn how it ended
        log.exception("definitions reload failed")
        what = {"outcome": "failed", "reason": "an unexpected error (the server log says why)"}
    else:
        what = {"outcome": "published", "run_id": result.run_id, "judged": result.judged,
                "carried": result.carried, "seconds": round(result.seconds, 1)}
    record(what)
