"""Units in words, shared by the domain's reasons and the dashboard's values: a money label's symbol and
words, a unit label in the singular ("1 home", "1 day per employee"), and a size in a measure's unit
(`UnitWords`: a gap to plan, or between a group and the whole)."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["GAP_WORDS", "NOT_REGULAR", "UnitWords", "money_parts", "singular"]

# a gap in these reads the same whatever the label: a difference of percentages is in points
GAP_WORDS = {"percent": "points", "days": "days"}

# words that end as plurals do but are one (premises, species) or whose one is not the rule's (buses, crises)
NOT_REGULAR = frozenset({"premises", "species", "series", "news", "means", "gas", "lens", "buses", "gases",
                         "analyses", "diagnoses", "crises", "theses", "indices", "calories", "movies", "cookies"})


def money_parts(label: str | None) -> tuple[str, str]:
    """A money unit label as (symbol before the number, words after it): `£` -> ('£', ''),
    `£ per claim` -> ('£', 'per claim'), `EUR` -> ('', 'EUR'); no label is pounds."""
    label = (label or "£").strip()
    symbol = ""
    for ch in label:
        if ch.isalnum() or ch.isspace():
            break
        symbol += ch
    return symbol, label[len(symbol):].strip()


def singular(label: str) -> str:
    """A unit label's first word in the singular, where it is a regular English plural (sites, claims, cities,
    businesses); any other word as it is (people, series, status, premises, 1000s)."""
    first, _, rest = label.partition(" ")
    lower = first.lower()
    if not first.isalpha() or lower in NOT_REGULAR:
        return label
    if lower.endswith("ies") and len(lower) > 4:
        one = first[:-3] + "y"
    elif lower.endswith(("sses", "shes", "ches", "xes")):
        one = first[:-2]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 2:
        one = first[:-1]
    else:
        return label
    return f"{one} {rest}".strip() if rest else one


@dataclass(frozen=True)
class UnitWords:
    """What a measure is counted in, as its definition says (`unit`, `unit_label`, `rate_per`): how a size in
    it (a gap, a difference) is written."""

    unit: str = "number"
    label: str | None = None  # e.g. "homes", "£ million", "offences per 1,000 people"
    rate_per: int | None = None

    def words(self, size: float, decimals: int) -> str:
        """A size (not negative) with its unit, as the product writes values of the unit: `3.1 points` (a
        percentage's gap is in points), `2.0 days`, `£6.4 million`, `756 homes`, `1 home`, `0.12 offences per
        1,000 people`; a bare number when the measure names no unit."""
        text = f"{size:,.{decimals}f}"
        if self.unit in GAP_WORDS:
            return f"{text} {singular(GAP_WORDS[self.unit]) if text == '1' else GAP_WORDS[self.unit]}"
        label = self.label.strip() if isinstance(self.label, str) else ""  # a missing label may come as NaN
        if self.unit == "money":
            symbol, words = money_parts(label)
            return f"{symbol}{text} {words}".strip()
        rate_per = _whole_or_none(self.rate_per)
        if self.unit == "rate" and not label and rate_per:
            label = f"per {rate_per:,}"
        return f"{text} {singular(label) if text == '1' else label}".strip()


def _whole_or_none(x) -> int | None:
    try:
        return None if x is None or math.isnan(float(x)) else int(x)
    except (TypeError, ValueError):  # pandas' NA
        return None
