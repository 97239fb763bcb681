"""The measure page: tags, numbers, breakdown controls, the data table and the definition."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from dash import dcc, html

from goal_councils.assess import no_figure_months
from goal_councils.categories import categories_of
from goal_councils.definitions import MONTH_NAMES
from goal_councils.periods import MONTHS_PER_PERIOD

from .. import figures
from ..formatting import (
    direction_words,
    flag_words,
    format_date,
    format_number,
    format_period,
    frequency_word,
    is_missing,
    unit_words,
)
from ..series import rows_of
from ..summaries import Summary
from ..urls import AsOf
from . import tags
from .chips import _small, _text, element, org_link
from .pieces import (
    freshness_block,
    latest_block,
    measure_badges,
    radio_group,
    stat,
    status_block,
    summary_change,
    table,
    target_text,
    value_text,
)

# --- measure page ----------------------------------------------------------------------------


def measure_tags(measure: Mapping, as_of: AsOf | None = None) -> html.Div:
    """Under a measure's name: who submits it, and its tags."""
    return tags.Div(
        [
            org_link(measure["owner_id"], measure["owner_name"], measure["colour_index"], as_of, "me-3"),
            *measure_badges(measure),
        ],
        className="d-flex flex-wrap align-items-center gap-2 mb-4",
    )


def measure_numbers(measure: Mapping, summary: Summary) -> html.Div:
    """The measure's numbers in cards: latest, its changes, status and freshness. A measure counted once a
    year has one change card: the period before is the year before."""
    if MONTHS_PER_PERIOD.get(measure["frequency"]) == 12:
        changes = [stat("Change on the year before", summary_change(measure, summary, on_year=True))]
    else:
        changes = [stat("Change on the period before", summary_change(measure, summary)),
                   stat("Change on a year earlier", summary_change(measure, summary, on_year=True))]
    cards = [stat("Latest", latest_block(measure, summary)), *changes,
             stat("Status against plan", status_block(summary.status)),
             stat("Data freshness", freshness_block(summary))]
    return tags.Div(cards, className=f"row row-cols-1 row-cols-sm-2 row-cols-lg-{len(cards)} g-3 mb-4 stats")


def breakdown_controls(dimensions: Sequence[str], value: str = "", view: str = "lines") -> html.Div:
    """Which breakdown to show, and as lines on one chart or one small multiple per group (kept
    in the page but hidden when the measure declares no breakdowns)."""
    options = [{"label": "Total only", "value": ""}] + [
        {"label": f"By {d.replace('_', ' ')}", "value": d} for d in dimensions
    ]
    controls = tags.Div(
        [
            tags.Div(
                [
                    tags.Label("Breakdown", htmlFor="breakdown-picker", className="form-label fw-semibold mb-1"),
                    dcc.Dropdown(
                        id="breakdown-picker",
                        options=options,
                        value=value,
                        clearable=False,
                        searchable=False,
                        className="breakdown-dropdown",
                    ),
                ],
                className="me-4",
            ),
            radio_group(
                "Show groups as",
                "breakdown-view",
                [("lines", "One line per group"), ("panels", "A small chart per group")],
                view,
            ),
        ],
        className="breakdown-controls d-flex flex-wrap align-items-end gap-2 mb-2" + ("" if dimensions else " d-none"),
    )
    words = ", ".join(d.replace("_", " ") for d in dimensions)
    note = f"Figures are also submitted by {words}." if dimensions else "This measure declares no breakdowns."
    return tags.Div([controls, _small(note, "mb-2")])


OBSERVATION_TABLE = [
    ("Period", "col-period"),
    ("Value", "col-value text-end"),
    ("Flags", "col-flags"),
    ("Received", "col-received"),
    ("Note", "col-note"),
]


def _cell_value(measure: Mapping, row) -> str:
    if row is None:
        return "No figure"
    if row.value is None:
        return "Suppressed" if row.status == "suppressed" else "No figure"
    return value_text(measure, row.value)


def observations_table(measure: Mapping, frame: pd.DataFrame, groups: Sequence[str] = ()) -> html.Div:
    """The data behind the chart, newest period first. The total alone: value, flags, when it
    arrived and the submitter's note; by a breakdown: one column per group. Suppressed values
    and periods with no figure are said in words, never shown as zero."""
    if not len(frame):
        return _small("No figures have been submitted for this measure yet.")
    frequency = measure["frequency"]
    every = rows_of(frame)
    if not groups:
        received, notes = frame["received_at"].tolist(), frame["note"].tolist()
        order = sorted(range(len(every)), key=lambda i: every[i].start, reverse=True)
        # made with `element` (the same components without Dash's per-argument checks): a long
        # series is thousands of cells
        rows = [
            element(
                html.Tr,
                [
                    element(html.Th, format_period(every[i].period, frequency), scope="row"),
                    element(html.Td, _cell_value(measure, every[i]), className="text-end"),
                    element(html.Td, " · ".join(flag_words(every[i].status, every[i].revised))),
                    element(html.Td, format_date(received[i], short=True)),
                    element(html.Td, _text(notes[i])),
                ]
            )
            for i in order
        ]
        return table(OBSERVATION_TABLE, rows, f"Figures for {measure['name']}, newest first", "observations-table")
    by_period: dict = {}
    for key, group, row in zip(frame["breakdown"].tolist(), frame["grp"].tolist(), every, strict=True):
        by_period.setdefault((row.start, row.period), {})["" if not key else group] = row
    columns = [("Period", "col-period"), ("Total", "text-end")] + [(g, "text-end") for g in groups]
    rows = []
    for (_, period), cells in sorted(by_period.items(), reverse=True):
        tds = []
        for key in ["", *groups]:
            row = cells.get(key)
            flags = flag_words(row.status, row.revised) if row is not None and row.value is not None else []
            text = _cell_value(measure, row) + (f" ({', '.join(f.lower() for f in flags)})" if flags else "")
            tds.append(element(html.Td, text, className="text-end"))
        rows.append(element(html.Tr, [element(html.Th, format_period(period, frequency), scope="row"), *tds]))
    return table(columns, rows, f"Figures for {measure['name']} by group, newest first", "observations-table")


def data_details(measure: Mapping, frame: pd.DataFrame, groups: Sequence[str] = ()) -> html.Details:
    """ "Show the data behind the chart": the table, folded away until asked for."""
    return tags.Details(
        [
            tags.Summary("Show the data behind the chart"),
            tags.Div(observations_table(measure, frame, groups), id="measure-table"),
        ],
        className="data-details",
        id="measure-data",
    )


def _group_words(breakdown: str) -> str:
    """`region=North|sex=Female` -> `Region: North, sex: Female`."""
    parts = [p.split("=", 1) for p in str(breakdown).split("|") if p]
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in parts).capitalize() if parts else "Total"


def download_buttons() -> html.Div:
    return tags.Div(
        [
            tags.Button("Download CSV", id="download-csv", className="btn btn-outline-primary btn-sm me-2", n_clicks=0),
            tags.Button("Download JSON", id="download-json", className="btn btn-outline-primary btn-sm", n_clicks=0),
            tags.Span(" of exactly the figures shown", className="small text-body-secondary ms-2"),
            dcc.Download(id="measure-download"),
        ],
        className="downloads my-3",
    )


def no_figure_words(value) -> str | None:
    """A measure's months with no figure (its `no_figure_in`, as stored) in words: "No figure for August,
    so none is due then"; None when it declares none. The static site says the same."""
    names = [MONTH_NAMES[m - 1] for m in sorted(no_figure_months(value))]
    if not names:
        return None
    months = f"{', '.join(names[:-1])} and {names[-1]}" if len(names) > 1 else names[0]
    return f"No figure for {months}, so none is due then"


def definition_list(measure: Mapping, dimensions: Sequence[str], points: Mapping, as_of: AsOf | None = None):
    """The measure's definition: what it counts, how, who sends it, and its target."""
    milestones = points.get("milestones") or []
    frequency = measure["frequency"]
    plan_words = "; ".join(
        f"{value_text(measure, v)} by {format_period(figures.period_containing(frequency, d), frequency)}"
        for d, v in milestones
    )
    baseline = ""
    if not is_missing(measure.get("baseline_value")):
        baseline = (
            f"{value_text(measure, measure['baseline_value'])} in "
            f"{format_period(measure['baseline_period'], measure['frequency'])}"
        )
    unit = unit_words(measure["unit"], _text(measure.get("unit_label")) or None, measure.get("rate_per"))
    places = int(measure["decimals"])
    items = [
        ("Description", _text(measure.get("description"), "No description written down.")),
        ("Unit", f"{unit}, " + (f"{places} decimal place{'s' if places != 1 else ''}" if places else "whole numbers")),
        ("Direction", direction_words(measure["direction"])),
        ("Frequency", frequency_word(measure["frequency"]).capitalize()),
        ("Owner", org_link(measure["owner_id"], measure["owner_name"], measure["colour_index"], as_of)),
        ("Source", _text(measure.get("source"), "Not stated")),
        ("Leading or lagging", "Leading indicator" if measure.get("timing") == "leading" else "Lagging"),
        ("Kind", str(measure.get("kind", "")).capitalize()),
        ("Role", "Headline measure of the objective" if measure.get("role") == "headline" else "Contributing measure"),
        ("Breakdowns", ", ".join(d.replace("_", " ") for d in dimensions) or "None declared"),
        ("Due", f"{int(measure.get('due_days') or 0)} days after each period ends"),
        ("Baseline", baseline or "None set"),
        ("Milestones", plan_words or "None set"),
        ("Final target", target_text(measure)),
        ("Published", "Yes" if measure.get("published") else "No: internal, never on public pages"),
    ]
    labels = categories_of(measure.get("categories"))
    if labels:  # the codes are not amounts: no unit or decimals to speak of
        codes = "; ".join(f"{code} = {label}" for code, label in labels.items())
        items[1] = ("Categories", f"Each figure is a code: {codes}")
    no_figure = no_figure_words(measure.get("no_figure_in"))
    if no_figure:  # beside when figures are due
        items.insert(next(i for i, (k, _) in enumerate(items) if k == "Due") + 1, ("Months with no figure", no_figure))
    if not is_missing(measure.get("tolerance")):
        tolerance = measure["tolerance"]
        if measure["unit"] == "percent":
            size = format_number(tolerance, measure.get("decimals") or 0) + " percentage points"
        else:
            size = value_text(measure, tolerance)
        items.insert(-1, ("Tolerance", f"{size} either side of the plan before a measure is off track"))
    elif milestones and not labels:  # judged against a trajectory: the default applies
        items.insert(-1, ("Tolerance", "None set: 5% of the plan value either side of the plan before a measure is "
                                       "off track (the methods page explains)"))
    if _text(measure.get("target_note")):  # where the target comes from (a saved workload plan says so)
        items.insert(items.index(("Final target", target_text(measure))) + 1,
                     ("About the target", tags.Span(_text(measure.get("target_note")), id="target-note")))
    return tags.Dl(
        [tags.Div([tags.Dt(k), tags.Dd(v)], className="definition-item") for k, v in items],
        className="definition-list",
    )


def definition_section(measure: Mapping, dimensions: Sequence[str], points: Mapping, as_of: AsOf | None = None):
    return tags.Section(
        [
            tags.H2("Definition", className="h3 mt-5 mb-3", id="definition-heading"),
            definition_list(measure, dimensions, points, as_of),
        ],
        **{"aria-labelledby": "definition-heading"},
    )
