"""One judge: every view shows the status and reason the publish step stored, for every demo measure."""

from __future__ import annotations

from dashboard import Settings, create_app
from published.access import OPERATOR, as_viewer
from published.judgements import stored_assessments, stored_statuses
from published.reader import Scope, Warehouse


def test_every_view_says_what_the_judge_stored(demo_home):
    create_app(Settings(warehouse=demo_home.warehouse))  # the pages register with an app
    from dashboard.pages.goal_map import with_status

    w = Warehouse(demo_home.warehouse)
    with as_viewer(OPERATOR):  # every demo measure, the internal ones too
        _every_view_agrees(w, with_status)
    w.close()


def _every_view_agrees(w: Warehouse, with_status) -> None:
    stored = stored_statuses(w, Scope(), None)
    measures = w.measures(Scope())
    assert set(stored) == set(measures.id) and len(stored) > 200
    # the measure page's analysis (the whole assessment) and the cards (the status alone)
    assessed = stored_assessments(w, Scope(), None).found
    assert {m: a.status for m, a in assessed.items()} == stored
    # the goal map
    goal = with_status(w, w.goal_map(None), None).dropna(subset=["measure_id"])
    for row in goal.itertuples():
        assert (row.status, row.reason) == (stored[row.measure_id].status, stored[row.measure_id].reason)
    # the exceptions list: every measure off track or at risk, with the same reason, and no other
    run = w.judgement_run(None)["id"]
    ex = w.exceptions(Scope(), run)
    listed = {(r.measure_id, r.rule, r.reason) for r in ex.itertuples() if r.rule in ("off_track", "at_risk")}
    judged = {(m, s.rag, s.reason) for m, s in stored.items() if s.rag in ("off_track", "at_risk")}
    assert listed == judged and len(judged) > 10
