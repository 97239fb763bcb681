"""Time pages cold (a new process, the first request for each) and warm, in-process, against a
published warehouse: `python scripts/page_timing.py HOME PATH...`. Prints one JSON line per page
with the seconds Dash's page callback took and the seconds its requests spent in DuckDB. Used to
compare two checkouts in one run (with PYTHONPATH pointing at each); the timing itself is
outcomes.bench_pages, which `outcomes bench` uses too; the figures are in docs/benchmarks.md."""

import json
import sys
from pathlib import Path

from outcomes.bench_pages import in_process


def main(home: str, paths: list[str]) -> None:
    for page in in_process(Path(home) / "warehouse.duckdb", paths, repeats=1, say=lambda _line: None):
        print(json.dumps({"path": page["path"], "cold_s": page["cold_s"], "cold_queries_s": page["cold_queries_s"],
                          "warm_s": page["median_s"], "warm_queries_s": page["queries_median_s"],
                          "warm_ratio": round(page["median_s"] / page["queries_median_s"], 2)
                          if page["queries_median_s"] else None}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
