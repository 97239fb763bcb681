"""The month figures are shown "as at": the end of a month a user names (`YYYY-MM`), checked.

Shared by the dashboard (the `?as_of=` of every address), the command line (`--as-of`) and
anything else that reads the published warehouse as it stood at a month's end. Values come from
users, so they are checked here and never trusted: a malformed month becomes a readable problem.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["AsOf", "LATEST", "read_as_of"]

LATEST = "latest"  # the picker's value for "the newest figures"
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999
SHOWN_CHARACTERS = 40  # of a bad value, when a notice repeats it back


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
