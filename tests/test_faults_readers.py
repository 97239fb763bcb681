"""Readers during publish: HTTP clients reading the app while it is published over 20 times see no
failed request, and each response comes whole from one published version."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import ExitStack
from datetime import date, datetime

import pytest
from werkzeug.serving import make_server

from dashboard.app import create_app
from dashboard.context import PUBLIC_WAREHOUSE_KEY, WAREHOUSE_KEY, Settings
from etl.home import Home
from etl.load import LoadRequest, load_batch
from tests.support import write
from tests.test_faults import DEFS, MONTHS, ROOT, _csv

PUBLISHES = 20
CLIENTS = 2


# Publish versions 1..N one after another, in a process of its own, through the same build-and-swap a
# load uses: version k names the measure "Visits k" and sets every figure to k, so a response mixing
# two versions shows it.
PUBLISHER = """
import sys, time
from etl.home import Home
from etl.warehouse import load_lock, staged_build
home = Home.at(sys.argv[1])
for k in range(int(sys.argv[2]), int(sys.argv[3]) + 1):
    with load_lock(home), staged_build(home) as (con, state):
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE measures SET name = ?", [f"Visits {k}"])
        con.execute("UPDATE observations SET value = ?", [k])
        con.execute("COMMIT")
        state["publish"] = True
    time.sleep(0.05)  # let some requests land on each version
"""


def _publish(home: Home, first: int, last: int) -> None:
    subprocess.run([sys.executable, "-c", PUBLISHER, str(home.root), str(first), str(last)], cwd=ROOT, check=True,
                   timeout=300)


def one_version_per_request(app):
    """Every request answered from one version of each warehouse (Warehouse.one_version)."""
    inner = app.server.wsgi_app
    warehouses = [app.server.config[WAREHOUSE_KEY], app.server.config[PUBLIC_WAREHOUSE_KEY]]

    def wsgi(environ, start_response):
        with ExitStack() as stack:
            for w in warehouses:
                stack.enter_context(w.one_version())
            return list(inner(environ, start_response))  # the whole body inside the block

    return wsgi


@pytest.mark.slow
def test_readers_during_twenty_publishes(tmp_path):
    home = Home.at(tmp_path / "home").ensure()
    write(home.definitions / "defs.yaml", DEFS % "s1, s2")
    load_batch(home, [LoadRequest("stats", [write(tmp_path / "in.csv", _csv([(p, 1, "s1") for p in MONTHS[:36]]))],
                                  datetime(2025, 1, 10))], today=date(2025, 1, 11))
    _publish(home, 0, 0)
    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                              workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}"))
    server = make_server("127.0.0.1", 0, one_version_per_request(app), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/measures/visits"
    stop = threading.Event()
    answers: list[tuple[int, str | None]] = []  # (version, what was wrong with the response)

    def client():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(url, timeout=30) as r:
                    doc = json.loads(r.read())
                version = int(doc["measure"]["name"].split()[-1])
                values = {o["value"] for o in doc["observations"]}
                answers.append((version, None if values == {version} else f"version {version} with figures {values}"))
            except Exception as e:  # noqa: BLE001 -- every failure is counted and reported
                answers.append((-1, f"{type(e).__name__}: {e}"))

    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    try:
        for c in clients:
            c.start()
        _publish(home, 1, PUBLISHES)
        time.sleep(0.3)
    finally:
        stop.set()
        for c in clients:
            c.join(timeout=60)
        server.shutdown()
        for key in (WAREHOUSE_KEY, PUBLIC_WAREHOUSE_KEY):
            app.server.config[key].close()
    failed = [what for _, what in answers if what]
    versions = sorted({v for v, what in answers if not what})
    print(f"{len(answers)} requests during {PUBLISHES} publishes: {len(failed)} failed or mixed; "
          f"answered from {len(versions)} versions ({versions[0]}..{versions[-1]})")
    assert failed == []
    assert len(answers) >= PUBLISHES
    assert versions[-1] == PUBLISHES and len(versions) >= PUBLISHES // 2  # readers followed the publishes
