"""Who is asking: sign-in and sign-out, the viewer each request runs as, and the checks routes and
callbacks make on the server.

Each request runs as a `published.access.Viewer`: the signed-in user's role, organisation and
councils, or the public. `install` sets it before a page, callback or route reads the warehouse and
resets it when the request ends, so all of them see it through `current_viewer()`.

A user signs in with a password at /sign-in (argon2id, rate-limited: workflow.attempts) or, when the
app is set to trust one, through a reverse proxy's header naming them (single sign-on). The form
takes them back to the page they came from (`?next=`, only a path on this site: `next_page`), else
home. The session is a signed cookie (HttpOnly, SameSite=Lax, Secure behind TLS, 8 hours) holding
the user's id and session epoch. Each request reads the user anew, so a role change, removal or
deactivation counts at the next request, and a sign-out ends every session of that user. Each form
carries a per-session token; every state-changing request is also checked for its origin
(dashboard.guard).

`require(...)` guards a Flask route or a Dash callback: rights come from the viewer, looked up on
the server; ids the browser sends are data to check, never a right.
"""

from __future__ import annotations

import hmac
import math
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from functools import partial, wraps
from urllib.parse import urlsplit

import flask
import flask_login
from dash import Dash
from dash.exceptions import PreventUpdate

from published.access import PUBLIC, Viewer, as_viewer, current_viewer
from workflow import User, UserError, WorkflowStore, session_key, sign_in
from workflow.users import normal_username

from .context import PUBLIC_WAREHOUSE_KEY, WAREHOUSE_KEY, Settings

__all__ = ["install", "require", "allows", "refuse", "acts_for", "sits_on", "is_signed_in", "Account",
           "current_account", "signed_in_as", "SignedInAs", "csrf_token", "next_page", "ROLE_WORDS", "TOKEN_FIELD",
           "NEXT_FIELD", "SIGN_IN", "SIGN_OUT", "SESSION_COOKIE"]

SIGN_IN, SIGN_OUT = "sign-in", "sign-out"  # under the app's path prefix
SESSION_COOKIE = "outcomes_session"
SESSION_HOURS = 8
TOKEN_FIELD = "csrf_token"  # the form field; the session keeps the same value under TOKEN_KEY
TOKEN_KEY = "_csrf"
NEXT_FIELD = "next"  # the page to return to after signing in: a query parameter, then a form field
MAX_NEXT = 2_000  # characters; a page's address here is far shorter
PROXY_MARK = "_proxy_user"  # the single sign-on user this session has already been audited for
STATIC = ("_dash-component-suites/", "assets/", "_favicon.ico")  # no user to look up for these
ROLE_WORDS = {"council_member": "council member", "steward": "organisation steward", "lead": "accountable lead",
              "admin": "administrator"}


class Account(flask_login.UserMixin):
    """A signed-in user as Flask-Login sees them; `via` is "password" or "proxy"."""

    def __init__(self, user: User, via: str = "password"):
        self.user, self.via = user, via

    def get_id(self) -> str:
        return f"{self.user.id}:{self.user.session_epoch}"  # an older epoch is a signed-out session

    @property
    def is_active(self) -> bool:
        return self.user.active


def current_account() -> Account | None:
    """The signed-in account of this request, or None for the public."""
    if not flask.has_request_context():
        return None
    user = flask_login.current_user._get_current_object()
    return user if isinstance(user, Account) and user.is_authenticated else None


# --- rights, checked on the server -------------------------------------------------------------

Check = str | Iterable[str] | Callable[[Viewer], bool]


def is_signed_in(viewer: Viewer) -> bool:
    """Anyone signed in, whatever their role: `require(is_signed_in)`."""
    return viewer.signed_in


def acts_for(org_id: str | None) -> Callable[[Viewer], bool]:
    """A steward or lead of `org_id` (an id the server looked up, e.g. a measure's owner in the warehouse)."""
    return lambda v: org_id is not None and v.role in ("steward", "lead") and v.org == org_id


def sits_on(council_id: str | None) -> Callable[[Viewer], bool]:
    """A member of council `council_id` (as the server looked it up)."""
    return lambda v: council_id is not None and v.role == "council_member" and council_id in v.councils


def allows(check: Check, viewer: Viewer | None = None) -> bool:
    """May `viewer` (default: this request's) do what `check` names: a role, several roles, or a
    predicate of the viewer? The public may do nothing that needs a check; an administrator everything."""
    viewer = viewer or current_viewer()
    if not viewer.signed_in:
        return False
    if viewer.is_admin:
        return True
    if callable(check):
        return bool(check(viewer))
    return viewer.role in ({check} if isinstance(check, str) else set(check))


def refuse() -> None:
    """Stop here: in a Dash callback nothing is updated (PreventUpdate); a route answers 403."""
    if flask.has_request_context() and flask.request.path.endswith("/_dash-update-component"):
        raise PreventUpdate
    flask.abort(403)


def require(check: Check):
    """Decorate a Flask route or a Dash callback so that it runs only when `allows(check)`; put it
    below `@callback(...)`. For a right over one thing (this measure's owner...), call
    `allows(acts_for(owner))` inside the function, with `owner` read from the warehouse."""
    def decorate(fn):
        @wraps(fn)
        def checked(*args, **kwargs):
            if not allows(check):
                refuse()
            return fn(*args, **kwargs)
        return checked
    return decorate


# --- the header's "Signed in as" ---------------------------------------------------------------

@dataclass(frozen=True)
class SignedInAs:
    name: str
    role: str  # in words
    token: str  # for the sign-out form
    via: str


def signed_in_as() -> SignedInAs | None:
    """Who this request is signed in as, for the navigation bar; None for the public."""
    account = current_account()
    if account is None:
        return None
    return SignedInAs(account.user.username, ROLE_WORDS.get(account.user.role, account.user.role), csrf_token(),
                      account.via)


def csrf_token() -> str:
    """This session's form token (made on first use)."""
    token = flask.session.get(TOKEN_KEY)
    if not token:
        token = flask.session[TOKEN_KEY] = secrets.token_urlsafe(32)
    return token


def _token_ok() -> bool:
    kept, sent = flask.session.get(TOKEN_KEY), flask.request.form.get(TOKEN_FIELD, "")
    return bool(kept) and hmac.compare_digest(str(sent).encode(), str(kept).encode())


# --- where to go after signing in ----------------------------------------------------------------

def next_page(value, prefix: str = "/") -> str | None:
    """`value` when it is a page of this site to go to after signing in, else None (go home): a path
    under `prefix` (so starting with one `/`), with its query, of at most MAX_NEXT characters; never
    `//host`, a scheme (`https:`, `javascript:`), a backslash (which browsers read as a slash) or a
    control character (browsers drop tabs and newlines, so `/<tab>/host` would become `//host`)."""
    if not isinstance(value, str) or not 0 < len(value) <= MAX_NEXT or not value.startswith(prefix):
        return None
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    if any(unicodedata.category(c) == "Cc" for c in value):
        return None
    parts = urlsplit(value)
    return None if parts.scheme or parts.netloc or "//" in parts.path else value


# --- installing it on the app ------------------------------------------------------------------

def install(app: Dash, settings: Settings, store: WorkflowStore) -> None:
    """Sessions, the user loaders, the viewer of each request, and the sign-in and sign-out routes."""
    server = app.server
    server.config.update(
        SECRET_KEY=settings.secret_key or session_key(settings.key_file),
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        REMEMBER_COOKIE_HTTPONLY=True,  # "remember me" is not offered; should it ever be, the same flags
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.cookie_secure,
    )
    manager = flask_login.LoginManager()
    manager.init_app(server)
    header = settings.trusted_user_header
    manager.user_loader(partial(_from_session, store, header))
    manager.request_loader(partial(_from_proxy, store, header))

    routes = app.config.routes_pathname_prefix
    static = tuple(routes + s for s in STATIC)
    server.before_request(partial(_enter_viewer, static))
    server.teardown_request(_leave_viewer)
    links = app.config.requests_pathname_prefix
    server.add_url_rule(routes + SIGN_IN, "sign_in", partial(_sign_in, settings, store, links),
                        methods=["GET", "POST"])
    server.add_url_rule(routes + SIGN_OUT, "sign_out", partial(_sign_out, store, links), methods=["POST"])


def _proxy_name(header: str | None) -> str | None:
    if not header:
        return None
    value = flask.request.headers.get(header)
    return value.strip() if value and value.strip() else None


def _from_session(store: WorkflowStore, header: str | None, user_id: str) -> Account | None:
    if _proxy_name(header) is not None:
        return None  # the proxy's word wins: _from_proxy decides
    ident, _, epoch = str(user_id).partition(":")
    user = store.user(int(ident)) if ident.isdigit() else None
    if user is None or not user.active or str(user.session_epoch) != epoch:
        return None
    return Account(user)


def _from_proxy(store: WorkflowStore, header: str | None, _request) -> Account | None:
    """Single sign-on: the user the trusted proxy's header names (who must exist and be active).
    Audited once a session, not at every request."""
    claimed = _proxy_name(header)
    if claimed is None:
        return None
    try:
        name = normal_username(claimed)
        user = store.user_named(name)
    except UserError:
        name, user = claimed[:200], None
    user = user if user is not None and user.active else None
    if flask.session.get(PROXY_MARK) != name:
        where = {"username": name, "address": flask.request.remote_addr or "unknown", "via": "proxy"}
        if user is None:
            store.audit(name, "sign-in-failed", {**where, "reason": "unknown or inactive user"})
        else:
            store.audit(name, "sign-in", {**where, "role": user.role})
        flask.session[PROXY_MARK] = name
    return Account(user, via="proxy") if user else None


def _enter_viewer(static: tuple[str, ...]) -> None:
    """Run the rest of the request as the signed-in user's viewer (the public when nobody is)."""
    if flask.request.path.startswith(static):
        return
    account = current_account()
    stack = ExitStack()
    stack.enter_context(as_viewer(account.user.viewer if account else PUBLIC))
    # every query of the request reads one published version, even when a publish lands meanwhile
    for key in (WAREHOUSE_KEY, PUBLIC_WAREHOUSE_KEY):
        warehouse = flask.current_app.config.get(key)
        if warehouse is not None:
            stack.enter_context(warehouse.one_version())
    flask.g.viewer_stack = stack


def _leave_viewer(_error) -> None:
    stack = flask.g.pop("viewer_stack", None)
    if stack is not None:
        stack.close()


# --- the routes ----------------------------------------------------------------------------------

def _sign_in(settings: Settings, store: WorkflowStore, links: str):
    request = flask.request
    source = request.args if request.method == "GET" else request.form
    back = next_page(source.get(NEXT_FIELD), links)
    page = partial(_sign_in_page, settings, links, back=back)
    if request.method == "GET":
        return flask.redirect(back or links, 303) if current_account() else page()
    username = request.form.get("username", "")[:200]
    if not _token_ok():
        return page(username, [(None, "The sign-in form had expired. Please try again.")], 400)
    password = request.form.get("password", "")
    missing = [(f, m) for f, m, v in (("username", "Enter your username", username.strip()),
                                     ("password", "Enter your password", password)) if not v]
    if missing:
        return page(username, missing, 400)
    attempt = sign_in(store, username, password, request.remote_addr or "unknown")
    if attempt.refused:
        minutes = max(1, math.ceil(attempt.wait.total_seconds() / 60))
        response = page(username, [(None, "Too many failed sign-in attempts for this username or from this "
                                          f"address. Try again in {minutes} minute{'s' * (minutes != 1)}.")], 429)
        response.headers["Retry-After"] = str(math.ceil(attempt.wait.total_seconds()))
        return response
    if attempt.user is None:
        return page(username, [("username", "The username or password is not right")], 401)
    flask.session.clear()  # nothing from before sign-in carries over
    flask_login.login_user(Account(attempt.user))
    flask.session.permanent = True
    csrf_token()
    return flask.redirect(back or links, 303)


def _sign_out(store: WorkflowStore, links: str):
    if not _token_ok():
        flask.abort(403, "The sign-out form had expired: reload the page and sign out again.")
    account = current_account()
    if account is not None:
        store.end_sessions(account.user.id)
        store.audit(account.user.username, "sign-out", {"username": account.user.username, "via": account.via,
                                                        "address": flask.request.remote_addr or "unknown"})
    flask_login.logout_user()
    flask.session.clear()
    return flask.redirect(links, 303)


def _sign_in_page(settings: Settings, links: str, username: str = "", errors=(), status: int = 200, *,
                  back: str | None = None):
    errors = list(errors)
    html = flask.render_template_string(
        SIGN_IN_PAGE, title=settings.title, links=links, token=csrf_token(), back=back, username=username,
        errors=errors, field_errors={f: m for f, m in errors if f}, proxy=bool(settings.trusted_user_header),
        focus=next((f for f, _ in errors if f), "username"))  # the first field to put right
    response = flask.make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; "
                                                       "frame-ancestors 'none'; form-action 'self'")
    return response


# Server-rendered, so it works without scripts; the GOV.UK error summary pattern: the summary
# first, each message linked to its field, each field described by its message
SIGN_IN_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{% if errors %}Error: {% endif %}Sign in – {{ title }}</title>
  <link rel="icon" href="{{ links }}assets/favicon.ico">
  <link rel="stylesheet" href="{{ links }}assets/bootstrap.min.css">
  <link rel="stylesheet" href="{{ links }}assets/site.css">
</head>
<body>
<div class="d-flex flex-column min-vh-100">
  <a href="#main" class="visually-hidden-focusable skip-link">Skip to main content</a>
  <header>
    <nav class="navbar navbar-dark site-header" aria-label="Main">
      <div class="container"><a class="navbar-brand fw-bold" href="{{ links }}">{{ title }}</a></div>
    </nav>
  </header>
  <main id="main" class="container py-4" tabindex="-1">
    <div class="row"><div class="col-md-8 col-lg-6">
      {% if errors %}
      <div class="alert alert-danger" role="alert" aria-labelledby="error-summary-title" id="error-summary">
        <h2 class="h5" id="error-summary-title">There is a problem</h2>
        <ul class="mb-0">
          {% for field, message in errors %}
          <li>{% if field %}<a href="#{{ field }}">{{ message }}</a>{% else %}{{ message }}{% endif %}</li>
          {% endfor %}
        </ul>
      </div>
      {% endif %}
      <h1 class="mb-3">Sign in</h1>
      <p class="lead-text">Council members, organisation stewards, accountable leads and administrators sign in
        to see their internal measures and to make changes. The public pages need no account.</p>
      <form method="post" action="{{ links }}sign-in" novalidate>
        <input type="hidden" name="csrf_token" value="{{ token }}">
        {% if back %}<input type="hidden" name="next" value="{{ back }}">{% endif %}
        {% for field, label, kind, complete in [("username", "Username", "text", "username"),
                                                ("password", "Password", "password", "current-password")] %}
        <div class="mb-3">
          <label class="form-label fw-bold" for="{{ field }}">{{ label }}</label>
          {% if field_errors[field] %}
          <p class="invalid-feedback d-block mb-1" id="{{ field }}-error">
            <span class="visually-hidden">Error:</span> {{ field_errors[field] }}</p>
          {% endif %}
          <input class="form-control{% if field_errors[field] %} is-invalid{% endif %}" id="{{ field }}"
                 name="{{ field }}" type="{{ kind }}" autocomplete="{{ complete }}" required
                 {% if field == "username" %}value="{{ username }}" spellcheck="false" autocapitalize="none"
                 maxlength="64"{% endif %}{% if field == focus %} autofocus{% endif %}
                 {% if field_errors[field] %}aria-invalid="true" aria-describedby="{{ field }}-error"{% endif %}>
        </div>
        {% endfor %}
        <button type="submit" class="btn btn-primary">Sign in</button>
      </form>
      {% if proxy %}
      <p class="mt-4">If your organisation signs you in for you, open this site through its usual address
        and you will be signed in already.</p>
      {% endif %}
      <p class="mt-4"><a href="{{ links }}">Go to the public pages</a></p>
    </div></div>
  </main>
  <footer class="site-footer mt-5 py-4">
    <div class="container"><p class="mb-0 small">Forgotten your password or need an account? Ask an administrator
      of this site.</p></div>
  </footer>
</div>
</body>
</html>"""
