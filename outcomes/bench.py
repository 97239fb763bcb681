"""`outcomes bench`: how fast the product is at a named scale, as ratios measured in one run.

Steps, each timed on this machine now (figures are only comparable within one run):

  generate   a deterministic government at the scale (etl.synthetic), kept in the work folder
  etl        every submission through the full path (read, validate, load, judge, publish),
             rows per second, divided by DuckDB's own `read_csv` of the same files into a table
  publish    one organisation's monthly load on top: the seconds it adds, and the judge's share
  pages      each page's main callback, in-process through Dash's test client: the first
             request (cold) and repeats (median, p95), divided by the time the same requests
             spent in DuckDB (the bare queries behind the page)
  exceptions `outcomes exceptions` end to end, in a new process (start-up included)
  export     `outcomes export-site` of the public site, then again with nothing changed (incremental)

Prints a table and writes the figures as JSON. No figure here is a pass/fail: goals are read
against them in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from etl.home import Home
from etl.load import LoadRequest, load_batch
from etl.synthetic import SCALES, BenchLoad, write_government

__all__ = ["run_bench", "BenchResult"]


@dataclass
class BenchResult:
    scale: str
    machine: dict
    figures: dict = field(default_factory=dict)
    pages: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"scale": self.scale, "machine": self.machine, **self.figures, "pages": self.pages},
                          indent=2, default=str)


def _machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "platform": platform.platform(terse=True)}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _generated(scale: str, work: Path, say) -> list[BenchLoad]:
    folder = work / scale
    marker = folder / "loads.json"
    if marker.exists():
        return [BenchLoad(x["org"], Path(x["path"]), datetime.fromisoformat(x["received_at"]), x["rows"])
                for x in json.loads(marker.read_text(encoding="utf-8"))]
    say(f"generating the {scale} government in {folder}")
    shutil.rmtree(folder, ignore_errors=True)
    loads = write_government(scale, folder)
    marker.write_text(json.dumps([{"org": x.org, "path": str(x.path), "received_at": x.received_at.isoformat(),
                                   "rows": x.rows} for x in loads]), encoding="utf-8")
    return loads


def _duckdb_ingest(loads: list[BenchLoad]) -> float:
    """Seconds DuckDB itself takes to read the same CSV files into a table."""
    con = duckdb.connect(":memory:")
    try:
        started = time.perf_counter()
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?, union_by_name = true, all_varchar = true)",
                    [[str(x.path) for x in loads]])
        return time.perf_counter() - started
    finally:
        con.close()


def _etl(scale: str, loads: list[BenchLoad], work: Path, say) -> tuple[Home, dict]:
    home = Home.at(work / f"{scale}-home")
    shutil.rmtree(home.root, ignore_errors=True)
    home.ensure()
    shutil.copytree(work / scale / "definitions", home.definitions, dirs_exist_ok=True)
    history = [x for x in loads if x.path.name == "history.csv"]
    monthly = [x for x in loads if x.path.name != "history.csv"]
    bulk = history + monthly[1:]  # everything but one organisation's monthly load
    rows = sum(x.rows for x in bulk)
    say(f"loading {rows:,} rows in {len(bulk)} files")
    started = time.perf_counter()
    results = load_batch(home, [LoadRequest(x.org, [x.path], x.received_at, by="bench") for x in bulk])
    etl_s = time.perf_counter() - started
    assert all(r.load_id is not None for r in results), "every bench load adds rows"
    judge_full_s = _last_run_seconds(home)
    duck_s = _duckdb_ingest(bulk)
    say(f"one organisation's monthly load ({monthly[0].org})")
    started = time.perf_counter()
    load_batch(home, [LoadRequest(monthly[0].org, [monthly[0].path], monthly[0].received_at, by="bench")])
    one_s = time.perf_counter() - started
    figures = {
        "observations": rows + monthly[0].rows,
        "etl": {"rows": rows, "seconds": round(etl_s, 2), "rows_per_s": round(rows / etl_s),
                "duckdb_read_csv_s": round(duck_s, 2), "duckdb_rows_per_s": round(rows / duck_s),
                "ratio": round((rows / etl_s) / (rows / duck_s), 3), "judge_s": judge_full_s},
        "one_org_monthly_load": {"org": monthly[0].org, "rows": monthly[0].rows, "seconds": round(one_s, 2),
                                 "judge_s": _last_run_seconds(home)},
    }
    return home, figures


def _last_run_seconds(home: Home) -> float | None:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        row = con.execute("SELECT seconds FROM judgement_runs ORDER BY id DESC LIMIT 1").fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


def _page_paths(home: Home) -> list[str]:
    """The goal map, exceptions, and the largest council, objective and organisation, and a forecast measure."""
    con = duckdb.connect(str(home.warehouse), read_only=True)
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


def _pages(home: Home, repeats: int, say) -> list[dict]:
    """Each page's main callback in-process: cold, then `repeats` warm; ÷ its time in DuckDB."""
    from dashboard.app import Settings, create_app
    from published.reader import Warehouse

    spent = [0.0]
    query = Warehouse.query

    def timed(self, sql, params=None):
        started = time.perf_counter()
        try:
            return query(self, sql, params)
        finally:
            spent[0] += time.perf_counter() - started

    Warehouse.query = timed
    try:
        app = create_app(Settings(warehouse=home.warehouse))
        client = app.server.test_client()
        client.get("/")
        spec = next(k for k in app.callback_map if "_pages_content" in k)
        out = []
        for path in _page_paths(home):
            say(f"page {path}")
            payload = {"output": spec, "changedPropIds": ["_pages_location.pathname"],
                       "outputs": [{"id": "_pages_content", "property": "children"},
                                   {"id": "_pages_store", "property": "data"}],
                       "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                  {"id": "_pages_location", "property": "search", "value": ""}],
                       "state": []}
            times = []
            for _ in range(repeats + 1):
                spent[0] = 0.0
                started = time.perf_counter()
                response = client.post("/_dash-update-component", json=payload)
                times.append((time.perf_counter() - started, spent[0], len(response.data)))
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.data[:200]!r}")
            (cold, cold_q, size), warm = times[0], times[1:]
            page_s = [t for t, _, _ in warm]
            query_s = [q for _, q, _ in warm]
            out.append({"path": path, "cold_s": round(cold, 3), "cold_queries_s": round(cold_q, 3),
                        "median_s": round(statistics.median(page_s), 3), "p95_s": round(_percentile(page_s, 0.95), 3),
                        "queries_median_s": round(statistics.median(query_s), 3),
                        "ratio_p95": round(_percentile(page_s, 0.95) / statistics.median(query_s), 2),
                        "response_bytes": size})
        return out
    finally:
        Warehouse.query = query


def _exceptions_command(home: Home) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "outcomes", "--home", str(home.root), "exceptions"],
                   check=True, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - started, 2)


def _export(home: Home, work: Path, say) -> dict:
    """`outcomes export-site` of the whole public site, then again with nothing changed (incremental)."""
    from dashboard.static_site import export_site

    out = work / f"{home.root.name}-site"
    shutil.rmtree(out, ignore_errors=True)
    say("exporting the static site")
    first = export_site(home.public_warehouse, out)
    again = export_site(home.public_warehouse, out)
    return {"pages": first.pages, "files": first.files, "megabytes": round(first.bytes / 2**20, 1),
            "seconds": round(first.seconds, 2), "ms_per_page": round(1000 * first.per_page, 1),
            "unchanged_seconds": round(again.seconds, 2), "unchanged_written": again.written}


def run_bench(scale: str, work: Path, *, repeats: int = 5, say=print) -> BenchResult:
    """Generate (once), load, and time the product at `scale`; the figures of one run."""
    if scale not in SCALES:
        raise ValueError(f"no scale {scale!r}: choose from {', '.join(SCALES)}")
    work.mkdir(parents=True, exist_ok=True)
    result = BenchResult(scale, _machine())
    loads = _generated(scale, work, say)
    home, figures = _etl(scale, loads, work, say)
    result.figures.update(figures)
    result.pages = _pages(home, repeats, say)
    result.figures["outcomes_exceptions_s"] = _exceptions_command(home)
    result.figures["export_site"] = _export(home, work, say)
    return result


def _export_line(x: dict | None) -> str:
    if not x:
        return "outcomes export-site: not measured"
    return (f"outcomes export-site: {x['pages']:,} pages, {x['files']:,} files, {x['megabytes']} MB in "
            f"{x['seconds']} s ({x['ms_per_page']} ms a page); again with nothing changed {x['unchanged_seconds']} s, "
            f"{x['unchanged_written']} written")


def table(result: BenchResult) -> str:
    """The figures as a plain-text table."""
    e, one = result.figures["etl"], result.figures["one_org_monthly_load"]
    lines = [
        f"scale {result.scale}: {result.figures['observations']:,} observations; "
        f"{result.machine['cores']} cores, Python {result.machine['python']}, DuckDB {result.machine['duckdb']}",
        f"ETL (read, validate, load, judge, publish): {e['rows_per_s']:,} rows/s; DuckDB read_csv "
        f"{e['duckdb_rows_per_s']:,} rows/s; ratio {e['ratio']} (judging took {e['judge_s']} s of {e['seconds']} s)",
        f"one organisation's monthly load ({one['rows']:,} rows): {one['seconds']} s, judging {one['judge_s']} s",
        f"outcomes exceptions: {result.figures['outcomes_exceptions_s']} s",
        _export_line(result.figures.get("export_site")),
        "",
        f"{'page':<34} {'cold s':>7} {'median s':>9} {'p95 s':>7} {'queries s':>10} "
        f"{'p95 ÷ queries':>14} {'bytes':>10}",
    ]
    for p in result.pages:
        lines.append(f"{p['path'][:34]:<34} {p['cold_s']:>7} {p['median_s']:>9} {p['p95_s']:>7} "
                     f"{p['queries_median_s']:>10} {p['ratio_p95']:>14} {p['response_bytes']:>10,}")
    return "\n".join(lines)
