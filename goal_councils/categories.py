"""Categorical measures: each value is a code with a label (Open SDG `graph_type: binary`: 1 Yes, 0 No).

A categorical measure declares `categories: {code: label}`. Its values arrive as numbers (the
codes) in the ordinary observations; they are shown as their labels and never treated as numbers
that change, vary or can be forecast. The definitions store the categories as a dict; the
warehouse stores them as JSON text (`measures.categories`): `categories_of` reads either.
"""

from __future__ import annotations

import json
import math

__all__ = ["code_of", "categories_of", "label_of", "is_categorical", "numeric_codes"]


def code_of(value) -> str:
    """A category code as text: 1, 1.0, True and "1" are the same code."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def categories_of(value) -> dict[str, str] | None:
    """A measure's categories ({code: label}) from a dict, its JSON text, or nothing (None, NaN, "",
    an empty mapping, or text that is not a JSON object: a number measure)."""
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else None
        except ValueError:
            return None
    if not isinstance(value, dict) or not value:
        return None
    return {code_of(k): str(v) for k, v in value.items()}


def is_categorical(measure) -> bool:
    """Does this measure (a mapping with an optional `categories`) hold categories, not numbers?"""
    return categories_of(measure.get("categories")) is not None


def label_of(categories: dict[str, str], value) -> str | None:
    """The label of the code `value` (a number or text); an undeclared code is named as such;
    None when there is no value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    code = code_of(value)
    return categories.get(code, f"Code {code} (no label declared)")


def numeric_codes(categories: dict[str, str]) -> list[tuple[float, str]]:
    """The codes that are numbers, as (number, label), lowest first: where a chart puts each label."""
    out = []
    for code, label in categories.items():
        try:
            out.append((float(code), label))
        except ValueError:
            continue
    return sorted(out)
