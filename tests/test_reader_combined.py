"""Statements a page sends once instead of several (published/reader.py, published/judgements.py) answer
exactly what the separate statements answer, for every viewer: stored judgements read together, the goal
map with its statuses, the exceptions list's choices; and the pages' faster helpers (records, objective
numbers) answer as before."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd
import pytest

from dashboard import Settings, create_app
from dashboard.series import records
from published.access import OPERATOR, PUBLIC, Viewer, as_viewer
from published.judgements import (
    stored_assessments,
    stored_judgements,
    stored_statuses,
    stored_timeliness,
)
from published.reader import Scope, Warehouse

VIEWERS = [PUBLIC, OPERATOR, Viewer("steward", org="care_agency", name="s"),
           Viewer("council_member", councils=("healthy_safe_communities",), name="c")]


@pytest.fixture(scope="module")
def warehouse(demo_home):
    w = Warehouse(demo_home.warehouse)
    yield w
    w.close()


def _scopes(w: Warehouse) -> list[Scope]:
    with as_viewer(OPERATOR):
        measures = w.measures(Scope())
    internal = measures[~measures.published.astype(bool)].iloc[0]
    return [Scope(), Scope(measure=str(internal.id)), Scope(objective=str(internal.objective_id)),
            Scope(council=str(measures.council_id.iloc[0])), Scope(partner=str(internal.owner_id)),
            Scope(measure="no-such-measure")]


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role + (v.org or ""))
def test_stored_judgements_answer_what_each_separate_read_answers(warehouse, viewer):
    w = warehouse
    first = w.first_judgement()
    for scope in _scopes(w):
        for as_at in (None, first, datetime(2000, 1, 1)):  # newest, the first run, before any run
            with as_viewer(viewer):
                together = stored_judgements(w, scope, as_at, whole=True)
                apart = stored_judgements(w, scope, as_at)
                statuses = stored_statuses(w, scope, as_at)
                timely, assessed = stored_timeliness(w, scope, as_at), stored_assessments(w, scope, as_at)
            assert together.statuses == statuses == apart.statuses
            groups = {m: a.groups for m, a in sorted(assessed.found.items())}  # as the whole assessments say
            assert repr(together.groups) == repr(groups) == repr(apart.groups)
            assert list(together.groups) == list(groups)  # in measure id order
            assert together.timeliness == timely == apart.timeliness
            assert repr(together.assessments) == repr(assessed)  # repr: NaN equals itself
            assert apart.assessments.found == {}
    with as_viewer(OPERATOR):
        assert len(stored_judgements(w, Scope(), None).statuses) > 200


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role + (v.org or ""))
def test_the_goal_map_with_its_statuses_is_the_goal_map_merged_with_them(demo_home, warehouse, viewer):
    create_app(Settings(warehouse=demo_home.warehouse))  # the pages register with an app
    from dashboard.pages.goal_map import with_status

    w = warehouse
    for as_at in (None, w.first_judgement()):
        with as_viewer(viewer):
            run = w.judgement_run(as_at)
            together = w.goal_map(as_at, run["id"])
            apart = with_status(w, w.goal_map(as_at), as_at)
        assert list(together.columns) == list(apart.columns)
        assert repr(records(together)) == repr(records(apart))
        assert together.status.notna().sum() > 10


def test_the_choices_are_the_councils_organisations_and_objectives_in_their_order(warehouse):
    w = warehouse
    found = w.choices()
    for kind, frame, ids, names in (("council", w.councils(), "id", "name"),
                                    ("organisation", w.organisations(), "id", "name"),
                                    ("objective", w.objectives(), "objective_id", "objective_name")):
        chosen = found[found.kind == kind]
        assert chosen.id.tolist() == frame[ids].tolist() and len(chosen) > 3
        assert chosen.name.tolist() == frame[names].tolist()


def test_objectives_are_numbered_within_their_council_in_order(warehouse):
    found = warehouse.objectives()
    for _, rows in found.groupby("council_id", sort=False):
        ordered = rows.sort_values(["objective_position", "objective_id"])
        assert ordered.objective_number.tolist() == list(range(1, len(rows) + 1))
    one = warehouse.objectives(objective_id=str(found.objective_id.iloc[-1]))
    assert one.objective_number.tolist() == [found.objective_number.iloc[-1]]


def test_records_say_none_for_every_kind_of_missing_value_and_keep_the_rest():
    frame = pd.DataFrame({
        "text": ["a", None, "c"],
        "number": [1.5, math.nan, 3.0],
        "whole": [1, 2, 3],
        "when": [pd.Timestamp("2026-01-01"), pd.NaT, pd.Timestamp("2026-03-01")],
        "mixed": [{"k": 1}, math.nan, [1, 2]],
        "nullable": pd.array([1, None, 3], dtype="Int64"),
    })
    assert records(frame) == [
        {"text": "a", "number": 1.5, "whole": 1, "when": pd.Timestamp("2026-01-01"), "mixed": {"k": 1}, "nullable": 1},
        {"text": None, "number": None, "whole": 2, "when": None, "mixed": None, "nullable": None},
        {"text": "c", "number": 3.0, "whole": 3, "when": pd.Timestamp("2026-03-01"), "mixed": [1, 2], "nullable": 3},
    ]
    assert records(frame.iloc[[0, 2]]) == [records(frame)[0], records(frame)[2]]
    assert records(frame.iloc[:0]) == [] and records(None) == []
    long = pd.concat([frame] * 400, ignore_index=True)  # a long frame: missing values found column by column
    assert records(long) == records(frame) * 400
    assert records(long[["whole", "number"]].fillna(0.0))[1] == {"whole": 2, "number": 0.0}


def test_a_measure_defined_after_an_earlier_run_leaves_that_run_readable(tmp_path):
    """The objective page as at an earlier run, when a measure joined its objective since: the measure has
    no timeliness in that run, and the combined read must say so, not fail (the separate reads never saw it)."""
    from datetime import date

    from etl.load import LoadRequest, load_batch, rejudge
    from tests.support import mini_home, write

    home = mini_home(tmp_path / "home")
    csv = "measure_id,period,value,status,note\n" + "".join(f"neet-rate,2025-{m:02d},{10 + m / 10},,\n"
                                                             for m in range(1, 10))
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "a.csv", csv)], datetime(2025, 10, 10))],
               today=date(2026, 11, 24), judged_before=[datetime(2025, 11, 30)])
    p = home.definitions / "mini.yaml"
    text = p.read_text()
    assert "          - id: youth-contacts" in text
    p.write_text(text.replace("          - id: youth-contacts",
                              "          - id: neet-new\n            name: New measure\n            owner: edu\n"
                              "            unit: count\n            direction: up\n            frequency: monthly\n"
                              "          - id: youth-contacts"))
    rejudge(home, today=date(2026, 11, 24))
    w = Warehouse(home.warehouse)
    try:
        with as_viewer(PUBLIC):
            scope = Scope(objective="neet")
            together = stored_judgements(w, scope, datetime(2025, 11, 30))
            apart = stored_timeliness(w, scope, datetime(2025, 11, 30))
        assert "neet-new" not in together.timeliness.found and together.timeliness.found == apart.found
        app = create_app(Settings(warehouse=home.warehouse))
        from dashboard.pages import objective  # registered with the app just made

        with app.server.test_request_context("/objective/neet?as_of=2025-11"):
            assert objective.layout(objective_id="neet", as_of="2025-11") is not None
    finally:
        w.close()


@pytest.mark.parametrize("viewer", VIEWERS, ids=lambda v: v.role + (v.org or ""))
def test_the_exceptions_list_reads_a_page_of_objectives_as_the_whole_list_pages_them(warehouse, viewer, monkeypatch):
    from dashboard.components import exceptions as parts

    monkeypatch.setattr(parts, "PAGE_GROUPS", 3)  # the demo's lists, in several pages
    w = warehouse
    for scope in _scopes(w):
        for as_at in (None, w.first_judgement()):
            run = w.judgement_run(as_at)["id"]
            with as_viewer(viewer):
                every, groups = records(w.exceptions(scope, run)), w.exception_groups(scope, run)
                assert parts._as_groups(groups) == parts.groups_of(every)
                paged = parts.pages_of(parts.groups_of(every))
                for page in range(1, len(paged) + 2):  # and past the last page
                    shown = parts.shown_on(groups, page)
                    assert shown == paged[min(page, len(paged)) - 1]
                    rows = records(w.exceptions(scope, run, shown))
                    assert rows == [r for r in every if r["objective_id"] in shown]
