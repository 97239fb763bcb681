"""Page weight in headless Chromium, on the tiny warehouse: the bytes a public measure page costs on a
first load and on a repeat visit (bytes are deterministic; no time is asserted). Measured by
scripts/page_weight.py, against the app's Flask server in a thread (the same views and hooks gunicorn runs),
once the server has made its best-compressed copies (dashboard.assets). Budgets in decimal kilobytes."""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard import Settings, create_app

pytestmark = pytest.mark.browser

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "page_weight.py"
FIRST_LOAD_BUDGET = 700_000
REPEAT_BUDGET = 50_000
PUBLIC_MEASURE = "/measure/mh-days-to-first-appointment"


def page_weight():
    spec = importlib.util.spec_from_file_location("page_weight", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def served(tiny_warehouse):
    app = create_app(Settings(warehouse=tiny_warehouse))
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app.server.extensions["static_files"]
    server.shutdown()
    thread.join(timeout=10)


def test_a_public_measure_page_is_light_on_first_load_and_lighter_on_a_repeat_visit(served):
    url, static_files = served
    measure = page_weight()
    with tempfile.TemporaryDirectory() as profile:  # a first visitor: the server compresses what it is asked for
        driver = measure.chrome(Path(profile))
        try:
            measure.visit(driver, url + PUBLIC_MEASURE)
        finally:
            driver.quit()
    static_files.settle(timeout=120)  # and makes its best copies in the background
    weight = measure.weigh(url, PUBLIC_MEASURE)
    first, repeat = weight.first, weight.repeat
    fetched = {r.url.split("?")[0].rsplit("/", 1)[-1] for r in first.resources}
    print(f"{PUBLIC_MEASURE}: first load {first.encoded_bytes:,} B, repeat visit {repeat.encoded_bytes:,} B")

    assert first.chart_ms is not None and repeat.chart_ms is not None  # the chart was drawn, both times
    assert "plotly.min.js" not in fetched  # Dash's full bundle: the partial one stands in for it
    assert any(name.startswith("plotly-basic-") for name in fetched)
    assert first.encoded_bytes <= FIRST_LOAD_BUDGET, _biggest(first)
    assert repeat.encoded_bytes <= REPEAT_BUDGET, _biggest(repeat)
    # every script and stylesheet came from the browser's cache, or was revalidated with a 304
    reloaded = [r for r in repeat.resources if r.url.split("?")[0].endswith((".js", ".css")) and r.encoded_bytes > 1000]
    assert reloaded == []


def _biggest(visit) -> str:
    return "; ".join(f"{r.url.rsplit('/', 1)[-1][:60]} {r.encoded_bytes:,}" for r in visit.biggest(8))
