"""Open SDG import, the rules for one measure's fields: its unit (`unit_fields`: the unit text
checked against the values), decimals, direction of good (declared in the metadata, else the
LOWER_IS_BETTER / HIGHER_IS_BETTER word rule, else none), categories of a yes/no measure
(BINARY_LABELS) and target (`progress_calculation_options` or `graph_target_lines`, with the
baseline from the data)."""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable
from datetime import date

from goal_councils.definitions import UNIT_BOUNDS
from goal_councils.periods import period_from_start

from .open_sdg_metadata import _readable
from .open_sdg_reader import _clean
from .tables import Problem

# --- direction of good ----------------------------------------------------------------------

# Where the metadata declares no direction, the name decides: a LOWER_IS_BETTER word makes
# it `down`, else a HIGHER_IS_BETTER word `up`, else there is none (`none`: never judged).
LOWER_IS_BETTER = re.compile(
    r"mortality|death|suicide|homicide|victim|violence|unemploy|poverty|low income|emission"
    r"|greenhouse|particulate|debris|plastic|smok|obes|alcohol|tuberculosis|incidence|disease"
    r"|neonatal|remanded|not in education|\bneet\b|disposal|intensity|crime|unmet|debt|gini"
    r"|opioid|e-cigarette|unpaid|inequalit|at risk of poverty|incarcerat|malnutrition|undernourish"
    r"|stunting|pollut|corrupt|brib|fatalit|harass|traffick|discriminat|\bloss\b",
    re.I,
)
HIGHER_IS_BETTER = re.compile(
    r"life expectancy|literacy|proficien|completion|skill|coverage|covered|vaccinat|immuni[sz]"
    r"|renewable|recycl|protected area|conserved|safely managed|satisf|internet|broadband|enrol"
    r"|participat|qualified|registered|forest area|woodland|access to|achiev|saving",
    re.I,
)
DIRECTION_WORDS = {
    "positive": "up",
    "negative": "down",
    "1": "up",
    "-1": "down",
    "up": "up",
    "down": "down",
    "increase": "up",
    "decrease": "down",
    "higher": "up",
    "lower": "down",
}
# a yes/no measure's labels by the codes its file uses: Open SDG's binary chart has 1 Yes and
# -1 No; a file that uses 0 codes No as 0, and then -1 (if it appears) is not applicable
BINARY_LABELS = {"1": "Yes", "-1": "No"}
BINARY_LABELS_1_0 = {"1": "Yes", "0": "No"}
BINARY_LABELS_1_0_MINUS_1 = {"1": "Yes", "0": "No", "-1": "Not applicable"}
_YES_NO_UNIT = re.compile(r"\byes\s*/\s*no\b|\bbinary\b", re.I)


# --- units, directions, targets -------------------------------------------------------------


def _numbers(values: Iterable[str]) -> list[float]:
    """The finite numbers among the values (the rest is the validator's to report)."""
    out = []
    for v in values:
        try:
            x = float(v)
        except ValueError:
            continue
        if math.isfinite(x):
            out.append(x)
    return out


def unit_fields(text: str | None, numbers: list[float]) -> dict:
    """Measure unit fields from a unit text, checked against the values it must hold."""
    t = _clean(text)
    low = t.lower()
    lo = min(numbers, default=0.0)
    hi = max(numbers, default=0.0)
    rate = re.search(r"\bper\s+([\d,]{2,})\b\s*(.*)$", low)
    if rate and lo >= 0:
        per = int(rate[1].replace(",", ""))
        rest = t[rate.start() :]
        return {"unit": "rate", "rate_per": per, "unit_label": rest[:1].lower() + rest[1:]}
    if re.search(r"\bgbp\b|£|\busd\b|\$|dollar|\beur\b|€|\bpounds?\b", low) and "per million" not in low:
        return {"unit": "money", "unit_label": t}
    if "percent" in low or "%" in low:
        if 0 <= lo and hi <= 100:
            return {"unit": "percent"}
        return {"unit": "number", "unit_label": "%"}
    if low in ("number", "count", "median count") and lo >= 0 and all(x == round(x) for x in numbers):
        return {"unit": "count"} if low != "median count" else {"unit": "count", "unit_label": t}
    if re.search(r"\bindex\b|\bindice|\bscore\b", low):
        return {"unit": "index", "unit_label": t} if low not in ("index",) else {"unit": "index"}
    return {"unit": "number", "unit_label": t} if t else {"unit": "number"}


def _decimals(values: list[str]) -> int:
    places = [len(v.split(".", 1)[1]) if "." in v else 0 for v in values if v]
    return min(3, int(statistics.median(places))) if places else 0


def _declared_direction(entry, meta: dict) -> str | None:
    """The direction the metadata declares: Canada's calculation components (`entry`), else
    the `progress_calculation_options` direction."""
    if isinstance(entry, dict):
        dirs = {
            str(v.get("direction")) for v in entry.values() if isinstance(v, dict) and v.get("direction") is not None
        }
        if len(dirs) == 1 and (d := DIRECTION_WORDS.get(dirs.pop().strip().lower())):
            return d
    for opt in meta.get("progress_calculation_options") or []:
        if isinstance(opt, dict) and (d := DIRECTION_WORDS.get(str(opt.get("direction", "")).strip().lower())):
            return d
    return None


def _direction(entry, meta: dict, text: str, categorical: bool = False) -> tuple[str, str]:
    """('up'|'down'|'none', a note when not declared): as declared, else by the word rule on
    the name (LOWER_IS_BETTER, then HIGHER_IS_BETTER), else none; a categorical measure has
    none unless declared."""
    declared = _declared_direction(entry, meta)
    if declared:
        return declared, ""
    if categorical:
        return "none", "No direction of good: the source declares none."
    if m := LOWER_IS_BETTER.search(text):
        return "down", (
            f"Direction assumed (the source gives none): lower is better, because the name mentions '{m[0].lower()}'."
        )
    if m := HIGHER_IS_BETTER.search(text):
        return "up", (
            f"Direction assumed (the source gives none): higher is better, because the name mentions '{m[0].lower()}'."
        )
    return "none", "No direction of good: the source gives none and the name does not say; not judged better or worse."


def _categories(values: list[str]) -> tuple[dict[str, str] | None, str | None]:
    """(code -> label, None) for values that are 1 / 0 / -1 codes, else (None, a value that is not)."""
    codes = set()
    for v in values:
        if v == "":
            continue
        try:
            x = float(v)
        except ValueError:
            return None, v
        if x not in (1, 0, -1):
            return None, v
        codes.add(int(x))
    if 0 in codes:
        return dict(BINARY_LABELS_1_0_MINUS_1 if -1 in codes else BINARY_LABELS_1_0), None
    return dict(BINARY_LABELS), None


def _period_in(frequency: str, year: int) -> str:
    """The period of `frequency` that ends in `year` (a financial year ending March `year`)."""
    start = {
        "annual": date(year, 1, 1),
        "quarterly": date(year, 10, 1),
        "monthly": date(year, 12, 1),
        "financial_year": date(year - 1, 4, 1),
    }[frequency]
    return period_from_start(frequency, start)


def _as_int(v) -> int | None:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


def _target(
    meta: dict,
    components_entry,
    frequency: str,
    totals: dict[str, float],
    unit: str,
    where: str,
    problems: list[Problem],
) -> dict | None:
    """Canada: target and target year from progress_calculation_options / graph_target_lines,
    baseline from the data (the total series at the base year, else its first period)."""
    opts = [o for o in meta.get("progress_calculation_options") or [] if isinstance(o, dict)]
    whole = [o for o in opts if "disaggregation" not in o and o.get("target") is not None]
    value = whole[0].get("target") if whole else None
    year = _as_int(whole[0].get("target_year")) if whole else None
    base_year = _as_int(whole[0].get("base_year")) if whole else None
    if value is None and not opts:
        lines = [g for g in meta.get("graph_target_lines") or [] if isinstance(g, dict)]
        value = lines[0].get("value") if lines else None
    comp = {}
    if isinstance(components_entry, dict):
        comp = next((v for v in components_entry.values() if isinstance(v, dict)), {})
        year = year or _as_int(comp.get("target_year"))
        base_year = base_year or _as_int(comp.get("base_year"))
    if value is None:
        return None
    if year is None:
        problems.append(
            Problem(
                where,
                None,
                "progress_calculation_options",
                str(value),
                "target has no target year; left out",
                "warning",
            )
        )
        return None
    statement = _readable(meta.get("target_name"))
    target = {"final": {"period": _period_in(frequency, year), "value": float(value)}}
    if totals:
        by_year = {p[:4]: p for p in totals}
        period = by_year.get(str(base_year)) if base_year else None
        period = period or min(totals)
        target["baseline"] = {"period": period, "value": totals[period]}
    if statement:
        target["note"] = statement
    lo, hi = UNIT_BOUNDS[unit]
    if (lo is not None and float(value) < lo) or (hi is not None and float(value) > hi):
        problems.append(
            Problem(where, None, "target", str(value), f"target is outside what a {unit} allows; left out", "warning")
        )
        return None
    return target
