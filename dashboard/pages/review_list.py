"""`/review`: the scheduled monthly reviews of the councils the viewer takes part in, each linking to its
pack at `/review/<council>/<YYYY-MM>` (dashboard.pages.review).

An old pack address, `/review?council=ID&month=YYYY-MM`, is sent on to the new one: the page answers with
a link to it and a dcc.Location that loads it (the same values, quoted; no month: the council's next
review, for a viewer who takes part in it, else this list). Nothing about the council is shown on the way.
"""

from __future__ import annotations

from datetime import date

import dash
from dash import dcc

from dashboard import components
from dashboard.components import review as parts
from dashboard.components import tags
from dashboard.context import page_title
from dashboard.navigation import sign_in_href
from dashboard.pages._shared import page, read_id
from dashboard.pages.review_common import (
    HEADING,
    LIST_PATH,
    councils_seen,
    read_review,
    review_href,
    schedule,
)
from dashboard.urls import AsOf, href, read_as_of
from published.access import current_viewer
from published.reader import Warehouse

LISTED_BEFORE, LISTED_AFTER = 3, 12  # months of the schedule listed before and after this one

dash.register_page(
    __name__,
    path=LIST_PATH,
    name=HEADING,
    title=page_title(HEADING),
    description="Each goal council's monthly review pack: statuses, changes, exceptions, actions, escalations.",
    roles=("council_member", "steward", "lead", "admin"),  # a navigation link for anyone signed in
    order=3,
)


def layout(council=None, month=None, **query):
    if council is not None:
        return _moved(council=read_id(council), month=month)
    if not current_viewer().signed_in:
        return [components.breadcrumbs([("Goal map", href("goal_map")), (HEADING, None)]),
                components.page_heading(HEADING), parts.review_signed_out(sign_in_href(dash.get_relative_path(
                    LIST_PATH)))]
    return _listing(**query)


@page(HEADING)
def _listing(warehouse: Warehouse, _as_of: AsOf, **_):
    """The schedule around this month, of the councils the viewer takes part in."""
    month, seen = date.today().strftime("%Y-%m"), councils_seen(warehouse)
    mine = [r for r in schedule(warehouse) if r["council_id"] in seen]
    before = [r for r in mine if r["month"] < month][-LISTED_BEFORE:]
    coming = [r for r in mine if r["month"] >= month][:LISTED_AFTER]
    rows = [{**r, "href": review_href(r["council_id"], r["month"]), "next": r is coming[0]} for r in before + coming]
    return [components.breadcrumbs([("Goal map", href("goal_map")), (HEADING, None)]),
            components.page_heading(HEADING, "Each month one goal council meets to review its objectives: the "
                                             "pack shows where each stands, what changed, the actions agreed and "
                                             "the escalations to decide."),
            parts.review_list(rows)]


@page(HEADING)
def _moved(warehouse: Warehouse, _as_of: AsOf, council: str = "", month=None, **_):
    """An old address (`?council=&month=`) -> the pack's address now."""
    chosen = read_as_of(month).month if isinstance(month, str) else None
    if chosen is None and current_viewer().signed_in:
        review = read_review(warehouse, council, None)
        chosen = review.month if review else None
    target = dash.get_relative_path(review_href(council, chosen) if council and chosen else LIST_PATH)
    return [components.page_heading(HEADING),
            tags.P(["This address has moved: ", dcc.Link(target, href=target), "."], id="review-moved-notice"),
            dcc.Location(id="review-moved", href=target, refresh=True)]
