"""The exceptions list: every exception grouped by objective, worst first, a page of objectives at a time."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html

from ..formatting import format_period
from ..series import records
from ..urls import AsOf, href, with_as_of
from . import tags
from .chips import element
from .frame import notice

__all__ = ["SEVERITY_WORDS", "LEGEND", "OPEN_FROM", "PAGE_GROUPS", "PAGE_ROWS", "severity_words", "read_page", "table",
           "groups_of", "pages_of", "shown_on"]

# severity (goal_councils/assess.py) in words; the legend under the heading says what raises each
SEVERITY_WORDS = {6: "Highest", 5: "High", 4: "Raised", 3: "Medium", 2: "Low"}
LEGEND = ("Highest: a headline measure off track. High: a measure off track. Raised: a missing submission or a "
          "variation signal on the worse side. Medium: a group diverging the wrong way, a forecast that misses the "
          "plan, or a headline at risk. Low: at risk, late or stale. A measure with no direction of good has no "
          "worse side and a categorical one no signals, groups or forecast, so they raise only status and data "
          "exceptions.")
OPEN_FROM = 5  # objectives with an exception this severe start open
# a page of the list holds whole objectives: at most PAGE_GROUPS, and no more once PAGE_ROWS exceptions
# are shown (a page's weight stays bounded however dense the exceptions); the CSV holds every one
PAGE_GROUPS, PAGE_ROWS = 25, 200


def severity_words(severity) -> str:
    return SEVERITY_WORDS.get(int(severity), "Low" if int(severity) < 2 else "Highest")


def read_page(value) -> int:
    """The page number from the address: a whole number from 1, else the first page."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    return int(text) if text.isdigit() and 0 < len(text) < 7 and int(text) > 0 else 1


def groups_of(rows: list[dict]) -> list[tuple[str, int, int]]:
    """(objective id, exceptions, worst severity) of exception rows listed most severe first: the
    objective with the most severe exception first, ties as their first exceptions stand (what
    published/sql/exception_groups.sql answers from the warehouse)."""
    found: dict[str, list[int]] = {}
    for r in rows:
        count_worst = found.setdefault(r["objective_id"], [0, int(r["severity"])])
        count_worst[0] += 1
        count_worst[1] = max(count_worst[1], int(r["severity"]))
    return sorted(((o, n, worst) for o, (n, worst) in found.items()), key=lambda g: -g[2])


def pages_of(groups: list[tuple[str, int, int]]) -> list[list[str]]:
    """The objectives on each page of the list: whole objectives, at most PAGE_GROUPS a page, and no more
    once PAGE_ROWS exceptions are shown (an objective with more than that is a page of its own)."""
    paged: list[list[str]] = [[]]
    shown = 0
    for objective_id, count, _ in groups:
        if paged[-1] and (len(paged[-1]) >= PAGE_GROUPS or shown + count > PAGE_ROWS):
            paged.append([])
            shown = 0
        paged[-1].append(objective_id)
        shown += count
    return paged


def shown_on(groups: pd.DataFrame, page: int) -> list[str]:
    """The objectives on page `page` of the list (the last page past its end), from the warehouse's groups
    (`Warehouse.exception_groups`): the only ones whose exceptions the page reads."""
    paged = pages_of(_as_groups(groups))
    return paged[min(max(page, 1), len(paged)) - 1]


def _as_groups(frame: pd.DataFrame) -> list[tuple[str, int, int]]:
    return list(zip(frame["objective_id"].tolist(), map(int, frame["exceptions"]), map(int, frame["worst"]),
                    strict=True))


def table(ex: pd.DataFrame, as_of: AsOf, page: int, filters: dict | None = None,
          groups: pd.DataFrame | None = None) -> html.Div:
    """The exceptions grouped by objective, worst objective first; each group folds away. Long
    lists are shown a page at a time (PAGE_GROUPS objectives, PAGE_ROWS exceptions at most), with
    links to the other pages (`?page=`). `groups`: every objective's count and worst severity
    (`Warehouse.exception_groups`), when `ex` holds only the rows of page `page` (`shown_on`)."""
    rows = records(ex)
    every = groups_of(rows) if groups is None else _as_groups(groups)
    if not every:
        return notice("Nothing needs attention", "No measure in this selection raises an exception.")
    head = tags.Thead(tags.Tr([tags.Th(h, scope="col") for h in ("Severity", "Rule", "Measure", "Owner", "Period",
                                                                 "Why")]))
    by_objective: dict[str, list[dict]] = {}
    for r in rows:  # already most severe first
        by_objective.setdefault(r["objective_id"], []).append(r)
    paged = pages_of(every)
    pages = len(paged)
    page = min(max(page, 1), pages)
    first = sum(len(p) for p in paged[:page - 1])
    out = []
    for objective_id in paged[page - 1]:
        mine = by_objective.get(objective_id)
        if not mine:  # not read (a publish between the two reads): left out rather than drawn empty
            continue
        worst = int(max(r["severity"] for r in mine))
        summary = tags.Summary([tags.Span(mine[0]["objective_name"], className="fw-semibold"),
                                f" — {len(mine)} exception{'s' if len(mine) != 1 else ''}, worst: "
                                f"{severity_words(worst)}"])
        # rows made with `element` (the same components without Dash's per-argument checks)
        body = tags.Tbody([element(html.Tr, [
            element(html.Td, f"{severity_words(r['severity'])} · {r['severity']}",
                    className=f"severity severity-{r['severity']}"),
            element(html.Td, r["rule_label"]),
            element(html.Td, element(dcc.Link, r["measure_name"], href=href("measure", r["measure_id"], as_of))),
            element(html.Td, element(dcc.Link, r["owner_name"], href=href("org", r["owner_id"], as_of))),
            element(html.Td, format_period(r["period"], r["frequency"]) if r["period"] else ""),
            element(html.Td, r["reason"]),
        ]) for r in mine])
        out.append(tags.Details([summary, tags.Div(tags.Table([head, body], className="table table-sm align-top"),
                                                   className="table-responsive")],
                                open=worst >= OPEN_FROM, className="exception-group"))
    total, count = len(every), sum(n for _, n, _ in every)
    shown = "" if pages == 1 else f" Showing objectives {first + 1:,}–{first + len(out):,}, page {page} of {pages}."
    summary_line = tags.P(f"{count:,} exception{'s' if count != 1 else ''} in {total:,} objective"
                          f"{'s' if total != 1 else ''}.{shown}", className="small", id="exc-count")
    return tags.Div([summary_line, *out, _pager(page, pages, as_of, filters or {})], id="exceptions-table")


def _pager(page: int, pages: int, as_of: AsOf, filters: dict) -> html.Nav | None:
    """Previous / page numbers / next, as links that keep the filters and the as-of month."""
    if pages == 1:
        return None

    def link(n: int, text: str, label: str) -> html.Li:
        here = n == page
        target = with_as_of("/exceptions", as_of, **filters, page=str(n) if n > 1 else "")
        inner = tags.Span(text, className="page-link") if here else dcc.Link(text, href=target, className="page-link")
        return tags.Li(inner, className="page-item active" if here else "page-item",
                       **({"aria-current": "page"} if here else {"aria-label": label}))

    near = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    items = [link(page - 1, "‹ Previous", "Previous page")] if page > 1 else []
    for i, n in enumerate(near):
        if i and n - near[i - 1] > 1:
            items.append(tags.Li(tags.Span("…", className="page-link"), className="page-item disabled"))
        items.append(link(n, str(n), f"Page {n}"))
    if page < pages:
        items.append(link(page + 1, "Next ›", "Next page"))
    return tags.Nav(tags.Ul(items, className="pagination pagination-sm flex-wrap"), id="exc-pager",
                    **{"aria-label": "Pages of the exceptions list"})


