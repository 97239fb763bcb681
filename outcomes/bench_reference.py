"""The pandas reference for `outcomes bench`: the same pages written the straightforward way people would
otherwise write them, to compare ours against. Every current observation (with its measure, objective
and council) is read into one pandas frame once; each request filters that frame and builds its figure
with plotly's `make_subplots`, returning the figure's JSON as a callback would.

    python -m outcomes.bench_reference WAREHOUSE [--repeats N] PATH...

runs in a process of its own (so that its peak memory is its own) and prints one JSON object: the
seconds to read the frame, its size, each path's median and p95 over `repeats` requests after a first
one, the answer's bytes, and the process's peak resident memory. `/exceptions` has no reference: that
list is judged when figures are published, not drawn from observations.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable

import duckdb
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from outcomes.bench_http import peak_rss_mib, percentile

__all__ = ["read_frame", "PAGES", "answer", "main"]

FRAME_SQL = """
SELECT o.measure_id, o.period_start, o.dimension, o.grp, o.value,
       m.name, m.unit, m.owner_id, m.role, m.target_value, m.objective_id, b.council_id
FROM current_observations o
JOIN measures m ON m.id = o.measure_id
JOIN objectives b ON b.id = m.objective_id
WHERE m.published
"""
COLUMNS = 4  # panels a row in a grid of small multiples


def read_frame(warehouse: str) -> pd.DataFrame:
    """Every current observation of the published measures, with what the pages filter on."""
    con = duckdb.connect(warehouse, read_only=True)
    try:
        return con.execute(FRAME_SQL).df()
    finally:
        con.close()


def _panels(frame: pd.DataFrame, title: str) -> str:
    """One panel a measure (its totals, its target dashed), on a shared time axis."""
    measures = list(dict.fromkeys(frame["measure_id"]))
    rows = max(1, math.ceil(len(measures) / COLUMNS))
    names = frame.drop_duplicates("measure_id").set_index("measure_id")["name"]
    fig = make_subplots(rows=rows, cols=COLUMNS, shared_xaxes=True, subplot_titles=[names[m] for m in measures])
    for i, (measure, part) in enumerate(frame.groupby("measure_id", sort=False)):
        row, col = i // COLUMNS + 1, i % COLUMNS + 1
        part = part.sort_values("period_start")
        fig.add_trace(go.Scatter(x=part["period_start"], y=part["value"], mode="lines", name=names[measure]),
                      row=row, col=col)
        target = part["target_value"].iloc[0]
        if pd.notna(target):
            fig.add_hline(y=target, line_dash="dash", line_color="grey", row=row, col=col)
    fig.update_layout(title=title, showlegend=False, height=220 * rows)
    return fig.to_json()


def _totals(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["dimension"] == ""]


def goal_map(frame: pd.DataFrame, _arg: str | None) -> str:
    """Each objective's headline: latest total, the one before it, and its target, as table rows."""
    heads = _totals(frame[frame["role"] == "headline"]).sort_values(["objective_id", "period_start"])
    rows = []
    for objective, part in heads.groupby("objective_id"):
        last = part.tail(2)
        rows.append({"objective": objective, "council": part["council_id"].iloc[0], "measure": part["name"].iloc[0],
                     "latest": last["value"].iloc[-1], "before": last["value"].iloc[0] if len(last) > 1 else None,
                     "target": part["target_value"].iloc[0], "period": str(last["period_start"].iloc[-1])})
    return json.dumps({"rows": rows}, default=str)


def council(frame: pd.DataFrame, council_id: str) -> str:
    part = frame[(frame["council_id"] == council_id) & (frame["role"] == "headline")]
    return _panels(_totals(part), f"Council {council_id}: the headline of every objective")


def objective(frame: pd.DataFrame, objective_id: str) -> str:
    return _panels(_totals(frame[frame["objective_id"] == objective_id]), f"Objective {objective_id}")


def organisation(frame: pd.DataFrame, org_id: str) -> str:
    return _panels(_totals(frame[frame["owner_id"] == org_id]), f"Measures {org_id} owns")


def measure(frame: pd.DataFrame, measure_id: str) -> str:
    """The total, then each breakdown's groups, one panel a breakdown."""
    part = frame[frame["measure_id"] == measure_id].sort_values("period_start")
    dimensions = list(dict.fromkeys(part["dimension"]))
    fig = make_subplots(rows=len(dimensions), cols=1, shared_xaxes=True,
                        subplot_titles=[d or "All" for d in dimensions])
    for row, dimension in enumerate(dimensions, start=1):
        for grp, lines in part[part["dimension"] == dimension].groupby("grp", sort=False):
            fig.add_trace(go.Scatter(x=lines["period_start"], y=lines["value"], mode="lines", name=grp or "All"),
                          row=row, col=1)
    fig.update_layout(title=part["name"].iloc[0] if len(part) else measure_id, height=260 * len(dimensions))
    return fig.to_json()


PAGES: dict[str, Callable[[pd.DataFrame, str | None], str]] = {
    "": goal_map, "council": council, "objective": objective, "org": organisation, "measure": measure}


def answer(frame: pd.DataFrame, path: str) -> str | None:
    """The JSON a request for `path` returns, or None for a page with no reference."""
    kind, _, arg = path.strip("/").partition("/")
    page = PAGES.get(kind)
    return None if page is None else page(frame, arg or None)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("warehouse")
    p.add_argument("paths", nargs="+")
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args(argv)
    started = time.perf_counter()
    frame = read_frame(args.warehouse)
    out = {"read_s": round(time.perf_counter() - started, 3), "rows": len(frame),
           "frame_mib": round(frame.memory_usage(deep=True).sum() / 2**20, 1), "pages": {}}
    for path in args.paths:
        if answer(frame, path) is None:  # the first request; also says whether there is a reference
            continue
        times, size = [], 0
        for _ in range(args.repeats):
            started = time.perf_counter()
            size = len(answer(frame, path))
            times.append(time.perf_counter() - started)
        out["pages"][path] = {"median_s": round(statistics.median(times), 3),
                              "p95_s": round(percentile(times, 0.95), 3), "bytes": size}
    out["peak_mib"] = peak_rss_mib(os.getpid())
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
