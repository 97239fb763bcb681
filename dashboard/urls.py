"""Stable links between pages, and the "as of" month every link carries: read, check, build.

A page's address names what it shows (`/objective/<id>`) and, in its query string, the month
whose end the figures are shown as at (`?as_of=2026-03`); no `as_of` means the latest figures.
Values arrive from the browser, so they are checked here and never trusted: a malformed month
becomes a readable problem, and every link is built from quoted parts, never from raw text.

A page is shown as at a month only once that month has ended: until then figures for it may still
arrive and the judgement in force at its end is not yet made, so its end cannot be shown. A month
not yet ended is not offered by the picker, and an address naming one shows the latest figures,
saying why, as a malformed month does (`view_as_of`). Review packs name their month with
`read_as_of` alone: a council's pack for this month is drawn up before the month ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, quote, urlencode

from published.as_of import LATEST, AsOf, read_as_of

__all__ = [
    "AsOf", "LATEST", "NotEnded", "ROUTES", "read_as_of", "month_has_ended", "view_as_of", "as_of_from_search",
    "href", "with_as_of", "search_href",
]

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


@dataclass(frozen=True)
class NotEnded(AsOf):
    """A month asked for whose end has not come: the latest figures are shown, and `problem` says why (the
    as-of notice names the kind of problem: the month is well formed, only not over)."""


def month_has_ended(month: str, today: date | None = None) -> bool:
    """Whether the month `YYYY-MM` ended before `today` (None: today on the warehouse's clock, UTC, which
    loads are received and judgements made on)."""
    return month < f"{today or datetime.now(UTC).date():%Y-%m}"


def view_as_of(value, today: date | None = None) -> AsOf:
    """The month a page is viewed as at: `read_as_of`, and a month not yet ended (this one, or one to
    come) is the latest figures, with why."""
    as_of = read_as_of(value)
    if as_of.month is None or month_has_ended(as_of.month, today):
        return as_of
    return NotEnded(problem=f"The figures as at the end of {as_of.month_start:%B %Y} can be shown once that month "
                            "is over; showing the latest figures.")


def as_of_from_search(search: str | None, today: date | None = None) -> AsOf:
    """The as-of month in a URL's query string (`?as_of=2026-03`), as a page is viewed at it (`view_as_of`)."""
    if not search or not isinstance(search, str):
        return AsOf()
    values = parse_qs(search.lstrip("?")).get("as_of")
    if not values:
        return AsOf()
    return view_as_of(values[0] if len(values) == 1 else values, today)


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
