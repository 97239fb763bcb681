"""Search: suggestions as one types, and the results page."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from .. import urls
from ..urls import AsOf
from . import tags
from .chips import _small, _text, href
from .frame import notice

# --- search ----------------------------------------------------------------------------------


SEARCH_KINDS = {"council": "Council", "org": "Organisation", "objective": "Objective", "measure": "Measure"}


def search_suggestions(results: pd.DataFrame, text: str, as_of: AsOf | None = None) -> html.Div | None:
    """The first few matches under the search box, and a link to all of them."""
    if not text:
        return None
    if results.empty:
        return tags.Div(
            tags.P(f"Nothing found for “{text[:60]}”.", className="small mb-0 p-2"), className="suggestions-panel"
        )
    items = [
        tags.Li(
            dcc.Link(
                [tags.Span(SEARCH_KINDS[r["kind"]], className="suggestion-kind"), r["name"]],
                href=href(r["kind"], r["id"], as_of),
                className="suggestion",
            )
        )
        for r in results.head(8).to_dict("records")
    ]
    more = dcc.Link(f"All results for “{text[:60]}”", href=urls.search_href(text, as_of), className="small p-2 d-block")
    return tags.Div([tags.Ul(items, className="list-unstyled mb-0"), more], className="suggestions-panel")


def search_results(results: pd.DataFrame, text: str, as_of: AsOf | None = None) -> list:
    if not text.strip():
        return [notice("Search", "Type a word or two from the name or description of a measure, objective, "
                                 "council or organisation.")]
    if results.empty:
        return [notice(f"Nothing found for “{text[:60]}”", "Check the spelling, or try fewer or shorter words.")]
    sections = []
    for kind, word in SEARCH_KINDS.items():
        rows = results[results.kind == kind]
        if rows.empty:
            continue
        items = [
            tags.Li(
                [
                    dcc.Link(r["name"], href=href(kind, r["id"], as_of), className="fw-semibold"),
                    _small(_text(r.get("context"))) if _text(r.get("context")) else None,
                ],
                className="mb-2",
            )
            for r in rows.to_dict("records")
        ]
        sections.append(
            tags.Section(
                [tags.H2(f"{word}s ({len(rows)})", className="h4"), tags.Ul(items, className="list-unstyled")],
                className="mb-4",
            )
        )
    return sections
