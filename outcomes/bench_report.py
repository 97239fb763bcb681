"""The benchmark's figures: what one run holds, as JSON and as the plain-text table `outcomes bench` prints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

__all__ = ["BenchResult", "table"]


@dataclass
class BenchResult:
    scale: str
    machine: dict
    figures: dict = field(default_factory=dict)
    pages: list[dict] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"scale": self.scale, "machine": self.machine, **self.figures, "pages": self.pages},
                          indent=2, default=str)


def _n(value, suffix: str = "") -> str:
    return "–" if value is None else f"{value:,}{suffix}"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _export_line(x: dict | None) -> str:
    if not x:
        return "outcomes export-site: not measured"
    return (f"outcomes export-site: {x['pages']:,} pages, {x['files']:,} files, {x['megabytes']} MB in "
            f"{x['seconds']} s ({x['ms_per_page']} ms a page); again with nothing changed {x['unchanged_seconds']} s, "
            f"{x['unchanged_written']} written")


def _memory_lines(memory: dict | None) -> list[str]:
    if not memory:
        return ["memory: not measured"]
    pages, after = memory.get("after_every_page_type") or {}, memory.get("after_load") or {}
    return [f"peak memory of one app worker after every page type: {_n(pages.get('worker_peak_mib'), ' MiB')} "
            f"(workers {pages.get('workers_peak_mib')}); after the load test "
            f"{_n(after.get('worker_peak_mib'), ' MiB')}; the pandas reference "
            f"{_n(memory.get('reference_peak_mib'), ' MiB')}"]


def _browser_lines(browser: dict | None) -> list[str]:
    if not browser:
        return ["headless Chromium: not measured"]
    if "skipped" in browser:
        return [f"headless Chromium: skipped ({browser['skipped']})"]
    return [f"headless Chromium {b['path']}: first load {b['first_load_bytes'] / 1000:,.1f} KB, charts drawn "
            f"{_ms(b['first_chart_ms'])}; repeat visit {b['repeat_bytes'] / 1000:,.1f} KB, charts drawn "
            f"{_ms(b['repeat_chart_ms'])}" for b in browser["pages"]]


def _throughput_lines(load: dict | None) -> list[str]:
    if not load:
        return ["public pages under load: not measured"]
    steps = ", ".join(f"{s['clients']}: {s['per_s']}/s p95 {_n(s['p95_s'])} s" for s in load["steps"])
    return [f"public pages ({', '.join(load['paths'])}): {load['per_s_at_p95_under_1s']} requests/s at p95 < 1 s "
            f"({load['clients']} clients); by clients at once, {load['step_s']} s each: {steps}"]


def table(result: BenchResult) -> str:
    """The figures as a plain-text table."""
    f = result.figures
    e, one = f["etl"], f["one_org_monthly_load"]
    ref = f.get("reference") or {}
    lines = [
        *([f"left out: {', '.join(f['skipped'])}"] if f.get("skipped") else []),
        f"scale {result.scale}: {f['observations']:,} observations; "
        f"{result.machine['cores']} cores, Python {result.machine['python']}, DuckDB {result.machine['duckdb']}",
        f"ETL (read, validate, load, judge, publish): {e['rows_per_s']:,} rows/s; DuckDB read_csv "
        f"{e['duckdb_rows_per_s']:,} rows/s; ratio {e['ratio']} (judging took {e['judge_s']} s of {e['seconds']} s)",
        f"one organisation's monthly load ({one['rows']:,} rows): {one['seconds']} s, judging {one['judge_s']} s",
        f"outcomes exceptions: {_n(f.get('outcomes_exceptions_s'), ' s')}",
        _export_line(f.get("export_site")),
        *_memory_lines(f.get("memory")),
        *_browser_lines(f.get("browser")),
        *_throughput_lines(f.get("throughput")),
        f"pandas reference: whole frame ({_n(ref.get('rows'))} rows, {_n(ref.get('frame_mib'), ' MiB')}) read in "
        f"{_n(ref.get('read_s'), ' s')}",
        "",
        "Each page's main callback: in-process (cold, median, p95), over HTTP to gunicorn (median, p95; then p95",
        "of the same request repeated, as the app's cache of public answers serves it), the time the same requests",
        "spent in DuckDB (queries; over HTTP, the page's statements sent bare between its requests: HTTP queries),",
        "and the pandas reference's median ÷ ours in-process.",
        f"{'page':<26} {'cold s':>7} {'median s':>9} {'p95 s':>6} {'HTTP med':>9} {'HTTP p95':>9} {'cached p95':>11} "
        f"{'queries s':>10} {'HTTP queries s':>15} "
        f"{'p95 ÷ queries':>14} {'HTTP p95 ÷ queries':>19} {'reference s':>12} {'ref ÷ ours':>11} {'bytes':>9}",
    ]
    for p in result.pages:
        lines.append(
            f"{p['path'][:26]:<26} {p['cold_s']:>7} {p['median_s']:>9} {p['p95_s']:>6} {_n(p.get('http_median_s')):>9} "
            f"{_n(p.get('http_p95_s')):>9} {_n(p.get('http_cached_p95_s')):>11} {p['queries_median_s']:>10} "
            f"{_n(p.get('http_queries_median_s')):>15} "
            f"{_n(p['ratio_p95']):>14} "
            f"{_n(p.get('http_ratio_p95')):>19} {_n(p.get('reference_median_s')):>12} "
            f"{_n(p.get('reference_ratio')):>11} {p['response_bytes']:>9,}")
    return "\n".join(lines)
