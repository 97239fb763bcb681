"""The callbacks of the frame around every page: the "as of" picker and the address follow each
other, navigation links keep the as-of month, and the search box suggests and searches. And the
frame's account area: "Sign in" (which brings the user back to the page they were on), or who is
signed in with a sign-out button.

`register_callbacks()` is called by `create_app` for each app: a module-level `@callback` here
would bind only to the first app a process creates (page modules, by contrast, are re-run by
Dash for every app).
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, quote, urlencode

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard.components import tags
from published.reader import WarehouseError

from . import components, urls
from .auth import NEXT_FIELD, SIGN_IN, next_page
from .context import current_warehouse

__all__ = [
    "register_callbacks",
    "output_key",
    "footer_follows_address",
    "picker_follows_address",
    "navigate",
    "links_keep_month",
    "suggest",
    "address_with_month",
    "account_area",
    "with_account",
    "sign_in_href",
    "sign_in_follows_address",
]

log = logging.getLogger(__name__)

LOCATION = "_pages_location"  # Dash pages' own dcc.Location
NAVIGATE = "navigate"  # a dcc.Location(refresh="callback-nav") that callbacks write to
SIGN_IN_LINK = "sign-in-link"
SUGGESTIONS = 8


def address_with_month(pathname: str | None, search: str | None, month: str | None) -> str:
    """The current page's address with the as-of month set (or removed for the latest)."""
    path = pathname if isinstance(pathname, str) and pathname.startswith("/") and not pathname.startswith("//") else "/"
    kept = [(k, v) for k, v in parse_qsl((search or "").lstrip("?")) if k != "as_of"]
    if month:
        kept.append(("as_of", month))
    return f"{path}?{urlencode(kept)}" if kept else path


# address -> period picker (on arrival, and when a link or the back button changes the month)
def picker_follows_address(search, options):
    as_of = urls.as_of_from_search(search)
    options = [o for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    known = {o.get("value") for o in options}
    if as_of.month and as_of.month not in known:
        options = [*options, components.month_option(as_of.month)]
    return as_of.value, options


# period picker or search box -> a new address (the pages router then redraws the page)
def navigate(picked, _submitted, text, pathname, search):
    if ctx.triggered_id == "site-search":
        return urls.search_href(text or "", urls.as_of_from_search(search))
    chosen = urls.read_as_of(picked)
    if chosen.problem or chosen.value == urls.as_of_from_search(search).value:
        return no_update
    return address_with_month(pathname, search, chosen.month)


def output_key(output, key: str) -> str | None:
    """One key of a pattern-matching output's id, as the browser described it (checked: it is not trusted)."""
    ident = output.get("id") if isinstance(output, dict) else None
    value = ident.get(key) if isinstance(ident, dict) else None
    return value if isinstance(value, str) else None


# address -> navigation links that keep the as-of month; the search box empties on a new page
def links_keep_month(search, _pathname):
    as_of = urls.as_of_from_search(search)
    return [urls.with_as_of(output_key(o, "path") or "/", as_of) for o in ctx.outputs_list[0]], ""


# typing in the search box -> the first few matches
def suggest(text, search):
    text = " ".join((text if isinstance(text, str) else "").split())[:100]
    if not text:
        return None
    try:
        found = current_warehouse().search(text, limit=SUGGESTIONS)
    except WarehouseError:
        return None
    return components.search_suggestions(found, text, urls.as_of_from_search(search))


# address -> the footer's "data as of" line, as the data stood at the month shown
def footer_follows_address(search):
    try:
        rows = current_warehouse().as_of(urls.as_of_from_search(search).as_at).to_dict("records")
    except WarehouseError:
        return components.data_as_of_line(None)
    return components.data_as_of_line(rows[0] if rows else None)


def sign_in_href(page: str | None, prefix: str | None = None) -> str:
    """The sign-in form's address (under the app's path `prefix`), carrying `page` (a path with its query)
    to come back to; a page the form would not go back to (dashboard.auth.next_page), or home, is left out."""
    prefix = prefix or dash.get_relative_path("/")
    back = next_page(page, prefix)
    return f"{prefix}{SIGN_IN}" + (f"?{NEXT_FIELD}={quote(back, safe='/')}" if back and back != prefix else "")


# address -> the "Sign in" link, so that signing in comes back here (the header is built once per page
# load, and Dash's pages router changes the address without rebuilding it)
def sign_in_follows_address(pathname, search):
    page = (pathname if isinstance(pathname, str) else "") + (search if isinstance(search, str) else "")
    return sign_in_href(page)


def account_area(signed_in, prefix: str = "/") -> html.Div:
    """ "Sign in", or "Signed in as NAME (role) · Sign out". `signed_in` is dashboard.auth.SignedInAs or
    None. Signing out is a form POST carrying the session's token, so another site cannot sign anyone out.
    Someone signed in by their organisation's single sign-on signs out there, not here."""
    if signed_in is None:
        return tags.Div(tags.A("Sign in", href=sign_in_href(None, prefix), id=SIGN_IN_LINK, className="nav-link p-0"),
                        className="account")
    who = tags.Span(["Signed in as ", tags.Strong(signed_in.name), f" ({signed_in.role})"], id="signed-in-as")
    if signed_in.via == "proxy":
        return tags.Div([who, " · single sign-on"], className="account text-white")
    sign_out = tags.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=signed_in.token, id="sign-out-token"),
            tags.Button("Sign out", type="submit", className="btn btn-link nav-link p-0 align-baseline"),
        ],
        action=f"{prefix}sign-out",
        method="post",
        className="d-inline",
    )
    return tags.Div([who, " · ", sign_out], className="account d-flex align-items-baseline gap-1 text-white")


def with_account(header: html.Header, area) -> html.Header:
    """The navigation bar with the account area on a line of its own above the bar's items, on the right
    (as GOV.UK's header does), so that the bar keeps its one line on a laptop screen."""
    nav = header.children  # Header > Nav > the container of the bar's items
    nav.children = [tags.Div(area, className="container d-flex justify-content-end mb-1"), nav.children]
    return header


def register_callbacks() -> None:
    """Register the frame's callbacks for the app about to be created."""
    callback(
        Output("as-of-picker", "value"),
        Output("as-of-picker", "options"),
        Input(LOCATION, "search"),
        State("as-of-picker", "options"),
    )(picker_follows_address)
    callback(
        Output(NAVIGATE, "href"),
        Input("as-of-picker", "value"),
        Input("site-search", "n_submit"),
        State("site-search", "value"),
        State(LOCATION, "pathname"),
        State(LOCATION, "search"),
        prevent_initial_call=True,
    )(navigate)
    callback(
        Output({"type": "nav-link", "name": ALL, "path": ALL}, "href"),
        Output("site-search", "value"),
        Input(LOCATION, "search"),
        Input(LOCATION, "pathname"),
    )(links_keep_month)
    callback(Output("data-as-of", "children"), Input(LOCATION, "search"))(footer_follows_address)
    callback(Output(SIGN_IN_LINK, "href"), Input(LOCATION, "pathname"), Input(LOCATION, "search"))(
        sign_in_follows_address)
    callback(
        Output("search-suggestions", "children"),
        Input("site-search", "value"),
        State(LOCATION, "search"),
    )(suggest)
