"""Files the product hands out (CSV downloads and exports), made safe to open in a spreadsheet."""

from __future__ import annotations

import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralise", "csv_text"]

# a spreadsheet treats a cell starting with one of these as a formula (or strips it and then does)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which every text cell that a spreadsheet would run as a formula starts with a
    quote instead; numbers stay numbers, so a negative figure is still a figure."""
    out = frame.copy()
    for column in out.columns:
        cells = out[column]
        if cells.dtype == object or pd.api.types.is_string_dtype(cells):
            text = cells.where(cells.map(type).eq(str))  # text cells only (a column may mix in numbers)
            risky = text.str.startswith(FORMULA_STARTS).fillna(False).astype(bool)
            if risky.any():
                out[column] = cells.astype(object).where(~risky, "'" + text.where(risky, ""))
    out.columns = [_safe_cell(c) for c in out.columns]
    return out


def _safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text, neutralised, without the index."""
    return neutralise(frame).to_csv(index=False)
