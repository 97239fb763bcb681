"""Units in words, shared by the domain's status reasons and the dashboard's values: a money label's
symbol and words, and a unit label in the singular ("1 home", "1 day per employee")."""

from __future__ import annotations

__all__ = ["NOT_REGULAR", "money_parts", "singular"]

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
