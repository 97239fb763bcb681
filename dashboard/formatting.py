"""Plain-language formatting of values, changes, periods and dates: pure functions, no Dash."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from goal_councils.periods import PeriodError, parse_period

__all__ = [
    "NO_DATA",
    "is_missing",
    "format_number",
    "format_value",
    "format_change",
    "change_judgement",
    "direction_words",
    "format_period",
    "format_timestamp",
]

NO_DATA = "No data"

DIRECTION_WORDS = {"up": "Higher is better ↑", "down": "Lower is better ↓"}


def is_missing(value) -> bool:
    """True for None, NaN, NaT and pandas' NA: anything that is not a number to show."""
    if value is None:
        return True
    try:
        return bool(math.isnan(value))
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT")


def format_number(value: float, decimals: int = 0) -> str:
    """`1234.56` -> `1,234.6`: thousands separators, halves rounded up (as readers expect), no `-0`."""
    places = max(int(decimals), 0)
    exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{exact:,.{places}f}"
    return text[1:] if text.startswith("-") and _rounds_to_zero(text) else text


def _rounds_to_zero(text: str) -> bool:
    return not text.strip("-0.,")


def _money(text: str, symbol: str) -> str:
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    # a currency symbol goes in front (£1,234); a word goes after (1,234 EUR)
    if any(ch.isalpha() or ch.isspace() for ch in symbol):
        return f"{sign}{digits} {symbol}"
    return f"{sign}{symbol}{digits}"


def _with_label(text: str, label: str | None) -> str:
    return f"{text} {label}" if label else text


def format_value(
    value, unit: str, decimals: int = 0, unit_label: str | None = None, rate_per: int | None = None
) -> str:
    """A value as a reader expects it for its unit: `12.3%`, `£1,234`, `12.5 days`, `45.2 per 100,000`."""
    if is_missing(value):
        return NO_DATA
    decimals = 0 if is_missing(decimals) else int(decimals)
    rate_per = None if is_missing(rate_per) else int(rate_per)
    text = format_number(value, decimals)
    formatters = {
        "percent": lambda: f"{text}%",
        "money": lambda: _money(text, unit_label or "£"),
        "days": lambda: f"{text} {unit_label or ('day' if text == '1' else 'days')}",
        "rate": lambda: _with_label(text, unit_label or (f"per {rate_per:,}" if rate_per else None)),
    }
    return formatters.get(unit, lambda: _with_label(text, unit_label))()


def format_change(
    delta, unit: str, decimals: int = 0, unit_label: str | None = None, rate_per: int | None = None
) -> str:
    """A difference in words: `Up 1.2 percentage points`, `Down £300`, `No change`."""
    if is_missing(delta):
        return NO_DATA
    size = abs(float(delta))
    decimals = 0 if is_missing(decimals) else int(decimals)
    if _rounds_to_zero(format_number(size, decimals)):
        return "No change"
    word = "Up" if delta > 0 else "Down"
    if unit == "percent":
        points = format_number(size, decimals)
        return f"{word} {points} percentage {'point' if points == '1' else 'points'}"
    return f"{word} {format_value(size, unit, decimals, unit_label, rate_per)}"


def change_judgement(delta, direction: str, decimals: int = 0) -> str | None:
    """`better`, `worse` or `same` for a change, given which way is good; None when unknown."""
    if is_missing(delta) or direction not in DIRECTION_WORDS:
        return None
    if _rounds_to_zero(format_number(abs(float(delta)), 0 if is_missing(decimals) else int(decimals))):
        return "same"
    return "better" if (delta > 0) == (direction == "up") else "worse"


def direction_words(direction: str) -> str:
    """`Higher is better ↑` or `Lower is better ↓`."""
    return DIRECTION_WORDS.get(direction, "")


def format_period(period: str | None, frequency: str | None = None) -> str:
    """A period label in words: `2025-03` -> `March 2025`, `2025-Q1` -> `Jan to Mar 2025`."""
    if is_missing(period) or period == "":
        return NO_DATA
    try:
        p = parse_period(str(period), frequency) if frequency else None
    except PeriodError:
        p = None
    if p is None:
        return str(period)
    if p.frequency == "monthly":
        return f"{p.start:%B %Y}"
    if p.frequency == "quarterly":
        return f"{p.start:%b} to {p.end:%b %Y}"
    if p.frequency == "financial_year":
        return f"{p.start.year}/{(p.start.year + 1) % 100:02d}"
    return str(p.start.year)


def format_timestamp(moment: datetime | date | None) -> str:
    """`14 April 2025, 09:30` (a date alone: `14 April 2025`)."""
    if is_missing(moment):
        return NO_DATA
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    day = f"{moment.day} {moment:%B %Y}"
    return f"{day}, {moment:%H:%M}" if isinstance(moment, datetime) else day
