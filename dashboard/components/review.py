"""The monthly review page: the review pack's sections (from workflow.pack's ReviewPack, read by
attribute) and the forms that write commentary, actions, escalations, decisions and the record of a
review held. Pure builders: data in, components out; no queries.

Whatever a person typed (commentary, titles, notes, problems, outcomes) is a child string, which
Dash renders as text; `user_text` keeps its paragraphs and line breaks and nothing else. No HTML and
no Markdown is built from it.

`about` (in several builders) names what an action or escalation is about, by "objective:<id>" or
"measure:<id>", for the objectives and measures the viewer may see; anything else is not named.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

from ..formatting import format_date, format_period, format_timestamp
from ..urls import href
from . import tags
from .admin import _error_summary, _field, _message, _select
from .chips import _small, chip, status_chip
from .frame import notice
from .pieces import radio_group, rollup_counts, table, value_text

__all__ = ["REVIEW_SIGN_IN_WORDS", "ACTION_STATUSES", "review_signed_out", "review_refused", "review_unscheduled",
           "review_header", "review_contents", "user_text", "form_fold", "escalations_table", "escalations_section",
           "status_section", "changes_section", "exceptions_section", "actions_table", "actions_section",
           "commentary_section", "commentary_list", "held_section", "commentary_form",
           "revise_form", "action_form", "done_form", "escalation_form",
           "decision_form", "held_form", "review_list"]

REVIEW_SIGN_IN_WORDS = "Sign in to see the review pack"
Choices = Sequence[tuple[str, str]]  # (value, label)
Errors = Mapping[str, str] | None
Message = tuple[str, str] | None  # (alert class, words)
ACTION_STATUSES = {"overdue": ("!", "Overdue", "chip-bad"), "open": ("○", "Open", "chip-neutral"),
                   "done": ("✓", "Done", "chip-good")}  # as in the exported pack (dashboard.review_pack)
AWAITING, DECIDED = ("?", "Awaiting a decision", "chip-warn"), ("✓", "Decided", "chip-good")
VISIBILITY_CHOICES = [("internal", "Internal: the council and its organisations"),
                      ("public", "Public: may be shown on public pages")]
TO_WHOM_CHOICES = [("council", "The council"), ("chair", "The chair")]
TEXT_ROWS = 3


# --- refusals, heading, text ---------------------------------------------------------------------

def review_signed_out(sign_in_href: str) -> html.Div:
    """What the public sees: no data, a way to sign in."""
    return notice(REVIEW_SIGN_IN_WORDS, ["The monthly review pack is for the council and the organisations that "
                                         "take part in it. ", tags.A("Sign in", href=sign_in_href),
                                         " with your account."])


def review_refused() -> html.Div:
    """A signed-in viewer with no part in the council, or a council that does not exist: the same words."""
    return notice("No review pack to show", "Your account does not take part in this council, or there is no such "
                                            "council. Ask an administrator if you should have access.")


def review_unscheduled(council_name: str, month: str, nearest: Sequence[tuple[str, str]]) -> html.Div:
    """No pack for this month: the council's nearest scheduled reviews (month, href), if it has any."""
    if not nearest:
        return notice("No review scheduled", f"The review schedule holds no review of {council_name}. An "
                                             "administrator sets the schedule in the definitions (`reviews:`).")
    return notice("No review scheduled this month", [
        f"{council_name} has no review in {format_period(month, 'monthly')}. Its nearest scheduled reviews:",
        tags.Ul([tags.Li(dcc.Link(format_period(m, "monthly"), href=link)) for m, link in nearest],
                className="mt-2 mb-0")])


def review_header(pack, live: bool, links: Sequence) -> list:
    """Which council and month, when it meets, what the pack is built from; `links`: the reviews before
    and after, the download button. `live`: the meeting day has not ended, so the pack reads what stands
    now."""
    day = format_date(pack.meeting_date)
    stood = ([f"Meeting on {day}. Until the end of that day this pack shows the figures and records as they stand "
              "now; from then on, as they stood at the meeting."] if live else
             [f"The meeting was on {day}: this pack shows the figures and records as they stood at the end of that "
              "day. Later revisions, and anything written since, are not shown here: they go to the next review."])
    facts = [f"Figures received up to {format_timestamp(pack.received_to)}." if pack.received_to else
             "No figures had been received by the review.",
             f"Statuses and exceptions as judged at {format_timestamp(pack.judged_at)}." if pack.judged_at else
             "No judgement stood at the review: statuses are made when data is published."]
    if pack.chair:
        facts.insert(0, f"Chair: {pack.chair}.")
    return [
        tags.H1(f"Monthly review: {pack.council_name}", className="mb-1"),
        tags.P(format_period(pack.month, "monthly"), className="lead-text mb-3", id="review-month"),
        tags.Div(stood, className="as-of-notice", role="status", id="review-stood"),
        tags.P(" ".join(facts), className="small text-body-secondary mt-2 mb-3", id="review-built"),
        tags.Div(links, className="d-flex flex-wrap align-items-center column-gap-4 row-gap-2 mb-4 d-print-none"),
    ]


def review_contents(sections: Sequence[tuple[str, str]]) -> html.Nav:
    """On this page: (label, heading id) pairs."""
    return tags.Nav(tags.Ul([tags.Li(tags.A(label, href=f"#{target}")) for label, target in sections],
                            className="list-inline mb-0 d-flex flex-wrap column-gap-4"),
                    className="mb-2 d-print-none", **{"aria-label": "On this page"})


def user_text(text: str | None, className: str = "") -> html.Div:
    """Text a person typed, as text: paragraphs at blank lines, line breaks kept."""
    paragraphs = [p for p in str(text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = []
    for paragraph in paragraphs:
        lines = paragraph.strip("\n").split("\n")
        body.append(tags.P([part for i, line in enumerate(lines) for part in ([tags.Br()] if i else []) + [line]],
                           className="mb-1"))
    return tags.Div(body, className=f"text-break {className}".strip())


def _section(title: str, heading_id: str, body: list, lead: str | None = None) -> html.Section:
    head = [tags.H2(title, className="h3 mt-5 mb-2", id=heading_id)]
    if lead:
        head.append(tags.P(lead, className="small mb-3"))
    return tags.Section(head + body, **{"aria-labelledby": heading_id})


def form_fold(summary: str, form_id: str, body: list, open_: bool = False) -> html.Details:
    """A form (`body`, which its callback draws anew inside `form_id`) folded under `summary`, so that
    the pack reads first; open when it has something to say."""
    return tags.Details([tags.Summary(summary, className="fw-bold"), tags.Div(body, id=form_id, className="pt-3")],
                        id=f"{form_id}-fold", open=open_, className="border rounded-3 px-3 py-2 mt-3 d-print-none")


def _about(about: Mapping[str, str], objective_id, measure_id) -> html.Div | None:
    words = about.get(f"measure:{measure_id}") or about.get(f"objective:{objective_id}")
    return _small(words) if words else None


def _empty(words: str, ident: str | None = None) -> html.P:
    return tags.P(words, className="text-body-secondary mb-0", **({"id": ident} if ident else {}))


# --- escalations ---------------------------------------------------------------------------------

ESCALATION_COLUMNS = [("Problem", "col-problem"), ("Decision asked", "col-asked"), ("Raised by", "col-raised"),
                      ("To", "col-to"), ("Status", "col-status")]


def _escalation_row(line, about: Mapping[str, str]) -> html.Tr:
    e = line.escalation
    status = [chip(*(AWAITING if line.awaiting else DECIDED))]
    if not line.awaiting:
        status += [_small(f"On {format_date(e.decided_on)}:", "mt-1"), user_text(e.outcome, "small")]
    return tags.Tr([tags.Td([user_text(e.problem), _about(about, e.objective_id, e.measure_id)]),
                    tags.Td(user_text(e.decision_asked)),
                    tags.Td([line.raised_by_name, _small(format_date(e.raised_at, short=True))]),
                    tags.Td("The chair" if e.to_whom == "chair" else "The council"), tags.Td(status)])


def escalations_table(lines: Sequence, about: Mapping[str, str]):
    """Escalations awaiting a decision, then those decided since the last review (EscalationLine)."""
    return (table(ESCALATION_COLUMNS, [_escalation_row(e, about) for e in lines], "Escalations", "escalations-table")
            if lines else _empty("No escalation is awaiting a decision."))


def escalations_section(lines: Sequence, about: Mapping[str, str], forms: list) -> html.Section:
    return _section("Escalations awaiting a decision", "escalations-heading",
                    [tags.Div(escalations_table(lines, about), id="review-escalations-table"), *forms],
                    "Problems that need a decision beyond one organisation, raised to the council or its chair; "
                    "then those decided since the last review.")


# --- status, changes, exceptions -----------------------------------------------------------------

STATUS_COLUMNS = [("Objective", "col-objective"), ("Lead", "col-lead"), ("Status", "col-status"),
                  ("Headline: latest figure", "col-latest"), ("Other measures", "col-others")]


def _latest(line) -> list:
    if line.latest_value is None:
        return [tags.Div(line.name), _small("No figure yet")]
    return [tags.Div(line.name), tags.Div(value_text(line.definition, line.latest_value), className="fw-semibold"),
            _small(format_period(line.latest_period, line.definition.get("frequency")))]


def _status_row(number: int, s) -> html.Tr:
    head = next((m for m in s.measures if m.measure_id == s.headline_id), None)
    others = Counter(m.status for m in s.measures if m.measure_id != s.headline_id)
    return tags.Tr([
        tags.Th([dcc.Link(f"{number}. {s.name}", href=href("objective", s.objective_id))], scope="row"),
        tags.Td(s.lead_name or "No lead"),
        tags.Td([status_chip(s.status), _small(s.reason, "mt-1")]),
        tags.Td(_latest(head) if head else _small("No headline measure")),
        tags.Td(rollup_counts(others)),
    ])


def status_section(pack) -> html.Section:
    rows = [_status_row(i, s) for i, s in enumerate(pack.objectives, 1)]
    body = table(STATUS_COLUMNS, rows, "Status of every objective", "status-table") if rows else _empty(
        "The council has no objectives.")
    return _section("Status of every objective", "status-heading", [body],
                    "Each objective's status is its headline measure's, judged against its trajectory.")


def _definition(s, measure_id: str) -> dict:
    return next((m.definition for m in s.measures if m.measure_id == measure_id), {})


def _change_items(s) -> list:
    items = [tags.Li([f"{c.measure_name}: ", status_chip(c.before), " → ", status_chip(c.after), " ",
                      tags.Span(c.reason, className="small")]) for c in s.changes]
    for r in s.revisions:
        measure = _definition(s, r.measure_id)
        before, after = (value_text(measure, v) if v is not None else "no figure" for v in (r.before, r.after))
        items.append(tags.Li(f"{r.measure_name}, {format_period(r.period, measure.get('frequency'))}: revised from "
                             f"{before} to {after} (received {format_date(r.received_at, short=True)})"))
    return items


def changes_section(pack) -> html.Section:
    """Status changes and revised figures since the council's previous review, by objective."""
    if pack.previous is None:
        body = [_empty("This is the council's first scheduled review: there is nothing to compare with.")]
    else:
        body = [tags.Div([tags.H3(s.name, className="h6 fw-bold mt-3 mb-1"), tags.Ul(_change_items(s),
                                                                                  className="mb-0")])
                for s in pack.objectives if s.changes or s.revisions]
        body = body or [_empty(f"No status changed and no figure was revised since the review on "
                               f"{format_date(pack.previous.meeting_date)}.")]
        if not pack.previous_judged:
            body.append(_small("No judgement stood at the previous review, so status changes cannot be listed.",
                               "mt-2"))
    since = f" on {format_date(pack.previous.meeting_date)}" if pack.previous else ""
    return _section("What changed since the last review", "changes-heading", body,
                    f"Compared with the council's previous review{since}." if since else None)


EXCEPTION_COLUMNS = [("Measure", "col-measure"), ("What", "col-what"), ("Period", "col-period"),
                     ("Why", "col-why")]
HEALTH_COLUMNS = [("Organisation", "col-org"), ("Due", "text-end"), ("On time", "text-end"), ("Late", "text-end"),
                  ("Missing", "text-end")]


def exceptions_section(pack) -> html.Section:
    """What needs attention (signals, off trajectory, stale or late data), then data health."""
    rows = [tags.Tr([tags.Td([e.measure_name, _small(e.owner_name)]), tags.Td(e.rule_label),
                     tags.Td(format_period(e.period, _definition(s, e.measure_id).get("frequency")) if e.period
                             else "—"), tags.Td(e.reason, className="small")])
            for s in pack.objectives for e in s.exceptions]
    body = [table(EXCEPTION_COLUMNS, rows, "Exceptions", "exceptions-table") if rows else _empty(
        "Nothing needs attention." if pack.judged_at else "No judgement stood at the review.")]
    if pack.health:
        body += [tags.H3("Data health", className="h5 fw-bold mt-4 mb-2"),
                 table(HEALTH_COLUMNS, [tags.Tr([tags.Th(h.org_name, scope="row")] + [
                     tags.Td(f"{n:,}", className="text-end") for n in (h.due, h.on_time, h.late, h.missing)])
                     for h in pack.health], "Figures due in the year to the judgement, by organisation",
                     "health-table")]
    return _section("Exceptions", "exceptions-heading", body)


# --- actions -------------------------------------------------------------------------------------

ACTION_COLUMNS = [("Action", "col-action"), ("Owner", "col-owner"), ("Due", "col-due text-nowrap"),
                  ("Status", "col-status"), ("Agreed", "col-agreed")]


def _action_row(line, about: Mapping[str, str]) -> html.Tr:
    a = line.action
    what = [tags.Div(a.title, className="fw-semibold text-break"), _about(about, a.objective_id, a.measure_id)]
    if a.notes:
        what.append(user_text(a.notes, "small mt-1"))
    agreed = [format_period(a.agreed_at_review, "monthly") if a.agreed_at_review else
              f"Raised {format_date(a.raised_at, short=True)}"]
    if line.carried:
        agreed.append(_small("Carried forward"))
    return tags.Tr([tags.Td(what), tags.Td([a.owner_person, _small(line.owner_name)]),
                    tags.Td(format_date(a.due, short=True), className="text-nowrap"),
                    tags.Td(chip(*ACTION_STATUSES[line.status])), tags.Td(agreed, className="small")])


def actions_table(lines: Sequence, about: Mapping[str, str]):
    """Actions open at the review or done since the last one (ActionLine)."""
    return (table(ACTION_COLUMNS, [_action_row(a, about) for a in lines], "Actions", "actions-table") if lines
            else _empty("No action was open, and none was closed since the last review."))


def actions_section(lines: Sequence, about: Mapping[str, str], on: date, forms: list) -> html.Section:
    """The actions table, with their status on `on`, and the forms."""
    return _section("Actions", "actions-heading", [tags.Div(actions_table(lines, about), id="review-actions-table"),
                                                   *forms],
                    f"Open actions, and those done since the last review; an action agreed at an earlier review is "
                    f"carried forward until it is closed. Status on {format_date(on)}.")


# --- commentary ----------------------------------------------------------------------------------

def _commentary_item(line, frequency: str | None) -> html.Article:
    c = line.commentary
    parts = [("What happened", c.what_happened), ("Why", c.why), ("What is being done", c.what_next)]
    return tags.Article([
        tags.H4(f"{line.measure_name}, {format_period(c.period, frequency)}", className="h6 fw-bold mb-1"),
        _small(f"{line.org_name} ({line.speaks_as}) · {'public' if c.visibility == 'public' else 'internal'} · "
               f"written {format_date(c.recorded_at, short=True)}", "mb-2"),
        tags.Dl([item for label, words in parts if words
                 for item in (tags.Dt(label, className="small mb-0"), tags.Dd(user_text(words), className="mb-2"))],
                className="mb-0"),
    ], className="border-start border-3 ps-3 mb-3")


def commentary_list(pack) -> list:
    """The newest commentary of each measure's owner and its objective's lead, by objective."""
    body = [tags.Div([tags.H3(s.name, className="h5 fw-bold mt-3 mb-2")] + [
        _commentary_item(line, _definition(s, line.commentary.measure_id).get("frequency"))
        for line in s.commentary]) for s in pack.objectives if s.commentary]
    return body or [_empty("No commentary from the leads or the measures' owners yet.")]


def commentary_section(pack, forms: list) -> html.Section:
    """The commentary list, and the forms."""
    return _section("Commentary", "commentary-heading",
                    [tags.Div(commentary_list(pack), id="review-commentary-list"), *forms],
                    "What happened, why, and what is being done: from the organisation that owns each measure or "
                    "leads its objective.")


def held_section(held, forms: list) -> html.Section:
    """Whether this review was recorded as held (ReviewHeld or None), and the form."""
    if held:
        body = [tags.P(f"Held on {format_date(held.held_on)}.", className="mb-1"), user_text(held.notes)]
    else:
        body = [_empty("Not recorded as held yet.")]
    return _section("Review held", "held-heading", [tags.Div(body, id="review-held-record"), *forms])


# --- forms ---------------------------------------------------------------------------------------

def _textarea(control_id: str, value, error: bool) -> dbc.Textarea:
    return dbc.Textarea(id=control_id, value=value or "", rows=TEXT_ROWS, invalid=error, maxLength=5000)


def _input(control_id: str, value, error: bool, kind: str = "text", max_length: int = 200) -> dbc.Input:
    return dbc.Input(id=control_id, type=kind, value=value or "", invalid=error,
                     **({"maxLength": max_length} if kind == "text" else {}))


def _save(label: str, button_id: str) -> dbc.Button:
    return dbc.Button(label, id=button_id, color="primary", n_clicks=0)


def _head(errors: Mapping[str, str], message: Message, prefix: str) -> list:
    return [_error_summary(errors, f"{prefix}-errors"), _message(message, f"{prefix}-message")]


def _visibility(control_id: str, value) -> html.Div:
    return tags.Div(radio_group("Who may read it", control_id, VISIBILITY_CHOICES, value or "internal"),
                    className="mb-3")


def commentary_form(measures: Choices, values: Mapping | None = None, errors: Errors = None,
                    message: Message = None) -> list:
    """Commentary on one of the measures the viewer's organisation owns or leads."""
    v, e = values or {}, errors or {}
    return [
        *_head(e, message, "review-c"),
        dbc.Row([
            dbc.Col(_field("Measure", _select("review-c-measure", measures, v.get("measure"), "measure" in e,
                                              "Choose a measure"), e, "measure"), md=7),
            dbc.Col(_field("Period", _input("review-c-period", v.get("period"), "period" in e, max_length=32), e,
                           "period", "As the measure reports: 2026-02, 2026-Q1, 2026 or 2025/26"), md=5),
        ]),
        _field("What happened", _textarea("review-c-happened", v.get("happened"), "happened" in e), e, "happened"),
        _field("Why", _textarea("review-c-why", v.get("why"), "why" in e), e, "why"),
        _field("What is being done", _textarea("review-c-next", v.get("next"), "next" in e), e, "next"),
        _visibility("review-c-visibility", v.get("visibility")),
        _save("Save commentary", "review-c-save"),
    ]


def revise_form(commentaries: Choices, values: Mapping | None = None, errors: Errors = None,
                message: Message = None) -> list:
    """Revise (a new version) or withdraw one of the commentaries the viewer's organisation wrote."""
    v, e = values or {}, errors or {}
    if not commentaries:
        return [*_head(e, message, "review-r"), _empty("No commentary of yours stands to revise.")]
    return [
        *_head(e, message, "review-r"),
        _field("Commentary", _select("review-r-commentary", commentaries, v.get("commentary"), "commentary" in e,
                                     "Choose a commentary"), e, "commentary", "Choosing one fills in its words"),
        _field("What happened", _textarea("review-r-happened", v.get("happened"), "happened" in e), e, "happened"),
        _field("Why", _textarea("review-r-why", v.get("why"), "why" in e), e, "why"),
        _field("What is being done", _textarea("review-r-next", v.get("next"), "next" in e), e, "next"),
        _visibility("review-r-visibility", v.get("visibility")),
        tags.Div([_save("Save revision", "review-r-save"),
                  dbc.Button("Withdraw it", id="review-w-save", color="danger", outline=True, n_clicks=0)],
                 className="d-flex flex-wrap gap-3"),
        tags.P("A withdrawn commentary leaves the pack from now on; a pack whose meeting has passed still shows "
               "what stood then.", className="small text-body-secondary mt-2 mb-0"),
    ]


def action_form(orgs: Choices, about: Choices, values: Mapping | None = None, errors: Errors = None,
                message: Message = None) -> list:
    """A new action, agreed at this review."""
    v, e = values or {}, errors or {}
    return [
        *_head(e, message, "review-a"),
        _field("Action", _input("review-a-title", v.get("title"), "title" in e), e, "title"),
        dbc.Row([
            dbc.Col(_field("Owner organisation", _select("review-a-org", orgs, v.get("org"), "org" in e,
                                                         "Choose an organisation"), e, "org"), md=6),
            dbc.Col(_field("Owner (a person)", _input("review-a-person", v.get("person"), "person" in e), e,
                           "person"), md=6),
        ]),
        dbc.Row([
            dbc.Col(_field("Due", _input("review-a-due", v.get("due"), "due" in e, "date"), e, "due"), md=6),
            dbc.Col(_field("About", _select("review-a-link", about, v.get("link"), "link" in e,
                                            "The council's work as a whole"), e, "link"), md=6),
        ]),
        _field("Notes", _textarea("review-a-notes", v.get("notes"), "notes" in e), e, "notes"),
        _visibility("review-a-visibility", v.get("visibility")),
        _save("Add action", "review-a-save"),
    ]


def done_form(actions: Choices, errors: Errors = None, message: Message = None) -> list:
    """Mark one of the open actions done."""
    e = errors or {}
    if not actions:
        return [*_head(e, message, "review-d"), _empty("No open actions.")]
    return [*_head(e, message, "review-d"),
            _field("Action", _select("review-d-action", actions, None, "action" in e, "Choose an open action"), e,
                   "action"),
            _save("Mark done", "review-d-save")]


def escalation_form(orgs: Choices | None, raised_by: str | None, about: Choices, values: Mapping | None = None,
                    errors: Errors = None, message: Message = None) -> list:
    """A problem raised to the council or its chair: `raised_by` names the viewer's own organisation
    (a lead raises it for theirs); otherwise the organisation raising it is chosen from `orgs`."""
    v, e = values or {}, errors or {}
    who = (_field("Raised by", _select("review-e-org", orgs or [], v.get("org"), "org" in e,
                                       "Choose an organisation"), e, "org") if raised_by is None
           else tags.P([tags.Span("Raised by ", className="fw-bold"), raised_by,  # the field the callback reads,
                        dbc.Input(id="review-e-org", type="hidden", value="")], className="mb-3"))  # ignored
    return [
        *_head(e, message, "review-e"),
        who,
        tags.Div(radio_group("To", "review-e-to", TO_WHOM_CHOICES, v.get("to") or "council"), className="mb-3"),
        _field("The problem", _textarea("review-e-problem", v.get("problem"), "problem" in e), e, "problem",
               "What is wrong, and why one organisation cannot settle it"),
        _field("The decision asked for", _textarea("review-e-decision", v.get("decision"), "decision" in e), e,
               "decision"),
        _field("About", _select("review-e-link", about, v.get("link"), "link" in e, "The council's work as a whole"),
               e, "link"),
        _save("Raise escalation", "review-e-save"),
    ]


def decision_form(escalations: Choices, values: Mapping | None = None, errors: Errors = None,
                  message: Message = None) -> list:
    """The council's (or the chair's) decision on an escalation awaiting one."""
    v, e = values or {}, errors or {}
    if not escalations:
        return [*_head(e, message, "review-x"), _empty("No escalation is awaiting a decision.")]
    return [
        *_head(e, message, "review-x"),
        _field("Escalation", _select("review-x-escalation", escalations, v.get("escalation"), "escalation" in e,
                                     "Choose an escalation"), e, "escalation"),
        _field("Decision", _textarea("review-x-outcome", v.get("outcome"), "outcome" in e), e, "outcome"),
        _field("Decided on", _input("review-x-day", v.get("day"), "day" in e, "date"), e, "day"),
        _save("Record decision", "review-x-save"),
    ]


def held_form(values: Mapping | None = None, errors: Errors = None, message: Message = None) -> list:
    v, e = values or {}, errors or {}
    return [
        *_head(e, message, "review-h"),
        _field("Held on", _input("review-h-day", v.get("day"), "day" in e, "date"), e, "day"),
        _field("Notes", _textarea("review-h-notes", v.get("notes"), "notes" in e), e, "notes",
               "Who attended; anything to carry to the next review"),
        _save("Record review held", "review-h-save"),
    ]


# --- the list of reviews, and the goal map's notice ------------------------------------------------

REVIEW_COLUMNS = [("Month", "col-month"), ("Council", "col-council"), ("Meeting", "col-day text-nowrap")]


def review_list(reviews: Sequence[Mapping]) -> html.Div:
    """Scheduled reviews (`month`, `council_name`, `meeting_date`, `href`, `next`: the first to come)."""
    if not reviews:
        return notice("No reviews scheduled", "No review of a council you take part in is in the schedule.")
    rows = [tags.Tr([tags.Th(format_period(r["month"], "monthly"), scope="row", className="text-nowrap"),
                     tags.Td([dcc.Link(r["council_name"], href=r["href"])]
                             + ([" ", chip("→", "Next", "chip-neutral")] if r.get("next") else [])),
                     tags.Td(format_date(r["meeting_date"]), className="text-nowrap")]) for r in reviews]
    return tags.Div(table(REVIEW_COLUMNS, rows, "Scheduled reviews", "reviews-table"), id="reviews-list")
