"""Query frames as plain Python rows, fast: pure helpers shared by `summaries` and `figures`.

Why: pandas 3 keeps text in Arrow-backed columns, and reading them row by row (`itertuples`,
boolean masks per measure) cost ~10x the query itself on a council page. Whole columns turned
into lists once (`tolist`) and frames cut into contiguous slices per measure cost almost nothing.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

__all__ = [
    "Row",
    "rows_of",
    "rows_by",
    "as_rows",
    "records",
    "records_by",
    "split",
    "dates_of",
    "texts_of",
    "numbers_of",
]


class Row(NamedTuple):
    """One value of a series: period label, period start, value (None: no figure), status, revised."""

    period: str
    start: object  # datetime.date
    value: float | None
    status: str | None
    revised: bool


def dates_of(column: pd.Series) -> list:
    """A date or timestamp column as `datetime.date` objects."""
    if not len(column):
        return []
    return pd.to_datetime(column).to_numpy().astype("datetime64[D]").tolist()


def numbers_of(column: pd.Series) -> list[float | None]:
    """A numeric column as floats, None where missing (never NaN, never zero)."""
    return [None if v is None or v != v else float(v) for v in column.tolist()]


def texts_of(column: pd.Series) -> list[str | None]:
    """A text column as str, None where missing or empty."""
    return [v if isinstance(v, str) and v else None for v in column.tolist()]


def rows_of(frame: pd.DataFrame) -> list[Row]:
    """The rows of a values frame (period, period_start, value, status, revised), in frame order."""
    if frame is None or not len(frame):
        return []
    revised = frame["revised"].tolist() if "revised" in frame else [False] * len(frame)
    status = texts_of(frame["status"]) if "status" in frame else [None] * len(frame)
    return [
        Row(p, d, v, s, bool(r))
        for p, d, v, s, r in zip(
            frame["period"].tolist(),
            dates_of(frame["period_start"]),
            numbers_of(frame["value"]),
            status,
            revised,
            strict=True,
        )
    ]


def split(frame: pd.DataFrame | None, column: str = "measure_id") -> dict[str, pd.DataFrame]:
    """A frame cut into one slice per value of `column` (slices, not copies, when the frame is
    ordered by that column, as the queries return them)."""
    if frame is None or not len(frame):
        return {}
    keys = frame[column].tolist()
    bounds, start = {}, 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            if keys[start] in bounds:  # not ordered: fall back to grouping
                return {k: rows for k, rows in frame.groupby(column, sort=False)}
            bounds[keys[start]] = (start, i)
            start = i
    return {k: frame.iloc[a:b] for k, (a, b) in bounds.items()}


def records(frame: pd.DataFrame | list[dict] | None) -> list[dict]:
    """A frame as a list of dicts with None (never NaN) where a value is missing; ~10x faster
    than `DataFrame.to_dict("records")` on Arrow-backed columns. A list is returned as it is."""
    if frame is None:
        return []
    if isinstance(frame, list):
        return frame
    if not len(frame):
        return []
    columns = list(frame.columns)
    long = len(frame) > 1000
    lists = []
    for _, column in frame.items():
        values = column.tolist()
        # in a long frame, each value looked at only in a column that has a missing one (isna finds all
        # that _missing does; for a few hundred rows, asking costs more than looking)
        lists.append(values if long and not column.isna().any() else [None if _missing(v) else v for v in values])
    return [dict(zip(columns, values, strict=True)) for values in zip(*lists, strict=True)]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and value != value) or value is pd.NaT or value is pd.NA


def as_rows(series: pd.DataFrame | list[Row] | None) -> list[Row]:
    """The rows of a series given as a values frame or already as rows."""
    if series is None:
        return []
    return series if isinstance(series, list) else rows_of(series)


def rows_by(frame: pd.DataFrame | None, column: str = "measure_id") -> dict[str, list[Row]]:
    """The rows of a values frame of many measures, per measure, in one pass over the columns."""
    if frame is None or not len(frame):
        return {}
    out: dict[str, list[Row]] = {}
    for key, row in zip(frame[column].tolist(), rows_of(frame), strict=True):
        out.setdefault(key, []).append(row)
    return out


def records_by(frame: pd.DataFrame | list[dict] | None, column: str = "measure_id") -> dict[str, list[dict]]:
    """`records(frame)` grouped by the value of `column`."""
    out: dict[str, list[dict]] = {}
    for r in records(frame):
        out.setdefault(r[column], []).append(r)
    return out
