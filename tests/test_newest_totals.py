"""Each measure's newest totals, kept at publish (table newest_totals, etl/warehouse.py `keep_newest_totals`):
the goal map read from them answers exactly what it answers when it works them out per request, for every
viewer and in both published files; a file published without them is still answered, by working them out."""

from __future__ import annotations

import shutil

import duckdb
import pandas as pd
import pytest

from etl.warehouse import NEWEST_TOTALS_KEPT
from published.access import OPERATOR, PUBLIC, Viewer, as_viewer
from published.reader import Warehouse

VIEWERS = [PUBLIC, OPERATOR, Viewer("steward", org="care_agency", name="s"),
           Viewer("council_member", councils=("healthy_safe_communities",), name="c")]


def _worked_out(w: Warehouse, run: int | None) -> pd.DataFrame:
    """The goal map as a file without kept totals answers it (the statement as at a moment, now)."""
    kept = w._keeps_newest_totals
    w._keeps_newest_totals = lambda: False
    try:
        return w.goal_map(None, run)
    finally:
        w._keeps_newest_totals = kept


@pytest.fixture(scope="module", params=["full", "public"])
def warehouse(request, demo_home):
    w = Warehouse(demo_home.warehouse if request.param == "full" else demo_home.public_warehouse)
    yield w
    w.close()


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role + (v.org or ""))
def test_the_goal_map_from_kept_totals_is_the_goal_map_worked_out(warehouse, viewer):
    w = warehouse
    assert w._keeps_newest_totals()
    with as_viewer(viewer):
        run = w.judgement_run(None)["id"]
        for with_run in (run, None):  # with the headlines' statuses in the same statement, and without
            kept, worked = w.goal_map(None, with_run), _worked_out(w, with_run)
            assert len(kept) and kept.latest_value.notna().sum() > len(kept) // 2
            pd.testing.assert_frame_equal(kept, worked)


def test_kept_totals_are_the_two_newest_periods_of_every_measure_and_only_public_ones_in_the_public_file(
        demo_home):
    def read(path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            kept = con.execute("SELECT * FROM newest_totals ORDER BY measure_id, recency").df()
            newest = con.execute(
                "SELECT measure_id, max(period_start) AS period_start FROM observations WHERE dimension = '' "
                "GROUP BY 1 ORDER BY 1").df()
            public = {r[0] for r in con.execute("SELECT id FROM measures WHERE published").fetchall()}
            every = {r[0] for r in con.execute("SELECT id FROM measures").fetchall()}
            return kept, newest, public, every
        finally:
            con.close()

    kept, newest, public, every = read(demo_home.warehouse)
    assert set(kept.recency) == {1, 2}
    first = kept[kept.recency == 1].set_index("measure_id").period_start
    assert first.to_dict() == newest.set_index("measure_id").period_start.to_dict()  # every measure with totals
    assert (kept.groupby("measure_id").period_start.first() >= kept.groupby("measure_id").period_start.last()).all()
    assert kept.revised.any()  # the demo's revisions are marked as such
    public_kept, _, _, public_every = read(demo_home.public_warehouse)
    assert public_every == public < every
    assert set(public_kept.measure_id) == set(kept.measure_id) & public
    pd.testing.assert_frame_equal(
        public_kept.reset_index(drop=True),
        kept[kept.measure_id.isin(public)].reset_index(drop=True))


def test_a_file_published_without_kept_totals_has_them_worked_out(demo_home, tmp_path):
    copy = tmp_path / "older.duckdb"
    shutil.copyfile(demo_home.warehouse, copy)
    con = duckdb.connect(str(copy))
    con.execute("DELETE FROM meta WHERE key = ?", [NEWEST_TOTALS_KEPT])
    con.execute("DROP TABLE newest_totals")  # as a file published before there was one
    con.close()
    older, current = Warehouse(copy), Warehouse(demo_home.warehouse)
    try:
        assert not older._keeps_newest_totals()
        with as_viewer(OPERATOR):
            run = current.judgement_run(None)["id"]
            pd.testing.assert_frame_equal(older.goal_map(None, run), current.goal_map(None, run))
    finally:
        older.close()
        current.close()
