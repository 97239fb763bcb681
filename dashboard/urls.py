"""Stable links between pages, and the "as of" month every link carries: read, check, build.

A page's address names what it shows (`/objective/<id>`) and, in its query string, the month
whose end the figures are shown as at (`?as_of=2026-03`); no `as_of` means the latest figures.
Values arrive from the browser, so they are checked here and never trusted: a malformed month
becomes a readable problem, and every link is built from quoted parts, never from raw text.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import parse_qs, quote, urlencode

__all__ = ["AsOf", "LATEST", "ROUTES", "read_as_of", "as_of_from_search", "href", "with_as_of", "search_href"]

LATEST = "latest"  # the picker's value for "the newest figures"
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
SHOWN_CHARACTERS = 40  # of a bad value, when a notice repeats it back

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
class AsOf:
    """The month whose end the figures are shown as at (None: the latest), and, when the value
    asked for could not be used, why."""

    month: str | None = None
    problem: str | None = None

    @property
    def as_at(self) -> datetime | None:
        """The last moment of the month: loads received by then count."""
        if self.month is None:
            return None
        year, month = int(self.month[:4]), int(self.month[5:])
        return datetime(year, month, calendar.monthrange(year, month)[1], 23, 59, 59, 999999)

    @property
    def month_start(self) -> date | None:
        return None if self.month is None else date(int(self.month[:4]), int(self.month[5:]), 1)

    @property
    def value(self) -> str:
        """The picker's value: the month, or LATEST."""
        return self.month or LATEST

    @property
    def words(self) -> str:
        """`the end of March 2026`, or `the latest figures`."""
        if self.month is None:
            return "the latest figures"
        return f"the end of {self.month_start:%B %Y}"


def read_as_of(value) -> AsOf:
    """Check an `as_of` value from a URL or the picker: `YYYY-MM`, empty or `latest`."""
    if value is None or value == "" or value == LATEST:
        return AsOf()
    if isinstance(value, list | tuple):
        return AsOf(problem="The month was given more than once; showing the latest figures.")
    text = str(value).strip()
    match = MONTH.fullmatch(text)
    if not match or not EARLIEST_YEAR <= int(match[1]) <= LATEST_YEAR:
        shown = text[:SHOWN_CHARACTERS] + ("…" if len(text) > SHOWN_CHARACTERS else "")
        return AsOf(
            problem=f"“{shown}” is not a month (write it as YYYY-MM, e.g. 2026-03); showing the latest figures."
        )
    return AsOf(text)


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
