"""`outcomes bench`: how fast the product is at a named scale, as ratios measured in one run.

Steps, each timed on this machine now (figures are only comparable within one run):

  generate   a deterministic government at the scale (etl.synthetic), kept in the work folder
  etl        every submission through the full path (read, validate, load, judge, publish),
             rows per second, divided by DuckDB's own `read_csv` of the same files into a table
  publish    one organisation's monthly load on top: the seconds it adds, and the judge's share
  pages      each page's main callback, in-process through Dash's test client: the first
             request (cold) and repeats (median, p95), divided by the time the same requests
             spent in DuckDB (the bare queries behind the page)
  http       the same callbacks over HTTP against `outcomes serve` (gunicorn, 2 workers) on a free
             loopback port: median and p95 ÷ the page's statements sent bare to DuckDB between its
             requests (the same moment), each request at an address of its own so the app's kept
             answers to the public do not answer it; then the kept answer's median and p95
             (outcomes.bench_http)
  memory     each worker's peak resident memory once every page type has been served
  browser    first load and repeat visit of the objective page and a public measure page in headless
             Chromium: bytes on the wire and time until the charts are drawn (outcomes.bench_browser)
  load       public pages' requests per second at p95 under a second, clients stepped up for a few
             seconds each, loopback only (outcomes.bench_http)
  reference  the same pages written the straightforward pandas way, in a process of its own: its time
             ÷ ours, and its peak memory (outcomes.bench_reference)
  exceptions `outcomes exceptions` end to end, in a new process (start-up included)
  export     `outcomes export-site` of the public site (seconds a page), then again with nothing
             changed (incremental)

A step that needs what is not installed here (Chromium, selenium) is skipped, and says why; `skip` leaves
out any of SKIPPABLE (served, browser, load, reference, exceptions, export), e.g. the static export that
takes ten minutes at state scale.
Prints a table and writes the figures as JSON. No figure here is a pass/fail: goals are read
against them in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

from etl.home import Home
from etl.load import LoadRequest, load_batch
from etl.synthetic import SCALES, BenchLoad, write_government
from outcomes import bench_browser
from outcomes.bench_http import http_pages, served, throughput, worker_memory
from outcomes.bench_pages import PageQueries, in_process, page_paths, ratio
from outcomes.bench_report import BenchResult, table

__all__ = ["run_bench", "BenchResult", "table", "SKIPPABLE"]

SKIPPABLE = ("served", "browser", "load", "reference", "exceptions", "export")  # steps a run may leave out


def _machine() -> dict:
    return {"cores": os.cpu_count(), "python": platform.python_version(), "duckdb": duckdb.__version__,
            "platform": platform.platform(terse=True)}


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


def _pages(home: Home, repeats: int, say, queries: PageQueries) -> list[dict]:
    return in_process(home.warehouse, page_paths(home.warehouse), repeats, say, queries)


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


def _served(home: Home, result: BenchResult, requests: int, step_s: float, say, queries: PageQueries,
            skip: frozenset[str]) -> None:
    """The HTTP steps, against `outcomes serve` (gunicorn, 2 workers) on HOME: pages, memory, browser, load.
    Each page's HTTP times are divided by its bare DuckDB statements timed between its requests (the same
    moment), not by the in-process figures taken minutes before."""
    paths = [p["path"] for p in result.pages]
    say("serving the app with gunicorn (2 workers)")
    with served(home.root, workers=2) as server:
        over_http = http_pages(server.url, paths, requests, say, bare=queries.bare_seconds)
        for page in result.pages:
            page.update(over_http[page["path"]])
            bare = page.get("http_queries_median_s") or page["queries_median_s"]
            page["http_ratio_median"] = ratio(page["http_median_s"], bare)
            page["http_ratio_p95"] = ratio(page["http_p95_s"], bare)
        result.figures["http"] = {"workers": 2, "requests_per_page": requests}
        result.figures["memory"] = {"after_every_page_type": worker_memory(server)}
        if "browser" in skip:
            result.figures["browser"] = {"skipped": "left out (--skip browser)"}
        else:
            started = time.perf_counter()
            result.figures["browser"] = _browser(server.url, [_kind(paths, "objective"), _kind(paths, "measure")],
                                                 say)
            result.figures["browser"]["seconds"] = round(time.perf_counter() - started, 1)
        if "load" not in skip:
            say("public pages under load")
            result.figures["throughput"] = throughput(
                server.url, [_kind(paths, ""), _kind(paths, "objective"), _kind(paths, "measure")], step_s, say)
            result.figures["memory"]["after_load"] = worker_memory(server)


def _kind(paths: list[str], kind: str) -> str:
    return next(p for p in paths if p.split("/")[1] == kind)


def _browser(url: str, paths: list[str], say) -> dict:
    """First load and repeat visit of each path in headless Chromium, once the server has made its best
    compressed copies; or why it was skipped."""
    why = bench_browser.missing()
    if why:
        say(f"browser step skipped: {why}")
        return {"skipped": why}
    say(f"headless Chromium: {', '.join(paths)}")
    bench_browser.warm(url, paths[-1], rounds=3, pause=2.0)
    out = []
    for path in paths:
        w = bench_browser.weigh(url, path)
        out.append({"path": path, "first_load_bytes": w.first.encoded_bytes, "first_chart_ms": _ms(w.first.chart_ms),
                    "first_requests": len(w.first.resources), "repeat_bytes": w.repeat.encoded_bytes,
                    "repeat_chart_ms": _ms(w.repeat.chart_ms)})
    return {"pages": out}


def _ms(value: float | None) -> int | None:
    return None if value is None else round(value)


def _reference(home: Home, result: BenchResult, repeats: int, say) -> None:
    """The pandas reference in a process of its own: each page's time ÷ ours (in-process), its peak memory."""
    say("the pandas reference")
    paths = [p["path"] for p in result.pages]
    run = subprocess.run([sys.executable, "-m", "outcomes.bench_reference", str(home.public_warehouse),
                          "--repeats", str(max(repeats, 3)), *paths],
                         check=True, capture_output=True, text=True, env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
    ref = json.loads(run.stdout)
    for page in result.pages:
        theirs = ref["pages"].get(page["path"])
        page["reference_median_s"] = theirs["median_s"] if theirs else None
        page["reference_ratio"] = round(theirs["median_s"] / page["median_s"], 2) if theirs else None
    result.figures.setdefault("memory", {})["reference_peak_mib"] = ref["peak_mib"]
    result.figures["reference"] = {k: ref[k] for k in ("read_s", "rows", "frame_mib", "peak_mib")}


def run_bench(scale: str, work: Path, *, repeats: int = 5, requests: int = 20, step_s: float = 3.0,
              skip: frozenset[str] | set[str] = frozenset(), say=print) -> BenchResult:
    """Generate (once), load, serve and time the product at `scale`; the figures of one run, without the
    steps named in `skip` (of SKIPPABLE)."""
    if scale not in SCALES:
        raise ValueError(f"no scale {scale!r}: choose from {', '.join(SCALES)}")
    unknown = sorted(set(skip) - set(SKIPPABLE))
    if unknown:
        raise ValueError(f"no step {', '.join(map(repr, unknown))} to skip: choose from {', '.join(SKIPPABLE)}")
    skip = frozenset(skip)
    work.mkdir(parents=True, exist_ok=True)
    result = BenchResult(scale, _machine())
    steps = result.figures.setdefault("step_seconds", {})  # wall time of each step, to see where a run goes

    def step(name: str, fn, *args):
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            steps[name] = round(time.perf_counter() - started, 1)

    loads = step("generate", _generated, scale, work, say)
    home, figures = step("etl", _etl, scale, loads, work, say)
    result.figures.update(figures)
    if skip:
        result.figures["skipped"] = sorted(skip)
    queries = PageQueries()
    try:
        result.pages = step("pages", _pages, home, repeats, say, queries)
        if "served" not in skip:
            step("served", _served, home, result, requests, step_s, say, queries, skip)
    finally:
        queries.close()
    if "reference" not in skip:
        step("reference", _reference, home, result, repeats, say)
    if "exceptions" not in skip:
        result.figures["outcomes_exceptions_s"] = step("exceptions", _exceptions_command, home)
    if "export" not in skip:
        result.figures["export_site"] = step("export", _export, home, work, say)
    return result
