"""The benchmark's HTTP steps against the app as it is served: gunicorn (`outcomes serve`, 2 workers) in a
subprocess on a free loopback port; each page's main callback timed over HTTP, the workers' peak memory,
and the public pages' requests per second at p95 under a second (loopback only, bounded in time)."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from outcomes.bench_pages import callback_body, fresh_url, percentile

__all__ = ["Served", "served", "PageCallback", "http_pages", "worker_memory", "throughput", "percentile",
           "peak_rss_mib"]

CONCURRENCY = (1, 2, 4, 8, 16, 32, 64)  # clients at once, stepped up until p95 passes P95_LIMIT_S
P95_LIMIT_S = 1.0


def peak_rss_mib(pid: int) -> float | None:
    """A process's peak resident memory (VmHWM) in MiB, or None where /proc does not say."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        return None
    return None


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state is the parent
                out.append(int(entry.name))
    return sorted(out)


# --- serving a home --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Served:
    url: str
    pid: int  # the gunicorn arbiter; its children are the workers

    def workers(self) -> list[int]:
        return _children(self.pid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(home: str | Path, workers: int = 2, timeout: float = 60) -> Iterator[Served]:
    """`outcomes serve` (gunicorn) on HOME on a free loopback port, until the block ends. It runs in an empty
    folder, so that the code served is the installed one or the checkout PYTHONPATH names (`python -m` puts
    the current folder first on the path: never the current folder's code, nor HOME's `published/` folder
    of kept versions taken for the package)."""
    port, home = free_port(), str(Path(home).resolve())
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    empty = tempfile.TemporaryDirectory(prefix="outcomes-serve-")
    proc = subprocess.Popen([sys.executable, "-m", "outcomes", "--home", home, "serve", "--port", str(port),
                             "--workers", str(workers)], cwd=empty.name, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"outcomes serve exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"outcomes serve did not listen on {port} within {timeout:.0f} s")
        yield Served(f"http://127.0.0.1:{port}", proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.stderr.close()
        empty.cleanup()


# --- the page callback over HTTP -------------------------------------------------------------------

class PageCallback:
    """POSTs of Dash's page callback (the one that draws a page's content) to a served app, as a browser
    sends them on a first visit, anonymously."""

    def __init__(self, base_url: str, timeout: float = 120):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        with urllib.request.urlopen(self.base_url + "/_dash-dependencies", timeout=timeout) as r:
            self.spec = next(d["output"] for d in json.load(r) if "_pages_content" in d["output"])

    def body(self, path: str) -> bytes:
        return json.dumps(callback_body(self.spec, path)).encode()

    def post(self, body: bytes, fresh: int | None = None) -> tuple[float, int]:
        """Seconds until the whole answer arrived, and its size; raises on any status but 200. `fresh`: at an
        address of its own, so that the app's cache of public answers does not answer it."""
        url = self.base_url + "/_dash-update-component"
        request = urllib.request.Request(url if fresh is None else fresh_url(url, fresh), data=body, method="POST",
                                         headers={"Content-Type": "application/json", "Origin": self.base_url,
                                                  "Accept-Encoding": "gzip, br"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=self.timeout) as r:
            size = len(r.read())
        return time.perf_counter() - started, size


def http_pages(base_url: str, paths: list[str], requests: int, say,
               bare: Callable[[str], float] | None = None) -> dict[str, dict]:
    """Each path's callback over HTTP, one request at a time: the first, then `requests` more each at an
    address of its own (the page's work: median, p95), then `requests` at one address, as visitors ask
    (answered from the app's cache of public answers where it keeps them: median, p95).

    `bare(path)`: the seconds the page's DuckDB statements take sent bare; called after each of the
    `requests`, so that the ratio's two sides are measured in the same moment (`http_queries_median_s`)."""
    client = PageCallback(base_url)
    out = {}
    for path in paths:
        say(f"over HTTP: {path}")
        body = client.body(path)
        first, _ = client.post(body, fresh=0)
        if bare is not None:
            bare(path)  # the first, like the first request, opens and warms what the rest use
        times, sizes, queries = [], [], []
        for n in range(1, requests + 1):
            seconds, size = client.post(body, fresh=n)
            times.append(seconds)
            sizes.append(size)
            if bare is not None:
                queries.append(bare(path))
        kept = [client.post(body)[0] for _ in range(requests + 1)][1:]  # the first may make what is kept
        out[path] = {"http_first_s": round(first, 3), "http_median_s": round(statistics.median(times), 3),
                     "http_p95_s": round(percentile(times, 0.95), 3), "http_bytes": sizes[-1],
                     "http_cached_median_s": round(statistics.median(kept), 4),
                     "http_cached_p95_s": round(percentile(kept, 0.95), 4)}
        if queries:
            out[path]["http_queries_median_s"] = round(statistics.median(queries), 3)
    return out


def worker_memory(server: Served) -> dict:
    """Peak resident memory of each worker and of the arbiter, in MiB."""
    workers = {pid: peak_rss_mib(pid) for pid in server.workers()}
    peaks = [v for v in workers.values() if v is not None]
    return {"workers_peak_mib": sorted(peaks), "worker_peak_mib": max(peaks) if peaks else None,
            "arbiter_peak_mib": peak_rss_mib(server.pid)}


# --- requests per second ---------------------------------------------------------------------------

def throughput(base_url: str, paths: list[str], step_s: float, say) -> dict:
    """Public pages' callbacks from `c` clients at once, each sending its next request as soon as the last
    is answered, for `step_s` seconds per step, c in CONCURRENCY, stopping after the first step whose p95
    passes P95_LIMIT_S (or that saw errors). The answer: the best requests per second at p95 under it."""
    client = PageCallback(base_url)
    bodies = [client.body(p) for p in paths]
    steps = []
    for clients in CONCURRENCY:
        times: list[float] = []
        errors = [0]
        lock = threading.Lock()
        deadline = time.perf_counter() + step_s

        def run(start: int, times=times, errors=errors, lock=lock, deadline=deadline) -> None:
            i = start
            while time.perf_counter() < deadline:
                try:
                    seconds, _ = client.post(bodies[i % len(bodies)])
                except (urllib.error.URLError, OSError):
                    with lock:
                        errors[0] += 1
                    continue
                with lock:
                    times.append(seconds)
                i += 1

        started = time.perf_counter()
        threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        step = {"clients": clients, "requests": len(times), "errors": errors[0],
                "per_s": round(len(times) / elapsed, 1),
                "median_s": round(statistics.median(times), 3) if times else None,
                "p95_s": round(percentile(times, 0.95), 3) if times else None}
        steps.append(step)
        say(f"{clients} clients: {step['per_s']} requests/s, p95 {step['p95_s']} s, {step['errors']} errors")
        if not times or step["errors"] or step["p95_s"] > P95_LIMIT_S:
            break
    good = [s for s in steps if s["p95_s"] is not None and s["p95_s"] <= P95_LIMIT_S and not s["errors"]]
    best = max(good, key=lambda s: s["per_s"], default=None)
    return {"paths": paths, "step_s": step_s, "steps": steps,
            "per_s_at_p95_under_1s": best["per_s"] if best else 0.0, "clients": best["clients"] if best else None}
