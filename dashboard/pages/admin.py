"""Administration: users and their roles, the definitions (checked, and published again), and the
audit log of every sign-in, upload, load, edit and role change.

Who may: an administrator only. Everyone else sees a notice and no data, and every callback refuses
(`require("admin")`: PreventUpdate). A username from the browser names which user to change, never
who is asking: that is the signed-in viewer, looked up on the server. Every change goes through
WorkflowStore, which audits it `by=` that viewer; nothing changes when any field is wrong. An
administrator cannot demote or deactivate themselves (workflow.users.check_own_account).

Reloading the definitions can take a while at scale, so it runs in a background thread of the
worker: one at a time (a load or reload holding the home's load lock, in any process, counts as
running, and a click then starts nothing). It records `definitions-reload` in the audit log when it
starts and when it ends, and the page polls while it runs; the outcome is read from the audit log,
so whichever worker answers the poll knows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import timedelta
from functools import partial
from math import ceil
from typing import NamedTuple

import dash
from dash import Input, Output, State, callback, ctx, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard import components
from dashboard.auth import ROLE_WORDS, SIGN_IN, allows, require
from dashboard.components.admin import (
    add_form,
    admin_contents,
    admin_signed_out,
    audit_results,
    audit_section,
    definitions_checked,
    definitions_section,
    reload_status,
    role_form,
    user_picker,
    users_section,
    users_table,
)
from dashboard.context import current_settings, current_store, current_warehouse, page_title
from dashboard.formatting import format_date
from dashboard.reloads import RELOAD, reloads, start_reload
from dashboard.urls import href
from etl.home import Home
from etl.reload import DefinitionsRefused, check_definitions, load_running
from published.access import current_viewer
from published.reader import WarehouseError
from workflow import Known, User, UserError, WorkflowStore
from workflow.store import utcnow
from workflow.users import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    ORG_ROLES,
    USER_ROLES,
    check_own_account,
    check_password,
    check_role,
    normal_username,
)

PATH = "/admin"
HEADING = "Administration"
ADMINS = ("admin",)
PER_PAGE = 100  # audit entries a page
POLL_MS = 2000  # while a reload runs
STARTING = timedelta(seconds=15)  # a reload just recorded as started, before its thread holds the lock
MAX_TEXT = 200  # any text field from the browser, before its own checks
ROLE_CHOICES = [(r, ROLE_WORDS.get(r, r).capitalize()) for r in USER_ROLES]

dash.register_page(
    __name__,
    path=PATH,
    name=HEADING,
    title=page_title(HEADING),
    description="Administrators manage users, reload the definitions and read the audit log.",
    roles=ADMINS,  # for a navigation link shown only to administrators
    order=99,
)


# --- what the page is about: users, choices, who is asking --------------------------------------

def _home() -> Home:
    return Home.at(current_settings().home)


def _by() -> str:
    return current_viewer().name or "admin"


def _text(value) -> str:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) else ""


def _texts(values) -> tuple[str, ...]:
    return tuple(t for t in map(_text, values) if t) if isinstance(values, list) else ()


def _sentence(e: Exception) -> str:
    words = str(e)
    return words[:1].upper() + words[1:] + ("" if words.endswith(".") else ".")


class Choices(NamedTuple):  # (Dash imports page modules outside sys.modules, where a dataclass cannot be made)
    """The organisations and councils the published definitions hold: (id, name) pairs."""

    orgs: list[tuple[str, str]]
    councils: list[tuple[str, str]]

    @property
    def known(self) -> Known:
        return Known(frozenset(i for i, _ in self.orgs), frozenset(i for i, _ in self.councils))


def _choices() -> Choices:
    warehouse = current_warehouse()
    try:
        orgs, councils = warehouse.organisations(), warehouse.councils()
    except WarehouseError:  # nothing published yet: no organisation or council to choose
        return Choices([], [])
    return Choices(list(zip(orgs.id, orgs.name, strict=True)), list(zip(councils.id, councils.name, strict=True)))


def _role_words(role: str) -> str:
    return ROLE_WORDS.get(role, role)


def _scope(user: User, choices: Choices) -> str:
    if user.org:
        return dict(choices.orgs).get(user.org, user.org)
    return ", ".join(dict(choices.councils).get(c, c) for c in user.councils)


def _described(user: User, choices: Choices) -> str:
    scope = _scope(user, choices)
    joiner = " of " if user.org else " on " if user.councils else ""
    return f"{_role_words(user.role)}{joiner}{scope}"


def _users_table(users: list[User], choices: Choices):
    return users_table([{"username": u.username, "role": _role_words(u.role), "scope": _scope(u, choices),
                         "active": u.active, "created": format_date(u.created_at, short=True)} for u in users])


def _user_choices(users: list[User]) -> list[tuple[str, str]]:
    return [(u.username, u.username + ("" if u.active else " (inactive)")) for u in users]


def _user_options(users: list[User]) -> list[dict]:
    return [{"label": label, "value": value} for value, label in _user_choices(users)]


def _clicked(clicks) -> bool:
    """A real click: a form drawn anew brings its buttons back with no clicks, and Dash then calls
    the button's callback once with them (its outputs lie outside the new form)."""
    return isinstance(clicks, int) and not isinstance(clicks, bool) and clicks > 0


def _role_form(users: list[User], choices: Choices, username: str = "", sent: dict | None = None,
               errors: dict | None = None, message=None) -> list:
    """The "change a user" form: the chosen user's role as stored, or what was sent when it had errors."""
    chosen = next((u for u in users if u.username == username), None)
    values = sent if errors or chosen is None else {"username": chosen.username, "role": chosen.role,
                                                   "org": chosen.org, "councils": list(chosen.councils)}
    return role_form(ROLE_CHOICES, choices.orgs, choices.councils, values, errors, message,
                     chosen.active if chosen else None)


def _add_form(choices: Choices, sent: dict | None = None, errors: dict | None = None, message=None) -> list:
    return add_form(ROLE_CHOICES, choices.orgs, choices.councils, MIN_PASSWORD, sent, errors, message)


# --- the checks and changes ---------------------------------------------------------------------

class Outcome(NamedTuple):
    """What a change did: a message (tone, words) when it was made, or the problems by field."""

    message: tuple[str, str] | None
    errors: dict[str, str]


def _problems(*checks: tuple[str, Callable[[], object]]) -> dict[str, str]:
    """Every check's problem, in words, by field: the first for each field (a later check of a field
    that already has a problem is not run: it would only repeat it)."""
    found: dict[str, str] = {}
    for key, check in checks:
        if key in found:
            continue
        try:
            check()
        except UserError as e:
            found[key] = _sentence(e)
    return found


def _scope_key(role: str) -> str:
    return "org" if role in ORG_ROLES else "councils" if role == "council_member" else "role"


def _chosen_role(role: str) -> None:
    if role not in USER_ROLES:
        raise UserError("choose a role")


def _existing(users: list[User], name: str) -> User:
    found = next((u for u in users if u.username == name), None)
    if found is None:
        raise UserError("choose a user from the list" if name else "choose the user to change")
    return found


def _new_name(users: list[User], name: str) -> None:
    if not name:
        raise UserError("enter a username")
    if normal_username(name) in {u.username for u in users}:
        raise UserError(f"there is already a user {normal_username(name)!r}")


def _same(password: str, again: str) -> None:
    if password != again:
        raise UserError("the two passwords are not the same")


def _scoped(sent: dict) -> tuple[str | None, tuple[str, ...]]:
    """The organisation or councils the role keeps; the others are ignored, whatever was sent."""
    role = sent["role"]
    return (sent["org"] or None) if role in ORG_ROLES else None, sent["councils"] if role == "council_member" else ()


def save_role(store: WorkflowStore, users: list[User], choices: Choices, sent: dict) -> Outcome:
    name, role = sent["username"], sent["role"]
    org, councils = _scoped(sent)
    errors = _problems(("user", partial(_existing, users, name)), ("role", partial(_chosen_role, role)),
                       ("role", partial(check_own_account, _by(), name, role=role)),
                       (_scope_key(role), partial(check_role, role, org, councils, choices.known)))
    if errors:
        return Outcome(None, errors)
    try:
        user = store.set_role(name, role, org, councils, by=_by(), known=choices.known)
    except UserError as e:  # removed since the page was drawn
        return Outcome(None, {"user": _sentence(e)})
    return Outcome(("alert-success", f"Saved: {name} is now {_described(user, choices)}. It counts from their "
                                     "next request."), {})


def set_access(active: bool, store: WorkflowStore, users: list[User], choices: Choices, sent: dict) -> Outcome:
    name = sent["username"]
    errors = _problems(("user", partial(_existing, users, name)),
                       ("user", partial(check_own_account, _by(), name, active=active)))
    if errors:
        return Outcome(None, errors)
    if _existing(users, name).active == active:
        return Outcome(("alert-info", f"{name} is already {'active' if active else 'inactive'}; nothing changed."), {})
    try:
        store.set_active(name, active, by=_by())
    except UserError as e:
        return Outcome(None, {"user": _sentence(e)})
    return Outcome(("alert-success", f"{name} can sign in again." if active
                    else f"{name} can no longer sign in; their sessions have ended."), {})


def add_user(store: WorkflowStore, users: list[User], choices: Choices, sent: dict) -> Outcome:
    name, role, password = sent["username"], sent["role"], sent["password"]
    org, councils = _scoped(sent)
    errors = _problems(("username", partial(_new_name, users, name)), ("role", partial(_chosen_role, role)),
                       (_scope_key(role), partial(check_role, role, org, councils, choices.known)),
                       ("password", partial(check_password, password)),
                       ("again", partial(_same, password, sent["again"])))
    if errors:
        return Outcome(None, errors)
    try:
        user = store.add_user(name, password, role, org, councils, by=_by(), known=choices.known)
    except UserError as e:  # added by someone else meanwhile
        return Outcome(None, {"username": _sentence(e)})
    return Outcome(("alert-success", f"Added {user.username}, {_described(user, choices)}. They can sign in with "
                                     "the password you set."), {})


CHANGES = {False: partial(set_access, False), True: partial(set_access, True)}  # access: deactivate, reactivate


def _password(value) -> str:
    return value[: MAX_PASSWORD + 1] if isinstance(value, str) else ""  # never trimmed: spaces count


def _change(act: Callable[..., Outcome], sent: dict):
    """One change of the "change a user" form: the form again, whether the user field is wrong, the
    users to choose from, the users table, the change stamp."""
    store, choices = current_store(), _choices()
    outcome = act(store, store.list_users(), choices, sent)
    users = store.list_users()
    form = _role_form(users, choices, sent["username"], sent, outcome.errors, outcome.message)
    if outcome.errors:
        return form, "user" in outcome.errors, no_update, no_update, no_update
    return form, False, _user_options(users), _users_table(users, choices), utcnow().isoformat()


def _add(sent: dict):
    store, choices = current_store(), _choices()
    outcome = add_user(store, store.list_users(), choices, sent)
    shown = {k: v for k, v in sent.items() if k not in ("password", "again")}  # never sent back
    if outcome.errors:
        return _add_form(choices, shown, outcome.errors), no_update, no_update, no_update
    users = store.list_users()
    return _add_form(choices, message=outcome.message), _users_table(users, choices), _user_options(users), \
        utcnow().isoformat()


# --- the definitions: checked, and published again in the background -----------------------------

def _start_reload(home: Home, store: WorkflowStore, by: str) -> bool:
    """Start a reload unless one (or a load) is running, its start and end audited; True when started."""
    return start_reload(home, store, by)


def _reload_state(home: Home, store: WorkflowStore) -> dict | None:
    """The last reload, from the audit log (so any worker can tell): its outcome, or running."""
    found = store.audit_entries(action=RELOAD, limit=1)
    if not found:
        return None
    last = found[0]
    outcome = last.what.get("outcome")
    if outcome == "started":
        busy = reloads().running() or load_running(home) or utcnow() - last.at < STARTING
        outcome = "running" if busy else "unfinished"
    return {"outcome": outcome if outcome in ("running", "published", "rejected", "unfinished") else "failed",
            "at": last.at, "by": last.who, "what": last.what}


def _checked(home: Home):
    try:
        summary = check_definitions(home)
    except DefinitionsRefused as e:
        return definitions_checked([], e.problems)
    return definitions_checked([(noun.rstrip("s"), n) for noun, n in asdict(summary).items()])


# --- the audit log ------------------------------------------------------------------------------

def _audit_view(action: str | None, who: str | None, page: int):
    """One page of the audit log; the page shown, whether there are newer / older pages; the filters' choices."""
    store = current_store()
    total = store.audit_count(action=action, who=who)
    pages = max(1, ceil(total / PER_PAGE))
    page = min(max(0, page), pages - 1)
    entries = store.audit_entries(action=action, who=who, offset=page * PER_PAGE, limit=PER_PAGE)
    rows = [{"at": e.at, "who": e.who, "action": e.action, "what": e.what} for e in entries]
    choices = store.audit_choices()
    return (audit_results(rows, page, pages, total, PER_PAGE), page, page == 0, page >= pages - 1,
            [{"label": a, "value": a} for a in choices.actions], [{"label": p, "value": p} for p in choices.people])


# --- the page -----------------------------------------------------------------------------------

def layout(**_query):
    crumbs = components.breadcrumbs([("Goal map", href("goal_map")), (HEADING, None)])
    if not allows("admin"):
        return [crumbs, components.page_heading(HEADING), admin_signed_out(dash.get_relative_path(f"/{SIGN_IN}"))]
    store, choices, home = current_store(), _choices(), _home()
    users, state = store.list_users(), _reload_state(home, store)
    results, _page, newer_off, older_off, actions, people = _audit_view(None, None, 0)
    return [
        crumbs,
        components.page_heading(HEADING, "Who may sign in and with which role, the definitions, and the audit "
                                         "log of every change."),
        admin_contents(),
        users_section(_users_table(users, choices), user_picker(_user_choices(users)), _role_form(users, choices),
                      _add_form(choices)),
        definitions_section(reload_status(state), bool(state) and state["outcome"] == "running", POLL_MS),
        audit_section([(o["value"], o["label"]) for o in actions], [(o["value"], o["label"]) for o in people],
                      results, not newer_off, not older_off),
        dcc.Store(id="admin-changed"),
    ]


# --- callbacks ----------------------------------------------------------------------------------

# a user chosen -> the form shows their role, organisation or councils, and access, as stored
@callback(
    Output("admin-role-form", "children"),
    Output("admin-role-user", "invalid"),
    Input("admin-role-user", "value"),
    prevent_initial_call=True,
)
@require("admin")
def pick(username):
    return _role_form(current_store().list_users(), _choices(), _text(username)), False


# "Save role" / "Deactivate" / "Reactivate" -> the change made (or every problem) -> the form, the table
@callback(
    Output("admin-role-form", "children", allow_duplicate=True),
    Output("admin-role-user", "invalid", allow_duplicate=True),
    Output("admin-role-user", "options"),
    Output("admin-users-table", "children"),
    Output("admin-changed", "data"),
    Input("admin-role-save", "n_clicks"),
    Input("admin-role-deactivate", "n_clicks"),
    Input("admin-role-reactivate", "n_clicks"),
    State("admin-role-user", "value"),
    State("admin-role-role", "value"),
    State("admin-role-org", "value"),
    State("admin-role-councils", "value"),
    prevent_initial_call=True,
)
@require("admin")
def change(save, deactivate, reactivate, username, role, org, councils):
    act, clicks = {"admin-role-save": (save_role, save), "admin-role-deactivate": (CHANGES[False], deactivate),
                   "admin-role-reactivate": (CHANGES[True], reactivate)}.get(ctx.triggered_id, (None, None))
    if act is None or not _clicked(clicks):
        raise PreventUpdate
    return _change(act, {"username": _text(username), "role": _text(role), "org": _text(org),
                         "councils": _texts(councils)})


# "Add user" -> the user added (or every problem) -> the form emptied, the table, the users to choose from
@callback(
    Output("admin-add-form", "children"),
    Output("admin-users-table", "children", allow_duplicate=True),
    Output("admin-role-user", "options", allow_duplicate=True),
    Output("admin-changed", "data", allow_duplicate=True),
    Input("admin-add-save", "n_clicks"),
    State("admin-add-username", "value"),
    State("admin-add-role", "value"),
    State("admin-add-org", "value"),
    State("admin-add-councils", "value"),
    State("admin-add-password", "value"),
    State("admin-add-again", "value"),
    prevent_initial_call=True,
)
@require("admin")
def add(clicks, username, role, org, councils, password, again):
    if not _clicked(clicks):
        raise PreventUpdate
    return _add({"username": _text(username), "role": _text(role), "org": _text(org), "councils": _texts(councils),
                 "password": _password(password), "again": _password(again)})


# "Check definitions" -> every problem (file:line), or what they hold
@callback(Output("admin-defs-result", "children"), Input("admin-defs-check", "n_clicks"), prevent_initial_call=True)
@require("admin")
def check(_clicks):
    return _checked(_home())


# "Reload definitions" -> a reload started in the background (or "already running") -> the poll on
@callback(
    Output("admin-reload-status", "children"),
    Output("admin-reload-poll", "disabled"),
    Input("admin-defs-reload", "n_clicks"),
    prevent_initial_call=True,
)
@require("admin")
def reload(_clicks):
    home, store = _home(), current_store()
    started = _start_reload(home, store, _by())
    return reload_status(_reload_state(home, store), already=not started), False


# the poll, while a reload runs -> its outcome; the poll off, and the audit log shown anew, when it ends
@callback(
    Output("admin-reload-status", "children", allow_duplicate=True),
    Output("admin-reload-poll", "disabled", allow_duplicate=True),
    Output("admin-changed", "data", allow_duplicate=True),
    Input("admin-reload-poll", "n_intervals"),
    prevent_initial_call=True,
)
@require("admin")
def poll(_intervals):
    state = _reload_state(_home(), current_store())
    running = bool(state) and state["outcome"] == "running"
    return reload_status(state), not running, no_update if running else utcnow().isoformat()


# the filters, "Newer" / "Older", or a change made on this page -> one page of the audit log
@callback(
    Output("admin-audit-results", "children"),
    Output("admin-audit-page", "data"),
    Output("admin-audit-newer", "disabled"),
    Output("admin-audit-older", "disabled"),
    Output("admin-audit-action", "options"),
    Output("admin-audit-who", "options"),
    Input("admin-audit-action", "value"),
    Input("admin-audit-who", "value"),
    Input("admin-audit-newer", "n_clicks"),
    Input("admin-audit-older", "n_clicks"),
    Input("admin-changed", "data"),
    State("admin-audit-page", "data"),
    prevent_initial_call=True,
)
@require("admin")
def audit(action, who, _newer, _older, _changed, page):
    step = {"admin-audit-newer": -1, "admin-audit-older": 1}.get(ctx.triggered_id)
    page = page + step if step and isinstance(page, int) and not isinstance(page, bool) else 0
    return _audit_view(_text(action) or None, _text(who) or None, page)
