"""Units in words, shared by the domain's reasons and the dashboard's values: a number as readers expect it
(`number_text`: halves rounded up), a money label's symbol and words, a unit label in the singular ("1 home",
"1 day per employee", "1 job start"), and a size in a measure's unit (`UnitWords`: a gap to plan, or between a
group and the whole)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

__all__ = ["GAP_WORDS", "NOT_REGULAR", "IRREGULAR", "UnitWords", "money_parts", "number_text", "shows_nil",
           "singular", "telling_decimals"]

# a gap in these reads the same whatever the label: a difference of percentages is in percentage points
GAP_WORDS = {"percent": "percentage points", "days": "days"}

# words that end as plurals do but are one (premises, species) or whose one is not the rule's (buses, crises)
NOT_REGULAR = frozenset({"premises", "species", "series", "news", "means", "gas", "lens", "buses", "gases",
                         "analyses", "diagnoses", "crises", "theses", "indices", "calories", "movies", "cookies"})
# plurals that are not made with an s
IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman", "feet": "foot",
             "teeth": "tooth", "mice": "mouse"}
# what follows a label's counted thing: "days per employee", "officers (full-time equivalent)", "tonnes of waste",
# "pupils with SEN"; a label that starts with one ("per 100,000 people") counts nothing of its own
_QUALIFIER = re.compile(r"(?:^|\s)(?:per|of|in|for|at|on|with|to|from|by)\s|\s?\(")


@lru_cache(maxsize=65536)  # remembered: a chart's hover texts say thousands of figures, many alike
def number_text(value: float, decimals: int = 0) -> str:
    """`1234.56` -> `1,234.6`: thousands separators, halves rounded up as readers expect (0.25 -> 0.3, where the
    float's own rounding gives 0.2), no `-0`. The one way the product writes a number, in the domain's reasons
    and on the pages alike."""
    places = max(int(decimals), 0)
    try:
        exact = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than a Decimal context holds: as wide as it is, a float's rounding will do
        return f"{float(value):,.{places}f}"
    text = f"{exact:,.{places}f}"
    return text[1:] if text.startswith("-") and shows_nil(text) else text


def telling_decimals(size: float, decimals: int, more: int = 3) -> int:
    """The decimals to write a size (a gap, an error) with: the measure's own, or up to `more` more where those
    would write a size that is not nil as 0 (0.3 claims a month is not none); its own where more would not help."""
    decimals = int(decimals)
    return next((d for d in range(decimals, decimals + more + 1) if not shows_nil(number_text(size, d))), decimals)


def shows_nil(text: str) -> bool:
    """Whether a number written by `number_text` reads as nothing: `0`, `0.00`, `-0.0`."""
    return not text.strip("-0.,")


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
    """A unit label with the thing it counts in the singular: the last word before any qualifier ("per",
    "of", a bracket) where it is an English plural, else the first: `sites` -> `site`, `job starts` -> `job
    start`, `young people` -> `young person`, `days per employee` -> `day per employee`, `homes built` -> `home
    built`, `officers (full-time equivalent)` -> `officer (full-time equivalent)`. Any other label as it is
    (series, status, premises, pence, 1000s, per 100,000 people)."""
    label = label.strip()
    qualifier = _QUALIFIER.search(label)
    head, rest = (label[:qualifier.start()], label[qualifier.start():]) if qualifier else (label, "")
    words = head.split(" ")
    for at in (len(words) - 1, 0):
        one = _one_of(words[at])
        if one is not None:
            return " ".join([*words[:at], one, *words[at + 1:]]) + rest
    return label


def _one_of(word: str) -> str | None:
    """One of a plural `word` (keeping its capital), or None where it is not one the rules know."""
    lower = word.lower()
    if not word.isalpha() or lower in NOT_REGULAR:
        return None
    if lower in IRREGULAR:
        one = IRREGULAR[lower]
        return one.upper() if word.isupper() and len(word) > 1 else one.capitalize() if word[0].isupper() else one
    if lower.endswith("ies") and len(lower) > 4:
        return word[:-3] + "y"
    if lower.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 2:
        return word[:-1]
    return None


@dataclass(frozen=True)
class UnitWords:
    """What a measure is counted in, as its definition says (`unit`, `unit_label`, `rate_per`): how a size in
    it (a gap, a difference) is written."""

    unit: str = "number"
    label: str | None = None  # e.g. "homes", "£ million", "offences per 1,000 people"
    rate_per: int | None = None

    def words(self, size: float, decimals: int) -> str:
        """A size (not negative) with its unit, as the product writes values of the unit: `3.1 percentage points`
        (a percentage's gap), `2.0 days`, `£6.4 million`, `756 homes`, `1 home`, `0.12 offences per 1,000 people`;
        a bare number when the measure names no unit."""
        text = number_text(size, decimals)
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
