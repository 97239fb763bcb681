"""Dash's html components, made by `element`: `tags.Div(children, className="x")` is the component
`html.Div(children, className="x")`, of the same class, with the same props and the same JSON.

Every page builds its html components through these. Dash's own constructor checks each argument and its
encoder asks `hasattr` of every prop a class has; at state scale that was a quarter of the organisation
page's Python and a seventh of the goal map's and the objective page's (docs/benchmarks.md). An unknown
prop still raises `TypeError`. Use `html.X` itself where a class is needed (`isinstance`, annotations).
"""

from __future__ import annotations

from collections.abc import Callable

from dash import html
from dash.development.base_component import Component

from .chips import element


def _maker(kind: type[Component]) -> Callable[..., Component]:
    def make(children=None, **props) -> Component:
        return element(kind, children, **props)

    make.__name__ = make.__qualname__ = kind.__name__
    make.__doc__ = f"`html.{kind.__name__}`, made by `element`."
    return make


for _name in html.__all__:
    globals()[_name] = _maker(getattr(html, _name))


def __getattr__(name: str):  # a name dash.html does not have: say so as the module would
    raise AttributeError(f"dash.html has no component {name!r}")
