"""The methods page: how every status, signal, forecast and exception is judged, in plain words."""

from __future__ import annotations

from functools import cache
from importlib import resources

import dash
from dash import dcc

from dashboard import components
from dashboard.context import page_title
from dashboard.urls import href, read_as_of

dash.register_page(__name__, path="/methods", name="Methods", title=page_title("Methods"),
                   description="How Shared Outcomes judges a measure: statuses, signals, divergence, forecasts.")


@cache
def _text() -> str:
    # shipped with the package; read once per process, when first asked for
    return resources.files("dashboard").joinpath("METHODS.md").read_text(encoding="utf-8")


def layout(as_of=None, **_):
    as_of = read_as_of(as_of)
    return [
        components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), ("Methods", None)]),
        dcc.Markdown(_text(), className="methods", id="methods-text", dangerously_allow_html=False),
    ]
