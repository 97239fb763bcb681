"""Pure figure builders and the one chart look of the app: (DataFrame, options) -> figure dict.

Figures are plain dicts, the JSON plotly.js reads, built on `base_layout` (the app's one
template): no `make_subplots`, no `go.Figure` validation per callback. Measured ~2x faster
per callback than `make_subplots` (see FACTS.md), and the payload holds only what is drawn.
Tests check every builder's output with `plotly.graph_objects.Figure(...)`.

The look: white ground, light grid, one colour per organisation (Okabe–Ito, in the order of
the organisations table), actuals solid, plans and targets dashed neutral grey, gaps where a
period has no figure (never zero), hover text with value and unit, period and flags.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import lru_cache

import pandas as pd

from goal_councils.categories import categories_of, numeric_codes
from goal_councils.periods import FY_START_MONTH, parse_period, period_from_start
from goal_councils.status import interpolate_plan
from goal_councils.xmr import RULES as XMR_RULES

from .formatting import (
    flag_words,
    format_period,
    format_value,
    frequency_word,
    is_missing,
    money_parts,
    unit_words,
)
from .series import Row, as_rows, dates_of, rows_of

__all__ = [
    "xmr_figure",
    "forecast_figure",
    "OKABE_ITO",
    "NEUTRAL",
    "TEXT",
    "TARGET_LINE",
    "FONT",
    "CONFIG",
    "PANEL_CONFIG",
    "org_colour",
    "org_colours",
    "plain",
    "base_layout",
    "empty_figure",
    "value_axis",
    "time_axis",
    "with_gaps",
    "trend_figure",
    "panel_figure",
    "sparkline_figure",
    "breakdown_figure",
    "submissions_figure",
    "chart_title",
    "period_containing",
    "trend_subtitle",
]

# Colour-blind-safe (Okabe & Ito 2008). Their yellow (#F0E442) is left out: at 1.2:1 on white
# a yellow line disappears on a projector; their black takes its place.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
# organisations: Okabe-Ito first (the most distinct, used most), then Paul Tol's darker hues, so that
# a council of 14 members needs no colour twice; every swatch and line is labelled with the name too
ORG_PALETTE = [*OKABE_ITO, "#332288", "#117733", "#882255", "#999933", "#AA4499", "#661100", "#6699CC"]
GROUP_COLOURS = OKABE_ITO[:6]  # breakdown groups; the total is drawn in TEXT
NEUTRAL = "#505a5f"
TEXT = "#0b0c0c"
GRID = "#eeefef"
TARGET_LINE = {"color": NEUTRAL, "dash": "dash", "width": 1.5}  # targets and trajectories
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'

# every graph: no plotly logo, a lean mode bar, and nothing that sends a chart or its data off the
# server ("Share chart..." uploads to a cloud service: the button is removed and its address emptied)
NO_CLOUD = {"displaylogo": False, "showSendToCloud": False, "plotlyServerURL": "", "responsive": True}
CONFIG = {
    **NO_CLOUD,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines", "sendChartToCloud"],
}
PANEL_CONFIG = {**NO_CLOUD, "displayModeBar": False}
# a legend along the bottom edge of the figure, under the time axis and its title
LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom", "yref": "container"}

# where on a date axis each frequency's periods sit: plotly draws a point in the middle of
# its period, so that months, quarters and years line up across charts
PERIOD_AXIS = {
    "monthly": ("M1", "2000-01-01"),
    "quarterly": ("M3", "2000-01-01"),
    "annual": ("M12", "2000-01-01"),
    "financial_year": ("M12", "2000-04-01"),
}
MONEY_SCALES = {"thousand": "k", "k": "k", "million": "m", "m": "m", "billion": "bn", "bn": "bn"}
PERIOD_NAMES = {"monthly": "Month", "quarterly": "Quarter", "annual": "Year", "financial_year": "Financial year"}


def org_colour(index) -> str:
    """The colour of an organisation, by the colour index chosen for it at publish."""
    return ORG_PALETTE[(0 if is_missing(index) else int(index)) % len(ORG_PALETTE)]


def org_colours(org_ids: Iterable[str]) -> dict[str, str]:
    """One colour per organisation, assigned in the order given (pass every organisation in
    its defined order so that an organisation keeps its colour on every page)."""
    return {org: org_colour(i) for i, org in enumerate(org_ids)}


def plain(text) -> str:
    """Text for plotly, which reads a few HTML tags in labels: shown as written, never as markup."""
    return "" if is_missing(text) else str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


AXIS_TITLE_CHARACTERS = 24  # a line of a side axis's title, so that it stays beside its own panel


def lines_of(text, width: int) -> str:
    """`text` broken into lines of at most `width` characters where it has spaces (a longer word keeps its
    line), each shown as written (`plain`): a long axis title otherwise runs past its panel into the title
    and the panel beside."""
    lines: list[str] = []
    for word in ("" if is_missing(text) else str(text)).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return "<br>".join(plain(line) for line in lines)


def base_layout(title: str = "", y_title: str = "", source: str = "", subtitle: str = "") -> dict:
    """The calm shared look: white ground, light grid, title saying what is shown."""
    layout = {
        "title": {"text": plain(title), "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "margin": {"l": 64, "r": 16, "t": 64 if subtitle else 48, "b": 56},
        "xaxis": {"showgrid": False, "linecolor": "#b1b4b6", "ticks": "outside", "automargin": True},
        "yaxis": {"title": {"text": plain(y_title)}, "gridcolor": GRID, "zeroline": False, "automargin": True},
        "hovermode": "closest",
        "hoverlabel": {"bgcolor": "#fff", "bordercolor": NEUTRAL, "font": {"family": FONT, "size": 13, "color": TEXT}},
        "showlegend": False,
    }
    if subtitle:
        layout["title"]["subtitle"] = {"text": plain(subtitle), "font": {"size": 13, "color": NEUTRAL}}
    if source:
        layout["annotations"] = [
            {
                "text": plain(source),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.22,
                "showarrow": False,
                "xanchor": "left",
                "font": {"size": 11, "color": NEUTRAL},
            }
        ]
    return layout


def empty_figure(message: str, height: int | None = None) -> dict:
    """A figure that says why it is empty instead of drawing blank axes."""
    layout = base_layout("")
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["margin"] = {"l": 8, "r": 8, "t": 8, "b": 8}
    layout["annotations"] = [
        {
            "text": plain(message),
            "showarrow": False,
            "font": {"size": 13, "color": NEUTRAL},
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
        }
    ]
    if height:
        layout["height"] = height
    return {"data": [], "layout": layout}


# --- axes and hover -------------------------------------------------------------------------


def _unit_label(measure: Mapping) -> str | None:
    label = measure.get("unit_label")
    return None if is_missing(label) or not label else str(label)


def _fmt(measure: Mapping, value) -> str:
    """A value with its unit label (or category) for plotly's hover text: the label as written."""
    how = (measure["unit"], measure.get("decimals"), _unit_label(measure), measure.get("rate_per"),
           measure.get("categories"))
    try:
        return _value_text(value, *how)
    except TypeError:  # something unhashable (categories given as a mapping): worked out each time
        return plain(format_value(value, *how))


@lru_cache(maxsize=65536, typed=True)
def _value_text(value, unit, decimals, unit_label, rate_per, categories) -> str:
    """`_fmt`, remembered: a council page's sparklines say thousands of figures a request, many alike."""
    return plain(format_value(value, unit, decimals, unit_label, rate_per, categories))


def category_axis(categories: Mapping[str, str], *, title: bool = True) -> dict:
    """The value axis of a categorical measure: one tick per code, labelled with its category
    (`Yes`, `No`), padded so that the outer categories are not drawn on the frame."""
    codes = numeric_codes(dict(categories))
    axis = {
        "gridcolor": GRID,
        "zeroline": False,
        "automargin": True,
        "tickmode": "array",
        "tickvals": [c for c, _ in codes],
        "ticktext": [plain(label) for _, label in codes],
    }
    if codes:
        axis["range"] = [codes[0][0] - 0.5, codes[-1][0] + 0.5]
    if title:
        axis["title"] = {"text": "Category"}
    return axis


def value_axis(measure: Mapping, *, title: bool = True) -> dict:
    """The value axis of a measure: unit in the title, `%`/`£` on the ticks, thousands separated
    (a categorical measure: its categories, see `category_axis`)."""
    categories = categories_of(measure.get("categories"))
    if categories:
        return category_axis(categories, title=title)
    axis = {
        "gridcolor": GRID,
        "zeroline": False,
        "automargin": True,
        "exponentformat": "B",
        "separatethousands": True,
    }
    if title:
        axis["title"] = {"text": plain(unit_words(measure["unit"], _unit_label(measure), measure.get("rate_per")))}
    if measure["unit"] == "percent":
        axis["ticksuffix"] = "%"
    elif measure["unit"] == "money":
        symbol, words = money_parts(_unit_label(measure))
        axis["tickprefix"] = plain(symbol)
        scale = MONEY_SCALES.get(words.lower())
        if scale or not symbol:
            axis["ticksuffix"] = scale or f" {plain(words)}"
    return axis


def unit_note(measure: Mapping) -> dict:
    """The unit written across the top of a small chart's value axis (a rotated axis title
    would not fit a small multiple)."""
    categorical = categories_of(measure.get("categories")) is not None
    return {
        "text": "Category" if categorical else plain(unit_words(measure["unit"], _unit_label(measure),
                                                               measure.get("rate_per"))),
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": 1,
        "xanchor": "left",
        "yanchor": "bottom",
        "yshift": 4,
        "showarrow": False,
        "font": {"size": 11, "color": NEUTRAL},
    }


def time_axis(frequency: str, x_range: Sequence[str] | None = None, *, title: bool = True) -> dict:
    axis = {"type": "date", "showgrid": False, "linecolor": "#b1b4b6", "ticks": "outside", "automargin": True}
    if title:
        axis["title"] = {"text": PERIOD_NAMES.get(frequency, "Period")}
    if x_range:
        axis["range"] = list(x_range)
    return axis


def _periodic(frequency: str) -> dict:
    period, anchor = PERIOD_AXIS.get(frequency, PERIOD_AXIS["monthly"])
    return {"xperiod": period, "xperiod0": anchor, "xperiodalignment": "middle"}


def _hover(measure: Mapping, rows: Sequence[Row], prefix: str = "") -> list[str]:
    frequency = measure["frequency"]
    texts = []
    for r in rows:
        if r.value is None:
            texts.append("")
            continue
        flags = flag_words(r.status, r.revised)
        lines = [f"{prefix}<b>{_fmt(measure, r.value)}</b>", format_period(r.period, frequency)]
        if flags:
            lines.append(" · ".join(flags))
        texts.append("<br>".join(lines))
    return texts


# --- series with their gaps -------------------------------------------------------------------


def with_gaps(frame: pd.DataFrame, frequency: str, start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """One row per period from `start` (or the first figure) to `end` (or the last): a period
    with no figure gets a row with no value, so that the line breaks there instead of joining
    across it (and never drops to zero)."""
    return pd.DataFrame(_gapped(rows_of(frame), frequency, start, end), columns=list(Row._fields))


def _gapped(rows: Sequence[Row], frequency: str, start: date | None = None, end: date | None = None) -> list[Row]:
    first = start or (min(r.start for r in rows) if rows else None)
    last = end or (max(r.start for r in rows) if rows else None)
    if first is None or last is None:
        return []
    known = {r.start: r for r in rows}
    out = []
    p = parse_period(period_containing(frequency, first), frequency)
    while p.start <= last:
        out.append(known.get(p.start) or Row(p.label, p.start, None, None, False))
        p = p.shift(1)
    return out


def _period_words(frequency: str, day: date) -> str:
    return format_period(period_containing(frequency, day), frequency)


def period_containing(frequency: str, day: date) -> str:
    """The label of the period of `frequency` that contains `day`."""
    if frequency == "monthly":
        start = date(day.year, day.month, 1)
    elif frequency == "quarterly":
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif frequency == "financial_year":
        start = date(day.year if day.month >= FY_START_MONTH else day.year - 1, FY_START_MONTH, 1)
    else:
        start = date(day.year, 1, 1)
    return period_from_start(frequency, start)


# --- traces -----------------------------------------------------------------------------------


def _actual_trace(
    measure: Mapping,
    rows: Sequence[Row],
    colour: str,
    *,
    name: str = "Actual",
    width: float = 2.5,
    markers: str = "flagged",
    hover_prefix: str = "",
) -> dict:
    """The solid line of actual values (gaps stay gaps); provisional or estimated points drawn
    hollow, the latest point marked, a point with no neighbours still visible. A categorical
    measure is drawn as steps with every point marked: it jumps between categories, never
    passes through the values between them."""
    values = [r.value for r in rows]
    flagged = [r.status in ("provisional", "estimated") for r in rows]
    categorical = categories_of(measure.get("categories")) is not None
    if categorical and markers == "flagged":
        markers = "all"
    last = max((i for i, v in enumerate(values) if v is not None), default=-1)
    sizes = []
    for i, v in enumerate(values):
        alone = (i == 0 or values[i - 1] is None) and (i == len(values) - 1 or values[i + 1] is None)
        shown = markers == "all" or (markers != "none" and (flagged[i] or i == last)) or alone
        sizes.append(7 if shown and v is not None else 0)
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": plain(name),
        "x": [r.start.isoformat() for r in rows],
        "y": values,
        "connectgaps": False,
        "line": {"color": colour, "width": width, **({"shape": "hv"} if categorical else {})},
        "marker": {
            "color": colour,
            "size": sizes,
            "symbol": ["circle-open" if f else "circle" for f in flagged],
            "line": {"width": 2, "color": colour},
        },
        "text": _hover(measure, rows, hover_prefix),
        "hovertemplate": "%{text}<extra></extra>",
        **_periodic(measure["frequency"]),
    }


def _plan(points: Mapping) -> list[tuple[date, float]]:
    baseline, milestones, final = points.get("baseline"), points.get("milestones") or [], points.get("final")
    if not final:
        return []
    return sorted(([baseline] if baseline else []) + list(milestones) + [final])


def _plan_traces(
    measure: Mapping,
    points: Mapping,
    *,
    start: date | None = None,
    end: date | None = None,
    final_marker: bool = True,
) -> list[dict]:
    """The plan (dashed grey, through baseline, milestones and final target) and the final
    target as its own marker; clipped to [start, end] by interpolating the plan at the edges. A
    categorical measure's target is a category: the marker alone, no path between categories."""
    plan = _plan(points)
    if not plan:
        return []
    frequency = measure["frequency"]
    final = points["final"]
    has_path = len(plan) > 1
    if categories_of(measure.get("categories")):
        line = []
    elif has_path:
        line = [p for p in plan if (start is None or p[0] >= start) and (end is None or p[0] <= end)]
        for edge in (start, end):
            if edge is not None and plan[0][0] < edge < plan[-1][0] and all(p[0] != edge for p in line):
                line.append((edge, interpolate_plan(plan, edge)))
        line.sort()
        name = "Plan (trajectory)" if points.get("milestones") else "Path to target"
    else:  # a final target alone: its level, from the chart's start to the target date
        left = start or final[0]
        line = [(left, final[1]), (final[0], final[1])] if left < final[0] else []
        name = "Target level"
    traces = []
    if line:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": name,
                "x": [d.isoformat() for d, _ in line],
                "y": [v for _, v in line],
                "line": {**TARGET_LINE, "dash": "dash" if has_path else "dot"},
                "text": [f"{name}<br><b>{_fmt(measure, v)}</b><br>{_period_words(frequency, d)}" for d, v in line],
                "hovertemplate": "%{text}<extra></extra>",
                **_periodic(frequency),
            }
        )
    if final_marker and (end is None or final[0] <= end) and (start is None or final[0] >= start):
        when = _period_words(frequency, final[0])
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": "Final target",
                "x": [final[0].isoformat()],
                "y": [final[1]],
                "marker": {"symbol": "diamond", "size": 11, "color": "#fff", "line": {"color": TEXT, "width": 2}},
                "text": [f"Final target<br><b>{_fmt(measure, final[1])}</b> by {when}"],
                "hovertemplate": "%{text}<extra></extra>",
                **_periodic(frequency),
            }
        )
    return traces


# --- figures ----------------------------------------------------------------------------------


def trend_figure(
    measure: Mapping,
    series: pd.DataFrame,
    points: Mapping,
    *,
    colour: str,
    title: str,
    subtitle: str | None = None,
    height: int = 380,
) -> dict:
    """The full series of a measure's total against its plan and final target, with a legend."""
    frequency = measure["frequency"]
    rows = _gapped(as_rows(series), frequency)
    if not rows and not _plan(points):
        return empty_figure("No figures have been submitted for this measure yet.", height)
    categorical = categories_of(measure.get("categories")) is not None
    layout = base_layout(title, subtitle=trend_subtitle(points, categorical) if subtitle is None else subtitle)
    layout.update(
        height=height,
        xaxis=time_axis(frequency),
        yaxis=value_axis(measure),
        showlegend=True,
        legend={**LEGEND, "traceorder": "reversed"},
    )
    layout["margin"]["b"] = 96
    # the plan first, so that the actual line is drawn over it (and listed first, reversed)
    data = _plan_traces(measure, points) + ([_actual_trace(measure, rows, colour)] if rows else [])
    return {"data": data, "layout": layout}


def panel_figure(
    measure: Mapping,
    series: pd.DataFrame,
    points: Mapping,
    *,
    colour: str,
    x_range: tuple[date, date],
    height: int = 150,
) -> dict:
    """A small multiple: the measure over a window shared by every panel of the page (same
    dates, same margins), so that months line up across organisations. `x_range`: the first
    and the last month (period starts) shown."""
    frequency = measure["frequency"]
    start, end = x_range
    inside = [r for r in as_rows(series) if start <= r.start <= end]
    if not any(r.value is not None for r in inside):
        return empty_figure(f"No figures submitted for {start:%B %Y} to {end:%B %Y}", height)
    layout = base_layout()
    layout.update(
        height=height,
        margin={"l": 8, "r": 12, "t": 22, "b": 8},
        xaxis={
            **time_axis(frequency, [start.isoformat(), _window_end(end).isoformat()], title=False),
            "fixedrange": True,
            "tickformat": "%Y",
            "dtick": "M12",
            "tickfont": {"size": 11},
        },
        yaxis={**value_axis(measure, title=False), "fixedrange": True, "nticks": 4, "tickfont": {"size": 11}},
        annotations=[unit_note(measure)],
    )
    data = _plan_traces(measure, points, start=start, end=end, final_marker=False)
    data.append(_actual_trace(measure, _gapped(inside, frequency), colour, width=2))
    return {"data": data, "layout": layout}


def _window_end(last_start: date) -> date:
    """The first day after the month that starts at `last_start`: the right edge of a window."""
    return date(last_start.year + last_start.month // 12, last_start.month % 12 + 1, 1)


def sparkline_figure(
    measure: Mapping,
    series: pd.DataFrame,
    points: Mapping,
    *,
    colour: str,
    start: date,
    height: int = 120,
) -> dict:
    """A headline measure on a card: figures since `start` and the plan on to the final target."""
    frequency = measure["frequency"]
    inside = [r for r in as_rows(series) if r.start >= start]
    has_values = any(r.value is not None for r in inside)
    if not has_values and not _plan(points):
        return empty_figure("No figures yet", height)
    layout = base_layout()
    layout.update(
        height=height,
        margin={"l": 8, "r": 8, "t": 20, "b": 6},
        xaxis={
            **time_axis(frequency, title=False),
            "fixedrange": True,
            "tickformat": "%Y",
            "tickfont": {"size": 10},
            "nticks": 6,
        },
        yaxis={**value_axis(measure, title=False), "fixedrange": True, "nticks": 3, "tickfont": {"size": 10}},
        annotations=[unit_note(measure)],
    )
    data = _plan_traces(measure, points, start=start)
    if has_values:
        data.append(_actual_trace(measure, _gapped(inside, frequency), colour, width=2))
    return {"data": data, "layout": layout}


def breakdown_figure(
    measure: Mapping,
    frame: pd.DataFrame,
    groups: Sequence[str],
    *,
    dimension: str,
    title: str,
    view: str = "lines",
    height: int = 420,
) -> dict:
    """A measure by one breakdown: one line per group with the total (`lines`), or a small
    multiple per group on shared axes with the total in grey behind each (`panels`).

    `frame`: values with columns breakdown ('' = total) and grp; `groups`: in declared order."""
    frequency = measure["frequency"]
    everything = rows_of(frame)
    if not everything:
        return empty_figure("No figures have been submitted for this measure yet.", height)
    first, last = min(r.start for r in everything), max(r.start for r in everything)
    by_group: dict[str, list[Row]] = {}
    for key, group, row in zip(frame["breakdown"].tolist(), frame["grp"].tolist(), everything, strict=True):
        by_group.setdefault("" if not key else group, []).append(row)
    total = _gapped(by_group[""], frequency, first, last) if "" in by_group else []
    series = {g: _gapped(by_group.get(g, []), frequency, first, last) for g in groups}
    colours = {g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(groups)}
    if view == "panels":
        return _breakdown_panels(measure, total, series, colours, title=title, dimension=dimension)
    layout = base_layout(title, subtitle=f"By {dimension.replace('_', ' ')}: one line per group, the total in black")
    layout.update(
        height=height,
        xaxis=time_axis(frequency),
        yaxis=value_axis(measure),
        showlegend=True,
        legend=LEGEND,
    )
    layout["margin"]["b"] = 96
    data = [_actual_trace(measure, total, TEXT, name="Total", width=3, hover_prefix="Total: ")] if total else []
    for g, rows in series.items():
        data.append(_actual_trace(measure, rows, colours[g], name=g, width=2, hover_prefix=f"{plain(g)}: "))
    return {"data": data, "layout": layout}


def _breakdown_panels(measure, total, series, colours, *, title: str, dimension: str) -> dict:
    """A grid of panels built as plain axes (no make_subplots), all sharing both axes."""
    n = len(series)
    cols = min(3, n) or 1
    rows = math.ceil(n / cols) or 1
    panel_px, gap_px = 180, 64  # a gap tall enough for the ticks above and the group's name below
    plot_px = rows * panel_px + (rows - 1) * gap_px
    gap_x, gap_y = 0.06, gap_px / plot_px
    width = (1 - gap_x * (cols - 1)) / cols
    height = panel_px / plot_px
    layout = base_layout(
        title,
        subtitle=f"By {dimension.replace('_', ' ')}: one panel per group, the total in grey behind each; "
        "all panels share both axes",
    )
    layout.update(height=plot_px + 130, margin={"l": 64, "r": 16, "t": 90, "b": 40}, annotations=[])
    data = []
    for i, (group, group_rows) in enumerate(series.items()):
        r, c = divmod(i, cols)
        suffix = "" if i == 0 else str(i + 1)
        x0, y1 = c * (width + gap_x), 1 - r * (height + gap_y)
        layout[f"xaxis{suffix}"] = {
            **time_axis(measure["frequency"], title=False),
            "domain": [x0, x0 + width],
            "anchor": f"y{suffix}",
            **({"matches": "x"} if i else {}),
        }
        layout[f"yaxis{suffix}"] = {
            **value_axis(measure, title=c == 0),
            "domain": [y1 - height, y1],
            "anchor": f"x{suffix}",
            **({"matches": "y"} if i else {}),
        }
        layout["annotations"].append(
            {
                "text": f"<b>{plain(group)}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": x0,
                "y": y1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13},
            }
        )
        on_axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}
        if total:
            back = _actual_trace(
                measure, total, "#b1b4b6", name="Total", width=1.5, markers="none", hover_prefix="Total: "
            )
            data.append({**back, **on_axes})
        trace = _actual_trace(measure, group_rows, colours[group], name=group, hover_prefix=f"{plain(group)}: ")
        data.append({**trace, **on_axes})
    return {"data": data, "layout": layout}


STATE_BARS = [
    ("on_time", "On time", "#0072B2", ""),
    ("late", "Late", "#E69F00", "/"),
    ("missing", "Missing", "#D55E00", "x"),
]


def submissions_figure(counts: pd.DataFrame, *, title: str, height: int = 300) -> dict:
    """Figures due each month, stacked: on time, late (hatched), missing (crossed)."""
    if counts.empty:
        return empty_figure("No figures fell due in the last year.", height)
    layout = base_layout(title)
    layout.update(
        height=height,
        barmode="stack",
        showlegend=True,
        legend=LEGEND,
        xaxis={
            **time_axis("monthly"),
            "title": {"text": "Month the figures were due"},
            "dtick": "M1",
            "tickformat": "%b %Y",
            "ticklabelmode": "period",  # each month's name under its bar, not at the line between two
        },
        yaxis={"title": {"text": "Figures due"}, "gridcolor": GRID, "rangemode": "tozero", "tickformat": ",d"},
        hovermode="x unified",
    )
    layout["margin"]["b"] = 100
    months = [d.isoformat() for d in dates_of(counts["month"])]
    data = [
        {
            "type": "bar",
            "name": name,
            "x": months,
            "y": [int(v) for v in counts[state]],
            "marker": {
                "color": colour,
                "pattern": {"shape": shape, "fgcolor": "#fff", "fillmode": "overlay", "solidity": 0.3},
            },
            "hovertemplate": f"{name}: %{{y:,d}}<extra></extra>",
            "xperiod": "M1",
            "xperiodalignment": "middle",
        }
        for state, name, colour, shape in STATE_BARS
    ]
    return {"data": data, "layout": layout}


def chart_title(measure: Mapping) -> str:
    """`Days to decide a new claim, Northfield, monthly`: the owner is named unless the measure's
    name already says who."""
    name = str(measure["name"])
    owner = next(
        (str(o) for o in (measure.get("owner_short_name"), measure.get("owner_name")) if not is_missing(o)), ""
    )
    parts = [name]
    if owner and owner.lower() not in name.lower():
        parts.append(owner)
    parts.append(frequency_word(measure["frequency"]))
    return ", ".join(parts)


def trend_subtitle(points: Mapping, categorical: bool = False) -> str:
    """What the lines of a trend chart are, in words."""
    if categorical:
        return "The category of each period" + ("; the target category (diamond)" if points.get("final") else "")
    if not points.get("final"):
        return "Actual figures; no target has been set for this measure"
    if points.get("milestones"):
        return "Actual (solid) against the planned trajectory (dashed) and the final target (diamond)"
    if points.get("baseline"):
        return "Actual (solid) against a straight path from the baseline to the final target (diamond)"
    return "Actual (solid) against the level of the final target (dotted)"


# --- issue 4: variation and forecast charts -----------------------------------------------------

SIGNAL_STYLE = {  # rule -> (marker symbol, colour): shape and colour both differ
    "beyond_limit": ("diamond", "#D55E00"),
    "run_of_8": ("square", "#CC79A7"),
    "three_of_four": ("triangle-up", "#E69F00"),
    "range_limit": ("x", "#D55E00"),
}
BAND = "rgba(0, 114, 178, 0.10)"


def _phase_segments(x: list, result) -> list[tuple[int, int, object]]:
    """Each phase's first and past-last index: from its first value (none before a series starts: its limits
    are drawn where there are points), to the next phase's start or the end."""
    bounds = [p.start for p in result.phases[1:]] + [len(x)]
    return [(p.start, bounds[i], p) for i, p in enumerate(result.phases)]


def xmr_figure(x: list, result, *, title: str, y_title: str, decimals: int = 1, breaks: Collection[int] = ()) -> dict:
    """Process-behaviour chart: values with centre line and natural process limits (shaded),
    signals marked by rule, and the moving-range panel beneath on the same time axis. `breaks`: the indices a
    period with no figure comes before, where the line breaks; the time axis starts at the first point judged."""
    fmt = f",.{decimals}f"
    data: list[dict] = []
    for n, (a, b, ph) in enumerate(_phase_segments(x, result)):
        xs = x[a:b]
        if not xs:
            continue
        data += [
            {"type": "scatter", "x": xs, "y": [ph.lower] * len(xs), "mode": "lines", "line": {"width": 0},
             "hoverinfo": "skip", "showlegend": False, "yaxis": "y"},
            {"type": "scatter", "x": xs, "y": [ph.upper] * len(xs), "mode": "lines", "line": {"width": 0},
             "fill": "tonexty", "fillcolor": BAND, "name": "Natural process limits" if n == 0 else None,
             "showlegend": n == 0, "hoverinfo": "skip", "yaxis": "y"},
            {"type": "scatter", "x": xs, "y": [ph.centre] * len(xs), "mode": "lines",
             "line": {"color": NEUTRAL, "width": 1}, "name": "Centre line", "showlegend": n == 0,
             "hovertemplate": f"Centre %{{y:{fmt}}}<extra></extra>", "yaxis": "y"},
            {"type": "scatter", "x": [xs[0], xs[-1], None, xs[0], xs[-1]],
             "y": [ph.upper, ph.upper, None, ph.lower, ph.lower], "mode": "lines",
             "line": {"color": "#0072B2", "width": 1, "dash": "dot"}, "hoverinfo": "skip", "showlegend": False,
             "yaxis": "y"},
        ]
    line_x, line_y = _broken(x, result.values, breaks)
    data.append({"type": "scatter", "x": line_x, "y": line_y, "mode": "lines+markers",
                 "name": plain(y_title) or "Value", "line": {"color": TEXT, "width": 2}, "marker": {"size": 4},
                 "connectgaps": False,
                 "hovertemplate": f"%{{x}}: %{{y:{fmt}}}<extra></extra>", "yaxis": "y", "showlegend": False})
    for rule, (symbol, colour) in SIGNAL_STYLE.items():
        idx = sorted({s.index for s in result.signals if s.rule == rule})
        if not idx:
            continue
        on_range = rule == "range_limit"
        data.append({
            "type": "scatter", "x": [x[i] for i in idx],
            "y": [(result.moving_ranges if on_range else result.values)[i] for i in idx],
            "mode": "markers", "name": XMR_RULES[rule], "yaxis": "y2" if on_range else "y",
            "marker": {"symbol": symbol, "size": 11, "color": colour, "line": {"width": 1, "color": "#0b0c0c"}},
            "hovertemplate": f"%{{x}}: {XMR_RULES[rule]}<extra></extra>",
        })
    data.append({"type": "bar", "x": x, "y": result.moving_ranges, "name": "Moving range", "yaxis": "y2",
                 "marker": {"color": "#b1b4b6"}, "showlegend": False,
                 "hovertemplate": f"%{{x}}: moving range %{{y:{fmt}}}<extra></extra>"})
    for a, b, ph in _phase_segments(x, result):
        xs = x[a:b]
        if xs:
            data.append({"type": "scatter", "x": [xs[0], xs[-1]], "y": [ph.upper_range] * 2, "mode": "lines",
                         "line": {"color": "#0072B2", "width": 1, "dash": "dot"}, "yaxis": "y2",
                         "showlegend": False, "hovertemplate": f"Upper range limit %{{y:{fmt}}}<extra></extra>"})
    layout = base_layout(title, y_title)
    layout.update({
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.12, "x": 0, "font": {"size": 12}},
        "hovermode": "closest",
        "yaxis": {"title": {"text": lines_of(y_title, AXIS_TITLE_CHARACTERS)}, "domain": [0.34, 1.0],
                  "gridcolor": "#eeefef", "zeroline": False, "automargin": True},
        "yaxis2": {"title": {"text": "Moving range"}, "domain": [0.0, 0.24], "gridcolor": "#eeefef",
                   "zeroline": False, "rangemode": "tozero"},
        "xaxis": {"showgrid": False, "linecolor": "#b1b4b6", "ticks": "outside", "anchor": "y2",
                  **_judged_range(x, result.values)},
        "margin": {"l": 64, "r": 16, "t": 48, "b": 40},
    })
    return {"data": data, "layout": layout}


def _broken(x: list, values: list, breaks: Collection[int]) -> tuple[list, list]:
    """A line's points with a gap (None) put before each index in `breaks`, so that it does not join across a
    period with no figure."""
    if not breaks:
        return x, list(values)
    line_x, line_y = [], []
    for i, (at, v) in enumerate(zip(x, values, strict=True)):
        if i in breaks:
            line_x.append(at)
            line_y.append(None)
        line_x.append(at)
        line_y.append(v)
    return line_x, line_y


def _judged_range(x: list, values: list) -> dict:
    """The time axis from the first point judged to the last, a little beyond each (a seasonal measure's first
    year, or the years before its plan, have nothing to judge); nothing to set when the first point is."""
    first = next((i for i, v in enumerate(values) if v is not None), None)
    if not first or not x:
        return {}
    start, end = date.fromisoformat(str(x[first])[:10]), date.fromisoformat(str(x[-1])[:10])
    step = (date.fromisoformat(str(x[first + 1])[:10]) - start).days if first + 1 < len(x) else 30
    pad = timedelta(days=max(15, step // 2 + 1))  # half a period: the first and last bars are drawn whole
    return {"range": [(start - pad).isoformat(), (end + pad).isoformat()], "autorange": False}


def forecast_figure(x: list, values: list, future_x: list, fc, *, plan_x: list | None = None,
                    plan_y: list | None = None, title: str, y_title: str = "", decimals: int = 1,
                    y_axis: dict | None = None, breaks: Collection[int] = ()) -> dict:
    """Actuals, then the forecast fan (95% and 80% intervals, central line dashed), against the plan. `y_axis`:
    the measure's value axis (`value_axis`), as its main chart has it; `breaks`: where the actual line breaks
    (the indices a period with no figure comes before)."""
    fmt = f",.{decimals}f"
    actual_x, actual_y = _broken(x, values, breaks)
    join_x = [x[-1]] + list(future_x) if x else list(future_x)
    last = [values[-1]] if x else []
    data = [
        {"type": "scatter", "x": join_x, "y": last + list(fc.lower95), "mode": "lines", "line": {"width": 0},
         "hoverinfo": "skip", "showlegend": False},
        {"type": "scatter", "x": join_x, "y": last + list(fc.upper95), "mode": "lines", "line": {"width": 0},
         "fill": "tonexty", "fillcolor": "rgba(0, 114, 178, 0.12)", "name": "95% interval",
         "hovertemplate": f"%{{x}}: up to %{{y:{fmt}}} (95%)<extra></extra>"},
        {"type": "scatter", "x": join_x, "y": last + list(fc.lower80), "mode": "lines", "line": {"width": 0},
         "hoverinfo": "skip", "showlegend": False},
        {"type": "scatter", "x": join_x, "y": last + list(fc.upper80), "mode": "lines", "line": {"width": 0},
         "fill": "tonexty", "fillcolor": "rgba(0, 114, 178, 0.25)", "name": "80% interval",
         "hovertemplate": f"%{{x}}: up to %{{y:{fmt}}} (80%)<extra></extra>"},
        {"type": "scatter", "x": actual_x, "y": actual_y, "mode": "lines", "name": "Actual",
         "line": {"color": TEXT, "width": 2}, "connectgaps": False,
         "hovertemplate": f"%{{x}}: %{{y:{fmt}}}<extra></extra>"},
        {"type": "scatter", "x": join_x, "y": last + list(fc.mean), "mode": "lines", "name": "Forecast",
         "line": {"color": "#0072B2", "width": 2, "dash": "dash"},
         "hovertemplate": f"%{{x}}: forecast %{{y:{fmt}}}<extra></extra>"},
    ]
    if plan_x:
        data.append({"type": "scatter", "x": plan_x, "y": plan_y, "mode": "lines", "name": "Plan",
                     "line": TARGET_LINE, "hovertemplate": f"%{{x}}: plan %{{y:{fmt}}}<extra></extra>"})
    layout = base_layout(title, y_title)
    layout.update({"showlegend": True, "legend": {"orientation": "h", "y": -0.15, "x": 0},
                   "hovermode": "x unified"})
    if y_axis is not None:
        layout["yaxis"] = y_axis
    return {"data": data, "layout": layout}
