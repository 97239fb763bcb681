"""A served worker's garbage collector: what the app built is frozen, young objects are collected in batches."""

from __future__ import annotations

import gc
import json
import subprocess
import sys

from dashboard.app import SERVING_GC_THRESHOLDS, settled_for_serving

WORKER = """
import gc, json, sys
from pathlib import Path
from dashboard.app import Settings, serving_app
before = gc.get_threshold()
server = serving_app(Settings(warehouse=Path(sys.argv[1]) / "warehouse.duckdb"))
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count(),
                  "wsgi": callable(server)}))
"""


def test_the_app_a_worker_serves_is_frozen_out_of_collections(tmp_path):
    # in a process of its own, as gunicorn's worker is: freezing is for the whole process
    run = subprocess.run([sys.executable, "-c", WORKER, str(tmp_path)], capture_output=True, text=True, check=True)
    seen = json.loads(run.stdout)
    assert seen["wsgi"]
    assert tuple(seen["before"]) != SERVING_GC_THRESHOLDS and tuple(seen["after"]) == SERVING_GC_THRESHOLDS
    assert seen["frozen"] > 10_000  # every module and the app's layouts, not a handful of objects


def test_a_settled_block_leaves_the_collector_as_it_found_it():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with settled_for_serving():
        assert gc.get_threshold() == SERVING_GC_THRESHOLDS and gc.get_freeze_count() > frozen
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen


def test_a_settled_block_leaves_what_was_frozen_before_it_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with settled_for_serving():
            assert gc.get_threshold() == SERVING_GC_THRESHOLDS
        # not unfrozen: the count stays (less the few frozen objects freed meanwhile, which leave it)
        assert gc.get_freeze_count() > frozen - 1_000 > 0
    finally:
        gc.unfreeze()
