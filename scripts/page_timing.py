"""Time pages cold (a new process, the first request for each) and warm, in-process, against a
published warehouse: `python scripts/page_timing.py HOME PATH...`. Prints one JSON line per page
with the seconds Dash's page callback took. Used to compare two checkouts in one run (with
PYTHONPATH pointing at each); the figures are in docs/benchmarks.md."""

import json
import sys
import time
from pathlib import Path


def main(home: str, paths: list[str]) -> None:
    from dashboard import Settings, create_app
    from published.reader import Warehouse

    spent = [0.0]
    query = Warehouse.query

    def timed(self, sql, params=None):  # the time in DuckDB (and fetching its frame), per request
        started = time.perf_counter()
        try:
            return query(self, sql, params)
        finally:
            spent[0] += time.perf_counter() - started

    Warehouse.query = timed
    app = create_app(Settings(warehouse=Path(home) / "warehouse.duckdb"))
    client = app.server.test_client()
    client.get("/")  # the shell, so Dash has set itself up
    body = {"output": "..page-content.children..._pages_store.data..", "changedPropIds": ["_pages_location.pathname"]}
    for path in paths:
        times = []
        for _ in range(2):
            spec = next(k for k in app.callback_map if "_pages_content" in k)
            outputs = [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}]
            payload = {**body, "output": spec, "outputs": outputs,
                       "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                  {"id": "_pages_location", "property": "search", "value": ""}],
                       "state": []}
            spent[0] = 0.0
            started = time.perf_counter()
            r = client.post("/_dash-update-component", json=payload)
            times.append((time.perf_counter() - started, spent[0]))
            assert r.status_code == 200, (path, r.status_code, r.data[:300])
        (cold, cold_sql), (warm, warm_sql) = times
        print(json.dumps({"path": path, "cold_s": round(cold, 3), "cold_queries_s": round(cold_sql, 3),
                          "warm_s": round(warm, 3), "warm_queries_s": round(warm_sql, 3),
                          "warm_ratio": round(warm / warm_sql, 2) if warm_sql else None}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
