"""The frame around every page: navigation bar, search, as-of picker, footer, headings, notices."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from dash import dcc, html

from .. import urls
from ..formatting import (
    format_period,
    format_timestamp,
    is_missing,
)
from ..urls import AsOf
from . import tags
from .chips import _text, href

# --- the frame around every page -------------------------------------------------------------


def navbar(title: str, links: Iterable[tuple[str, str]], months: Sequence[str] | None = None) -> html.Header:
    """The product name, one link per page that asks to be in the navigation, the search box
    and the "as of" picker (when there are months to pick from). Links carry pattern ids so
    that one callback keeps the as-of month on them."""
    items = [
        tags.Li(
            dcc.Link(name, href=path, className="nav-link", id={"type": "nav-link", "name": name, "path": path}),
            className="nav-item",
        )
        for name, path in links
    ]
    tools = [] if months is None else [search_box(), as_of_picker(months)]
    return tags.Header(
        tags.Nav(
            tags.Div(
                [
                    dcc.Link(
                        title,
                        href="/",
                        className="navbar-brand fw-bold",
                        id={"type": "nav-link", "name": "", "path": "/"},
                    ),
                    tags.Ul(items, className="navbar-nav flex-row gap-3 me-auto"),
                    *tools,
                ],
                className="container d-flex flex-wrap align-items-center gap-3",
            ),
            className="navbar navbar-dark site-header",
            **{"aria-label": "Main"},
        ),
    )


def search_box() -> html.Div:
    """Search by names, goals and descriptions (never ids): suggestions appear as you type; Enter opens every
    result."""
    return tags.Div(
        [
            tags.Label(
                "Search measures, objectives and organisations", htmlFor="site-search", className="visually-hidden"
            ),
            dcc.Input(
                id="site-search",
                type="search",
                placeholder="Search names, goals",
                debounce=0.3,
                autoComplete="off",
                maxLength=100,
                className="form-control site-search-input",
            ),
            tags.Div(id="search-suggestions", className="search-suggestions", **{"aria-live": "polite"}),
        ],
        className="site-search",
        role="search",
    )


def as_of_picker(months: Sequence[str], today: date | None = None) -> html.Div:
    """The month whose end every page shows the figures as at; newest first, "Latest" on top. Only months
    that have ended by `today` (None: the clock's) are offered: a month under way has no end to show yet."""
    ended = [m for m in months if urls.month_has_ended(m, today)]
    options = [{"label": "Latest figures", "value": urls.LATEST}] + [month_option(m) for m in ended]
    return tags.Div(
        [
            tags.Label("Figures as at", htmlFor="as-of-picker", className="as-of-label"),
            dcc.Dropdown(
                id="as-of-picker",
                options=options,
                value=urls.LATEST,
                clearable=False,
                searchable=False,
                className="as-of-dropdown",
            ),
        ],
        className="as-of d-flex align-items-center gap-2",
    )


def month_option(month: str) -> dict:
    """A picker option: `End of March 2026` for `2026-03`."""
    as_of = urls.read_as_of(month)
    return {"label": f"End of {as_of.month_start:%B %Y}" if as_of.month else month, "value": month}


def data_as_of_line(as_of: Mapping | None) -> str:
    """`Data as of <date>, latest period <period>`, or why there is no date yet."""
    if as_of is None or is_missing(as_of.get("received_at")):
        return "No data has been published yet."
    period = format_period(as_of.get("period"), _text(as_of.get("frequency")) or None)
    return f"Data as of {format_timestamp(as_of['received_at'])}, latest period {period}."


def footer(as_of: Mapping | None) -> html.Footer:
    """The site footer, with the data-as-of line (which follows the as-of month picked)."""
    return tags.Footer(
        tags.Div(
            [
                tags.P(data_as_of_line(as_of), className="mb-1", id="data-as-of"),
                tags.P(
                    "Figures are as each organisation submitted them. A later submission for the "
                    "same period replaces the earlier figure, which stays on record.",
                    className="mb-0 small text-body-secondary",
                ),
            ],
            className="container",
        ),
        className="site-footer mt-5 py-4",
    )


def page_shell(header: html.Header, content, site_footer: html.Footer) -> html.Div:
    """Skip link, header, the page's own content inside <main>, footer."""
    return tags.Div(
        [
            tags.A("Skip to main content", href="#main", className="visually-hidden-focusable skip-link"),
            header,
            tags.Main(content, id="main", className="container py-4", tabIndex="-1"),
            site_footer,
        ],
        className="d-flex flex-column min-vh-100",
    )


def page_heading(title: str, lead: str | None = None) -> html.Div:
    return tags.Div(
        [tags.H1(title, className="mb-2")] + ([tags.P(lead, className="lead-text mb-0")] if lead else []),
        className="mb-4",
    )


def breadcrumbs(items: Sequence[tuple[str, str | None]]) -> html.Nav:
    """Goal map › council › objective › measure: (label, href) pairs, the last one the page itself."""
    crumbs = []
    for i, (label, link) in enumerate(items):
        last = i == len(items) - 1
        body = label if last or link is None else dcc.Link(label, href=link)
        crumbs.append(
            tags.Li(
                body,
                className="breadcrumb-item" + (" active" if last else ""),
                **({"aria-current": "page"} if last else {}),
            )
        )
    return tags.Nav(tags.Ol(crumbs, className="breadcrumb mb-3"), **{"aria-label": "Breadcrumb"})


def notice(title: str, body) -> html.Div:
    """A calm, boxed explanation of why a page has nothing to show."""
    return tags.Div(
        [tags.H2(title, className="h4"), tags.P(body, className="mb-0")],
        className="notice my-4",
        role="status",
    )


def damaged_notice() -> html.Div:
    """Above every page while the newest published file cannot be read (published/reader.py answers
    from the version before it): say so, naming nothing of the server."""
    return tags.Div(
        [tags.Strong("The newest figures could not be read. "),
         "These pages show the figures published before them until they are published again; the "
         "problem is in the server's log."],
        className="alert alert-warning mb-3", role="status", id="damaged-notice",
    )


def no_judgements_notice(first_judged) -> html.Div:
    """Judgements are made when data is published; none stood at the date asked for."""
    if first_judged is None:
        return notice("Not judged yet", ["Statuses, signals and forecasts are made when data is published; "
                                         "none have been made yet. Run ", tags.Code("outcomes judge"), "."])
    return notice("Not judged then", f"Statuses, signals and forecasts are made when data is published; the "
                                     f"first were made on {format_timestamp(first_judged)}. Pick a later month "
                                     "to see them.")


def no_data_notice() -> html.Div:
    return notice(
        "No data yet",
        [
            "No data has been published yet. Load some with ",
            tags.Code("outcomes demo"),
            " or ",
            tags.Code("outcomes load"),
            ".",
        ],
    )


def unreadable_notice() -> html.Div:
    return notice(
        "Data unavailable",
        "The published data cannot be read just now. The figures will be back when the "
        "warehouse is readable again; nothing has been lost.",
    )


def as_of_notice(as_of: AsOf, latest_href: str) -> html.Div | None:
    """Says when the page shows past figures, or why the month asked for was not used."""
    if as_of.problem:
        title = "Month not over yet. " if isinstance(as_of, urls.NotEnded) else "Month not recognised. "
        return tags.Div([tags.Strong(title), as_of.problem], className="as-of-notice notice-warn", role="status")
    if not as_of.month:
        return None
    return tags.Div(
        [
            tags.Strong(f"Figures as they stood at {as_of.words}. "),
            "Later submissions and revisions are not shown. ",
            dcc.Link("Show the latest figures", href=latest_href),
        ],
        className="as-of-notice",
        role="status",
    )


KINDS = {"council": "council", "objective": "objective", "org": "organisation", "measure": "measure"}


def not_found(kind: str, ident, as_of: AsOf | None = None) -> list:
    """The page for an unknown id: what was asked for, and the way back."""
    word = KINDS.get(kind, kind)
    shown = str(ident)[:80]
    return [
        breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), ("Not found", None)]),
        page_heading("Page not found"),
        notice(
            f"No {word} with id “{shown}”",
            [
                f"There is no {word} with that id in the published data. It may have been renamed "
                "or removed from the definitions. ",
                dcc.Link("Go back to the goal map", href=href("goal_map", as_of=as_of)),
                ", or search for it by name.",
            ],
        ),
    ]
