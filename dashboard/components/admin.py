"""The administrator's page: users and their roles, the definitions, the audit log. Pure builders:
plain values in, components out; no queries.

Every text that a person typed or the audit log holds is a child string, which Dash renders as
text: nothing here builds HTML or Markdown from it. A form never shows a password back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html

from ..formatting import format_timestamp
from . import tags
from .chips import _small, chip
from .frame import notice
from .pieces import table

__all__ = ["ADMIN_SIGN_IN_WORDS", "admin_signed_out", "admin_contents", "users_section", "users_table",
           "user_picker", "role_form", "add_form", "definitions_section", "definitions_checked", "reload_status",
           "audit_section", "audit_results", "what_text"]

ADMIN_SIGN_IN_WORDS = "Sign in as an administrator to manage this site"
Choices = Sequence[tuple[str, str]]  # (value, label)
ACCESS = {True: ("✓", "Active", "chip-good"), False: ("✕", "Inactive", "chip-neutral")}
RELOAD_WORDS = {  # outcome -> (icon, word, chip class, alert class)
    "running": ("…", "Running", "chip-neutral", "alert-info"),
    "published": ("✓", "Published", "chip-good", "alert-success"),
    "rejected": ("✕", "Not published", "chip-bad", "alert-danger"),
    "failed": ("✕", "Failed", "chip-bad", "alert-danger"),
    "unfinished": ("?", "Did not finish", "chip-warn", "alert-warning"),
}
FIRST_KEYS = ("username", "outcome", "before", "after", "role", "org", "councils")  # then the rest, as stored
LIST_SHOWN = 5  # of a long list in an audit entry (the full list stays in the log)
WHAT_CHARS = 600


def admin_signed_out(sign_in_href: str) -> html.Div:
    """What anyone but an administrator sees: no data, a way to sign in."""
    return notice(ADMIN_SIGN_IN_WORDS, ["Only an administrator can manage users, reload the definitions and read "
                                        "the audit log. ", tags.A("Sign in", href=sign_in_href),
                                        " with an administrator's account."])


def admin_contents() -> html.Nav:
    links = [("Users", "#users-heading"), ("Definitions", "#definitions-heading"), ("Audit log", "#audit-heading")]
    return tags.Nav(tags.Ul([tags.Li(tags.A(label, href=target)) for label, target in links],
                            className="list-inline mb-0 d-flex gap-4"),
                    className="mb-4", **{"aria-label": "On this page"})


# --- form pieces --------------------------------------------------------------------------------

def _options(choices: Choices) -> list[dict]:
    return [{"label": label, "value": value} for value, label in choices]


def _label(text: str, control_id: str, hint: str | None, error: str | None) -> dbc.Label:
    """The label holds the hint and the error, so that a screen reader reads them with the field."""
    body = [tags.Span(text, className="fw-bold d-block")]
    if hint:
        body.append(tags.Span(hint, className="d-block small text-body-secondary fw-normal"))
    if error:
        body.append(tags.Span([tags.Span("Error: ", className="visually-hidden"), error],
                              className="d-block invalid-feedback mt-1", id=f"{control_id}-error"))
    return dbc.Label(body, html_for=control_id, className="mb-1")


def _field(text: str, control, errors: Mapping[str, str], key: str, hint: str | None = None) -> html.Div:
    return tags.Div([_label(text, control.id, hint, errors.get(key)), control], className="mb-3")


def _select(control_id: str, choices: Choices, value, error: bool, placeholder: str | None = None) -> dbc.Select:
    """A native select; the placeholder is an option that cannot be chosen again."""
    return dbc.Select(id=control_id, options=_options(choices), value=value or "", invalid=error,
                      **({"placeholder": placeholder} if placeholder else {}))


def _councils(control_id: str, choices: Choices, value, errors: Mapping[str, str]) -> html.Fieldset:
    legend = [tags.Span("Councils", className="fw-bold d-block"),
              tags.Span("For a council member: the councils they sit on", className="d-block small "
                        "text-body-secondary")]
    if errors.get("councils"):
        legend.append(tags.Span([tags.Span("Error: ", className="visually-hidden"), errors["councils"]],
                                className="d-block invalid-feedback mt-1", id=f"{control_id}-error"))
    return tags.Fieldset([tags.Legend(legend, className="fs-6 mb-1"),
                          dbc.Checklist(id=control_id, options=_options(choices), value=list(value or []))],
                         className="mb-3")


def _scope_fields(prefix: str, orgs: Choices, councils: Choices, values: Mapping, errors: Mapping) -> list:
    return [
        _field("Organisation", _select(f"{prefix}-org", orgs, values.get("org"), "org" in errors, "None"), errors,
               "org", "For a steward or a lead: the organisation they act for"),
        _councils(f"{prefix}-councils", councils, values.get("councils"), errors),
    ]


def _message(message: tuple[str, str] | None, message_id: str) -> html.Div:
    """The outcome of the last change (tone, words), read out when it changes."""
    tone, words = message if message else ("", "")
    return tags.Div(words, id=message_id, role="status", className=f"alert {tone} py-2" if words else "")


def _error_summary(errors: Mapping[str, str], summary_id: str) -> html.Div | None:
    if not errors:
        return None
    return tags.Div([tags.P("Nothing was changed:", className="fw-bold mb-1"),
                     tags.Ul([tags.Li(e) for e in errors.values()], className="mb-0")],
                    className="alert alert-danger py-2", role="alert", id=summary_id)


# --- users --------------------------------------------------------------------------------------

USER_COLUMNS = [("Username", "col-user"), ("Role", "col-role"), ("Organisation or councils", "col-scope"),
                ("Access", "col-access"), ("Created", "col-created text-nowrap")]


def users_table(users: Sequence[Mapping]) -> html.Div:
    """Every user (`username`, `role` in words, `scope` in words, `active`, `created`); never a hash."""
    if not users:
        return tags.P("No users yet.", id="users-table")
    rows = [tags.Tr([tags.Th(u["username"], scope="row", className="fw-semibold text-break"), tags.Td(u["role"]),
                     tags.Td(u["scope"] or _small("—")), tags.Td(chip(*ACCESS[bool(u["active"])])),
                     tags.Td(u["created"], className="text-nowrap")]) for u in users]
    return tags.Div(table(USER_COLUMNS, rows, "Users", "users-table"), id="users-table")


def user_picker(users: Choices, value: str | None = None) -> html.Div:
    """The user to change; it stays in place while the form below it is drawn anew."""
    return tags.Div([dbc.Label("User", html_for="admin-role-user", className="fw-bold mb-1"),
                     _select("admin-role-user", users, value, False, "Choose a user")], className="mb-2")


def role_form(roles: Choices, orgs: Choices, councils: Choices, values: Mapping | None = None,
              errors: Mapping[str, str] | None = None, message: tuple[str, str] | None = None,
              active: bool | None = None) -> list:
    """Change the chosen user's role (with its organisation or councils), or their access. `active`
    is the chosen user's access as stored (None: no user chosen)."""
    values, errors = values or {}, errors or {}
    user_error = errors.get("user")
    return [
        tags.P([tags.Span("Error: ", className="visually-hidden"), user_error], className="invalid-feedback d-block",
               id="admin-role-user-error") if user_error else None,
        _message(message, "admin-role-message"),
        _error_summary({k: v for k, v in errors.items() if k != "user"}, "role-errors"),
        tags.Div(className="mb-3"),
        _field("Role", _select("admin-role-role", roles, values.get("role"), "role" in errors, "Choose a role"),
               errors, "role"),
        *_scope_fields("admin-role", orgs, councils, values, errors),
        tags.Div([
            dbc.Button("Save role", id="admin-role-save", color="primary", n_clicks=0),
            dbc.Button("Deactivate", id="admin-role-deactivate", color="secondary", outline=True, n_clicks=0,
                       disabled=active is not True),
            dbc.Button("Reactivate", id="admin-role-reactivate", color="secondary", outline=True, n_clicks=0,
                       disabled=active is not False),
        ], className="d-flex flex-wrap gap-2"),
        tags.P("A deactivated user cannot sign in, and their sessions end at once; the audit log keeps their name.",
               className="small text-body-secondary mt-3 mb-0"),
    ]


def add_form(roles: Choices, orgs: Choices, councils: Choices, min_password: int, values: Mapping | None = None,
             errors: Mapping[str, str] | None = None, message: tuple[str, str] | None = None) -> list:
    """A new user with a first password, typed twice (never filled in again after a try)."""
    values, errors = values or {}, errors or {}
    return [
        _error_summary(errors, "add-errors"),
        _message(message, "admin-add-message"),
        _field("Username", dbc.Input(id="admin-add-username", value=values.get("username") or "", maxLength=64,
                                     autoComplete="off", invalid="username" in errors), errors, "username",
               "Letters, digits and . _ @ + - (an email address fits)"),
        _field("Role", _select("admin-add-role", roles, values.get("role"), "role" in errors, "Choose a role"),
               errors, "role"),
        *_scope_fields("admin-add", orgs, councils, values, errors),
        _field("Password", dbc.Input(id="admin-add-password", type="password", autoComplete="new-password",
                                     invalid="password" in errors, value=""), errors, "password",
               f"At least {min_password} characters; tell the user, who can then sign in"),
        _field("Password again", dbc.Input(id="admin-add-again", type="password", autoComplete="new-password",
                                           invalid="again" in errors, value=""), errors, "again"),
        dbc.Button("Add user", id="admin-add-save", color="primary", n_clicks=0),
    ]


def _panel(heading: str, heading_id: str, body: list) -> html.Section:
    return tags.Section([tags.H3(heading, className="h4 mb-3", id=heading_id), *body],
                        className="border rounded-3 p-4 h-100", **{"aria-labelledby": heading_id})


def users_section(users: html.Div, picker: html.Div, change: list, add: list) -> html.Section:
    """The users table (`users_table`), then the forms to change a user (`user_picker` above
    `role_form`) and to add one (`add_form`)."""
    return tags.Section([
        tags.H2("Users", className="h3 mt-2 mb-2", id="users-heading"),
        tags.P("Who may sign in, with which role. Every change is recorded in the audit log with your name.",
               className="small"),
        tags.Div(users, id="admin-users-table", className="mb-4"),
        dbc.Row([
            dbc.Col(_panel("Change a user", "change-heading", [picker, tags.Div(change, id="admin-role-form")]),
                    lg=6, className="mb-4"),
            dbc.Col(_panel("Add a user", "add-heading", [tags.Div(add, id="admin-add-form")]), lg=6, className="mb-4"),
        ]),
    ], id="users-section", **{"aria-labelledby": "users-heading"})


# --- definitions --------------------------------------------------------------------------------

def definitions_checked(counts: Sequence[tuple[str, int]], problems: Sequence[str] = ()) -> html.Div:
    """The outcome of "Check definitions": what they hold (noun, count), or every problem as
    `file:line: message`."""
    if problems:
        return tags.Div([
            tags.P(f"The definitions hold {len(problems):,} problem{'s' * (len(problems) != 1)}: they cannot be "
                   "published until each is fixed.", className="fw-bold mb-2"),
            tags.Ul([tags.Li(tags.Code(p, className="text-break text-body")) for p in problems],
                    className="mb-0", id="definitions-problems"),
        ], className="alert alert-danger", id="definitions-verdict")
    held = ", ".join(f"{n:,} {noun}{'s' * (n != 1)}" for noun, n in counts)
    return tags.Div(f"No problems found: the definitions hold {held}.", className="alert alert-success",
                    id="definitions-verdict")


def _reload_words(state: Mapping) -> str:
    outcome, what = state["outcome"], state.get("what") or {}
    by = state.get("by") or "someone"
    when = format_timestamp(state["at"]) + " (UTC)" if state.get("at") else "an unknown time"
    return {
        "running": f"A reload started by {by} at {when} is running. At scale it can take a while; this page "
                   "shows the outcome when it ends.",
        "published": f"The definitions were published at {when}, reloaded by {by}: {what.get('judged', 0):,} "
                     f"measure(s) judged in full, {what.get('carried', 0):,} for timeliness only.",
        "rejected": f"A reload by {by} was refused at {when}: the definitions hold problems. Nothing was published.",
        "failed": f"A reload by {by} failed at {when}: {what.get('reason', 'the server log says why')}. Nothing was "
                  "published.",
        "unfinished": f"A reload started by {by} at {when} recorded no outcome (the server may have stopped "
                      "during it). Check the definitions and reload again.",
    }[outcome]


def reload_status(state: Mapping | None, already: bool = False) -> html.Div:
    """The last reload of the definitions (`outcome`, `at`, `by`, `what`), or that none has run.
    `already`: a click that found a reload or a load running, and so started nothing."""
    already_words = tags.P("A load or a reload is already running: nothing new was started.",
                           className="fw-bold mb-2", id="reload-already") if already else None
    if not state:
        return tags.Div([already_words, tags.P("The definitions have not been reloaded from this page yet.",
                                               className="mb-0")], id="reload-outcome")
    icon, word, tone, alert = RELOAD_WORDS[state["outcome"]]
    body = [already_words, tags.Div([chip(icon, word, tone), " ", _reload_words(state)])]
    problems = (state.get("what") or {}).get("problems") or []
    if state["outcome"] == "rejected" and problems:
        body.append(tags.Ul([tags.Li(tags.Code(p, className="text-break text-body")) for p in problems],
                            className="mt-2 mb-0", id="reload-problems"))
    return tags.Div(body, className=f"alert {alert}", id="reload-outcome")


def definitions_section(status: html.Div, polling: bool, poll_ms: int) -> html.Section:
    return tags.Section([
        tags.H2("Definitions", className="h3 mt-5 mb-2", id="definitions-heading"),
        tags.P(["The councils, objectives, measures and organisations are defined in the YAML files of the home "
                "folder's ", tags.Code("definitions"), " folder. Check them after an edit; reload to publish "
                "them: the warehouse is judged again (in full when they changed) and replaced at once, so readers "
                "never see a half-made state."], className="small"),
        tags.Div([dbc.Button("Check definitions", id="admin-defs-check", color="primary", outline=True, n_clicks=0),
                  dbc.Button("Reload definitions", id="admin-defs-reload", color="primary", n_clicks=0)],
                 className="d-flex flex-wrap gap-2 mb-3"),
        dcc.Loading(tags.Div(id="admin-defs-result"), delay_show=300),
        tags.Div(status, id="admin-reload-status", **{"aria-live": "polite"}),
        dcc.Interval(id="admin-reload-poll", interval=poll_ms, disabled=not polling),
    ], id="definitions-section", **{"aria-labelledby": "definitions-heading"})


# --- the audit log ------------------------------------------------------------------------------

def _ordered(what: Mapping) -> list[tuple]:
    return sorted(what.items(), key=lambda kv: FIRST_KEYS.index(kv[0]) if kv[0] in FIRST_KEYS else len(FIRST_KEYS))


def _plain(value) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_plain(v)}" for k, v in _ordered(value) if v not in (None, "", [], {}))
    if isinstance(value, list | tuple):
        shown = ", ".join(_plain(v) for v in value[:LIST_SHOWN])
        more = f" … ({len(value):,} in all)" if len(value) > LIST_SHOWN else ""
        return (shown + more) or "none"
    return str(value)


def what_text(what: Mapping) -> str:
    """An audit entry's details as one line of text: `username: bob; after: role lead, org edu`
    (what is empty left out)."""
    parts = ((key, _plain(value)) for key, value in _ordered(what) if value not in (None, "", [], {}))
    text = "; ".join(f"{key}: {plain}" for key, plain in parts if plain)
    return text if len(text) <= WHAT_CHARS else text[: WHAT_CHARS - 1] + "…"


AUDIT_COLUMNS = [("When (UTC)", "col-when text-nowrap"), ("Who", "col-who"), ("Action", "col-action"),
                 ("What", "col-what")]


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M:%S}"


def audit_results(entries: Sequence[Mapping], page: int, pages: int, total: int, per_page: int) -> html.Div:
    """One page of entries (`at`, `who`, `action`, `what`), newest first, and where it sits."""
    if not entries:
        return tags.P("No entries match.", id="audit-empty")
    first = page * per_page + 1
    rows = [tags.Tr([tags.Td(_when(e["at"]), className="text-nowrap"), tags.Td(e["who"] or "—", className="text-break"),
                     tags.Td(tags.Code(e["action"], className="text-body")),
                     tags.Td(what_text(e["what"]), className="text-break small")]) for e in entries]
    return tags.Div([
        tags.P(f"Entries {first:,}–{first + len(entries) - 1:,} of {total:,}, newest first (page {page + 1:,} of "
               f"{pages:,}).", className="small mb-2", id="audit-position"),
        tags.Div(table(AUDIT_COLUMNS, rows, "Audit log entries, newest first", "audit-table"), id="audit-table"),
    ])


def audit_section(actions: Choices, people: Choices, results: html.Div, newer: bool, older: bool) -> html.Section:
    """Filters, one page of entries, and the buttons to page through them."""
    filters = dbc.Row([
        dbc.Col([dbc.Label("Action", html_for="admin-audit-action", className="fw-bold mb-1"),
                 dcc.Dropdown(_options(actions), None, id="admin-audit-action", placeholder="Every action")],
                md=4, className="mb-2"),
        dbc.Col([dbc.Label("Who", html_for="admin-audit-who", className="fw-bold mb-1"),
                 dcc.Dropdown(_options(people), None, id="admin-audit-who", placeholder="Everyone")],
                md=4, className="mb-2"),
    ], className="mb-3")
    return tags.Section([
        tags.H2("Audit log", className="h3 mt-5 mb-2", id="audit-heading"),
        tags.P("Every sign-in, upload, load, edit and role change: who, when and what.", className="small"),
        filters,
        dcc.Store(id="admin-audit-page", data=0),
        dcc.Loading(tags.Div(results, id="admin-audit-results"), delay_show=300),
        tags.Div([dbc.Button("← Newer", id="admin-audit-newer", color="secondary", outline=True, size="sm",
                             n_clicks=0, disabled=not newer),
                  dbc.Button("Older →", id="admin-audit-older", color="secondary", outline=True, size="sm",
                             n_clicks=0, disabled=not older)],
                 className="d-flex gap-2 mt-3"),
    ], id="audit-section", **{"aria-labelledby": "audit-heading"})
