"""The page for an address that matches no page: says so, and links back to the goal map."""

from __future__ import annotations

import dash

from dashboard import components
from dashboard.context import page_title
from dashboard.urls import href, read_as_of

dash.register_page(__name__, path="/404", name="Not found", title=page_title("Page not found"))


def layout(as_of=None, **_):
    as_of = read_as_of(as_of)
    return [
        components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), ("Not found", None)]),
        components.page_heading("Page not found"),
        components.notice(
            "There is no page at this address",
            [
                "Check the address, ",
                dash.dcc.Link("go back to the goal map", href=href("goal_map", as_of=as_of)),
                ", or search for a measure, objective or organisation by name.",
            ],
        ),
    ]
