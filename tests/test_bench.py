"""The benchmark's generated government and `outcomes bench --scale small` (figures, not timings)."""

from __future__ import annotations

import hashlib
import json

import pytest

from etl.synthetic import SCALES, write_government
from goal_councils import load_definitions
from outcomes.cli import main


def _digest(folder) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_small_government_is_exact_valid_and_the_same_every_time(tmp_path):
    loads = write_government("small", tmp_path / "a")
    write_government("small", tmp_path / "b")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    scale = SCALES["small"]
    assert sum(x.rows for x in loads) == scale.rows == 40 * 60 * 10
    defs = load_definitions(tmp_path / "a" / "definitions")
    measures = list(defs.measures.values())
    assert len(measures) == scale.measures and len(defs.objectives) == scale.objectives
    # every objective has one headline, led by the organisation that submits it
    for o in defs.objectives.values():
        heads = [m for m in o.measures if m.role == "headline"]
        assert len(heads) == 1 and o.partners[0].role == "lead" and o.partners[0].org == heads[0].owner
    assert any(m.target for m in measures) and any(m.target is None for m in measures)


@pytest.mark.slow
def test_bench_small_runs_end_to_end_and_reports_every_figure(tmp_path, capsys):
    out = tmp_path / "figures.json"
    assert main(["--home", str(tmp_path / "home"), "bench", "--scale", "small", "--repeats", "1", "--requests", "3",
                 "--step-seconds", "1", "--work", str(tmp_path / "work"), "--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["observations"] == SCALES["small"].rows
    assert figures["etl"]["rows"] + figures["one_org_monthly_load"]["rows"] == SCALES["small"].rows
    assert figures["etl"]["ratio"] > 0 and figures["outcomes_exceptions_s"] > 0
    assert figures["export_site"]["pages"] > 0 and figures["export_site"]["ms_per_page"] > 0
    pages = figures["pages"]
    assert [p["path"].split("/")[1] for p in pages] == ["", "exceptions", "council", "objective", "org", "measure"]
    # in-process and over HTTP to gunicorn, each against its DuckDB queries
    assert all(p["ratio_p95"] > 0 and p["response_bytes"] > 1000 for p in pages)
    assert all(p["http_median_s"] > 0 and p["http_p95_s"] >= p["http_median_s"] and p["http_ratio_p95"] > 0
               and p["http_cached_p95_s"] > 0 for p in pages)
    # over HTTP, divided by the page's own statements sent bare between its requests
    assert all(p["http_queries_median_s"] > 0 for p in pages)
    assert all(p["http_ratio_p95"] == round(p["http_p95_s"] / p["http_queries_median_s"], 2) for p in pages)
    # the pandas reference answers every page but the exceptions list (judged at publish)
    assert [p["path"] for p in pages if p["reference_ratio"] is None] == ["/exceptions"]
    assert all(p["reference_median_s"] > 0 for p in pages if p["path"] != "/exceptions")
    memory = figures["memory"]
    assert len(memory["after_every_page_type"]["workers_peak_mib"]) == 2
    assert memory["after_every_page_type"]["worker_peak_mib"] > 0 and memory["reference_peak_mib"] > 0
    load = figures["throughput"]
    assert load["steps"] and load["steps"][0]["clients"] == 1 and "per_s_at_p95_under_1s" in load
    browser = figures["browser"]
    if "skipped" in browser:  # no Chromium here: it says why
        assert browser["skipped"]
    else:
        assert [b["path"].split("/")[1] for b in browser["pages"]] == ["objective", "measure"]
        assert all(b["first_load_bytes"] > b["repeat_bytes"] > 0 for b in browser["pages"])
    printed = capsys.readouterr().out
    for words in ("p95 ÷ queries", "HTTP p95 ÷ queries", "cached p95", "ref ÷ ours", "/exceptions",
                  "requests/s at p95 < 1 s", "peak memory of one app worker", "headless Chromium", "ms a page"):
        assert words in printed, words


def test_bench_names_the_steps_it_can_leave_out(tmp_path):
    from outcomes.bench import SKIPPABLE, run_bench

    with pytest.raises(ValueError, match="no step 'exports' to skip: choose from served, browser"):
        run_bench("small", tmp_path, skip={"exports"})
    assert not any(tmp_path.iterdir())  # refused before generating anything
    assert {"served", "browser", "reference", "export"} <= set(SKIPPABLE)


def test_page_statements_are_kept_once_and_sent_again_bare(tiny_warehouse):
    from outcomes.bench_pages import PageQueries
    from published.reader import GOAL_MAP, MONTHS

    queries = PageQueries()
    for sql in (MONTHS, GOAL_MAP, MONTHS):
        queries.keep("/", tiny_warehouse, sql, {"role": "headline", "dimension": ""} if sql == GOAL_MAP else None)
    try:
        assert [sql for _, sql, _ in queries.sent["/"]] == [MONTHS, GOAL_MAP]
        assert queries.bare_seconds("/") > 0 and queries.bare_seconds("/elsewhere") == 0
    finally:
        queries.close()
