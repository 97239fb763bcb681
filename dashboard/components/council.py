"""The council page: its header and one card per objective."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dash import html

from ..formatting import (
    format_period,
)
from ..series import records
from ..summaries import Summary
from ..urls import AsOf
from . import tags
from .chips import _link, _small, _text, org_link, status_chip
from .frame import notice
from .pieces import chart_summary, graph, rollup_counts, target_text, value_text

# --- council page ----------------------------------------------------------------------------


def council_header(council: Mapping, members: pd.DataFrame, as_of: AsOf | None = None) -> html.Div:
    facts = []
    if _text(council.get("chair")):
        facts.append(tags.P([tags.Span("Chair: ", className="fw-semibold"), council["chair"]], className="mb-2"))
    orgs = [
        tags.Li(org_link(m["id"], m["name"], m["colour_index"], as_of), className="member") for m in records(members)
    ]
    facts.append(
        tags.Div(
            [
                tags.H2("Member organisations", className="h6 mb-2"),
                tags.Ul(orgs, className="member-list list-unstyled mb-0") if orgs else _small("No members listed"),
            ],
        )
    )
    return tags.Div(facts, className="council-facts mb-4")


def objective_card(
    objective: Mapping,
    number: str,
    measure: Mapping | None,
    summary: Summary | None,
    rollup,
    figure: dict | None,
    as_of: AsOf | None = None,
) -> html.Div:
    """An objective on its council's page: lead, status, headline sparkline with target, counts."""
    head = tags.Div(
        [
            tags.Span(number, className="objective-number"),
            tags.H3(
                _link("objective", objective["objective_id"], objective["objective_name"], as_of=as_of),
                className="h5 mb-0",
            ),
        ],
        className="d-flex gap-2 mb-2",
    )
    lead = tags.Div(
        [
            tags.Span("Lead: ", className="text-body-secondary"),
            org_link(objective["lead_id"], objective["lead_name"], objective["lead_colour_index"], as_of),
        ]
        if _text(objective.get("lead_id"))
        else _small("No lead organisation"),
        className="small mb-2",
    )
    body = [
        head,
        lead,
        tags.Div([status_chip(rollup.status), tags.Div(rollup.reason, className="small mt-1")], className="mb-2"),
    ]
    if measure is None or summary is None:
        body.append(_small("No headline measure is defined for this objective yet."))
    else:
        latest = (
            f"{value_text(measure, summary.latest_value)} in "
            f"{format_period(summary.latest_period, measure['frequency'])}"
            if summary.latest_period
            else "No figures yet"
        )
        body.append(
            tags.Div(
                [
                    tags.Div(
                        ["Headline: ", _link("measure", measure["id"], measure["name"], as_of=as_of)], className="small"
                    ),
                    tags.Div(latest, className="card-latest"),
                    _small(f"Target {target_text(measure)}"),
                ]
            )
        )
        if figure is not None:
            body.append(graph(figure, panel=True, className="sparkline", summary=chart_summary(measure, summary)))
    body.append(rollup_counts(rollup.contributing))
    return tags.Div(tags.Div(body, className="objective-card h-100"), className="col")


def objective_cards(cards: list) -> html.Section:
    """The council's objectives as a grid of cards (or why there are none)."""
    body = (
        tags.Div(cards, className="row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3")
        if cards
        else notice("No objectives", "This council has no objectives defined yet.")
    )
    return tags.Section(
        [tags.H2("Objectives", className="h3 mt-4 mb-3", id="objectives-heading"), body],
        **{"aria-labelledby": "objectives-heading"},
    )


NOT_AGAINST_PLAN = ("no_target", "not_enough_data", "no_direction", "categorical")


def council_counts(rollups: dict) -> list[tuple[str, str]]:
    """The council's objectives by status (`rollups`: objective id -> Rollup), as summary figures; those not
    judged yet (as at a month before the first judgement) counted apart, where there are any."""
    statuses = [r.status for r in rollups.values()]
    return [
        ("Objectives", f"{len(statuses):,}"),
        ("On track", f"{statuses.count('on_track'):,}"),
        ("At risk", f"{statuses.count('at_risk'):,}"),
        ("Off track", f"{statuses.count('off_track'):,}"),
        # not judged against a plan: no target, not enough data, no direction of good, categorical
        ("Not judged against a plan", f"{sum(statuses.count(s) for s in NOT_AGAINST_PLAN):,}"),
    ] + ([("Not judged yet", f"{statuses.count('not_judged'):,}")] if "not_judged" in statuses else [])
