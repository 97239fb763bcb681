"""Pure layout builders: data in (rows, plain values), Dash components out; no queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

import pandas as pd
from dash import dcc, html

from .formatting import (
    NO_DATA,
    change_judgement,
    direction_words,
    format_change,
    format_number,
    format_period,
    format_timestamp,
    format_value,
    is_missing,
)

__all__ = [
    "format_value",
    "STATUSES",
    "CHANGES",
    "href",
    "chip",
    "status_chip",
    "change_chip",
    "navbar",
    "footer",
    "page_shell",
    "page_heading",
    "notice",
    "no_data_notice",
    "unreadable_notice",
    "summary_figures",
    "goal_map_section",
    "objective_row",
]

# status (goal_councils.status) -> (icon, word, chip class); the icon and the word carry the
# meaning, colour only repeats it
STATUSES: dict[str, tuple[str, str, str]] = {
    "on_track": ("✓", "On track", "chip-good"),
    "at_risk": ("!", "At risk", "chip-warn"),
    "off_track": ("✕", "Off track", "chip-bad"),
    "no_target": ("–", "No target", "chip-neutral"),
    "not_enough_data": ("?", "Not enough data", "chip-neutral"),
    "target_met": ("✓", "Target met", "chip-good"),
    # the progress categories of the growth method (no milestones)
    "substantial": ("▲", "Substantial progress", "chip-good"),
    "moderate": ("△", "Moderate progress", "chip-warn"),
    "limited": ("▽", "Limited progress", "chip-bad"),
    "deterioration": ("▼", "Deterioration", "chip-bad"),
}

# change judgement -> (word, chip class); the icon is the arrow of the movement itself
CHANGES: dict[str, tuple[str, str]] = {
    "better": ("Better", "chip-good"),
    "worse": ("Worse", "chip-bad"),
    "same": ("No change", "chip-neutral"),
}

ROUTES = {
    "council": "/council/{}",
    "objective": "/objective/{}",
    "org": "/org/{}",
    "measure": "/measure/{}",
}


def href(kind: str, ident: str) -> str:
    """The stable link to a council, objective, organisation or measure page."""
    return ROUTES[kind].format(quote(str(ident), safe=""))


def _text(value, default: str = "") -> str:
    return default if is_missing(value) else str(value)


# --- chips ----------------------------------------------------------------------------------


def chip(icon: str, word: str, tone: str) -> html.Span:
    """A small label with an icon and a word; the icon is hidden from screen readers."""
    return html.Span(
        [html.Span(icon, className="chip-icon", **{"aria-hidden": "true"}), word],
        className=f"chip {tone}",
    )


def status_chip(status: str) -> html.Span:
    """On track / At risk / Off track / No target / Not enough data (and the progress words)."""
    icon, word, tone = STATUSES[status]
    return chip(icon, word, tone)


def change_chip(judgement: str, delta: float) -> html.Span:
    """Better / Worse / No change, with an arrow for which way the value moved."""
    word, tone = CHANGES[judgement]
    arrow = "→" if judgement == "same" else ("↑" if delta > 0 else "↓")
    return chip(arrow, word, tone)


# --- page frame -----------------------------------------------------------------------------


def navbar(title: str, links: Iterable[tuple[str, str]]) -> html.Header:
    """The product name and one link per page that asks to be in the navigation."""
    items = [html.Li(dcc.Link(name, href=path, className="nav-link"), className="nav-item") for name, path in links]
    return html.Header(
        html.Nav(
            html.Div(
                [
                    dcc.Link(title, href="/", className="navbar-brand fw-bold"),
                    html.Ul(items, className="navbar-nav flex-row gap-3"),
                ],
                className="container d-flex flex-wrap align-items-center justify-content-between",
            ),
            className="navbar navbar-dark site-header",
            **{"aria-label": "Main"},
        ),
    )


def footer(as_of: Mapping | None) -> html.Footer:
    """`Data as of <date>, latest period <period>`, or why there is no date yet."""
    if as_of is None or is_missing(as_of.get("received_at")):
        line = "No data has been published yet."
    else:
        period = format_period(as_of.get("period"), _text(as_of.get("frequency")) or None)
        line = f"Data as of {format_timestamp(as_of['received_at'])}, latest period {period}."
    return html.Footer(
        html.Div(
            [
                html.P(line, className="mb-1", id="data-as-of"),
                html.P(
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
    return html.Div(
        [
            html.A("Skip to main content", href="#main", className="visually-hidden-focusable skip-link"),
            header,
            html.Main(content, id="main", className="container py-4", tabIndex="-1"),
            site_footer,
        ],
        className="d-flex flex-column min-vh-100",
    )


def page_heading(title: str, lead: str | None = None) -> html.Div:
    return html.Div(
        [html.H1(title, className="mb-2")] + ([html.P(lead, className="lead-text mb-0")] if lead else []),
        className="mb-4",
    )


def notice(title: str, body) -> html.Div:
    """A calm, boxed explanation of why a page has nothing to show."""
    return html.Div(
        [html.H2(title, className="h4"), html.P(body, className="mb-0")],
        className="notice my-4",
        role="status",
    )


def no_data_notice() -> html.Div:
    return notice(
        "No data yet",
        [
            "No data has been published yet. Load some with ",
            html.Code("outcomes demo"),
            " or ",
            html.Code("outcomes load"),
            ".",
        ],
    )


def unreadable_notice() -> html.Div:
    return notice(
        "Data unavailable",
        "The published data cannot be read just now. The figures will be back when the "
        "warehouse is readable again; nothing has been lost.",
    )


# --- goal map -------------------------------------------------------------------------------


def summary_figures(items: Iterable[tuple[str, str]]) -> html.Dl:
    """A row of headline numbers: (label, value) pairs, read as a description list."""
    return html.Dl(
        [
            html.Div(
                [html.Dt(label, className="summary-label"), html.Dd(value, className="summary-value")],
                className="summary-item",
            )
            for label, value in items
        ],
        className="summary-figures mb-4",
    )


def _link(kind: str, ident, text: str, className: str = "") -> dcc.Link:
    return dcc.Link(text, href=href(kind, ident), className=className)


def _small(children, className: str = "") -> html.Div:
    return html.Div(children, className=f"small text-body-secondary {className}".strip())


def _value(row: Mapping, column: str) -> str:
    return format_value(
        row.get(column), row["unit"], row.get("decimals"), _text(row.get("unit_label")) or None, row.get("rate_per")
    )


def _figure(row: Mapping, column: str) -> html.Div:
    """A big figure; a unit written after the number (`days`, `per 100,000`) is set smaller."""
    text = _value(row, column)
    if is_missing(row.get(column)):
        return html.Div(text, className="figure-value text-body-secondary")
    number = format_number(row[column], row.get("decimals"))
    if text.startswith(number + " "):
        return html.Div([number, html.Span(text[len(number) :], className="figure-unit")], className="figure-value")
    return html.Div(text, className="figure-value")


def _latest_cell(row: Mapping) -> html.Td:
    if is_missing(row.get("latest_period")):
        return html.Td(
            [html.Div(NO_DATA, className="figure-value text-body-secondary"), _small("Nothing submitted yet")],
            className="text-end",
        )
    parts = [_figure(row, "latest_value"), _small(format_period(row["latest_period"], row["frequency"]))]
    if not is_missing(row.get("latest_status")):
        parts.append(_small(str(row["latest_status"]).capitalize(), "fst-italic"))
    return html.Td(parts, className="text-end")


def _change_cell(row: Mapping) -> html.Td:
    delta = row.get("change")
    judgement = change_judgement(delta, row["direction"], row.get("decimals"))
    if judgement is None:
        only_one = is_missing(row.get("previous_period")) and not is_missing(row.get("latest_value"))
        reason = "No earlier period to compare" if only_one else "Not enough data"
        return html.Td(_small(reason))
    words = format_change(
        delta, row["unit"], row.get("decimals"), _text(row.get("unit_label")) or None, row.get("rate_per")
    )
    since = format_period(row["previous_period"], row["frequency"])
    sentence = f"{words} since {since}" if judgement != "same" else f"Same as {since}"
    return html.Td([change_chip(judgement, delta), _small(sentence, "mt-1")])


def _target_cell(row: Mapping) -> html.Td:
    if is_missing(row.get("target_value")):
        return html.Td(_small("No target set"))
    target = f"{_value(row, 'target_value')} by {format_period(row['target_period'], row['frequency'])}"
    parts = [html.Div(target, className="figure-text")]
    if not is_missing(row.get("baseline_value")):
        base = _value(row, "baseline_value")
        parts.append(_small(f"From {base} in {format_period(row['baseline_period'], row['frequency'])}"))
    return html.Td(parts)


def objective_row(row: Mapping, number: str) -> html.Tr:
    """One objective: who leads it, its headline measure, latest value, change and target."""
    statement = _text(row.get("objective_statement"))
    objective = html.Th(
        html.Div(
            [
                html.Span(number, className="objective-number"),
                html.Div(
                    [_link("objective", row["objective_id"], row["objective_name"], "fw-semibold")]
                    + ([_small(statement, "mt-1")] if statement else [])
                ),
            ],
            className="d-flex",
        ),
        scope="row",
    )
    lead = html.Td(_link("org", row["lead_id"], row["lead_name"]) if _text(row.get("lead_id")) else "")
    if is_missing(row.get("measure_id")):
        return html.Tr(
            [objective, lead, html.Td(_small("No headline measure is defined for this objective yet."), colSpan=4)]
        )
    frequency = str(row["frequency"]).replace("_", " ").capitalize()
    measure = html.Td(
        [
            _link("measure", row["measure_id"], row["measure_name"]),
            _small(f"{direction_words(row['direction'])} · {frequency}", "mt-1"),
        ]
    )
    return html.Tr([objective, lead, measure, _latest_cell(row), _change_cell(row), _target_cell(row)])


COLUMNS = [
    ("Objective", "col-objective"),
    ("Lead organisation", "col-lead"),
    ("Headline measure", "col-measure"),
    ("Latest", "col-latest text-end"),
    ("Change", "col-change"),
    ("Target", "col-target"),
]


def goal_map_section(council: Mapping, objectives: pd.DataFrame, number: int) -> html.Section:
    """A council: its goal, chair, and a table of its objectives numbered `number.n`."""
    heading_id = f"council-{council['id']}"
    facts = [f"{len(objectives)} objective{'s' if len(objectives) != 1 else ''}"]
    if _text(council.get("chair")):
        facts.insert(0, f"Chaired by {council['chair']}")
    header = html.Div(
        [
            html.H2(
                [
                    html.Span(f"{number}", className="council-number"),
                    " ",
                    _link("council", council["id"], council["name"]),
                ],
                id=heading_id,
                className="h3 mb-1",
            ),
            html.P(_text(council.get("goal")), className="council-goal mb-1") if _text(council.get("goal")) else None,
            _small(" · ".join(facts)),
        ],
        className="mb-3",
    )
    if objectives.empty:
        body = html.P("This council has no objectives defined yet.", className="text-body-secondary")
    else:
        rows = [objective_row(r, f"{number}.{i}") for i, r in enumerate(objectives.to_dict("records"), 1)]
        body = html.Div(
            html.Table(
                [
                    html.Caption(f"Objectives of the {council['name']} council", className="visually-hidden"),
                    html.Thead(html.Tr([html.Th(name, scope="col", className=cls) for name, cls in COLUMNS])),
                    html.Tbody(rows),
                ],
                className="table goal-table align-top mb-0",
            ),
            className="table-responsive",
        )
    return html.Section([header, body], className="council-section", **{"aria-labelledby": heading_id})
