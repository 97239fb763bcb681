"""Each assessment keeps its status and groups apart from its long detail (etl/sql/assessment_parts.sql), and
pages read those: a file judged before they were kept is read as before, and its next publish keeps them."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from etl.schema import init_schema
from published.access import OPERATOR, PUBLIC, Viewer, as_viewer
from published.judgements import stored_judgements, stored_statuses
from published.reader import Scope, Warehouse

AS_THE_DETAIL_HAS_THEM = """
SELECT count(*), count(status_json),
       count(*) FILTER (status_json = CAST(json_extract(detail, '$.status') AS VARCHAR)
                        AND groups_json IS NOT DISTINCT FROM CAST(json_extract(detail, '$.groups') AS VARCHAR))
FROM assessments
"""


def _parts_as_the_detail_has_them(path) -> None:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows, kept, alike = con.execute(AS_THE_DETAIL_HAS_THEM).fetchone()
    finally:
        con.close()
    assert rows > 0 and rows == kept == alike


def test_every_assessment_keeps_its_status_and_groups_as_its_detail_has_them(demo_home):
    _parts_as_the_detail_has_them(demo_home.warehouse)
    _parts_as_the_detail_has_them(demo_home.warehouse.with_name("warehouse.public.duckdb"))


def _judged_before_the_parts(source, target) -> None:
    shutil.copy(source, target)
    con = duckdb.connect(str(target))
    try:
        con.execute("ALTER TABLE assessments DROP COLUMN status_json")
        con.execute("ALTER TABLE assessments DROP COLUMN groups_json")
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _read(w: Warehouse, whole: bool):
    run = w.judgement_run(None)
    judged = stored_judgements(w, Scope(), None, whole=whole)
    return (stored_statuses(w, Scope(), None), judged.statuses, judged.groups, judged.timeliness.found,
            judged.assessments.found,
            w.statuses(int(run["id"])).drop(columns="status_json").sort_values("measure_id").reset_index(drop=True))


@pytest.mark.parametrize("viewer", [PUBLIC, OPERATOR, Viewer("steward", org="care_agency", name="s")],
                         ids=lambda v: v.role)
def test_a_file_judged_before_the_parts_were_kept_is_read_as_a_new_one(demo_home, tmp_path, viewer):
    older = tmp_path / "older.duckdb"
    _judged_before_the_parts(demo_home.warehouse, older)
    new, old = Warehouse(demo_home.warehouse), Warehouse(older)
    try:
        with as_viewer(viewer):
            for whole in (False, True):
                a, b = _read(new, whole), _read(old, whole)
                assert a[0] and a[1] and any(a[2].values())  # statuses, and some groups, to compare
                for x, y in zip(a[:-1], b[:-1], strict=True):
                    assert x == y
                assert a[-1].equals(b[-1])
    finally:
        new.close()
        old.close()


def test_the_next_publish_over_an_older_file_keeps_the_parts(demo_home, tmp_path):
    older = tmp_path / "older.duckdb"
    _judged_before_the_parts(demo_home.warehouse, older)
    con = duckdb.connect(str(older))
    try:
        init_schema(con)  # what every publish does first
    finally:
        con.close()
    _parts_as_the_detail_has_them(older)
