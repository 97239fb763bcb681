"""Page weight and time to chart in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
selenium, which comes with the test extras): the encoded (compressed, on-the-wire) bytes of a page's first
load and of a repeat visit, and the time until its charts are drawn. Used by `outcomes bench`,
scripts/page_weight.py and tests/browser/test_page_weight.py.

Bytes are what Chrome's Network events report as received (`Network.loadingFinished.encodedDataLength`:
headers and body as sent); a resource served from the browser's cache counts 0. The time to chart is from
navigation start until every graph on the page has drawn its `.main-svg`.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["missing", "chrome", "visit", "warm", "weigh", "Resource", "Visit", "PageWeight", "table"]

CHROMIUM = "/usr/bin/chromium"
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--window-size=1280,900")
QUIET_S = 1.0  # no network event for this long (and nothing in flight) ends a visit
# records, from the first script the page runs, when the graphs have drawn: the time (ms since navigation
# start) at which every graph on the page had its svg
WATCH_CHARTS = """
window.__chartsDrawn = null;
new MutationObserver(() => {
  const graphs = document.querySelectorAll('.js-plotly-plot');
  if (graphs.length && window.__chartsDrawn === null
      && [...graphs].every(g => g.querySelector('.main-svg'))
      && !document.querySelector('.dash-graph--pending')) {
    window.__chartsDrawn = performance.now();
  }
}).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['class']});
"""


@dataclass(frozen=True)
class Resource:
    url: str
    status: int
    encoded_bytes: int  # on the wire: headers and (compressed) body; 0 from the browser's cache
    body_bytes: int  # decoded size
    cached: bool
    encoding: str


@dataclass(frozen=True)
class Visit:
    resources: tuple[Resource, ...]
    chart_ms: float | None  # None: no chart on the page, or it was not drawn in time

    @property
    def encoded_bytes(self) -> int:
        return sum(r.encoded_bytes for r in self.resources)

    def biggest(self, n: int = 5) -> list[Resource]:
        return sorted(self.resources, key=lambda r: -r.encoded_bytes)[:n]


@dataclass(frozen=True)
class PageWeight:
    path: str
    first: Visit
    repeat: Visit


# --- the browser -----------------------------------------------------------------------------------

def missing() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    if importlib.util.find_spec("selenium") is None:
        return "selenium is not installed (pip install -e '.[test]')"
    for program, package in ((CHROMIUM, "chromium"), ("chromedriver", "chromium-driver")):
        if shutil.which(program) is None:
            return f"no {program} (apt-get install {package})"
    return None


def chrome(profile: Path):
    """Headless Debian Chromium (a selenium webdriver) on the given profile folder, logging its network events."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    opts.binary_location = CHROMIUM
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    opts.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    driver = webdriver.Chrome(options=opts)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH_CHARTS})
    return driver


def visit(driver, url: str, timeout: float = 60) -> Visit:
    """Open `url`, wait until the network has been quiet for QUIET_S, and return what was fetched."""
    driver.get_log("performance")  # drop what came before
    driver.get(url)
    events: list[dict] = []
    last_event, deadline = time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        new = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
        new = [e for e in new if e["method"].startswith("Network.")]
        if new:
            events += new
            last_event = time.monotonic()
        elif time.monotonic() - last_event > QUIET_S and not _in_flight(events) and _charts_settled(driver):
            break
        time.sleep(0.1)
    return Visit(resources=tuple(_resources(events)), chart_ms=driver.execute_script("return window.__chartsDrawn"))


def _charts_settled(driver) -> bool:
    """No graph on the page, or all of them drawn."""
    return bool(driver.execute_script(
        "return !document.querySelector('.dash-graph, .js-plotly-plot') || window.__chartsDrawn !== null"))


def _in_flight(events: list[dict]) -> bool:
    sent = {e["params"]["requestId"] for e in events if e["method"] == "Network.requestWillBeSent"}
    done = {e["params"]["requestId"] for e in events if e["method"] in ("Network.loadingFinished",
                                                                           "Network.loadingFailed")}
    return bool(sent - done)


def _resources(events: list[dict]) -> Iterator[Resource]:
    responses = {e["params"]["requestId"]: e["params"]["response"] for e in events
                 if e["method"] == "Network.responseReceived"}
    from_cache = {e["params"]["requestId"] for e in events if e["method"] == "Network.requestServedFromCache"}
    for e in events:
        if e["method"] != "Network.loadingFinished":
            continue
        rid = e["params"]["requestId"]
        response = responses.get(rid)
        if response is None or response["url"].startswith("data:"):
            continue
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        cached = rid in from_cache or response.get("fromDiskCache", False) or response.get("fromMemoryCache", False)
        yield Resource(url=response["url"], status=response["status"],
                       encoded_bytes=0 if cached else int(e["params"]["encodedDataLength"]),
                       body_bytes=_body_length(events, rid),
                       cached=bool(cached), encoding=headers.get("content-encoding", ""))


def _body_length(events: list[dict], rid: str) -> int:
    return sum(e["params"]["dataLength"] for e in events
               if e["method"] == "Network.dataReceived" and e["params"]["requestId"] == rid)


def warm(base_url: str, path: str, rounds: int = 5, pause: float = 3.0) -> None:
    """Load `path` in throwaway profiles until a first load weighs no less than the one before (within
    1 KB): until then the server has been replacing quick copies by better ones."""
    before = None
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="page-weight-warm-") as profile:
            driver = chrome(Path(profile))
            try:
                now = visit(driver, base_url.rstrip("/") + path).encoded_bytes
            finally:
                driver.quit()
        if before is not None and now > before - 1024:
            return
        before = now
        time.sleep(pause)  # the background compression runs on


def weigh(base_url: str, path: str, timeout: float = 60) -> PageWeight:
    """A first load of `path` in a new profile, then a repeat visit in a new browser on that profile."""
    with tempfile.TemporaryDirectory(prefix="page-weight-") as profile:
        visits = []
        for _ in range(2):
            driver = chrome(Path(profile))
            try:
                visits.append(visit(driver, base_url.rstrip("/") + path, timeout))
            finally:
                driver.quit()  # writes the disk cache out for the next browser
    return PageWeight(path, *visits)


# --- reporting -------------------------------------------------------------------------------------

def table(weight: PageWeight) -> str:
    def kb(n: int) -> str:
        return f"{n / 1000:,.1f} KB"  # decimal kilobytes, as docs/benchmarks.md quotes them

    def ms(v: float | None) -> str:
        return "–" if v is None else f"{v:,.0f} ms"

    lines = [f"{weight.path}",
             f"  first load  {kb(weight.first.encoded_bytes):>12}  {len(weight.first.resources):3} requests  "
             f"charts drawn {ms(weight.first.chart_ms)}",
             f"  repeat      {kb(weight.repeat.encoded_bytes):>12}  {len(weight.repeat.resources):3} requests  "
             f"charts drawn {ms(weight.repeat.chart_ms)}",
             "  biggest on first load (encoded / decoded, encoding):"]
    for r in weight.first.biggest(6):
        name = r.url.split("://", 1)[-1].split("/", 1)[-1]
        lines.append(f"    {kb(r.encoded_bytes):>11} / {kb(r.body_bytes):>11}  {r.encoding or '-':5} /{name[:90]}")
    return "\n".join(lines)
