"""A measure in plain words: the three questions a public reader asks of it (why it matters, how
we are doing, what is being done), and when it was last updated and is next due. The answers come
from the definitions, the judgements stored at publish and the public commentary and actions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from dash import html

from workflow.public_text import PublicAction, PublicCommentary

from ..formatting import direction_words, format_date, format_period, is_missing
from ..summaries import Summary
from ..urls import AsOf
from . import tags
from .chips import _small, _text, org_link, status_chip
from .pieces import target_text, value_text
from .public_text import TODAY_WORDS, commentary_account, public_actions_list

__all__ = ["three_questions", "update_words"]


def update_words(summary: Summary, next_due: tuple[str, date] | None, frequency: str) -> str:
    """`Last updated 11 November 2026. Next update: Oct to Dec 2026 figures, due by 14 February 2027.`"""
    parts = []
    if summary.last_received is not None:
        parts.append(f"Last updated {format_date(summary.last_received)}.")
    if next_due is not None:
        period, due = next_due
        parts.append(f"Next update: {format_period(period, frequency)} figures, due by {format_date(due)}.")
    return " ".join(parts)


def _why(measure: Mapping, objective: Mapping | None, council_goal: str | None) -> list:
    statement = _text((objective or {}).get("objective_statement"), "")
    role = ("It is the headline measure of the objective" if measure.get("role") == "headline"
            else "It is one of the measures that show progress on the objective")
    said = [tags.P(f"{role} “{measure['objective_name']}”" + (f": {statement}" if statement else "."))]
    if _text(council_goal, ""):
        said.append(tags.P(f"The objective serves the {measure['council_name']} goal: {council_goal}"))
    return said


def _how(measure: Mapping, summary: Summary) -> list:
    if is_missing(summary.latest_value):
        return [tags.P("No figures have been published yet.")]
    latest = (f"The latest figure is {value_text(measure, summary.latest_value)} for "
              f"{format_period(summary.latest_period, measure['frequency'])}.")
    status = summary.status
    reason = _text(status.reason, "")
    judged = tags.P([status_chip(status.status), " ", f"{reason[:1].upper()}{reason[1:]}." if reason else ""],
                    className="mb-2")
    direction = direction_words(measure.get("direction")).rstrip(" ↑↓↕")
    target = target_text(measure)
    plan = ("There is no target for it yet." if target == "No target set"
            else f"The target is {target}.")
    return [judged, tags.P(" ".join(filter(None, [latest, f"{direction}." if direction else "", plan])))]


def _account(said: PublicCommentary | None, org_names: Mapping[str, str], frequency: str, parts: Sequence[str]):
    if said is None or not any(getattr(said, p) for p in parts):
        return []
    return [commentary_account(said, org_names.get(said.org_id, said.org_id), frequency, parts)]


def _work(partners: Sequence[Mapping], actions: Sequence[PublicAction], org_names: Mapping[str, str],
          today: date, as_of: AsOf | None) -> list:
    done = [public_actions_list(actions, org_names, today)] if actions else []
    if not partners:
        return [*done, tags.P("No organisation has yet been named as working on it.")]
    items = []
    for p in partners:
        who = org_link(p["org_id"], p["org_name"], p["colour_index"], as_of)
        role = " (leads)" if p["role"] == "lead" else " (contributes)"
        does = _text(p.get("responsibility"), "")
        items.append(tags.Li([who, role, *([": ", does] if does else [])]))
    return [*done, tags.P("The organisations working together on the objective, and what each does:"),
            tags.Ul(items, className="list-unstyled questions-partners")]


def three_questions(measure: Mapping, summary: Summary, objective: Mapping | None, council_goal: str | None,
                    partners: Sequence[Mapping], as_of: AsOf | None = None, *,
                    commentary: Sequence[PublicCommentary] = (), actions: Sequence[PublicAction] = (),
                    org_names: Mapping[str, str] | None = None, today: date | None = None) -> html.Section:
    """Why is this a priority? How are we doing? What are we working on? Each answered in words
    from the definitions, what was judged at publish, the newest public commentary (`commentary`,
    newest period first: what happened and why under "how", what is being done under "what") and
    the public actions about the measure or its objective (with their status on `today`)."""
    def answer(key: str, question: str, body: list) -> html.Div:
        return tags.Div(tags.Section([tags.H2(question, className="h5", id=f"q-{key}"), *body],
                                     **{"aria-labelledby": f"q-{key}"}), className="col-lg-4")

    names, frequency = org_names or {}, measure["frequency"]
    said = commentary[0] if commentary else None
    how = _how(measure, summary) + _account(said, names, frequency, ("what_happened", "why"))
    what = _account(said, names, frequency, ("what_next",)) + _work(partners, actions, names,
                                                                     today or date.today(), as_of)
    if as_of is not None and as_of.month and (said is not None or actions):
        what.append(_small(TODAY_WORDS))
    return tags.Section(
        tags.Div([
            answer("why", "Why is this a priority?", _why(measure, objective, council_goal)),
            answer("how", "How are we doing?", how),
            answer("what", "What are we working on?", what),
        ], className="row g-4"),
        className="three-questions mb-4",
    )

