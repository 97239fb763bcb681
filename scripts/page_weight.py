"""Page weight in headless Chromium: the encoded (compressed, on-the-wire) bytes of a page's first load
and of a repeat visit, and the time until its charts are drawn.

    python scripts/page_weight.py HOME PATH...          # serves HOME with `outcomes serve` on a free port
    python scripts/page_weight.py --url URL PATH...     # measures a server that is already running

Each path is loaded in a new browser profile (first load), then in a new browser on the same profile, so
that only its disk cache carries over (repeat visit). Bytes are what Chrome's Network events report as
received (`Network.loadingFinished.encodedDataLength`: headers and body as sent); a resource served
from the browser's cache counts 0. The time to chart is from navigation start until every graph on the
page has drawn its `.main-svg`. The first path is loaded in throwaway profiles before anything is
measured, until its weight stops falling, so that the server's one-off work (compressing each file once,
then at brotli's best level in the background, in every worker; opening the warehouse) is not in the
figures. Prints a table per path; `--json FILE` writes the figures. The figures are in
docs/benchmarks.md; tests/browser/test_page_weight.py holds the sizes to a budget. The browser code is
outcomes.bench_browser (which `outcomes bench` uses too), the serving outcomes.bench_http.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from outcomes.bench_browser import (  # noqa: F401 (tests/browser/test_page_weight.py uses them from here)
    PageWeight,
    Resource,
    Visit,
    chrome,
    table,
    visit,
    warm,
    weigh,
)
from outcomes.bench_http import served


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("home", nargs="?", help="a home folder to serve with `outcomes serve` (or give --url)")
    p.add_argument("paths", nargs="+", help="page paths, e.g. /measure/hsc_arrivals_eastvale")
    p.add_argument("--url", help="a running server's base URL, instead of serving HOME")
    p.add_argument("--json", help="write the figures to this file")
    args = p.parse_args(argv)
    if args.url and args.home:
        args.paths.insert(0, args.home)
    if not args.url and not args.home:
        p.error("give HOME or --url")
    with served(args.home) if not args.url else _as_is(args.url) as server:
        base = server if args.url else server.url
        warm(base, args.paths[0])
        weights = [weigh(base, path) for path in args.paths]
    for w in weights:
        print(table(w))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(w) for w in weights], indent=1) + "\n", encoding="utf-8")
    return 0


@contextmanager
def _as_is(url: str) -> Iterator[str]:
    yield url


if __name__ == "__main__":
    sys.exit(main())
