"""The three questions a public reader asks of a measure, answered in words from the definitions
and the stored judgement; and when its figures were last updated and are next due."""

from __future__ import annotations

from datetime import date, datetime

from dashboard import components
from dashboard.summaries import Summary
from goal_councils.status import StatusResult
from tests.test_components import text_of

MEASURE = dict(id="neet", name="NEET rate", objective_id="neet-obj", objective_name="Fewer young people NEET",
               council_id="edu", council_name="World-class education", role="headline", unit="percent",
               unit_label=None, rate_per=None, decimals=1, direction="down", frequency="quarterly",
               target_period="2030-Q4", target_value=8.0, categories=None)
PARTNERS = [dict(org_id="dfe", org_name="Department for Education", colour_index=0, role="lead",
                 responsibility="Owns the outcome"),
            dict(org_id="north", org_name="Northfield Council", colour_index=1, role="contributor",
                 responsibility=None)]


def _summary(**kw) -> Summary:
    status = StatusResult("on_track", "0.3 points below plan for Jul to Sep 2026, the better side")
    return Summary("neet", status, **kw)


def test_each_question_is_answered_in_words():
    objective = {"objective_statement": "Every young person learning."}
    shown = components.three_questions(MEASURE, _summary(latest_period="2026-Q3", latest_value=10.6), objective,
                                       "Every young person learning or earning.", PARTNERS)
    said = text_of(shown)
    assert ("Why is this a priority? It is the headline measure of the objective “Fewer young people NEET”: "
            "Every young person learning. The objective serves the World-class education goal: Every young person "
            "learning or earning.") in said
    assert ("How are we doing? ✓ On track 0.3 points below plan for Jul to Sep 2026, the better side. The latest "
            "figure is 10.6% for Jul to Sep 2026. Lower is better. The target is 8.0% by Oct to Dec 2030.") in said
    assert ("What are we working on? The organisations working together on the objective, and what each does: "
            "Department for Education (leads) : Owns the outcome Northfield Council (contributes)") in said


def test_no_figures_no_target_and_no_partners_are_said_plainly():
    measure = {**MEASURE, "role": "contributing", "target_value": None, "target_period": None}
    said = text_of(components.three_questions(measure, _summary(), None, None, []))
    assert "one of the measures that show progress on the objective “Fewer young people NEET”." in said
    assert "No figures have been published yet." in said
    assert "No organisation has yet been named as working on it." in said
    said = text_of(components.three_questions(measure, _summary(latest_period="2026-Q3", latest_value=10.6), None,
                                              None, []))
    assert "There is no target for it yet." in said


def test_last_updated_and_next_due():
    summary = _summary(last_received=datetime(2026, 11, 11, 9, 30))
    assert components.update_words(summary, ("2026-Q4", date(2027, 2, 14)), "quarterly") == (
        "Last updated 11 November 2026. Next update: Oct to Dec 2026 figures, due by 14 February 2027.")
    assert components.update_words(_summary(), None, "quarterly") == ""
