"""Search results: councils, objectives, measures and organisations whose name holds every word."""

from __future__ import annotations

import dash

from dashboard import components
from dashboard.context import page_title
from dashboard.pages._shared import as_of_parts, page
from dashboard.urls import AsOf, href, search_href
from published.reader import Warehouse

dash.register_page(
    __name__,
    path="/search",
    name="Search",
    title=page_title("Search"),
    description="Find measures, objectives, councils and organisations by name.",
)

MAX_QUERY = 100


def layout(q="", **query):
    return _layout(text=" ".join(q.split())[:MAX_QUERY] if isinstance(q, str) else "", **query)


@page("Search")
def _layout(warehouse: Warehouse, as_of: AsOf, text: str, **_):
    results = warehouse.search(text) if text else None
    heading = f"Search results for “{text}”" if text else "Search"
    return [
        components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), ("Search", None)]),
        *as_of_parts(as_of, search_href(text)),
        components.page_heading(heading),
        *components.search_results(results if results is not None else warehouse.search(""), text, as_of),
    ]
