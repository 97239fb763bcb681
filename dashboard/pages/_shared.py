"""What every page does before it lays out: read the id and the as-of month, reach the warehouse,
and explain (never raise) when the warehouse is missing or unreadable."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from urllib.parse import unquote

from dashboard import components
from dashboard.context import current_settings, current_warehouse
from dashboard.urls import AsOf, view_as_of
from published.reader import Warehouse, WarehouseError, WarehouseMissing

__all__ = ["page", "read_id", "entity_title"]

log = logging.getLogger(__name__)

MAX_ID = 200  # longer than any id a definition may have


def read_id(value) -> str:
    """An id from the address (percent-encoded by the browser), as plain text."""
    text = unquote(value if isinstance(value, str) else "")
    return text[:MAX_ID]


def page(heading: str) -> Callable:
    """Wrap `render(warehouse, as_of, **query)` into a Dash page layout that reads `as_of` (a month not yet
    ended: the latest figures, with why), and shows a notice instead of a traceback when there is nothing to read."""

    def wrap(render: Callable) -> Callable:
        @wraps(render)
        def layout(**query):
            as_of = view_as_of(query.pop("as_of", None))
            try:
                return render(current_warehouse(), as_of, **query)
            except WarehouseMissing:
                return [components.page_heading(heading), components.no_data_notice()]
            except WarehouseError:
                log.exception("%s: warehouse unreadable", heading)
                return [components.page_heading(heading), components.unreadable_notice()]

        return layout

    return wrap


def entity_title(lookup: Callable[[Warehouse, str], str | None]) -> Callable[..., str]:
    """A page title function: `<name> – Shared Outcomes`, or `Not found – …` for an unknown id."""
    def title(**path) -> str:
        ident = read_id(next(iter(path.values()), ""))
        try:
            name = lookup(current_warehouse(), ident) if ident else None
        except WarehouseError:
            name = None
        return f"{name or 'Not found'} – {current_settings().title}"

    return title


def as_of_parts(as_of: AsOf, path: str) -> list:
    """The notice about the as-of month, when there is one to give."""
    found = components.as_of_notice(as_of, path)
    return [found] if found is not None else []
