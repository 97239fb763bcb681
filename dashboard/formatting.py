"""Plain-language formatting of values, changes, periods and dates: pure functions, no Dash."""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import lru_cache

from goal_councils.categories import categories_of, label_of
from goal_councils.periods import period_words
from goal_councils.units import money_parts, number_text, shows_nil, singular

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
    "format_date",
    "unit_words",
    "frequency_word",
    "FLAG_WORDS",
    "flag_words",
    "money_parts",
]

NO_DATA = "No data"

DIRECTION_WORDS = {"up": "Higher is better ↑", "down": "Lower is better ↓", "none": "No direction of good ↕"}

# the status a submission gives a value, and a later submission that replaced it
FLAG_WORDS = {"provisional": "Provisional", "estimated": "Estimated", "suppressed": "Suppressed", "revised": "Revised"}

FREQUENCY_WORDS = {
    "monthly": "monthly",
    "quarterly": "quarterly",
    "annual": "annual",
    "financial_year": "by financial year",
}


def is_missing(value) -> bool:
    """True for None, NaN, NaT and pandas' NA: anything that is not a number to show."""
    kind = type(value)  # the common kinds first: a page asks this of thousands of values and texts
    if value is None:
        return True
    if kind is float:
        return value != value
    if kind is str:
        return value in ("<NA>", "NaT")
    if kind is date or kind is datetime:
        return False
    try:
        return bool(math.isnan(value))
    except (TypeError, ValueError):
        return str(value) in ("<NA>", "NaT")


def format_number(value: float, decimals: int = 0) -> str:
    """`1234.56` -> `1,234.6`: thousands separators, halves rounded up (as readers expect), no `-0`; written as
    the domain's reasons write their numbers (`goal_councils.units.number_text`)."""
    return number_text(value, decimals)


def _money(text: str, label: str) -> str:
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    # a currency symbol goes in front (£1,234), words after (1,234 EUR, £80 million)
    symbol, words = money_parts(label)
    return f"{sign}{symbol}{digits}" + (f" {words}" if words else "")


def _with_label(text: str, label: str | None) -> str:
    """`12 sites`; one of them in the singular: `1 site`, `1 day per employee`."""
    if not label:
        return text
    return f"{text} {singular(label) if text in ('1', '-1') else label}"


def format_value(
    value, unit: str, decimals: int = 0, unit_label: str | None = None, rate_per: int | None = None,
    categories=None,
) -> str:
    """A value as a reader expects it for its unit: `12.3%`, `£1,234`, `12.5 days`, `45.2 per 100,000`;
    a categorical measure's value (`categories`: {code: label} or its JSON) as its label: `Yes`."""
    if is_missing(value):
        return NO_DATA
    labels = categories_of(categories)
    if labels:
        return label_of(labels, value)
    decimals = 0 if is_missing(decimals) else int(decimals)
    rate_per = None if is_missing(rate_per) else int(rate_per)
    text = format_number(value, decimals)
    formatters = {
        "percent": lambda: f"{text}%",
        "money": lambda: _money(text, unit_label or "£"),
        "days": lambda: _with_label(text, unit_label or "days"),
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
    if shows_nil(format_number(size, decimals)):
        return "No change"
    word = "Up" if delta > 0 else "Down"
    if unit == "percent":
        points = format_number(size, decimals)
        return f"{word} {points} percentage {'point' if points == '1' else 'points'}"
    return f"{word} {format_value(size, unit, decimals, unit_label, rate_per)}"


def change_judgement(delta, direction: str, decimals: int = 0, demand=False) -> str | None:
    """`better`, `worse` or `same` for a change, given which way is good; None when unknown.
    Demand (claims arriving, calls made) and a measure with no direction of good (`none`) are
    neither good nor bad: `up` or `down`."""
    neutral = direction == "none" or (not is_missing(demand) and bool(demand))
    if is_missing(delta) or (direction not in DIRECTION_WORDS and not neutral):
        return None
    if shows_nil(format_number(abs(float(delta)), 0 if is_missing(decimals) else int(decimals))):
        return "same"
    if neutral:
        return "up" if delta > 0 else "down"
    return "better" if (delta > 0) == (direction == "up") else "worse"


def direction_words(direction: str, categories=None) -> str:
    """`Higher is better ↑`, `Lower is better ↓`, `No direction of good ↕`; a categorical measure:
    `Categorical: Yes, No` (its labels, in the order declared)."""
    labels = categories_of(categories)
    if labels:
        return "Categorical: " + ", ".join(labels.values())
    return DIRECTION_WORDS.get(direction, "")


def format_period(period: str | None, frequency: str | None = None) -> str:
    """A period label in words: `2025-03` -> `March 2025`, `2025-Q1` -> `Jan to Mar 2025`."""
    if is_missing(period) or period == "":
        return NO_DATA
    if frequency is None or isinstance(frequency, str):
        return _period_words(str(period), frequency)
    return period_words(str(period), frequency)


@lru_cache(maxsize=8192)
def _period_words(period: str, frequency: str | None) -> str:
    """`period_words`, remembered: a page says the same few hundred periods thousands of times (hover texts)."""
    return period_words(period, frequency)


def format_timestamp(moment: datetime | date | None) -> str:
    """`14 April 2025, 09:30` (a date alone: `14 April 2025`)."""
    if is_missing(moment):
        return NO_DATA
    if hasattr(moment, "to_pydatetime"):
        moment = moment.to_pydatetime()
    day = f"{moment.day} {moment:%B %Y}"
    return f"{day}, {moment:%H:%M}" if isinstance(moment, datetime) else day


def format_date(day: date | datetime | None, short: bool = False) -> str:
    """`15 November 2026` (short: `15 Nov 2026`)."""
    if is_missing(day):
        return NO_DATA
    if hasattr(day, "to_pydatetime"):
        day = day.to_pydatetime()
    return _date_words(day.year, day.month, day.day, short)


@lru_cache(maxsize=8192)
def _date_words(year: int, month: int, day: int, short: bool) -> str:
    """`format_date`, remembered by the date it says: an organisation page says a few hundred dates a thousand
    times."""
    return f"{day} {date(year, month, day):%b %Y}" if short else f"{day} {date(year, month, day):%B %Y}"


def unit_words(unit: str, unit_label: str | None = None, rate_per: int | None = None) -> str:
    """What an axis measures, in words: `Percent (%)`, `Pounds (£)`, `Days`, `Claims`, `Per 100,000`."""
    label = None if is_missing(unit_label) or not unit_label else str(unit_label)
    rate_per = None if is_missing(rate_per) else int(rate_per)
    if unit == "percent":
        return "Percent (%)"
    if unit == "money":
        symbol, words = money_parts(label)
        if not words:
            return "Pounds (£)" if symbol == "£" else f"Money ({symbol})"
        return f"{symbol} {words}".strip() if symbol else f"Money ({words})"
    if unit == "rate":
        words = label or (f"per {rate_per:,}" if rate_per else "rate")
        return words[:1].upper() + words[1:]  # the rest as written (per 100,000 NHS staff)
    if label:
        return label[:1].upper() + label[1:]
    return {"days": "Days", "count": "Count", "index": "Index"}.get(unit, "Value")


def frequency_word(frequency: str) -> str:
    """`monthly`, `quarterly`, `annual`, `by financial year`."""
    return FREQUENCY_WORDS.get(frequency, str(frequency).replace("_", " "))


def flag_words(status, revised=False) -> list[str]:
    """The flags a value carries, in words: `Provisional`, `Estimated`, `Suppressed`, `Revised`."""
    words = [] if is_missing(status) or not status else [FLAG_WORDS.get(str(status), str(status).capitalize())]
    return words + (["Revised"] if not is_missing(revised) and bool(revised) else [])
