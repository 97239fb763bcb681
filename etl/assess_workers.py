"""Full assessments shared over worker processes at publish: the same results as one process, sooner.

    assessment_workers(measures)      how many processes to share these measures' assessments over
    assess_shared(..., workers=N)     `goal_councils.assess.assess_all` over N processes, each
                                      assessment with its JSON (what the judge stores)

Forecasts (model fits) are most of a full judgement's time, and one process uses one core. The
measures are dealt into a few chunks a worker, the costliest first; each chunk is assessed by
`assess_all` in a worker exactly as it would be here, and the results are put back in the measures' order.

A worker is a new Python interpreter (`python -c`, reading tasks as pickles on its standard input and
answering on its standard output), never a fork: a forked child would inherit the load's open files,
the load lock among them, and DuckDB's threads mid-flight; and unlike multiprocessing's spawn it never
runs the calling program's main module again. Workers are given plain frames, never a connection. Each
exits when its input closes or the process that started it is gone, so a load killed while judging
leaves no process behind. A worker lost (killed, out of memory) or none started: the assessments are
made in this process instead, with the same results.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from goal_councils.assess import Assessment, assess_all, forecast_wanted
from goal_councils.codec import to_json

__all__ = ["Assessed", "assessment_workers", "assess_shared", "usable_cores", "start_worker"]

# rough seconds on a machine like ours, only to weigh the work against starting processes
FORECAST_SECONDS = 0.1  # two model fits: the forecast and its backtest (0.7 before: states estimated, BLAS threads)
OTHER_SECONDS = 0.03  # status, XmR, divergent groups, timeliness
START_SECONDS = 3.0  # a new process importing pandas and statsmodels
CHUNKS_PER_WORKER = 4  # so that one slow chunk does not hold the others up
WATCH_SECONDS = 0.5


@dataclass(frozen=True)
class Assessed:
    assessment: Assessment
    detail: str  # the assessment as JSON, as stored: written where it was made


def assessed(measures: pd.DataFrame, observations: pd.DataFrame, trajectories: pd.DataFrame,
             first_received: pd.DataFrame, *, as_at: datetime) -> dict[str, Assessed]:
    """`assess_all`, each assessment with its JSON."""
    return {m: Assessed(a, to_json(a))
            for m, a in assess_all(measures, observations, trajectories, first_received, as_at=as_at).items()}


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _seconds(measure: dict) -> float:
    return FORECAST_SECONDS if forecast_wanted(measure) else OTHER_SECONDS


def assessment_workers(measures: pd.DataFrame, cores: int | None = None) -> int:
    """Processes to share these measures' full assessments over: every usable core when that saves
    at least a quarter of the time after paying for starting them; otherwise 1 (this process)."""
    cores = cores or usable_cores()
    if cores < 2 or len(measures) < 2:
        return 1
    work = sum(_seconds(m) for m in measures.to_dict("records"))
    return cores if START_SECONDS + work / cores <= 0.75 * work else 1


def _dealt(measures: pd.DataFrame, chunks: int) -> list[list[int]]:
    """Row positions of `measures` in `chunks` groups of about equal work, the costliest dealt first."""
    cost = [_seconds(m) for m in measures.to_dict("records")]
    work, dealt = [0.0] * chunks, [[] for _ in range(chunks)]
    for i in sorted(range(len(cost)), key=lambda i: -cost[i]):
        k = min(range(chunks), key=work.__getitem__)
        dealt[k].append(i)
        work[k] += cost[i]
    return [sorted(x) for x in dealt if x]


def _split(frame: pd.DataFrame, chunk_of: dict[str, int], chunks: int) -> list[pd.DataFrame]:
    """`frame`'s rows by the chunk of their measure, each part in the frame's own order; rows of a measure
    in no chunk are left out. Each distinct measure is looked up once (`pd.factorize`): mapping every row's
    text took 5 s of a state-scale publish's 3.6M observations."""
    codes, measures = pd.factorize(frame["measure_id"], sort=False)
    chunk = np.array([chunk_of.get(m, -1) for m in measures] + [-1], dtype=np.int64)[codes]  # code -1: missing
    order = np.argsort(chunk, kind="stable")
    bounds = np.searchsorted(chunk[order], np.arange(chunks + 1))
    return [frame.iloc[order[bounds[k]:bounds[k + 1]]] for k in range(chunks)]


def _watch(parent: int) -> None:
    """In a worker: exit as soon as the process that started it is gone (it was killed or crashed)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


# a worker's whole program: the caller's import path and process id, then tasks until its input closes
BOOT = ("import pickle, sys; path, parent = pickle.load(sys.stdin.buffer); sys.path[:] = path; "
        "import etl.assess_workers as w; w.serve(parent)")


def serve(parent: int) -> None:
    """A worker's loop: read (function, args, kwargs) pickles, answer ("ok", result) or ("error", exception)."""
    _watch(parent)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to the error stream, not into the answers
    tasks = sys.stdin.buffer
    while True:
        try:
            function, args, kwargs = pickle.load(tasks)
        except EOFError:
            return
        try:
            answer = ("ok", function(*args, **kwargs))
        except Exception as e:  # handed back to the caller, to raise there
            answer = ("error", e)
        try:
            text = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # an answer that cannot travel: the caller does the work itself
            text = pickle.dumps(("lost", f"{type(e).__name__}: {e}"))
        answers.write(text)
        answers.flush()


def start_worker() -> subprocess.Popen:
    """A new worker process, ready for tasks. In a session of its own: where the kernel shares the cores
    between sessions (Linux's autogroup), workers in the load's session would share one session's
    share, and a busy machine would give them no more time than one process."""
    p = subprocess.Popen([sys.executable, "-c", BOOT], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         close_fds=True, start_new_session=True)
    try:
        pickle.dump((list(sys.path), os.getpid()), p.stdin)
        p.stdin.flush()
    except OSError:
        _stop(p)
        raise
    return p


class WorkerLost(Exception):
    """A worker died or could not be started."""


def _run(tasks: list[tuple], workers: int) -> list:
    """Each (function, args, kwargs) of `tasks` run in one of `workers` new processes; results in order."""
    todo: queue.SimpleQueue = queue.SimpleQueue()
    for k, task in enumerate(tasks):
        todo.put((k, task))
    results: list = [None] * len(tasks)
    failed: list[BaseException] = []
    started: list[subprocess.Popen] = []

    def work() -> None:
        try:
            p = start_worker()
            started.append(p)
            while not failed:
                try:
                    k, task = todo.get_nowait()
                except queue.Empty:
                    return
                pickle.dump(task, p.stdin, protocol=pickle.HIGHEST_PROTOCOL)
                p.stdin.flush()
                outcome, value = pickle.load(p.stdout)
                if outcome != "ok":
                    failed.append(value if outcome == "error" else WorkerLost(value))
                    return
                results[k] = value
        except (OSError, EOFError, pickle.UnpicklingError) as e:
            failed.append(WorkerLost(f"an assessment worker was lost: {e!r}"))

    threads = [threading.Thread(target=work, name=f"assessments-{i}", daemon=True) for i in range(workers)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for p in started:
            _stop(p)
    if failed:
        raise failed[0]
    return results


def _stop(p: subprocess.Popen) -> None:
    for stream in (p.stdin, p.stdout):
        try:
            stream.close()
        except OSError:
            pass
    try:
        p.wait(timeout=0.5)  # its input closed: it ends by itself, once it has started
    except subprocess.TimeoutExpired:  # still starting: it holds nothing, so nothing is lost
        p.kill()
        p.wait()


def assess_shared(measures: pd.DataFrame, observations: pd.DataFrame, trajectories: pd.DataFrame,
                  first_received: pd.DataFrame, *, as_at: datetime, workers: int) -> dict[str, Assessed]:
    """`assessed` of `measures`, shared over `workers` processes; the same assessments, in the same order."""
    if workers <= 1 or len(measures) < 2:
        return assessed(measures, observations, trajectories, first_received, as_at=as_at)
    dealt = _dealt(measures, min(len(measures), workers * CHUNKS_PER_WORKER))
    ids = list(measures["id"])
    chunk_of = {ids[i]: k for k, rows in enumerate(dealt) for i in rows}
    parts = [_split(x, chunk_of, len(dealt)) for x in (observations, trajectories, first_received)]
    tasks = [(assessed, (measures.iloc[rows], *(p[k] for p in parts)), {"as_at": as_at})
             for k, rows in enumerate(dealt)]
    try:
        done = _run(tasks, workers)
    except WorkerLost:  # the same work in this process
        return assessed(measures, observations, trajectories, first_received, as_at=as_at)
    found = {m: a for chunk in done for m, a in chunk.items()}
    return {m: found[m] for m in ids}
