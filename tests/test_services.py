"""End-to-end services: the `services:` definitions and their errors, the flow judged at publish (and its
exceptions), the public warehouse without internal stages, the reader for each viewer, and the demo's two
services loading and judging."""

from __future__ import annotations

import duckdb
import pytest

from etl.home import public_path
from goal_councils import DefinitionsError, load_definitions
from published.access import OPERATOR, PUBLIC, Viewer, as_viewer
from published.reader import Warehouse
from tests.service_home import DECIDE_WAITING, DEFINITIONS, service_home


def _write(tmp_path, text: str):
    (tmp_path / "defs.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_service_loads_with_its_stages_and_measures(tmp_path):
    defs = load_definitions(_write(tmp_path, DEFINITIONS))
    service = defs.services["claim"]
    assert [s.id for s in service.stages] == ["intake", "scan", "decide"]
    assert service.stages[1].next == ["decide"]
    assert service.stages[1].measures.named() == {"arrivals": "claims-in", "completions": "scanned",
                                                  "backlog": "scan-waiting", "time_median": "scan-days",
                                                  "right_first_time": "scan-rft"}
    assert service.little_tolerance == 0.35


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


# (what is changed in DEFINITIONS, the line it is on, the message)
BROKEN = {
    "unknown measure": (("completions: scanned,", "completions: scaned,"), "completions: scaned,",
                        "claim: stages.1.measures.completions: unknown measure 'scaned'"),
    "wrong unit": (("time_median: scan-days,", "time_median: scanned,"), "time_median: scanned,",
                   "claim: stages.1.measures.time_median: measure 'scanned' is in count; time_median needs days"),
    "unknown organisation": (("org: scanco\n", "org: scanko\n"), "org: scanko",
                             "claim: stages.1.org: unknown organisation 'scanko'"),
    "unknown objective": (("objectives: [claims]", "objectives: [clams]"), "objectives: [clams]",
                          "claim: objectives.0: unknown objective 'clams'"),
    "hand-off to an unknown stage": (("next: [decide]", "next: [decde]"), "next: [decde]",
                                     "claim: stages.1.next.0: hands off to unknown stage 'decde'"),
    "hand-off backwards": (("next: [decide]", "next: [intake]"), "next: [intake]",
                           "claim: stages.1.next.0: hands off to 'intake', which is not a later stage"),
    "a quarterly measure": (("{id: scanned, name: Claims scanned, owner: scanco, unit: count, direction: up, "
                             "frequency: monthly}", "{id: scanned, name: Claims scanned, owner: scanco, unit: count, "
                             "direction: up, frequency: quarterly}"), "completions: scanned,",
                            "claim: stages.1.measures.completions: measure 'scanned' is quarterly; a service's flow is "
                            "judged month by month, so its measures are monthly"),
    "unknown field": (("    description: From a claim", "    descripton: From a claim"), "descripton:",
                      "claim: descripton: Extra inputs are not permitted"),
}


@pytest.mark.parametrize("change, where, message", BROKEN.values(), ids=BROKEN)
def test_a_broken_service_is_refused_with_file_and_line(tmp_path, change, where, message):
    text = DEFINITIONS.replace(*change, 1)
    assert text != DEFINITIONS
    folder = _write(tmp_path, text)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(folder)
    assert e.value.problems == [f"{folder / 'defs.yaml'}:{_line(text, where)}: {message}"]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return service_home(tmp_path_factory.mktemp("service") / "home")


def _rows(path, sql: str, params=()):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def test_the_definitions_are_stored_at_publish(home):
    assert _rows(home.warehouse, "SELECT stage_id, org_id, public FROM service_stages ORDER BY position") == [
        ("intake", "intake", True), ("scan", "scanco", True), ("decide", "northfield", False)]
    assert _rows(home.warehouse, "SELECT from_stage, to_stage FROM service_handoffs ORDER BY 1") == [
        ("intake", "scan"), ("scan", "decide")]


def test_the_flow_is_judged_at_publish(home):
    run = _rows(home.warehouse, "SELECT max(id) FROM judgement_runs")[0][0]
    rows = _rows(home.warehouse, "SELECT stage_id, arrivals, completions, backlog, backlog_change, left_service, "
                 "little_agrees FROM service_flow WHERE run_id = ? AND audience = 'all' AND period = '2025-12' "
                 "ORDER BY stage_id", [run])
    assert rows == [("decide", None, 900, DECIDE_WAITING, None, None, False),
                    ("intake", 1000, 1000, None, 0, 0, None),
                    ("scan", 1000, 950, 650, 50, 0, True)]
    handed = _rows(home.warehouse, "SELECT from_stage, to_stage, volume FROM service_handoff_flow WHERE run_id = ? "
                   "AND audience = 'all' AND period = '2025-12' ORDER BY 1", [run])
    assert handed == [("intake", "scan", 1000), ("scan", "decide", 950)]
    pinch = _rows(home.warehouse, "SELECT audience, pinch_stage, pinch_reason, end_to_end_median FROM service_periods "
                  "WHERE run_id = ? AND period = '2025-12' ORDER BY audience", [run])
    # the decision queue is the longest wait; without the internal stage, scanning is
    assert pinch == [("all", "decide", "longest wait", 41.0), ("public", "scan", "longest wait", 41.0)]


def test_growing_backlog_and_falling_right_first_time_are_exceptions(home):
    run = _rows(home.warehouse, "SELECT max(id) FROM judgement_runs")[0][0]
    found = _rows(home.warehouse, "SELECT rule, measure_id, period, severity FROM exceptions WHERE run_id = ? "
                  "AND rule IN ('growing_backlog', 'falling_right_first_time') ORDER BY rule, measure_id", [run])
    assert found == [("falling_right_first_time", "scan-rft", "2025-12", 3),
                     ("growing_backlog", "scan-waiting", "2025-12", 3)]


def test_the_public_warehouse_holds_no_internal_stage(home):
    public = public_path(home.warehouse)
    assert _rows(public, "SELECT stage_id FROM service_stages ORDER BY position") == [("intake",), ("scan",)]
    assert _rows(public, "SELECT DISTINCT audience FROM service_flow") == [("public",)]
    assert _rows(public, "SELECT count(*) FROM service_flow WHERE stage_id = 'decide'") == [(0,)]
    assert _rows(public, "SELECT count(*) FROM service_stage_measures WHERE measure_id LIKE 'decide%'") == [(0,)]
    assert _rows(public, "SELECT count(*) FROM service_flow WHERE backlog = ?", [DECIDE_WAITING]) == [(0,)]


@pytest.mark.parametrize("viewer, file, stages", [
    (PUBLIC, "public", ["intake", "scan"]),
    (OPERATOR, "full", ["intake", "scan", "decide"]),
    (Viewer("steward", org="northfield"), "full", ["intake", "scan", "decide"]),
    (Viewer("steward", org="scanco"), "full", ["intake", "scan"]),  # may not see Northfield's internal figures
])
def test_each_viewer_is_shown_the_stages_they_may_see(home, viewer, file, stages):
    warehouse = Warehouse(public_path(home.warehouse) if file == "public" else home.warehouse)
    with as_viewer(viewer):
        run = warehouse.judgement_run()["id"]
        view = warehouse.service_view("claim", run)
    assert list(view["stages"].stage_id) == stages
    assert set(view["flow"].stage_id) == set(stages)
    assert (DECIDE_WAITING in set(view["flow"].backlog.dropna())) is ("decide" in stages)
    assert set(view["measures"].stage_id) <= set(stages)
    warehouse.close()


def test_services_are_listed_for_the_objectives_they_serve(home):
    warehouse = Warehouse(home.warehouse)
    assert list(warehouse.services(objective_id="claims").id) == ["claim"]
    assert warehouse.services(objective_id="nothing").empty
    warehouse.close()


def test_the_demo_defines_two_services_across_organisations():
    from etl.demo import load_demo_definitions

    defs = load_demo_definitions()
    housing, discharge = defs.services["housing_support_claim"], defs.services["hospital_discharge"]
    assert len({s.org for s in housing.stages}) >= 2 and len({s.org for s in discharge.stages}) == 3
    assert not all(defs.measures[m].published for m in discharge.stages[-1].measures.named().values())


def test_the_demo_services_have_every_stage_figure_every_month():
    from etl.demo import load_demo_definitions
    from etl.demo.discharge import discharge_flow
    from etl.demo.flow import housing_support_flow

    defs = load_demo_definitions()
    flow = {**housing_support_flow(7), **discharge_flow(7)}
    again = {**housing_support_flow(7), **discharge_flow(7)}
    for service in defs.services.values():
        for stage in service.stages:
            for measure in stage.measures.named().values():
                assert measure in flow, measure
                assert (flow[measure] >= 0).all() and (flow[measure] == again[measure]).all(), measure


@pytest.fixture(scope="module")
def page(home):
    from dashboard import Settings, create_app

    create_app(Settings(warehouse=home.warehouse))  # the pages register with an app
    from dashboard.pages import service

    return service


@pytest.mark.parametrize("typed, percent", [
    ("10", 10), ("-25", -25), ("+5%", 5), (" 20 % ", 20), (12, 12), ("200", 200),
    ("201", None), ("-91", None), ("abc", None), ("nan", None), (True, None), (None, None), ([10], None),
])
def test_the_what_if_percentage_is_read_from_what_was_typed(page, typed, percent):
    assert page._percent(typed) == percent


def _texts(component) -> str:
    """Every string in a Dash component tree."""
    if isinstance(component, str):
        return component
    if isinstance(component, list | tuple):
        return " ".join(_texts(c) for c in component)
    children = getattr(component, "children", None)
    return "" if children is None else _texts(children)


def test_the_what_if_panel_projects_the_stored_figures(home, page):
    from dashboard.series import records

    warehouse = Warehouse(public_path(home.warehouse))
    with as_viewer(PUBLIC):
        view = {k: records(v) for k, v in warehouse.service_view("claim", warehouse.judgement_run()["id"]).items()}
    warehouse.close()
    # scanning completes 950 of 1,000 a month and has done no better: 20% more capacity clears its 650 waiting
    words = _texts(page._what_if(view, "scan", "capacity", "20", "2025-12"))
    # 230 a week arrive, 218 a week are done: 650 + 26 x 11.5 = 949 waiting as now; 262 a week clears it
    assert "Evidence scanned: 0 waiting after 26 weeks, against 949 as now." in words
    # the measured 19.8 days are all queueing: with the queue gone a claim spends a day there
    assert "End-to-end time after 26 weeks: 1.0 days, against 31.4 days as now." in words
    assert "Choose a stage" in _texts(page._what_if(view, "decide", "capacity", "20", "2025-12"))  # not shown to them
    assert "Choose a stage" in _texts(page._what_if(view, "scan", "staff", "20", "2025-12"))


def test_the_plan_says_what_capacity_and_people_a_stage_needs_week_by_week(home, page):
    from dashboard.pages import _service_plan as plans
    from dashboard.series import records
    from dashboard.urls import read_as_of

    warehouse = Warehouse(public_path(home.warehouse))
    as_of = read_as_of(None)

    def plan(stage="scan", target="130", weeks=13, staff="", absence="15", productivity=""):
        made = plans._plan(warehouse, view, as_of, stage, target, weeks, staff, absence, productivity, "2025-12")
        return made if isinstance(made, str) else _texts(page.parts.plan_words(
            made.plan, made.stage_name, made.target, made.start, made.by, made.demand_from, made.team))

    with as_viewer(PUBLIC):
        view = {k: records(v) for k, v in warehouse.service_view("claim", warehouse.judgement_run()["id"]).items()}
        # 650 waiting, 1,000 a month arriving (230 a week), 950 a month done (218 a week): to have 130 waiting in
        # 13 weeks takes 230 + 40 = 270 a week, 24% more than now. No figures after December 2025, no forecast
        words = plan()
        assert "To have 130 waiting within 13 weeks (by 1 April 2026) it needs to complete 270 a week: 24% more" \
            in words
        assert "(arrivals as in the month shown)" in words and "does not clear" in words
        # 10 in post at 15% leave and absence do the 218 a week: 25.7 each at work; 270 a week takes 12.4
        words = plan(staff="10")
        assert "People: 10 in post, 15% of their time on leave or absent, each completing 25.7 a week at work: " \
               "218 a week. The plan needs 12.4 in post: 2.4 more." in words
        # a productivity given sets today's capacity: 10 x 0.85 x 30 = 255 a week, and the plan still needs 270
        words = plan(staff="10", productivity="30")
        assert "up to 255 done a week now" in words and "needs to complete 270 a week: 6% more" in words
        assert "Choose a stage" in plan(stage="intake")  # it has no backlog
        assert "Choose a stage" in plan(target="-5")
        assert "Choose a stage" in plan(weeks=12)
        assert "Give the staff in post" in plan(staff="0")
        assert "Give the staff in post" in plan(staff="10", absence="100")
        assert "Give the staff in post" in plan(staff="10", productivity="none")
        assert "Give the staff in post" in plan(staff="1e-300")  # would need more people than a number holds
        assert "Give the staff in post" in plan(staff="10", productivity="1e-300")
        assert "Choose a stage" in plan(weeks=13.0)  # weeks as the dropdown sends them: whole numbers
        # 650 waiting and 230 a week arriving: 3,640 waiting after 13 weeks with nothing done at all
        assert "Even with nothing completed, 3,640 would be waiting after 13 weeks" in plan(target="1e11")
    warehouse.close()
