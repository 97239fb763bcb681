"""The objective page: the lead, the headline, every partner's measures side by side."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dash import dcc, html

from .. import figures
from ..formatting import (
    format_period,
)
from ..series import records
from ..summaries import Summary
from ..urls import AsOf
from . import tags
from .chips import _link, _small, _text, badge, href, org_link, status_chip, swatch
from .pieces import (
    chart_summary,
    freshness_block,
    graph,
    latest_block,
    measure_badges,
    radio_group,
    rollup_counts,
    source_line,
    stat,
    status_block,
    summary_change,
    table,
    target_text,
    value_text,
)

# --- objective page --------------------------------------------------------------------------


def objective_header(lead: Mapping | None, rollup, as_of: AsOf | None = None) -> html.Div:
    parts = []
    if lead is not None:
        parts.append(
            tags.P(
                [
                    tags.Span("Accountable lead: ", className="fw-semibold"),
                    org_link(lead["org_id"], lead["org_name"], lead["colour_index"], as_of),
                    *([" — ", lead["responsibility"]] if _text(lead.get("responsibility")) else []),
                ],
                className="mb-2",
            )
        )
    parts.append(
        tags.Div(
            [
                tags.Span("Objective status: ", className="fw-semibold me-1"),
                status_chip(rollup.status),
                tags.Span(rollup.reason, className="ms-2 small"),
            ],
            className="mb-1",
        )
    )
    parts.append(rollup_counts(rollup.contributing))
    return tags.Div(parts, className="mb-4")


def headline_numbers(measure: Mapping, summary: Summary) -> html.Div:
    """Latest value, change, target and status of the headline measure, as big-number cards."""
    plan_now = summary.status.plan
    target_detail = (
        f"Plan for {format_period(summary.status.period, measure['frequency'])}: {value_text(measure, plan_now)}"
        if plan_now is not None and summary.status.period
        else None
    )
    return tags.Div(
        [
            stat("Latest", latest_block(measure, summary)),
            stat("Change on the period before", summary_change(measure, summary)),
            stat("Final target", tags.Div(target_text(measure), className="figure-text fw-bold"), target_detail),
            stat("Status against plan", status_block(summary.status)),
        ],
        className="row row-cols-1 row-cols-sm-2 row-cols-lg-4 g-3 mb-3 stats",
    )


def headline_section(measure: Mapping, summary: Summary, figure: dict, as_of: AsOf | None = None) -> html.Section:
    """The objective's headline measure: big numbers, then its chart against plan."""
    return tags.Section(
        [
            tags.H2(
                ["Headline: ", dcc.Link(measure["name"], href=href("measure", measure["id"], as_of))],
                className="h3 mb-3",
                id="headline-heading",
            ),
            headline_numbers(measure, summary),
            graph(figure, graph_id="headline-chart", summary=chart_summary(measure, summary)),
            source_line(measure, summary),
        ],
        className="headline-section mb-5",
        **{"aria-labelledby": "headline-heading"},
    )


def window_caption(start, end) -> str:
    """What the shared time axis of the small multiples covers, and how to read them."""
    return (
        f"Every chart shows {start:%B %Y} to {end:%B %Y} on the same time axis, so that months line up across "
        "organisations. Dashed grey: the plan. Hollow points: provisional or estimated. Gaps: no figure."
    )


def panel_controls(start, end, windows: Mapping[str, str], value: str) -> html.Div:
    return tags.Div(
        [
            tags.P(window_caption(start, end), className="small text-body-secondary mb-2", id="panel-window-caption"),
            radio_group("Time shown", "panel-window", list(windows.items()), value),
        ],
        className="panel-controls mb-3",
    )


def measure_panel(measure: Mapping, summary: Summary, figure: dict, as_of: AsOf | None = None) -> html.Div:
    """One small multiple: the measure's name, tags, latest value and status, its chart."""
    latest = (
        f"{value_text(measure, summary.latest_value)} in {format_period(summary.latest_period, measure['frequency'])}"
        if summary.latest_period
        else "No figures yet"
    )
    warning = None
    if summary.freshness.state in ("late", "missing"):
        warning = tags.Div(summary.freshness.text, className="panel-warning small")
    return tags.Div(
        tags.Div(
            [
                tags.H4(_link("measure", measure["id"], measure["name"], as_of=as_of), className="panel-title"),
                tags.Div(
                    [tags.Span(latest, className="panel-latest me-1")]
                    + ([] if summary.status.status == "no_target" else [status_chip(summary.status.status)])
                    # lagging is the usual case: only what stands out is tagged on a small multiple
                    + [tag for tag in measure_badges(measure) if tag.children != "Lagging"],
                    className="panel-tags d-flex flex-wrap align-items-center gap-1",
                ),
                warning,
                graph(figure, graph_id={"type": "objective-panel", "measure": measure["id"]}, panel=True,
                      summary=chart_summary(measure, summary)),
            ],
            className="panel h-100",
        ),
        className="col",
    )


def partner_block(partner: Mapping, panels: list, as_of: AsOf | None = None) -> html.Section:
    """One organisation's row: who it is, its role and written responsibility, its panels."""
    heading_id = f"partner-{partner['org_id']}"
    role = "Lead" if partner.get("role") == "lead" else ("Contributor" if partner.get("role") else "Owner")
    head = tags.Div(
        [
            tags.H3(
                [swatch(partner["colour_index"]), _link("org", partner["org_id"], partner["org_name"], as_of=as_of)],
                className="h5 mb-1 partner-name",
                id=heading_id,
            ),
            tags.Div(
                [
                    badge(role, "strong" if role == "Lead" else "neutral"),
                    " ",
                    tags.Span(
                        _text(partner.get("responsibility"), "No responsibility written down."),
                        className="partner-responsibility",
                    ),
                ],
                className="partner-role",  # the text wraps under the badge: a block may be one panel wide
            ),
        ],
        className="partner-head",
    )
    body = (
        tags.Div(panels, className="partner-panels")
        if panels
        else _small("This organisation submits no measures for this objective.", "mt-2")
    )
    return tags.Section(
        [head, body],
        className="partner-block",
        # as wide as its panels need (site.css): organisations with a measure or two stand side by side
        style={"borderLeftColor": figures.org_colour(partner["colour_index"]), "--panels": str(max(len(panels), 1))},
        **{"aria-labelledby": heading_id},
    )


def partners_section(blocks: list, controls) -> html.Section:
    """Lead and contributors side by side: the window control, then one block per organisation, as many to a
    line as their panels leave room for."""
    return tags.Section(
        [tags.H2("Lead and contributors, side by side", className="h3 mb-2", id="partners-heading"), controls,
         tags.Div(blocks, className="partner-blocks")],
        className="partners-section",
        **{"aria-labelledby": "partners-heading"},
    )


OBJECTIVE_TABLE = [
    ("Measure", "col-measure"),
    ("Latest", "col-latest text-end"),
    ("Change on the period before", "col-change"),
    ("Change on a year earlier", "col-change"),
    ("Status", "col-status"),
    ("Data freshness", "col-fresh"),
]


def objective_measures_table(measures: pd.DataFrame, found: Mapping[str, Summary], as_of: AsOf | None = None):
    """Every measure of the objective with latest value, changes, status and freshness."""
    rows = []
    for m in records(measures):
        s = found[m["id"]]
        rows.append(
            tags.Tr(
                [
                    tags.Th(
                        [
                            _link("measure", m["id"], m["name"], "fw-semibold", as_of),
                            tags.Div([swatch(m["colour_index"]), _text(m.get("owner_name"))], className="small mt-1"),
                            tags.Div(measure_badges(m), className="mt-1"),
                        ],
                        scope="row",
                    ),
                    tags.Td(latest_block(m, s), className="text-end"),
                    tags.Td(summary_change(m, s)),
                    tags.Td(summary_change(m, s, on_year=True)),
                    tags.Td(status_block(s.status, small=True)),
                    tags.Td(freshness_block(s)),
                ]
            )
        )
    return table(OBJECTIVE_TABLE, rows, "Measures of this objective", "measures-table")


def measures_section(measures, found: Mapping[str, Summary], as_of: AsOf | None = None) -> html.Section:
    """Every measure of the objective in one table: latest, changes, status, freshness."""
    return tags.Section(
        [
            tags.H2("All measures of this objective", className="h3 mt-5 mb-3", id="measures-heading"),
            objective_measures_table(measures, found, as_of),
        ],
        **{"aria-labelledby": "measures-heading"},
    )
