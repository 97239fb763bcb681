"""The monthly review pack at `/review/<council>/<YYYY-MM>` (the list of scheduled reviews is `/review`,
dashboard.pages.review_list): one council's review pack (workflow.pack, as the data stood at the
meeting) with the forms that write commentary (and revise or withdraw it), actions, escalations,
decisions and the record of the review held (workflow.review), and its download as one HTML file
(dashboard.review_pack). Who may see and write what: dashboard.pages.review_common.

Who may (every callback checks again on the server; ids from the browser are data to check, never a
right: the council, measure, objective, organisation, action and escalation named are looked up
again, in the warehouse or the workflow store):

    see the pack           a steward or lead of an organisation taking part in the council, a member
                           of the council, an administrator; anyone else sees a notice and no data
    write commentary       on a measure whose owner, or whose objective's lead, the viewer's
                           organisation is (steward or lead); an administrator on any (as its lead)
    revise, withdraw       the commentary its organisation wrote, on such a measure (the same rule);
      commentary           an administrator any
    add, close actions;    a lead of an organisation leading one of the council's objectives, a member
    raise escalations      of the council, an administrator
    decide escalations;    a member of the council, an administrator
    record the review held

A callback for someone without the right refuses (PreventUpdate: nothing is written, nothing comes
back). Bad input is named beside its field (ReviewError names it) and nothing is written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import dash
from dash import Input, Output, State, callback, ctx, dcc
from dash.exceptions import PreventUpdate

from dashboard import components
from dashboard.auth import acts_for, allows
from dashboard.components import review as parts
from dashboard.components import tags
from dashboard.context import current_store, current_warehouse, page_title
from dashboard.formatting import format_date, format_period
from dashboard.navigation import sign_in_href
from dashboard.pages._shared import page, read_id
from dashboard.pages.review_common import (
    HEADING,
    LIST_PATH,
    PACK_TEMPLATE,
    Review,
    commentable,
    may_act,
    may_decide,
    read_review,
    review_href,
    schedule,
)
from dashboard.review_pack import render_pack_html
from dashboard.urls import AsOf, href
from goal_councils.periods import PeriodError, parse_period
from published.access import current_viewer
from published.reader import Warehouse, WarehouseError
from workflow.pack import PackError, ReviewPack, build_pack
from workflow.review import Commentary, ReviewError
from workflow.store import utcnow

MAX_TEXT = 5_000  # the longest text the store takes
MAX_EDITABLE = 200  # the newest commentaries offered to revise

dash.register_page(
    __name__,
    path_template=PACK_TEMPLATE,
    name="Monthly review",
    title=page_title("Monthly review"),
    description="A goal council's monthly review pack: statuses, changes, exceptions, actions, escalations.",
    exists=lambda warehouse, council, month: _exists(warehouse, council, month),
)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _exists(warehouse: Warehouse, council: str, month: str) -> str | None:
    """The guard's 404: an address naming no council, or no month (one the schedule does not hold is a page
    that names the nearest that it does)."""
    found = warehouse.councils(council_id=council)
    return str(found.name.iloc[0]) if len(found) and MONTH.fullmatch(month) else None


def _own_org(review: Review) -> str | None:
    """A lead raises an escalation for its own organisation; None: it is chosen on the form."""
    viewer = current_viewer()
    return viewer.org if viewer.role == "lead" and viewer.org in review.leads else None


def _by() -> str:
    return current_viewer().name or current_viewer().role


# --- what the forms offer ---------------------------------------------------------------------------

def _about(review: Review) -> list[tuple[str, str]]:
    """What an action or escalation may be about: the council's objectives and the measures the viewer sees."""
    return ([(f"objective:{o['objective_id']}", f"Objective {o['objective_number']}: {o['objective_name']}")
             for o in review.objectives] + [(f"measure:{m['id']}", f"Measure: {m['name']}") for m in review.measures])


def _open_actions(review: Review) -> list[tuple[str, str]]:
    return [(str(a.action_id), f"{a.title} ({a.owner_person}, due {a.due:%d %b %Y})")
            for a in current_store().actions(council_id=review.id) if a.state != "done"]


def _awaiting(review: Review) -> list[tuple[str, str]]:
    return [(str(e.escalation_id), e.problem if len(e.problem) <= 90 else e.problem[:89] + "…")
            for e in current_store().escalations(council_id=review.id) if e.awaiting]


def _commentable_choices(review: Review) -> list[tuple[str, str]]:
    return [(m["id"], m["name"]) for m in commentable(review)]


# --- the page's sections, each with the forms the viewer may send ------------------------------------

def _escalations_part(review: Review, pack: ReviewPack, raised: list | None = None, decided: list | None = None):
    forms = []
    if may_act(review):
        own = _own_org(review)
        body = raised or parts.escalation_form(None if own else review.members, dict(review.members).get(own),
                                               _about(review))
        forms.append(parts.form_fold("Raise an escalation", "review-e-form", body, raised is not None))
    if may_decide(review):
        forms.append(parts.form_fold("Record a decision", "review-x-form",
                                     decided or parts.decision_form(_awaiting(review)), decided is not None))
    return parts.escalations_section(pack.escalations, dict(_about(review)), forms)


def _actions_part(review: Review, pack: ReviewPack, added: list | None = None, done: list | None = None):
    forms = []
    if may_act(review):
        forms += [parts.form_fold("Add an action", "review-a-form",
                                  added or parts.action_form(review.members, _about(review)), added is not None),
                  parts.form_fold("Mark an action done", "review-d-form",
                                  done or parts.done_form(_open_actions(review)), done is not None)]
    return parts.actions_section(pack.actions, dict(_about(review)), pack.meeting_date, forms)


def editable(review: Review) -> list[Commentary]:
    """The commentary standing now that the viewer may revise or withdraw: written for its organisation (an
    administrator: any) on a measure it may comment on, newest period first."""
    measures = [m["id"] for m in commentable(review)]
    found = current_store().commentary(measure_ids=measures) if measures else []
    return [c for c in found if allows(acts_for(c.org_id))][:MAX_EDITABLE]


def _editable_choices(review: Review) -> list[tuple[str, str]]:
    measures, orgs = {m["id"]: m for m in review.measures}, dict(review.members)
    return [(str(c.commentary_id), f"{measures[c.measure_id]['name']}, "
                                   f"{format_period(c.period, measures[c.measure_id]['frequency'])} "
                                   f"({orgs.get(c.org_id, c.org_id)}, {format_date(c.recorded_at, short=True)})")
            for c in editable(review)]


def _commentary_part(review: Review, pack: ReviewPack, written: list | None = None, revised: list | None = None):
    mine = _commentable_choices(review)
    forms = [parts.form_fold("Write commentary", "review-c-form", written or parts.commentary_form(mine),
                             written is not None),
             parts.form_fold("Revise or withdraw commentary", "review-r-form",
                             revised or parts.revise_form(_editable_choices(review)), revised is not None)
             ] if mine else []
    return parts.commentary_section(pack, forms)


def _held_part(review: Review, pack: ReviewPack, form: list | None = None):
    held = next((h for h in current_store().reviews_held(review.id) if h.month == review.month), None)
    forms = [parts.form_fold("Record this review as held", "review-h-form", form or parts.held_form(
        {"day": pack.meeting_date.isoformat()}), form is not None)] if may_decide(review) else []
    return parts.held_section(held, forms)


SECTIONS = [("Escalations", "escalations-heading"), ("Status", "status-heading"), ("Changes", "changes-heading"),
            ("Exceptions", "exceptions-heading"), ("Actions", "actions-heading"), ("Commentary", "commentary-heading"),
            ("Review held", "held-heading")]


def _live(pack: ReviewPack) -> bool:
    """The meeting day has not ended: the pack reads what stands now."""
    return utcnow() <= pack.as_at


def _header_links(warehouse: Warehouse, pack: ReviewPack) -> list:
    later = [r["month"] for r in schedule(warehouse, pack.council_id) if r["month"] > pack.month][:1]
    links = [dcc.Link(f"← Previous review: {format_period(pack.previous.month, 'monthly')}",
                      href=review_href(pack.council_id, pack.previous.month))] if pack.previous else []
    links += [dcc.Link(f"Next review: {format_period(m, 'monthly')} →", href=review_href(pack.council_id, m))
              for m in later]
    return links + [tags.Button("Download the pack (HTML)", id="review-download-button", n_clicks=0,
                                className="btn btn-outline-primary"), dcc.Download(id="review-download")]


# --- the page -------------------------------------------------------------------------------------

def layout(council=None, month=None, **query):
    if not current_viewer().signed_in:
        here = review_href(read_id(council), read_id(month)) if council and month else LIST_PATH
        return [components.breadcrumbs([("Goal map", href("goal_map")), (HEADING, None)]),
                components.page_heading(HEADING), parts.review_signed_out(sign_in_href(dash.get_relative_path(here)))]
    return _content(council=council, month=month, **query)


@page(HEADING)
def _content(warehouse: Warehouse, _as_of: AsOf, council=None, month=None, **_):
    crumbs = [("Goal map", href("goal_map")), (HEADING, LIST_PATH)]
    month = read_id(month)
    review = read_review(warehouse, read_id(council), month) if MONTH.fullmatch(month) else None
    if review is None:  # no such council, no part in it, or no month: the same words
        return [components.breadcrumbs(crumbs + [("Not found", None)]), components.page_heading(HEADING),
                parts.review_refused()]
    crumbs += [(f"{review.council['name']}, {format_period(review.month, 'monthly')}", None)]
    try:
        pack = build_pack(warehouse, current_store(), review.id, review.month)
    except PackError as e:
        nearest = [(m, review_href(review.id, m)) for m in e.nearest]
        return [components.breadcrumbs(crumbs), components.page_heading(f"Monthly review: {review.council['name']}"),
                parts.review_unscheduled(review.council["name"], review.month, nearest)]
    return [
        components.breadcrumbs(crumbs),
        *parts.review_header(pack, _live(pack), _header_links(warehouse, pack)),
        parts.review_contents(SECTIONS),
        dcc.Store(id="review-page", data={"council": review.id, "month": review.month}),
        tags.Div(_escalations_part(review, pack), id="review-escalations"),
        parts.status_section(pack),
        parts.changes_section(pack),
        parts.exceptions_section(pack),
        tags.Div(_actions_part(review, pack), id="review-actions"),
        tags.Div(_commentary_part(review, pack), id="review-commentary"),
        tags.Div(_held_part(review, pack), id="review-held"),
    ]


# --- writing --------------------------------------------------------------------------------------

FIELDS = {  # ReviewError's field -> the form's field
    "measure_id": "measure", "what_happened": "happened", "what_next": "next", "owner_org": "org",
    "owner_person": "person", "raised_by_org": "org", "decision_asked": "decision", "decided_on": "day",
    "held_on": "day", "action_id": "action", "escalation_id": "escalation", "commentary_id": "commentary",
}


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


def _attempt(write: Callable[[], object]) -> dict[str, str]:
    """Run a write; its problem by form field ({} when written)."""
    try:
        write()
    except ReviewError as e:
        return {FIELDS.get(e.field, e.field): _sentence(str(e).partition(": ")[2] or str(e))}
    return {}


def _choice(value, choices) -> str:
    """`value` when it is one of the (value, label) `choices`, else ''."""
    return value if isinstance(value, str) and value in {v for v, _ in choices} else ""


def _link(review: Review, value) -> tuple[str | None, str | None]:
    """(objective id, measure id) chosen from `_about`; ReviewError when it names nothing there."""
    if value and not _choice(value, _about(review)):
        raise ReviewError("link", "choose an objective or measure of this council from the list")
    kind, _, ident = (value or "").partition(":")
    return (ident or None, None) if kind == "objective" else (None, ident or None)


def save_commentary(review: Review, sent: dict) -> dict[str, str]:
    measure = next((m for m in commentable(review) if m["id"] == sent["measure"]), None)
    if measure is None:
        return {"measure": "Choose a measure from the list."}
    try:
        period = parse_period(sent["period"], measure["frequency"]).label
    except PeriodError as e:
        return {"period": _sentence(str(e))}
    lead = next(o["lead_id"] for o in review.objectives if o["objective_id"] == measure["objective_id"])
    org = current_viewer().org if current_viewer().org in (measure["owner_id"], lead) else lead  # an administrator
    return _attempt(lambda: current_store().write_commentary(
        measure_id=measure["id"], period=period, org_id=org, what_happened=sent["happened"], why=sent["why"],
        what_next=sent["next"], visibility=sent["visibility"], by=_by()))


def _chosen(review: Review, sent: dict) -> Commentary | None:
    return next((c for c in editable(review) if str(c.commentary_id) == sent["commentary"]), None)


def revise_commentary(review: Review, sent: dict) -> dict[str, str]:
    """A new version of a commentary the viewer may revise: its measure, period and organisation stay."""
    chosen = _chosen(review, sent)
    if chosen is None:
        return {"commentary": "Choose a commentary from the list."}
    return _attempt(lambda: current_store().write_commentary(
        measure_id=chosen.measure_id, period=chosen.period, org_id=chosen.org_id, what_happened=sent["happened"],
        why=sent["why"], what_next=sent["next"], visibility=sent["visibility"], by=_by(),
        commentary_id=chosen.commentary_id))


def withdraw_commentary(review: Review, sent: dict) -> dict[str, str]:
    chosen = _chosen(review, sent)
    if chosen is None:
        return {"commentary": "Choose a commentary from the list."}
    return _attempt(lambda: current_store().withdraw_commentary(chosen.commentary_id, by=_by()))


def add_action(review: Review, sent: dict) -> dict[str, str]:
    if not _choice(sent["org"], review.members):
        return {"org": "Choose the organisation that owns the action."}
    return _attempt(lambda: current_store().add_action(
        council_id=review.id, title=sent["title"], owner_org=sent["org"], owner_person=sent["person"],
        due=sent["due"], by=_by(), notes=sent["notes"], visibility=sent["visibility"],
        agreed_at_review=review.month, **dict(zip(("objective_id", "measure_id"), _link(review, sent["link"]),
                                                  strict=True))))


def raise_escalation(review: Review, sent: dict) -> dict[str, str]:
    org = _own_org(review) or _choice(sent["org"], review.members)
    if not org:
        return {"org": "Choose the organisation raising it."}
    return _attempt(lambda: current_store().raise_escalation(
        council_id=review.id, raised_by_org=org, to_whom=sent["to"], problem=sent["problem"],
        decision_asked=sent["decision"], by=_by(), **dict(zip(("objective_id", "measure_id"),
                                                              _link(review, sent["link"]), strict=True))))


def mark_done(review: Review, sent: dict) -> dict[str, str]:
    action = _choice(sent["action"], _open_actions(review))
    if not action:
        return {"action": "Choose an open action from the list."}
    return _attempt(lambda: current_store().update_action(int(action), by=_by(), state="done"))


def decide(review: Review, sent: dict) -> dict[str, str]:
    escalation = _choice(sent["escalation"], _awaiting(review))
    if not escalation:
        return {"escalation": "Choose an escalation from the list."}
    return _attempt(lambda: current_store().decide_escalation(int(escalation), outcome=sent["outcome"],
                                                              decided_on=sent["day"], by=_by()))


def record_held(review: Review, sent: dict) -> dict[str, str]:
    return _attempt(lambda: current_store().record_review(council_id=review.id, month=review.month,
                                                          held_on=sent["day"], notes=sent["notes"], by=_by()))


# --- what the callbacks share ------------------------------------------------------------------------

def _from_page(clicks, data, right: Callable[[Review], object]) -> Review:
    """The review a callback acts on, from the page's store (sent by the browser, so read again), for a
    real click by a viewer who may see it and has `right`; else refused: nothing is written or sent back."""
    data = data if isinstance(data, dict) else {}
    try:
        review = read_review(current_warehouse(), data.get("council"), data.get("month"))
    except WarehouseError as e:
        raise PreventUpdate from e
    if review is None or not right(review) or not _clicked(clicks) or review.month not in {
            r["month"] for r in schedule(current_warehouse(), review.id)}:  # a review the schedule holds
        raise PreventUpdate
    return review


def _pack(review: Review) -> ReviewPack:
    """The pack as it stands after a write (the page was drawn from it, so it exists)."""
    try:
        return build_pack(current_warehouse(), current_store(), review.id, review.month)
    except (PackError, WarehouseError) as e:  # the schedule or the warehouse changed meanwhile: reload says so
        raise PreventUpdate from e


def _sent(names: tuple[str, ...], values: tuple) -> dict:
    """The form's values as text, cut just past the longest the store takes (so that it still says so)."""
    return {n: v[: MAX_TEXT + 1] if isinstance(v, str) else "" for n, v in zip(names, values, strict=True)}


def _clicked(clicks) -> bool:
    """A real click (a form drawn anew calls its button's callback once with no clicks)."""
    return isinstance(clicks, int) and not isinstance(clicks, bool) and clicks > 0


def _outcome(errors: dict, pack: ReviewPack, words: str) -> tuple[str, str] | None:
    """The message after a write: None when it failed (the errors say why)."""
    if errors:
        return None
    later = "" if _live(pack) else " This review's meeting has passed, so it shows in the next review's pack."
    return "alert-success", words + later


def _kept(sent: dict, errors: dict) -> dict | None:
    return sent if errors else None  # a form keeps what was typed only when it must be put right


# --- callbacks --------------------------------------------------------------------------------------

COMMENTARY = ("measure", "period", "happened", "why", "next", "visibility")
ACTION = ("title", "org", "person", "due", "link", "notes", "visibility")
ESCALATION = ("org", "to", "problem", "decision", "link")


def _states(prefix: str, names: tuple[str, ...]) -> list[State]:
    return [State("review-page", "data")] + [State(f"review-{prefix}-{n}", "value") for n in names]


# "Save commentary" -> written for the viewer's organisation -> the commentary section
@callback(Output("review-commentary", "children"), Input("review-c-save", "n_clicks"), *_states("c", COMMENTARY),
          prevent_initial_call=True)
def write_commentary(clicks, page_data, *values):
    review, sent = _from_page(clicks, page_data, commentable), _sent(COMMENTARY, values)
    errors = save_commentary(review, sent)
    pack = _pack(review)
    return _commentary_part(review, pack, parts.commentary_form(_commentable_choices(review), _kept(sent, errors),
                                                                errors, _outcome(errors, pack, "Saved.")))


REVISION = ("commentary", "happened", "why", "next", "visibility")


# "Save revision" or "Withdraw it" -> a new version of the organisation's commentary -> the list, the form
@callback(Output("review-commentary-list", "children"), Output("review-r-form", "children"),
          Input("review-r-save", "n_clicks"), Input("review-w-save", "n_clicks"), *_states("r", REVISION),
          prevent_initial_call=True)
def change_commentary(saved, withdrawn, page_data, *values):
    withdrawing = ctx.triggered_id == "review-w-save"
    review, sent = _from_page(withdrawn if withdrawing else saved, page_data, commentable), _sent(REVISION, values)
    errors = (withdraw_commentary if withdrawing else revise_commentary)(review, sent)
    pack = _pack(review)
    message = _outcome(errors, pack, "Withdrawn." if withdrawing else "Revised.")
    return parts.commentary_list(pack), parts.revise_form(_editable_choices(review), _kept(sent, errors), errors,
                                                          message)


# a commentary chosen to revise -> its words in the form (only one the viewer may revise)
@callback(*[Output(f"review-r-{n}", "value") for n in REVISION[1:]], Input("review-r-commentary", "value"),
          State("review-page", "data"), prevent_initial_call=True)
def fill_revision(chosen, page_data):
    review = _from_page(1, page_data, commentable)
    found = _chosen(review, {"commentary": chosen})
    if found is None:
        raise PreventUpdate
    return found.what_happened, found.why, found.what_next, found.visibility


# "Add action" -> agreed at this review -> the actions section
@callback(Output("review-actions", "children"), Input("review-a-save", "n_clicks"), *_states("a", ACTION),
          prevent_initial_call=True)
def new_action(clicks, page_data, *values):
    review, sent = _from_page(clicks, page_data, may_act), _sent(ACTION, values)
    errors = add_action(review, sent)
    pack = _pack(review)
    return _actions_part(review, pack, added=parts.action_form(review.members, _about(review), _kept(sent, errors),
                                                               errors, _outcome(errors, pack, "Added.")))


# "Mark done" -> the action closed -> the actions table, the form
@callback(Output("review-actions-table", "children"), Output("review-d-form", "children"),
          Input("review-d-save", "n_clicks"), *_states("d", ("action",)), prevent_initial_call=True)
def close_action(clicks, page_data, action):
    review = _from_page(clicks, page_data, may_act)
    errors = mark_done(review, _sent(("action",), (action,)))
    pack = _pack(review)
    return (parts.actions_table(pack.actions, dict(_about(review))),
            parts.done_form(_open_actions(review), errors, _outcome(errors, pack, "Marked done.")))


# "Raise escalation" -> to the council or its chair -> the escalations section
@callback(Output("review-escalations", "children"), Input("review-e-save", "n_clicks"), *_states("e", ESCALATION),
          prevent_initial_call=True)
def new_escalation(clicks, page_data, *values):
    review, sent = _from_page(clicks, page_data, may_act), _sent(ESCALATION, values)
    errors, own = raise_escalation(review, sent), _own_org(review)
    pack, message = _pack(review), "Raised: it stays at the top of the pack until it is decided."
    form = parts.escalation_form(None if own else review.members, dict(review.members).get(own), _about(review),
                                 _kept(sent, errors), errors, _outcome(errors, pack, message))
    return _escalations_part(review, pack, raised=form)


# "Record decision" -> the escalation's outcome -> the escalations table, the form
@callback(Output("review-escalations-table", "children"), Output("review-x-form", "children"),
          Input("review-x-save", "n_clicks"), *_states("x", ("escalation", "outcome", "day")),
          prevent_initial_call=True)
def record_decision(clicks, page_data, *values):
    review, sent = _from_page(clicks, page_data, may_decide), _sent(("escalation", "outcome", "day"), values)
    errors = decide(review, sent)
    pack = _pack(review)
    return (parts.escalations_table(pack.escalations, dict(_about(review))),
            parts.decision_form(_awaiting(review), _kept(sent, errors), errors,
                                _outcome(errors, pack, "Decision recorded.")))


# "Record review held" -> this month's record -> the review-held section
@callback(Output("review-held", "children"), Input("review-h-save", "n_clicks"), *_states("h", ("day", "notes")),
          prevent_initial_call=True)
def review_held(clicks, page_data, *values):
    review, sent = _from_page(clicks, page_data, may_decide), _sent(("day", "notes"), values)
    errors = record_held(review, sent)
    pack = _pack(review)
    return _held_part(review, pack, parts.held_form(_kept(sent, errors) or {"day": sent["day"]}, errors,
                                                    None if errors else ("alert-success", "Recorded.")))


# "Download the pack (HTML)" -> the pack as one self-contained file, as the viewer may see it
@callback(Output("review-download", "data"), Input("review-download-button", "n_clicks"),
          State("review-page", "data"), prevent_initial_call=True)
def download(clicks, page_data):
    review = _from_page(clicks, page_data, lambda _r: True)
    html_text = render_pack_html(_pack(review), current_warehouse())
    return dcc.send_string(html_text, f"review-{review.id}-{review.month}.html", type="text/html")
