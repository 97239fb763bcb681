"""Public commentary and public actions (workflow.public_text), as the public pages show them: a
lead's or owner's account of a period, and what is being done, with owner, due date and status.

Text people typed is shown as text (paragraphs and line breaks kept), never as HTML or markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from dash import html

from workflow.public_text import PublicAction, PublicCommentary

from ..formatting import format_date, format_period
from ..urls import AsOf
from . import tags
from .chips import _link, _small, chip
from .pieces import table
from .review import ACTION_STATUSES, user_text

__all__ = ["commentary_account", "public_actions_list", "public_actions_section", "TODAY_WORDS"]

TODAY_WORDS = "Commentary and actions are shown as they stand today."  # in an as-of view


def commentary_account(c: PublicCommentary, org_name: str, frequency: str, parts: Sequence[str]) -> html.Div:
    """One commentary: who speaks for which period, then the `parts` asked for, of `what_happened`,
    `why` and `what_next`, each under its own words."""
    labels = {"what_happened": "What happened", "why": "Why", "what_next": "What is being done"}
    said = [(labels[p], getattr(c, p)) for p in parts if getattr(c, p)]
    return tags.Div([
        tags.Dl([item for label, words in said
                 for item in (tags.Dt(label, className="small mb-0"), tags.Dd(user_text(words), className="mb-2"))],
                className="mb-1"),
        _small(f"{org_name} on {format_period(c.period, frequency)} figures, written {format_date(c.updated)}.",
               "mb-2"),
    ], className="public-commentary border-start border-3 ps-3 mb-3")


def _status(a: PublicAction, on: date) -> html.Span:
    return chip(*ACTION_STATUSES[a.status(on)])


def public_actions_list(actions: Sequence[PublicAction], org_names: Mapping[str, str], on: date) -> html.Ul:
    """Actions as a short list (for a measure's "What are we working on?")."""
    items = []
    for a in actions:
        due = (f"done, due {format_date(a.due)}" if a.state == "done" else f"due {format_date(a.due)}")
        items.append(tags.Li([
            tags.Div([_status(a, on), " ", tags.Span(a.title, className="fw-semibold text-break")]),
            _small(f"{org_names.get(a.owner_org, a.owner_org)}, {due}"),
        ], className="mb-2"))
    return tags.Ul(items, className="list-unstyled public-actions mb-3")


def _about(a: PublicAction, names: Mapping[str, str], as_of: AsOf | None):
    if a.measure_id and a.measure_id in names:
        return _link("measure", a.measure_id, names[a.measure_id], as_of=as_of)
    if a.objective_id and a.objective_id in names:
        return _link("objective", a.objective_id, names[a.objective_id], as_of=as_of)
    return ""


def public_actions_section(actions: Sequence[PublicAction], org_names: Mapping[str, str],
                           about_names: Mapping[str, str], on: date, as_of: AsOf | None, *,
                           heading: str = "What is being done", lead: str | None = None) -> html.Section:
    """The public actions of an objective or a council as a table: action, what it is about, owner,
    due date and status on `on`; an explained empty state when there are none."""
    heading_id = "public-actions-heading"
    if actions:
        rows = [tags.Tr([
            tags.Td([tags.Div(a.title, className="fw-semibold text-break"),
                     *([user_text(a.notes, "small mt-1")] if a.notes else [])]),
            tags.Td(_about(a, about_names, as_of)),
            tags.Td(org_names.get(a.owner_org, a.owner_org)),
            tags.Td(format_date(a.due, short=True), className="text-nowrap"),
            tags.Td(_status(a, on)),
        ]) for a in actions]
        body = table([("Action", ""), ("About", ""), ("Owner", ""), ("Due", "text-nowrap"), ("Status", "")],
                     rows, heading, "public-actions-table")
    else:
        body = tags.P("No public action has been agreed yet. Actions appear here when the council agrees them "
                      "at a monthly review and marks them public.", className="text-body-secondary")
    return tags.Section([tags.H2(heading, className="h4 mt-4", id=heading_id),
                         *([tags.P(lead, className="text-body-secondary")] if lead else []), body],
                        className="public-actions-section mb-4", **{"aria-labelledby": heading_id})
