"""Reporting periods: parse, name and step the periods a measure is reported for.

Canonical labels, one per frequency (the submission contract):

    monthly         2025-03     starts 2025-03-01
    quarterly       2025-Q1     starts 2025-01-01 (calendar quarters)
    annual          2025        starts 2025-01-01
    financial_year  2024/25     starts 2024-04-01 (FY_START_MONTH)

A full date `YYYY-MM-DD` is accepted where it is the first day of a period of the
measure's frequency. The same rules are written in SQL in `etl/sql/macros.sql` for
bulk validation; `tests/test_periods.py` holds both to one table of cases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

__all__ = [
    "FREQUENCIES",
    "FY_START_MONTH",
    "Period",
    "PeriodError",
    "parse_period",
    "period_from_start",
    "shift_period",
    "period_end",
    "parse_free_label",
]

FREQUENCIES = ("monthly", "quarterly", "annual", "financial_year")
FY_START_MONTH = 4
MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "annual": 12, "financial_year": 12}


class PeriodError(ValueError):
    """A period label that cannot be read, or does not fit the measure's frequency."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    frequency: str

    @property
    def label(self) -> str:
        return period_from_start(self.frequency, self.start)

    def shift(self, n: int) -> Period:
        return Period(shift_period(self.frequency, self.start, n), self.frequency)

    @property
    def end(self) -> date:
        return period_end(self.frequency, self.start)


_PATTERNS = [
    ("annual", re.compile(r"^(\d{4})$")),
    ("monthly", re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")),
    ("quarterly", re.compile(r"^(\d{4})-Q([1-4])$")),
    ("financial_year", re.compile(r"^(\d{4})/(\d{2})$")),
    ("date", re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
]


def _read(label: str) -> tuple[str, date]:
    text = label.strip()
    for kind, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        y = int(m.group(1))
        if not 1800 <= y <= 2200:
            raise PeriodError(f"{text!r}: year {y} is out of range (1800-2200)")
        if kind == "annual":
            return kind, date(y, 1, 1)
        if kind == "monthly":
            return kind, date(y, int(m.group(2)), 1)
        if kind == "quarterly":
            return kind, date(y, 3 * (int(m.group(2)) - 1) + 1, 1)
        if kind == "financial_year":
            if int(m.group(2)) != (y + 1) % 100:
                raise PeriodError(f"financial year {text!r} must span consecutive years")
            return kind, date(y, FY_START_MONTH, 1)
        try:
            return kind, date(y, int(m.group(2)), int(m.group(3)))
        except ValueError as e:
            raise PeriodError(f"{text!r} is not a real date") from e
    raise PeriodError(f"{text!r} is not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY)")


def is_period_start(frequency: str, d: date) -> bool:
    if d.day != 1:
        return False
    if frequency == "monthly":
        return True
    if frequency == "quarterly":
        return d.month in (1, 4, 7, 10)
    if frequency == "annual":
        return d.month == 1
    return d.month == FY_START_MONTH


def parse_period(label: str, frequency: str) -> Period:
    """Read a contract period label for a measure of `frequency`, or raise PeriodError."""
    return _parse_period(str(label), frequency)


@lru_cache(maxsize=65536)  # the same few hundred labels are read again and again; Period is immutable
def _parse_period(label: str, frequency: str) -> Period:
    if frequency not in FREQUENCIES:
        raise PeriodError(f"unknown frequency {frequency!r}")
    kind, start = _read(str(label))
    if kind == frequency or (kind == "date" and is_period_start(frequency, start)):
        return Period(start, frequency)
    raise PeriodError(f"period {str(label).strip()!r} does not fit a {frequency.replace('_', ' ')} measure")


def period_from_start(frequency: str, start: date) -> str:
    if frequency == "monthly":
        return f"{start.year:04d}-{start.month:02d}"
    if frequency == "quarterly":
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    if frequency == "annual":
        return f"{start.year:04d}"
    return f"{start.year:04d}/{(start.year + 1) % 100:02d}"


def shift_period(frequency: str, start: date, n: int) -> date:
    months = start.year * 12 + start.month - 1 + n * MONTHS_PER_PERIOD[frequency]
    return date(months // 12, months % 12 + 1, 1)


def period_end(frequency: str, start: date) -> date:
    """Last day of the period that starts on `start`."""
    nxt = shift_period(frequency, start, 1)
    return date.fromordinal(nxt.toordinal() - 1)


# --- free-text labels found in published Open SDG data --------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"])}

_FREE = [
    # 2015 Q4, 2015-Q4
    (re.compile(r"^(\d{4})\s*-?\s*Q([1-4])$", re.I),
     lambda m: ("quarterly", date(int(m[1]), 3 * (int(m[2]) - 1) + 1, 1))),
    # 2011/12, 2014/2015, 2017-18, 2010 to 2011: one financial or academic year
    (re.compile(r"^(\d{4})\s*(?:/|-|to)\s*(\d{2}|\d{4})$", re.I), "_span"),
    # 2002/03-2007/08: a span of financial years, dated by its last year
    (re.compile(r"^\d{4}/\d{2}\s*-\s*(\d{4})/(\d{2})$"),
     lambda m: ("financial_year", date(int(m[1]), FY_START_MONTH, 1))),
    # 17 May to 11 June 2023: a fieldwork window, dated by the year it ends in
    (re.compile(r"^\d{1,2}\s+[A-Za-z]+\s+to\s+\d{1,2}\s+([A-Za-z]+)\s+(\d{4})$"), "_window"),
]


def _span(m: re.Match) -> tuple[str, date]:
    y0 = int(m[1])
    end = m[2]
    y1 = int(end) if len(end) == 4 else (y0 // 100) * 100 + int(end)
    if len(end) == 2 and y1 < y0:
        y1 += 100
    if y1 - y0 > 10:
        raise PeriodError(f"{m[0]!r}: not a span of years")
    if y1 == y0 + 1:
        return "financial_year", date(y0, FY_START_MONTH, 1)
    if y1 > y0 + 1:
        # a multi-year window (1985-87, 2005-2007, 2018 to 2020): dated by its last year
        return "annual", date(y1, 1, 1)
    raise PeriodError(f"{m[0]!r}: the span ends before it starts")


def _window(m: re.Match) -> tuple[str, date]:
    if m[1].lower() not in _MONTHS:
        raise PeriodError(f"{m[0]!r}: unknown month {m[1]!r}")
    return "annual", date(int(m[2]), 1, 1)


def parse_free_label(label: str) -> Period:
    """Read a period label as published (Open SDG `Year`), keeping its meaning.

    Returns the period the label denotes; multi-year windows are dated by their last year
    (the raw label is kept beside the value by the caller). Raises PeriodError for text
    that is not a period, such as "There is no data for this indicator yet".
    """
    text = str(label).strip()
    m = re.match(r"^(\d{4})-(\d{2})$", text)
    if m and int(m[2]) == (int(m[1]) + 1) % 100:
        # 2017-18 is a financial year in published tables, not December 2017's neighbour
        return Period(date(int(m[1]), FY_START_MONTH, 1), "financial_year")
    try:
        kind, start = _read(text)
        if kind != "date":
            return Period(start, kind)
    except PeriodError:
        pass
    for pattern, build in _FREE:
        m = pattern.match(text)
        if m:
            fn = {"_span": _span, "_window": _window}.get(build, build) if isinstance(build, str) else build
            freq, start = fn(m)
            return Period(start, freq)
    raise PeriodError(f"{text!r} is not a period")


def period_words(label: str | None, frequency: str | None = None) -> str:
    """A period label as people say it: `2025-03` -> `March 2025`, `2025-Q1` -> `Jan to Mar 2025`,
    `2025/26` stays, `2025` stays. A label that cannot be read is returned as it is."""
    if label is None or label == "":
        return ""
    try:
        p = parse_period(str(label), frequency) if frequency else None
    except PeriodError:
        p = None
    if p is None:
        return str(label)
    if p.frequency == "monthly":
        return f"{p.start:%B %Y}"
    if p.frequency == "quarterly":
        return f"{p.start:%b} to {p.end:%b %Y}"
    if p.frequency == "financial_year":
        return f"{p.start.year}/{(p.start.year + 1) % 100:02d}"
    return str(p.start.year)
