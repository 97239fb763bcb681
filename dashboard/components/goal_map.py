"""The goal map: each council's objectives, their headline measures and statuses, at a glance."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import pandas as pd
from dash import dcc, html

from goal_councils.categories import categories_of

from ..formatting import (
    NO_DATA,
    change_judgement,
    direction_words,
    format_change,
    format_date,
    format_period,
    is_missing,
)
from ..series import records
from ..urls import AsOf
from . import tags
from .chips import _link, _small, _text, change_chip, element, status_chip
from .pieces import _figure, _value, category_change

# --- goal map --------------------------------------------------------------------------------

LEAD = (
    "Each objective has one accountable lead organisation and one headline measure. "
    "Figures are the latest each organisation has submitted."
)


def lead_text(as_of: AsOf) -> str:
    """What the goal map shows, in words: the latest figures, or those submitted by the as-of month's end."""
    if as_of.month is None:
        return LEAD
    return LEAD.replace("the latest each organisation has submitted",
                        f"those each organisation had submitted by {as_of.words}")



def _latest_cell(row: Mapping) -> html.Td:
    if is_missing(row.get("latest_period")):
        return element(html.Td, [element(html.Div, NO_DATA, className="figure-value text-body-secondary"),
                                 _small("Nothing submitted yet")], className="text-end")
    parts = [_figure(row, "latest_value"), _small(format_period(row["latest_period"], row["frequency"]))]
    if not is_missing(row.get("latest_status")):
        parts.append(_small(str(row["latest_status"]).capitalize(), "fst-italic"))
    return element(html.Td, parts, className="text-end")


def _change_cell(row: Mapping) -> html.Td:
    if categories_of(row.get("categories")):  # codes are not amounts: the category before, in words
        return element(html.Td, category_change(row, row.get("previous_value"), row.get("latest_value"),
                                                row.get("previous_period")))
    delta = row.get("change")
    judgement = change_judgement(delta, row["direction"], row.get("decimals"), row.get("demand"))
    if judgement is None:
        only_one = is_missing(row.get("previous_period")) and not is_missing(row.get("latest_value"))
        reason = "No earlier period to compare" if only_one else "Not enough data"
        return element(html.Td, _small(reason))
    words = format_change(
        delta, row["unit"], row.get("decimals"), _text(row.get("unit_label")) or None, row.get("rate_per")
    )
    since = format_period(row["previous_period"], row["frequency"])
    sentence = f"{words} since {since}" if judgement != "same" else f"Same as {since}"
    return element(html.Td, [change_chip(judgement, delta), _small(sentence, "mt-1")])


def _target_cell(row: Mapping) -> html.Td:
    if is_missing(row.get("target_value")):
        return element(html.Td, _small("No target set"))
    target = f"{_value(row, 'target_value')} by {format_period(row['target_period'], row['frequency'])}"
    parts = [element(html.Div, target, className="figure-text")]
    if not is_missing(row.get("baseline_value")):
        base = _value(row, "baseline_value")
        parts.append(_small(f"From {base} in {format_period(row['baseline_period'], row['frequency'])}"))
    return element(html.Td, parts)


def objective_row(row: Mapping, number: str, as_of: AsOf | None = None) -> html.Tr:
    """One objective: who leads it, its headline measure, latest value, change and target.

    Made with `element` (the goal map draws some 5,000 of these pieces)."""
    statement = _text(row.get("objective_statement"))
    name = [_link("objective", row["objective_id"], row["objective_name"], "fw-semibold", as_of)]
    objective = element(html.Th, element(html.Div, [
        element(html.Span, number, className="objective-number"),
        element(html.Div, name + ([_small(statement, "mt-1")] if statement else [])),
    ], className="d-flex"), scope="row")
    lead = element(html.Td, _link("org", row["lead_id"], row["lead_name"], as_of=as_of)
                   if _text(row.get("lead_id")) else "")
    if is_missing(row.get("measure_id")):
        missing = _small("No headline measure is defined for this objective yet.")
        return element(html.Tr, [objective, lead, element(html.Td, missing, colSpan=5)])
    frequency = str(row["frequency"]).replace("_", " ").capitalize()
    measure = element(html.Td, [
        _link("measure", row["measure_id"], row["measure_name"], as_of=as_of),
        _small(f"{direction_words(row['direction'], row.get('categories'))} · {frequency}", "mt-1"),
    ])
    return element(html.Tr, [objective, lead, measure, _status_cell(row), _latest_cell(row), _change_cell(row),
                             _target_cell(row)])


def _status_cell(row: Mapping) -> html.Td:
    if is_missing(row.get("status")):
        return element(html.Td, _small("Not judged yet"))
    return element(html.Td, [status_chip(row["status"]), _small(_text(row.get("reason")), "mt-1")],
                   className="goal-status")


# a council's objectives at a glance, worst first: (rag, word) as the status chips say it
GLANCE = [("off_track", "off track"), ("at_risk", "at risk"), ("on_track", "on track"),
          ("no_target", "no target"), ("no_direction", "no direction of good"), ("categorical", "categorical"),
          ("not_enough_data", "not enough data"), ("not_judged", "not judged")]


def status_counts(objectives: pd.DataFrame | Sequence[Mapping]) -> html.P:
    """`3 off track · 2 at risk · 3 on track · 1 no target`, each with its chip."""
    counts = Counter(r.get("rag") or "not_judged" for r in records(objectives))
    parts = [tags.Span([status_chip(rag), f" {counts[rag]}"], className="me-3 text-nowrap",
                       title=f"{counts[rag]} objective(s) {word}")
             for rag, word in GLANCE if counts[rag]]
    return tags.P(parts, className="status-counts mb-2", **{"aria-label": "Objectives by status"})


def status_glance(councils: Sequence[Mapping], objectives: Mapping[str, Sequence[Mapping]]) -> html.Section:
    """Every council's objectives by status in one small table, so the reds show without scrolling.

    `objectives`: each council's objective rows, by council id."""
    head = tags.Thead(tags.Tr([tags.Th("Council", scope="col"), tags.Th("Objectives by status", scope="col")]))
    rows = [tags.Tr([tags.Th([tags.Span(f"{n} ", className="council-number"),
                              tags.A(c["name"], href=f"#council-{c['id']}")], scope="row"),
                     tags.Td(status_counts(objectives.get(c["id"], [])))])
            for n, c in enumerate(councils, 1)]
    return tags.Section([tags.H2("At a glance", className="h4", id="glance-heading"),
                         tags.Table([head, tags.Tbody(rows)], className="glance-table mb-4", id="status-glance")],
                        **{"aria-labelledby": "glance-heading"})


COLUMNS = [
    ("Objective", "col-objective"),
    ("Lead organisation", "col-lead"),
    ("Headline measure", "col-measure"),
    ("Status against plan", "col-status"),
    ("Latest", "col-latest text-end"),
    ("Change", "col-change"),
    ("Target", "col-target"),
]


def goal_map_section(
    council: Mapping, objectives: pd.DataFrame | Sequence[Mapping], number: int, as_of: AsOf | None = None
) -> html.Section:
    """A council: its goal, chair, and a table of its objectives numbered `number.n`."""
    objectives = records(objectives)
    heading_id = f"council-{council['id']}"
    facts = [f"{len(objectives)} objective{'s' if len(objectives) != 1 else ''}"]
    if _text(council.get("chair")):
        facts.insert(0, f"Chaired by {council['chair']}")
    header = tags.Div(
        [
            tags.H2(
                [
                    tags.Span(f"{number}", className="council-number"),
                    " ",
                    _link("council", council["id"], council["name"], as_of=as_of),
                ],
                id=heading_id,
                className="h3 mb-1",
            ),
            tags.P(_text(council.get("goal")), className="council-goal mb-1") if _text(council.get("goal")) else None,
            _small(" · ".join(facts)),
            status_counts(objectives),
        ],
        className="mb-3",
    )
    if not objectives:
        body = tags.P("This council has no objectives defined yet.", className="text-body-secondary")
    else:
        rows = [objective_row(r, f"{number}.{i}", as_of) for i, r in enumerate(objectives, 1)]
        body = tags.Div(
            tags.Table(
                [
                    tags.Caption(f"Objectives of the {council['name']} council", className="visually-hidden"),
                    tags.Thead(tags.Tr([tags.Th(name, scope="col", className=cls) for name, cls in COLUMNS])),
                    tags.Tbody(rows),
                ],
                className="table goal-table align-top mb-0",
            ),
            className="table-responsive",
        )
    return tags.Section([header, body], className="council-section", **{"aria-labelledby": heading_id})


# --- the viewer's next review --------------------------------------------------------------------

LISTED = 5  # measures named in a line of what is due; the rest are counted


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _names(items: Sequence[str]) -> list:
    more = len(items) - LISTED
    return [tags.Li(item) for item in items[:LISTED]] + ([tags.Li(f"and {more:,} more")] if more > 0 else [])


def _figure_words(f) -> str:
    parts = [f"{f.missing:,} overdue"] if f.missing else []
    if f.period:
        parts.append(f"{format_period(f.period, f.frequency)} due {format_date(f.due, short=True)}")
    return f"{f.measure_name} ({f.owner_name}): {', '.join(parts)}"


def next_review_panel(due) -> html.Section:
    """The viewer's next review (dashboard.pages.review_due.ReviewDue) and what is due for it: figures not yet
    received, commentary the viewer's organisation has not written, its open actions, escalations to decide."""
    if not due.judged:
        figures = tags.Li("Figures due: not known until figures are published and judged.")
    elif not due.figures:
        figures = tags.Li("No figures are due before the meeting.")
    else:
        figures = tags.Li([f"Figures due before the meeting, not yet received: {_plural(len(due.figures), 'measure')}",
                           tags.Ul(_names([_figure_words(f) for f in due.figures]), className="mb-1")])
    items = [figures]
    if due.org:
        items.append(tags.Li([f"Commentary your organisation has not written on the latest period: "
                              f"{_plural(len(due.to_comment), 'measure')}",
                              tags.Ul(_names([f"{name}, {format_period(period, frequency)}"
                                              for name, period, frequency in due.to_comment]), className="mb-1")])
                     if due.to_comment else tags.Li("Your organisation has commented on every latest period."))
        overdue = f", {due.actions_overdue:,} of them overdue" if due.actions_overdue else ""
        items.append(tags.Li(f"Open actions your organisation owns: {due.actions_open:,}{overdue}"
                             if due.actions_open else "Your organisation owns no open action."))
    items.append(tags.Li(f"Escalations awaiting a decision: {due.escalations_awaiting:,}"
                         if due.escalations_awaiting else "No escalation awaits a decision."))
    return tags.Section([
        tags.H2([tags.Span("Next review: ", className="fw-semibold"),
                 f"{due.council_name} on {format_date(due.meeting_date)} · ",
                 dcc.Link("Open the review pack", href=due.href)], className="h6 mb-2", id="next-review-heading"),
        tags.Ul(items, className="mb-0 small", id="next-review-due"),
    ], id="next-review", className="border rounded-3 px-3 py-2 mb-4", **{"aria-labelledby": "next-review-heading"})
