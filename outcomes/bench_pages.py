"""Pages timed in-process for `outcomes bench` and scripts/page_timing.py: which pages a benchmark opens, and
each one's main callback through Dash's test client (no HTTP), against the time its requests spent in DuckDB."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import duckdb

__all__ = ["page_paths", "callback_body", "in_process", "percentile", "ratio", "fresh_url", "PageQueries"]


def fresh_url(url: str, n: int) -> str:
    """`url` made unlike any before it, so that the app's cache of public answers (kept per published
    version, keyed by the whole address) does not answer it: the page's own work is timed."""
    return f"{url}?bench={time.time_ns()}-{n}"


def ratio(a: float, b: float) -> float | None:
    """a ÷ b, or None when b is nothing (no query ran)."""
    return round(a / b, 2) if b else None


def percentile(values: list[float], share: float) -> float:
    """The value at `share` (0–1) of the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def page_paths(warehouse: Path) -> list[str]:
    """The goal map, exceptions, and the largest council, objective and organisation, and a forecast measure."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        def one(sql: str) -> str:
            return con.execute(sql).fetchone()[0]

        council = one("SELECT council_id FROM objectives GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        objective = one("SELECT objective_id FROM measures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        org = one("SELECT owner_id FROM measures GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
        measure = one("SELECT id FROM measures ORDER BY demand DESC, timing = 'leading' DESC, id LIMIT 1")
    finally:
        con.close()
    return ["/", "/exceptions", f"/council/{council}", f"/objective/{objective}", f"/org/{org}",
            f"/measure/{measure}"]


def callback_body(spec: str, path: str) -> dict:
    """The request a browser sends for the content of the page at `path` (Dash Pages' callback `spec`)."""
    return {"output": spec, "changedPropIds": ["_pages_location.pathname"],
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "state": []}


class PageQueries:
    """The statements a page's request sent to DuckDB, kept to be sent again bare (no page around them):
    the denominator of a page's time, measured when and where that time is."""

    def __init__(self):
        self.sent: dict[str, list[tuple[Path, str, object]]] = {}
        self._readers: dict = {}
        self._warmed: set[str] = set()

    def keep(self, page: str, warehouse: Path, sql: str, params) -> None:
        kept = self.sent.setdefault(page, [])
        if (warehouse, sql, params) not in kept:  # a request asks DuckDB each statement once
            kept.append((warehouse, sql, params))

    def bare_seconds(self, page: str) -> float:
        """Seconds the page's statements take now, sent one after another from this process, anonymously,
        each answered by DuckDB (through a reader of this object's own per file, kept open between calls,
        as an app worker keeps its own)."""
        from published.reader import Warehouse

        sent = self.sent.get(page, [])
        if not sent:
            return 0.0
        readers = [self._readers.setdefault(path, Warehouse(path)) for path, _, _ in sent]
        if page not in self._warmed:  # once untimed: what a worker's reader remembers per file (each scope's measures)
            self._warmed.add(page)
            for reader, (_, sql, params) in zip(readers, sent, strict=True):
                reader.query(sql, params)
        started = time.perf_counter()
        for reader, (_, sql, params) in zip(readers, sent, strict=True):
            reader.query(sql, params)
        return time.perf_counter() - started

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()


def in_process(warehouse: Path, paths: list[str], repeats: int, say, queries: PageQueries | None = None) -> list[dict]:
    """Each page's main callback in-process, anonymously: the first request (cold), then `repeats` more
    (median, p95), and the seconds the same requests spent in DuckDB (queries, fetching their frames).
    Every request has an address of its own, so none is answered from the app's cache. `queries`: keeps
    the statements each page's last request sent, to be timed again later (over HTTP, in the same moment).
    The garbage collector is set as in a served worker (dashboard.app.settle_for_serving) while pages are timed."""
    from dashboard.app import Settings, create_app, settled_for_serving
    from published.reader import Warehouse

    spent = [0.0]
    query = Warehouse.query
    page = [""]
    depth = [0]  # a query may ask another first (the measures it is about): only the outermost is timed and kept

    def timed(self, sql, params=None, **named):
        if depth[0]:
            return query(self, sql, params, **named)
        depth[0] += 1
        started = time.perf_counter()
        try:
            return query(self, sql, params, **named)
        finally:
            depth[0] -= 1
            spent[0] += time.perf_counter() - started
            if queries is not None:
                queries.keep(page[0], self.path, sql, params)

    Warehouse.query = timed
    try:
        app = create_app(Settings(warehouse=warehouse))
        client = app.server.test_client()
        client.get("/")  # the shell, so Dash has set itself up
        spec = next(k for k in app.callback_map if "_pages_content" in k)
        with settled_for_serving():
            return _timed_pages(client, spec, paths, repeats, say, queries, spent, page)
    finally:
        Warehouse.query = query


def _timed_pages(client, spec: str, paths: list[str], repeats: int, say, queries: PageQueries | None,
                 spent: list[float], page: list[str]) -> list[dict]:
    out = []
    for path in paths:
        say(f"page {path}")
        times = []
        for n in range(repeats + 1):
            spent[0] = 0.0
            if queries is not None:
                queries.sent.pop(path, None)
                page[0] = path
            started = time.perf_counter()
            response = client.post(fresh_url("/_dash-update-component", n), json=callback_body(spec, path))
            times.append((time.perf_counter() - started, spent[0], len(response.data)))
            if response.status_code != 200:
                raise RuntimeError(f"{path}: {response.status_code} {response.data[:200]!r}")
        (cold, cold_q, size), warm = times[0], times[1:]
        page_s = [t for t, _, _ in warm]
        query_s = [q for _, q, _ in warm]
        out.append({"path": path, "cold_s": round(cold, 3), "cold_queries_s": round(cold_q, 3),
                    "median_s": round(statistics.median(page_s), 3), "p95_s": round(percentile(page_s, 0.95), 3),
                    "queries_median_s": round(statistics.median(query_s), 3),
                    "ratio_p95": ratio(percentile(page_s, 0.95), statistics.median(query_s)),
                    "response_bytes": size})
    return out
