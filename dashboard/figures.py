"""Pure figure builders and the shared chart look: (DataFrame, options) -> plotly figure.

Figures are built as plain dicts wrapped once in `go.Figure`: measured ~2x faster per
callback than `make_subplots` (see FACTS.md). The goal map itself draws no charts; the
pieces here fix the look every later chart shares.
"""

from __future__ import annotations

from collections.abc import Iterable

import plotly.graph_objects as go

__all__ = ["OKABE_ITO", "NEUTRAL", "TARGET_LINE", "FONT", "org_colours", "base_layout", "empty_figure"]

# colour-blind-safe (Okabe & Ito 2008), black left out: it is the text colour
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
NEUTRAL = "#505a5f"
TARGET_LINE = {"color": NEUTRAL, "dash": "dash", "width": 1.5}  # targets and trajectories
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'


def org_colours(org_ids: Iterable[str]) -> dict[str, str]:
    """One colour per organisation, assigned in the order given (pass every organisation in
    its defined order so that an organisation keeps its colour on every page)."""
    return {org: OKABE_ITO[i % len(OKABE_ITO)] for i, org in enumerate(org_ids)}


def base_layout(title: str, y_title: str = "", source: str = "") -> dict:
    """The calm shared look: white ground, light grid, title saying what is shown, source below."""
    layout = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "size": 13, "color": "#0b0c0c"},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "margin": {"l": 56, "r": 16, "t": 48, "b": 56},
        "xaxis": {"showgrid": False, "linecolor": "#b1b4b6", "ticks": "outside"},
        "yaxis": {"title": {"text": y_title}, "gridcolor": "#eeefef", "zeroline": False},
        "hovermode": "x unified",
        "showlegend": False,
    }
    if source:
        layout["annotations"] = [
            {
                "text": source,
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


def empty_figure(message: str) -> go.Figure:
    """A figure that says why it is empty instead of drawing blank axes."""
    layout = base_layout("")
    layout["xaxis"] = layout["yaxis"] = {"visible": False}
    layout["annotations"] = [{"text": message, "showarrow": False, "font": {"size": 14, "color": NEUTRAL}}]
    return go.Figure(layout=layout)
