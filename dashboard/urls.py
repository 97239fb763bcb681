"""Stable links between pages, and the "as of" month every link carries: read, check, build.

A page's address names what it shows (`/objective/<id>`) and, in its query string, the month
whose end the figures are shown as at (`?as_of=2026-03`); no `as_of` means the latest figures.
Values arrive from the browser, so they are checked here and never trusted: a malformed month
becomes a readable problem, and every link is built from quoted parts, never from raw text.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlencode

from published.as_of import LATEST, AsOf, read_as_of

__all__ = ["AsOf", "LATEST", "ROUTES", "read_as_of", "as_of_from_search", "href", "with_as_of", "search_href"]

ROUTES = {
    "goal_map": "/",
    "council": "/council/{}",
    "objective": "/objective/{}",
    "org": "/org/{}",
    "measure": "/measure/{}",
    "search": "/search",
    "exceptions": "/exceptions",
    "methods": "/methods",
}


def as_of_from_search(search: str | None) -> AsOf:
    """The as-of month in a URL's query string (`?as_of=2026-03`)."""
    if not search or not isinstance(search, str):
        return AsOf()
    values = parse_qs(search.lstrip("?")).get("as_of")
    if not values:
        return AsOf()
    return read_as_of(values[0] if len(values) == 1 else values)


def with_as_of(path: str, as_of: AsOf | None = None, **query: str) -> str:
    """`path` with a query string that keeps the as-of month (and any other checked values)."""
    params = {k: v for k, v in query.items() if v}
    if as_of is not None and as_of.month:
        params["as_of"] = as_of.month
    return f"{path}?{urlencode(params)}" if params else path


def href(kind: str, ident: str = "", as_of: AsOf | None = None) -> str:
    """The stable link to a council, objective, organisation or measure page (or the goal map)."""
    route = ROUTES[kind]
    path = route.format(quote(str(ident), safe="")) if "{}" in route else route
    return with_as_of(path, as_of)


def search_href(text: str, as_of: AsOf | None = None) -> str:
    """The search results page for `text` (quoted, cut to a sane length)."""
    return with_as_of(ROUTES["search"], as_of, q=" ".join(str(text).split())[:100])
