"""Figures of the service page: pure (rows, options) -> plotly figure dicts, in the shared look of
dashboard/figures.py (dicts, not graph objects: cheaper to build and to send)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from goal_councils.whatif import Projection

from .figures import LEGEND, NEUTRAL, ORG_PALETTE, TARGET_LINE, base_layout, empty_figure, plain

__all__ = ["stage_trend_figure", "demand_capacity_figure", "what_if_figure"]


def _colours(stages: Sequence[Mapping]) -> dict[str, str]:
    """One colour per stage, in service order (stages of one organisation differ: it may run several)."""
    return {s["stage_id"]: ORG_PALETTE[i % len(ORG_PALETTE)] for i, s in enumerate(stages)}


def stage_trend_figure(stages: Sequence[Mapping], flow: Sequence[Mapping], column: str, *, title: str,
                       y_title: str, decimals: int = 0, height: int = 340) -> dict:
    """One line per stage of `column` (backlog, time in stage, ...) over the periods."""
    colours = _colours(stages)
    traces = []
    for s in stages:
        rows = [r for r in flow if r["stage_id"] == s["stage_id"] and r.get(column) is not None]
        if not rows:
            continue
        traces.append({
            "type": "scatter", "mode": "lines", "name": plain(s["name"]),
            "x": [str(r["period_start"])[:10] for r in rows], "y": [round(r[column], decimals) for r in rows],
            "line": {"color": colours[s["stage_id"]], "width": 2},
            "hovertemplate": f"{plain(s['name'])}<br>%{{x|%b %Y}}: %{{y:,.{decimals}f}}<extra></extra>",
        })
    if not traces:
        return empty_figure("No stage of this service measures this.", height)
    layout = base_layout(title, y_title)
    layout.update({"height": height, "showlegend": True, "legend": {**LEGEND, "y": -0.02}})
    layout["margin"] = {**layout["margin"], "b": 110}
    layout["xaxis"] = {**layout["xaxis"], "type": "date"}
    return {"data": traces, "layout": layout}


def demand_capacity_figure(stages: Sequence[Mapping], rows: Mapping[str, Mapping], *, title: str,
                           height: int = 340) -> dict:
    """Per stage in one period: work arriving, completed and (dashed outline) the capacity."""
    names = [plain(s["name"]) for s in stages]
    bars = []
    for column, label, style in (("arrivals", "Arrived", {"color": "#56B4E9"}),
                                 ("completions", "Completed", {"color": "#0072B2"}),
                                 ("capacity", "Capacity", {"color": "rgba(0,0,0,0)",
                                                           "line": {"color": NEUTRAL, "width": 2},
                                                           "pattern": {"shape": "/", "fgcolor": NEUTRAL}})):
        y = [rows.get(s["stage_id"], {}).get(column) for s in stages]
        if all(v is None for v in y):
            continue
        bars.append({"type": "bar", "name": label, "x": names, "y": y, "marker": style,
                     "hovertemplate": f"%{{x}}<br>{label}: %{{y:,.0f}}<extra></extra>"})
    if not bars:
        return empty_figure("No stage measures its demand or capacity.", height)
    layout = base_layout(title, "Work in the month")
    layout.update({"height": height, "barmode": "group", "showlegend": True, "legend": {**LEGEND, "y": -0.02}})
    layout["margin"] = {**layout["margin"], "b": 130}
    return {"data": bars, "layout": layout}


def what_if_figure(base: Projection, changed: Projection, stages: Sequence[Mapping], shown: Sequence[str], *,
                   title: str, height: int = 360) -> dict:
    """Projected backlog week by week at the stages in `shown`: with the change (solid) and without (dashed)."""
    colours = _colours(stages)
    names = {s["stage_id"]: plain(s["name"]) for s in stages}
    traces = []
    for stage in shown:
        for projection, label, dash in ((changed, "with the change", "solid"), (base, "as now", "dash")):
            traces.append({
                "type": "scatter", "mode": "lines", "name": f"{names[stage]}, {label}",
                "x": projection.weeks, "y": [round(v, 1) for v in projection.backlog[stage]],
                "line": {"color": colours[stage] if dash == "solid" else TARGET_LINE["color"], "dash": dash,
                         "width": 2 if dash == "solid" else 1.5},
                "hovertemplate": f"{names[stage]}, {label}<br>week %{{x}}: %{{y:,.0f}} waiting<extra></extra>",
            })
    layout = base_layout(title, "Work waiting")
    layout.update({"height": height, "showlegend": True, "legend": {**LEGEND, "y": -0.02}})
    layout["margin"] = {**layout["margin"], "b": 130}
    layout["xaxis"] = {**layout["xaxis"], "title": {"text": "Weeks from now"}}
    return {"data": traces, "layout": layout}
