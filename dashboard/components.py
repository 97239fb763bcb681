"""Pure layout builders: data in (rows, plain values), Dash components out; no queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit

import pandas as pd
from dash import dcc, html

from goal_councils.status import StatusResult

from . import figures, urls
from .formatting import (
    NO_DATA,
    change_judgement,
    direction_words,
    flag_words,
    format_change,
    format_date,
    format_number,
    format_period,
    format_timestamp,
    format_value,
    frequency_word,
    is_missing,
)
from .series import records, rows_of
from .summaries import Summary, share
from .urls import AsOf

__all__ = [
    "format_value",
    "STATUSES",
    "CHANGES",
    "href",
    "chip",
    "status_chip",
    "change_chip",
    "badge",
    "swatch",
    "org_link",
    "navbar",
    "search_box",
    "as_of_picker",
    "month_option",
    "footer",
    "status_glance",
    "status_counts",
    "no_judgements_notice",
    "data_as_of_line",
    "page_shell",
    "page_heading",
    "breadcrumbs",
    "notice",
    "no_data_notice",
    "unreadable_notice",
    "as_of_notice",
    "not_found",
    "summary_figures",
    "graph",
    "graph_style",
    "radio_group",
    "table",
    "stat",
    "value_text",
    "target_text",
    "source_line",
    "measure_badges",
    "status_block",
    "change_block",
    "latest_block",
    "freshness_block",
    "rollup_counts",
    "objective_row",
    "goal_map_section",
    "council_header",
    "objective_card",
    "objective_cards",
    "objective_header",
    "headline_numbers",
    "headline_section",
    "window_caption",
    "panel_controls",
    "measure_panel",
    "partner_block",
    "partners_section",
    "objective_measures_table",
    "measures_section",
    "org_title",
    "safe_url",
    "org_header",
    "submission_summary",
    "roles_table",
    "submission_strip",
    "submissions_table",
    "timeliness_section",
    "measure_tags",
    "measure_numbers",
    "breakdown_controls",
    "observations_table",
    "data_details",
    "download_buttons",
    "definition_list",
    "definition_section",
    "search_suggestions",
    "search_results",
]

# --- statuses, chips and links ---------------------------------------------------------------


# status (goal_councils.status) -> (icon, word, chip class); the icon and the word carry the
# meaning, colour only repeats it
STATUSES: dict[str, tuple[str, str, str]] = {
    "on_track": ("✓", "On track", "chip-good"),
    "at_risk": ("!", "At risk", "chip-warn"),
    "off_track": ("✕", "Off track", "chip-bad"),
    "no_target": ("–", "No target", "chip-neutral"),
    "not_enough_data": ("?", "Not enough data", "chip-neutral"),
    "not_judged": ("·", "Not judged", "chip-neutral"),
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
    "up": ("Up", "chip-neutral"),  # demand: neither good nor bad
    "down": ("Down", "chip-neutral"),
}


def href(kind: str, ident: str = "", as_of: AsOf | None = None) -> str:
    """The stable link to a council, objective, organisation or measure page, keeping the
    as-of month."""
    return urls.href(kind, ident, as_of)


def _text(value, default: str = "") -> str:
    return default if is_missing(value) else str(value)


def _link(kind: str, ident, text: str, className: str = "", as_of: AsOf | None = None) -> dcc.Link:
    return dcc.Link(text, href=href(kind, ident, as_of), className=className)


def _small(children, className: str = "") -> html.Div:
    return html.Div(children, className=f"small text-body-secondary {className}".strip())


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


def badge(text: str, tone: str = "neutral", title: str | None = None) -> html.Span:
    """A quiet label: `Leading indicator`, `Headline`, `Internal`."""
    return html.Span(text, className=f"tag tag-{tone}", **({"title": title} if title else {}))


def swatch(colour_index) -> html.Span:
    """A small square in an organisation's colour (decorative: the name says who it is)."""
    return html.Span(
        className="org-swatch", style={"backgroundColor": figures.org_colour(colour_index)}, **{"aria-hidden": "true"}
    )


def org_link(org_id, name, colour_index, as_of: AsOf | None = None, className: str = "") -> html.Span:
    return html.Span(
        [swatch(colour_index), _link("org", org_id, _text(name, str(org_id)), as_of=as_of)],
        className=f"org-link {className}".strip(),
    )


# --- the frame around every page -------------------------------------------------------------


def navbar(title: str, links: Iterable[tuple[str, str]], months: Sequence[str] | None = None) -> html.Header:
    """The product name, one link per page that asks to be in the navigation, the search box
    and the "as of" picker (when there are months to pick from). Links carry pattern ids so
    that one callback keeps the as-of month on them."""
    items = [
        html.Li(
            dcc.Link(name, href=path, className="nav-link", id={"type": "nav-link", "name": name, "path": path}),
            className="nav-item",
        )
        for name, path in links
    ]
    tools = [] if months is None else [search_box(), as_of_picker(months)]
    return html.Header(
        html.Nav(
            html.Div(
                [
                    dcc.Link(
                        title,
                        href="/",
                        className="navbar-brand fw-bold",
                        id={"type": "nav-link", "name": "", "path": "/"},
                    ),
                    html.Ul(items, className="navbar-nav flex-row gap-3 me-auto"),
                    *tools,
                ],
                className="container d-flex flex-wrap align-items-center gap-3",
            ),
            className="navbar navbar-dark site-header",
            **{"aria-label": "Main"},
        ),
    )


def search_box() -> html.Div:
    """Search by name: suggestions appear as you type; Enter opens every result."""
    return html.Div(
        [
            html.Label(
                "Search measures, objectives and organisations", htmlFor="site-search", className="visually-hidden"
            ),
            dcc.Input(
                id="site-search",
                type="search",
                placeholder="Search by name",
                debounce=0.3,
                autoComplete="off",
                maxLength=100,
                className="form-control site-search-input",
            ),
            html.Div(id="search-suggestions", className="search-suggestions", **{"aria-live": "polite"}),
        ],
        className="site-search",
        role="search",
    )


def as_of_picker(months: Sequence[str]) -> html.Div:
    """The month whose end every page shows the figures as at; newest first, "Latest" on top."""
    options = [{"label": "Latest figures", "value": urls.LATEST}] + [month_option(m) for m in months]
    return html.Div(
        [
            html.Label("Figures as at", htmlFor="as-of-picker", className="as-of-label"),
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
    return html.Footer(
        html.Div(
            [
                html.P(data_as_of_line(as_of), className="mb-1", id="data-as-of"),
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


def breadcrumbs(items: Sequence[tuple[str, str | None]]) -> html.Nav:
    """Goal map › council › objective › measure: (label, href) pairs, the last one the page itself."""
    crumbs = []
    for i, (label, link) in enumerate(items):
        last = i == len(items) - 1
        body = label if last or link is None else dcc.Link(label, href=link)
        crumbs.append(
            html.Li(
                body,
                className="breadcrumb-item" + (" active" if last else ""),
                **({"aria-current": "page"} if last else {}),
            )
        )
    return html.Nav(html.Ol(crumbs, className="breadcrumb mb-3"), **{"aria-label": "Breadcrumb"})


def notice(title: str, body) -> html.Div:
    """A calm, boxed explanation of why a page has nothing to show."""
    return html.Div(
        [html.H2(title, className="h4"), html.P(body, className="mb-0")],
        className="notice my-4",
        role="status",
    )


def no_judgements_notice(first_judged) -> html.Div:
    """Judgements are made when data is published; none stood at the date asked for."""
    if first_judged is None:
        return notice("Not judged yet", ["Statuses, signals and forecasts are made when data is published; "
                                         "none have been made yet. Run ", html.Code("outcomes judge"), "."])
    return notice("Not judged then", f"Statuses, signals and forecasts are made when data is published; the "
                                     f"first were made on {format_timestamp(first_judged)}. Pick a later month "
                                     "to see them.")


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


def as_of_notice(as_of: AsOf, latest_href: str) -> html.Div | None:
    """Says when the page shows past figures, or why the month asked for was not used."""
    if as_of.problem:
        return html.Div(
            [html.Strong("Month not recognised. "), as_of.problem], className="as-of-notice notice-warn", role="status"
        )
    if not as_of.month:
        return None
    return html.Div(
        [
            html.Strong(f"Figures as they stood at {as_of.words}. "),
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


# --- pieces every page uses ------------------------------------------------------------------


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


def graph(figure: dict, *, graph_id=None, panel: bool = False, className: str = "") -> dcc.Graph:
    """A chart with the app's config: no logo; small multiples without a mode bar."""
    kwargs = {"id": graph_id} if graph_id is not None else {}
    return dcc.Graph(
        figure=figure,
        config=figures.PANEL_CONFIG if panel else figures.CONFIG,
        className=f"chart {className}".strip(),
        style=graph_style(figure),
        **kwargs,
    )


def graph_style(figure: dict) -> dict:
    """The chart element as tall as its figure: a responsive graph fills its element, so the
    element needs the height (a callback that returns a taller figure returns this too)."""
    height = figure.get("layout", {}).get("height") or 450
    return {"height": f"{height}px"}


def radio_group(label: str, group_id: str, options: Sequence[tuple[str, str]], value: str) -> html.Div:
    """A labelled row of radio buttons (the label names the group for screen readers)."""
    label_id = f"{group_id}-label"
    return html.Div(
        [
            html.Div(label, className="form-label fw-semibold mb-1", id=label_id),
            html.Div(
                dcc.RadioItems(
                    id=group_id,
                    options=[{"label": f" {text}", "value": key} for key, text in options],
                    value=value,
                    inline=True,
                    inputClassName="form-check-input me-1",
                    labelClassName="form-check-label me-3",
                ),
                role="radiogroup",
                **{"aria-labelledby": label_id},
            ),
        ]
    )


def table(columns: Sequence[tuple[str, str]], rows: list, caption: str, className: str = "") -> html.Div:
    """An accessible table: a caption, header cells with scope, horizontal scroll on a phone."""
    return html.Div(
        html.Table(
            [
                html.Caption(caption, className="visually-hidden"),
                html.Thead(html.Tr([html.Th(name, scope="col", className=cls) for name, cls in columns])),
                html.Tbody(rows),
            ],
            className=f"table data-table align-top mb-0 {className}".strip(),
        ),
        className="table-responsive",
    )


def stat(label: str, children, detail=None) -> html.Div:
    """A big-number card: label, the figure, a line of detail."""
    body = [html.Div(label, className="stat-label"), html.Div(children, className="stat-body")]
    if detail is not None:
        body.append(html.Div(detail, className="stat-detail small"))
    return html.Div(html.Div(body, className="stat h-100"), className="col")


def value_text(measure: Mapping, value) -> str:
    return format_value(
        value,
        measure["unit"],
        measure.get("decimals"),
        _text(measure.get("unit_label")) or None,
        measure.get("rate_per"),
    )


def target_text(measure: Mapping) -> str:
    if is_missing(measure.get("target_value")):
        return "No target set"
    when = format_period(measure["target_period"], measure["frequency"])
    return f"{value_text(measure, measure['target_value'])} by {when}"


def source_line(measure: Mapping, summary: Summary | None = None) -> html.P:
    """`Source: …. Last updated 10 November 2026.` under a chart."""
    parts = []
    if _text(measure.get("source")):
        parts.append(f"Source: {measure['source']}.")
    if summary is not None and summary.last_received is not None:
        parts.append(f"Last updated {format_date(summary.last_received)}.")
    return html.P(" ".join(parts), className="chart-source small")


def measure_badges(measure: Mapping) -> list[html.Span]:
    tags = []
    if measure.get("role") == "headline":
        tags.append(badge("Headline", "strong"))
    if measure.get("timing") == "leading":
        tags.append(badge("◆ Leading indicator", "leading", "Moves before the outcome: an early warning"))
    else:
        tags.append(badge("Lagging", "neutral", "Shows the outcome after the event"))
    if not bool(measure.get("published", True)):
        tags.append(badge("Internal", "neutral", "Not shown on public pages"))
    return tags


def status_block(status: StatusResult, *, small: bool = False) -> html.Div:
    """The status chip and, under it, the reason in words (unless the chip says it all)."""
    reason = None if status.status == "no_target" else html.Div(status.reason, className="status-reason small mt-1")
    return html.Div([status_chip(status.status), reason], className="status-block" + (" status-small" if small else ""))


def change_block(measure: Mapping, delta, since_period, *, what: str = "since") -> html.Div:
    """Better / Worse chip with the change in words, or why there is no change to show."""
    judgement = change_judgement(delta, measure["direction"], measure.get("decimals"), measure.get("demand"))
    if judgement is None:
        if is_missing(since_period):
            return _small("Not enough data")
        return _small(f"No figure for {format_period(since_period, measure['frequency'])} to compare")
    words = format_change(
        delta,
        measure["unit"],
        measure.get("decimals"),
        _text(measure.get("unit_label")) or None,
        measure.get("rate_per"),
    )
    since = format_period(since_period, measure["frequency"])
    sentence = f"{words} {what} {since}" if judgement != "same" else f"Same as {since}"
    return html.Div([change_chip(judgement, delta), _small(sentence, "mt-1")])


def latest_block(measure: Mapping, summary: Summary) -> html.Div:
    if summary.latest_period is None:
        return html.Div(
            [html.Div(NO_DATA, className="figure-value text-body-secondary"), _small("Nothing submitted yet")]
        )
    parts = [
        _figure({**measure, "v": summary.latest_value}, "v"),
        _small(format_period(summary.latest_period, measure["frequency"])),
    ]
    if summary.latest_flags:
        parts.append(_small(" · ".join(summary.latest_flags), "fst-italic"))
    return html.Div(parts)


FRESHNESS = {
    "on_time": ("✓", "On time", "chip-good"),
    "late": ("!", "Late", "chip-warn"),
    "missing": ("✕", "Missing", "chip-bad"),
    "not_due": ("–", "Not due yet", "chip-neutral"),
}


def freshness_block(summary: Summary) -> html.Div:
    """Whether the newest figure due came on time, late or not at all, and the year's record."""
    f = summary.freshness
    icon, word, tone = FRESHNESS[f.state]
    parts = [chip(icon, word, tone), html.Div(f.text, className="small mt-1")]
    if f.late_in_window:
        parts.append(_small(f"{f.late_in_window} of the last {f.due_in_window} due arrived late"))
    if summary.last_received is not None and (f.received is None or summary.last_received.date() != f.received.date()):
        parts.append(_small(f"Last submission {format_date(summary.last_received, short=True)}"))
    return html.Div(parts)


def rollup_counts(counts: Mapping[str, int]) -> html.Div:
    """`Contributing measures: 3 on track · 1 at risk · 2 off track · 1 without a target`."""
    order = [
        ("on_track", "on track"),
        ("at_risk", "at risk"),
        ("off_track", "off track"),
        ("no_target", "without a target"),
        ("not_enough_data", "without enough data"),
    ]
    total = sum(counts.values())
    if not total:
        return _small("No contributing measures")
    shown = [f"{counts[k]} {word}" for k, word in order if counts.get(k)]
    return _small(f"{total} contributing measure{'s' if total != 1 else ''}: " + " · ".join(shown), "rollup-counts")


# --- goal map --------------------------------------------------------------------------------


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
    judgement = change_judgement(delta, row["direction"], row.get("decimals"), row.get("demand"))
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


def objective_row(row: Mapping, number: str, as_of: AsOf | None = None) -> html.Tr:
    """One objective: who leads it, its headline measure, latest value, change and target."""
    statement = _text(row.get("objective_statement"))
    objective = html.Th(
        html.Div(
            [
                html.Span(number, className="objective-number"),
                html.Div(
                    [_link("objective", row["objective_id"], row["objective_name"], "fw-semibold", as_of)]
                    + ([_small(statement, "mt-1")] if statement else [])
                ),
            ],
            className="d-flex",
        ),
        scope="row",
    )
    lead = html.Td(_link("org", row["lead_id"], row["lead_name"], as_of=as_of) if _text(row.get("lead_id")) else "")
    if is_missing(row.get("measure_id")):
        return html.Tr(
            [objective, lead, html.Td(_small("No headline measure is defined for this objective yet."), colSpan=5)]
        )
    frequency = str(row["frequency"]).replace("_", " ").capitalize()
    measure = html.Td(
        [
            _link("measure", row["measure_id"], row["measure_name"], as_of=as_of),
            _small(f"{direction_words(row['direction'])} · {frequency}", "mt-1"),
        ]
    )
    return html.Tr([objective, lead, measure, _status_cell(row), _latest_cell(row), _change_cell(row),
                    _target_cell(row)])


def _status_cell(row: Mapping) -> html.Td:
    if is_missing(row.get("status")):
        return html.Td(_small("Not judged yet"))
    return html.Td([status_chip(row["status"]), _small(_text(row.get("reason")), "mt-1")], className="goal-status")


# a council's objectives at a glance, worst first: (rag, word) as the status chips say it
GLANCE = [("off_track", "off track"), ("at_risk", "at risk"), ("on_track", "on track"),
          ("no_target", "no target"), ("not_enough_data", "not enough data"), ("not_judged", "not judged")]


def status_counts(objectives: pd.DataFrame) -> html.P:
    """`3 off track · 2 at risk · 3 on track · 1 no target`, each with its chip."""
    rags = objectives["rag"].fillna("not_judged") if "rag" in objectives else pd.Series(dtype=object)
    parts = [html.Span([status_chip(rag), f" {int((rags == rag).sum())}"], className="me-3 text-nowrap",
                       title=f"{int((rags == rag).sum())} objective(s) {word}")
             for rag, word in GLANCE if (rags == rag).any()]
    return html.P(parts, className="status-counts mb-2", **{"aria-label": "Objectives by status"})


def status_glance(councils: Sequence[Mapping], objectives: pd.DataFrame) -> html.Section:
    """Every council's objectives by status in one small table, so the reds show without scrolling."""
    head = html.Thead(html.Tr([html.Th("Council", scope="col"), html.Th("Objectives by status", scope="col")]))
    rows = [html.Tr([html.Th([html.Span(f"{n} ", className="council-number"),
                              html.A(c["name"], href=f"#council-{c['id']}")], scope="row"),
                     html.Td(status_counts(objectives[objectives.council_id == c["id"]]))])
            for n, c in enumerate(councils, 1)]
    return html.Section([html.H2("At a glance", className="h4", id="glance-heading"),
                         html.Table([head, html.Tbody(rows)], className="glance-table mb-4", id="status-glance")],
                        **{"aria-labelledby": "glance-heading"})


COLUMNS = [
    ("Objective", "col-objective"),
    ("Lead organisation", "col-lead"),
    ("Headline measure", "col-measure"),
    ("Status against plan", "col-status"),
    ("Latest", "col-latest text-end"),
    ("Change", "col-change"),
    ("Target", "col-target"),
]


def goal_map_section(
    council: Mapping, objectives: pd.DataFrame, number: int, as_of: AsOf | None = None
) -> html.Section:
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
                    _link("council", council["id"], council["name"], as_of=as_of),
                ],
                id=heading_id,
                className="h3 mb-1",
            ),
            html.P(_text(council.get("goal")), className="council-goal mb-1") if _text(council.get("goal")) else None,
            _small(" · ".join(facts)),
            status_counts(objectives),
        ],
        className="mb-3",
    )
    if objectives.empty:
        body = html.P("This council has no objectives defined yet.", className="text-body-secondary")
    else:
        rows = [objective_row(r, f"{number}.{i}", as_of) for i, r in enumerate(records(objectives), 1)]
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


# --- council page ----------------------------------------------------------------------------


def council_header(council: Mapping, members: pd.DataFrame, as_of: AsOf | None = None) -> html.Div:
    facts = []
    if _text(council.get("chair")):
        facts.append(html.P([html.Span("Chair: ", className="fw-semibold"), council["chair"]], className="mb-2"))
    orgs = [
        html.Li(org_link(m["id"], m["name"], m["colour_index"], as_of), className="member") for m in records(members)
    ]
    facts.append(
        html.Div(
            [
                html.H2("Member organisations", className="h6 mb-2"),
                html.Ul(orgs, className="member-list list-unstyled mb-0") if orgs else _small("No members listed"),
            ],
        )
    )
    return html.Div(facts, className="council-facts mb-4")


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
    head = html.Div(
        [
            html.Span(number, className="objective-number"),
            html.H3(
                _link("objective", objective["objective_id"], objective["objective_name"], as_of=as_of),
                className="h5 mb-0",
            ),
        ],
        className="d-flex gap-2 mb-2",
    )
    lead = html.Div(
        [
            html.Span("Lead: ", className="text-body-secondary"),
            org_link(objective["lead_id"], objective["lead_name"], objective["lead_colour_index"], as_of),
        ]
        if _text(objective.get("lead_id"))
        else _small("No lead organisation"),
        className="small mb-2",
    )
    body = [
        head,
        lead,
        html.Div([status_chip(rollup.status), html.Div(rollup.reason, className="small mt-1")], className="mb-2"),
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
            html.Div(
                [
                    html.Div(
                        ["Headline: ", _link("measure", measure["id"], measure["name"], as_of=as_of)], className="small"
                    ),
                    html.Div(latest, className="card-latest"),
                    _small(f"Target {target_text(measure)}"),
                ]
            )
        )
        if figure is not None:
            body.append(graph(figure, panel=True, className="sparkline"))
    body.append(rollup_counts(rollup.contributing))
    return html.Div(html.Div(body, className="objective-card h-100"), className="col")


def objective_cards(cards: list) -> html.Section:
    """The council's objectives as a grid of cards (or why there are none)."""
    body = (
        html.Div(cards, className="row row-cols-1 row-cols-md-2 row-cols-xl-3 g-3")
        if cards
        else notice("No objectives", "This council has no objectives defined yet.")
    )
    return html.Section(
        [html.H2("Objectives", className="h3 mt-4 mb-3", id="objectives-heading"), body],
        **{"aria-labelledby": "objectives-heading"},
    )


# --- objective page --------------------------------------------------------------------------


def objective_header(lead: Mapping | None, rollup, as_of: AsOf | None = None) -> html.Div:
    parts = []
    if lead is not None:
        parts.append(
            html.P(
                [
                    html.Span("Accountable lead: ", className="fw-semibold"),
                    org_link(lead["org_id"], lead["org_name"], lead["colour_index"], as_of),
                    *([" — ", lead["responsibility"]] if _text(lead.get("responsibility")) else []),
                ],
                className="mb-2",
            )
        )
    parts.append(
        html.Div(
            [
                html.Span("Objective status: ", className="fw-semibold me-1"),
                status_chip(rollup.status),
                html.Span(rollup.reason, className="ms-2 small"),
            ],
            className="mb-1",
        )
    )
    parts.append(rollup_counts(rollup.contributing))
    return html.Div(parts, className="mb-4")


def headline_numbers(measure: Mapping, summary: Summary) -> html.Div:
    """Latest value, change, target and status of the headline measure, as big-number cards."""
    plan_now = summary.status.plan
    target_detail = (
        f"Plan for {summary.status.period}: {value_text(measure, plan_now)}"
        if plan_now is not None and summary.status.period
        else None
    )
    return html.Div(
        [
            stat("Latest", latest_block(measure, summary)),
            stat("Change on the period before", change_block(measure, summary.change, summary.previous_period)),
            stat("Final target", html.Div(target_text(measure), className="figure-text fw-bold"), target_detail),
            stat("Status against plan", status_block(summary.status)),
        ],
        className="row row-cols-1 row-cols-sm-2 row-cols-lg-4 g-3 mb-3 stats",
    )


def headline_section(measure: Mapping, summary: Summary, figure: dict, as_of: AsOf | None = None) -> html.Section:
    """The objective's headline measure: big numbers, then its chart against plan."""
    return html.Section(
        [
            html.H2(
                ["Headline: ", dcc.Link(measure["name"], href=href("measure", measure["id"], as_of))],
                className="h3 mb-3",
                id="headline-heading",
            ),
            headline_numbers(measure, summary),
            graph(figure, graph_id="headline-chart"),
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
    return html.Div(
        [
            html.P(window_caption(start, end), className="small text-body-secondary mb-2", id="panel-window-caption"),
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
        warning = html.Div(summary.freshness.text, className="panel-warning small")
    return html.Div(
        html.Div(
            [
                html.H4(_link("measure", measure["id"], measure["name"], as_of=as_of), className="panel-title"),
                html.Div(
                    [html.Span(latest, className="panel-latest me-1")]
                    + ([] if summary.status.status == "no_target" else [status_chip(summary.status.status)])
                    # lagging is the usual case: only what stands out is tagged on a small multiple
                    + [tag for tag in measure_badges(measure) if tag.children != "Lagging"],
                    className="panel-tags d-flex flex-wrap align-items-center gap-1",
                ),
                warning,
                graph(figure, graph_id={"type": "objective-panel", "measure": measure["id"]}, panel=True),
            ],
            className="panel h-100",
        ),
        className="col",
    )


def partner_block(partner: Mapping, panels: list, as_of: AsOf | None = None) -> html.Section:
    """One organisation's row: who it is, its role and written responsibility, its panels."""
    heading_id = f"partner-{partner['org_id']}"
    role = "Lead" if partner.get("role") == "lead" else ("Contributor" if partner.get("role") else "Owner")
    head = html.Div(
        [
            html.H3(
                [swatch(partner["colour_index"]), _link("org", partner["org_id"], partner["org_name"], as_of=as_of)],
                className="h5 mb-1 partner-name",
                id=heading_id,
            ),
            html.Div(
                [
                    badge(role, "strong" if role == "Lead" else "neutral"),
                    html.Span(
                        _text(partner.get("responsibility"), "No responsibility written down."),
                        className="partner-responsibility",
                    ),
                ],
                className="d-flex gap-2 align-items-baseline",
            ),
        ],
        className="partner-head",
    )
    body = (
        html.Div(
            panels,
            className="partner-panels row row-cols-1 row-cols-sm-2 row-cols-lg-4 row-cols-xl-5 row-cols-xxl-6 g-2",
        )
        if panels
        else _small("This organisation submits no measures for this objective.", "mt-2")
    )
    return html.Section(
        [head, body],
        className="partner-block",
        style={"borderLeftColor": figures.org_colour(partner["colour_index"])},
        **{"aria-labelledby": heading_id},
    )


def partners_section(blocks: list, controls) -> html.Section:
    """Lead and contributors side by side: the window control, then one block per organisation."""
    return html.Section(
        [html.H2("Lead and contributors, side by side", className="h3 mb-2", id="partners-heading"), controls, *blocks],
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
            html.Tr(
                [
                    html.Th(
                        [
                            _link("measure", m["id"], m["name"], "fw-semibold", as_of),
                            html.Div([swatch(m["colour_index"]), _text(m.get("owner_name"))], className="small mt-1"),
                            html.Div(measure_badges(m), className="mt-1"),
                        ],
                        scope="row",
                    ),
                    html.Td(latest_block(m, s), className="text-end"),
                    html.Td(change_block(m, s.change, s.previous_period)),
                    html.Td(change_block(m, s.change_on_year, s.year_ago_period)),
                    html.Td(status_block(s.status, small=True)),
                    html.Td(freshness_block(s)),
                ]
            )
        )
    return table(OBJECTIVE_TABLE, rows, "Measures of this objective", "measures-table")


def measures_section(measures, found: Mapping[str, Summary], as_of: AsOf | None = None) -> html.Section:
    """Every measure of the objective in one table: latest, changes, status, freshness."""
    return html.Section(
        [
            html.H2("All measures of this objective", className="h3 mt-5 mb-3", id="measures-heading"),
            objective_measures_table(measures, found, as_of),
        ],
        **{"aria-labelledby": "measures-heading"},
    )


# --- organisation page -----------------------------------------------------------------------


def org_title(org: Mapping) -> html.H1:
    """The organisation's name, with the square of its colour."""
    return html.H1([swatch(org.get("colour_index")), org["name"]], className="mb-2 org-title")


def safe_url(url) -> str | None:
    """An organisation's web address, only when it is a plain http(s) link."""
    text = _text(url)
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else None


def org_header(org: Mapping) -> html.Div:
    kind = _text(org.get("kind")).replace("_", " ")
    parts = [html.Span(kind.capitalize(), className="me-3")] if kind else []
    url = safe_url(org.get("url"))
    if url:
        parts.append(html.A("Website", href=url, rel="noopener noreferrer", target="_blank"))
    return html.Div(parts, className="mb-3 text-body-secondary")


def submission_summary(due_records: list[dict]) -> list[tuple[str, str]]:
    due = len(due_records)
    counts = {state: sum(1 for r in due_records if r["state"] == state) for state in ("on_time", "late", "missing")}
    return [
        ("Figures due in the last year", f"{due:,}"),
        ("On time", f"{counts['on_time']:,} ({share(counts['on_time'], due)})"),
        ("Late", f"{counts['late']:,} ({share(counts['late'], due)})"),
        ("Missing", f"{counts['missing']:,} ({share(counts['missing'], due)})"),
    ]


ROLE_TABLE = [
    ("Objective", "col-objective"),
    ("Council", "col-council"),
    ("Role and responsibility", "col-role"),
    ("Objective status", "col-status"),
]


def roles_table(objectives: pd.DataFrame, statuses: Mapping[str, object], as_of: AsOf | None = None):
    """The objectives an organisation leads or contributes to, across councils."""
    rows = []
    for o in records(objectives):
        role = "Lead" if o["partner_role"] == "lead" else "Contributor"
        rollup = statuses.get(o["objective_id"])
        rows.append(
            html.Tr(
                [
                    html.Th(
                        _link("objective", o["objective_id"], o["objective_name"], "fw-semibold", as_of), scope="row"
                    ),
                    html.Td(_link("council", o["council_id"], o["council_name"], as_of=as_of)),
                    html.Td(
                        [
                            badge(role, "strong" if role == "Lead" else "neutral"),
                            html.Div(_text(o.get("partner_responsibility")), className="small mt-1"),
                        ]
                    ),
                    html.Td(status_block(rollup, small=True) if rollup is not None else _small("No headline measure")),
                ]
            )
        )
    return table(ROLE_TABLE, rows, "Objectives this organisation takes part in", "roles-table")


RECORD_SYMBOLS = {"on_time": ("✓", "on time"), "late": ("!", "late"), "missing": ("✕", "missing")}


def submission_strip(records: list[dict], frequency: str) -> html.Ol:
    """The figures due in the last year, oldest first, each marked on time / late / missing."""
    items = []
    for r in records:
        symbol, word = RECORD_SYMBOLS[r["state"]]
        when = f"arrived {format_date(r['received'])}" if r["received"] is not None else "not received"
        text = f"{format_period(r['period'], frequency)}: {word} (due {format_date(r['due'])}, {when})"
        items.append(
            html.Li(
                html.Span(symbol, **{"aria-hidden": "true"}),
                className=f"strip-{r['state']}",
                title=text,
                **{"aria-label": text},
            )
        )
    return html.Ol(items, className="submission-strip")


SUBMISSION_TABLE = [
    ("Measure", "col-measure"),
    ("Latest", "col-latest text-end"),
    ("Status", "col-status"),
    ("Last year's submissions, oldest first", "col-strip"),
    ("Newest figure due", "col-fresh"),
]


def submissions_table(
    measures: pd.DataFrame | list[dict], found: Mapping[str, Summary], due: Mapping[str, list[dict]], as_of=None
):
    """The measures an organisation submits: latest value, status and its submission record."""
    rows = []
    for m in records(measures):
        s = found[m["id"]]
        mine = due.get(m["id"], [])
        late = sum(1 for r in mine if r["state"] == "late")
        missing = sum(1 for r in mine if r["state"] == "missing")
        tally = f"{len(mine) - late - missing} on time, {late} late, {missing} missing" if mine else "Nothing due"
        rows.append(
            html.Tr(
                [
                    html.Th(
                        [
                            _link("measure", m["id"], m["name"], "fw-semibold", as_of),
                            _small(f"{m['objective_name']} · {frequency_word(m['frequency']).capitalize()}", "mt-1"),
                        ],
                        scope="row",
                    ),
                    html.Td(latest_block(m, s), className="text-end"),
                    html.Td(status_block(s.status, small=True)),
                    html.Td([submission_strip(mine, m["frequency"]), _small(tally, "mt-1")]),
                    html.Td(freshness_block(s)),
                ]
            )
        )
    return table(SUBMISSION_TABLE, rows, "Measures this organisation submits", "submissions-table")


def timeliness_section(org: Mapping, due: list[dict], figure: dict) -> html.Section:
    """How on time an organisation's figures have been over the last year: a sentence, a chart."""
    total = len(due)
    late = sum(1 for r in due if r["state"] == "late")
    missing = sum(1 for r in due if r["state"] == "missing")
    on_time = total - late - missing
    if total:
        sentence = (
            f"In the last year {total:,} figures from {org['name']} fell due: {on_time:,} arrived on time "
            f"({share(on_time, total)}), {late:,} late ({share(late, total)}) and {missing:,} not at all."
        )
    else:
        sentence = f"No figures from {org['name']} fell due in the last year."
    return html.Section(
        [
            html.H2("How on time its submissions have been", className="h3 mt-4 mb-2", id="timeliness-heading"),
            html.P(sentence, className="lead-text", id="timeliness-sentence"),
            graph(figure, graph_id="submissions-chart"),
            html.P(
                "A figure is due a set number of days after its period ends (each measure's definition says how "
                "many). It is late when the first submission carrying it arrived after that date.",
                className="chart-source small",
            ),
        ],
        **{"aria-labelledby": "timeliness-heading"},
    )


# --- measure page ----------------------------------------------------------------------------


def measure_tags(measure: Mapping, as_of: AsOf | None = None) -> html.Div:
    """Under a measure's name: who submits it, and its tags."""
    return html.Div(
        [
            org_link(measure["owner_id"], measure["owner_name"], measure["colour_index"], as_of, "me-3"),
            *measure_badges(measure),
        ],
        className="d-flex flex-wrap align-items-center gap-2 mb-4",
    )


def measure_numbers(measure: Mapping, summary: Summary) -> html.Div:
    return html.Div(
        [
            stat("Latest", latest_block(measure, summary)),
            stat("Change on the period before", change_block(measure, summary.change, summary.previous_period)),
            stat("Change on a year earlier", change_block(measure, summary.change_on_year, summary.year_ago_period)),
            stat("Status against plan", status_block(summary.status)),
            stat("Data freshness", freshness_block(summary)),
        ],
        className="row row-cols-1 row-cols-sm-2 row-cols-lg-5 g-3 mb-4 stats",
    )


def breakdown_controls(dimensions: Sequence[str], value: str = "", view: str = "lines") -> html.Div:
    """Which breakdown to show, and as lines on one chart or one small multiple per group (kept
    in the page but hidden when the measure declares no breakdowns)."""
    options = [{"label": "Total only", "value": ""}] + [
        {"label": f"By {d.replace('_', ' ')}", "value": d} for d in dimensions
    ]
    controls = html.Div(
        [
            html.Div(
                [
                    html.Label("Breakdown", htmlFor="breakdown-picker", className="form-label fw-semibold mb-1"),
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
    return html.Div([controls, _small(note, "mb-2")])


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
        rows = [
            html.Tr(
                [
                    html.Th(format_period(every[i].period, frequency), scope="row"),
                    html.Td(_cell_value(measure, every[i]), className="text-end"),
                    html.Td(" · ".join(flag_words(every[i].status, every[i].revised))),
                    html.Td(format_date(received[i], short=True)),
                    html.Td(_text(notes[i])),
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
            tds.append(html.Td(text, className="text-end"))
        rows.append(html.Tr([html.Th(format_period(period, frequency), scope="row"), *tds]))
    return table(columns, rows, f"Figures for {measure['name']} by group, newest first", "observations-table")


def data_details(measure: Mapping, frame: pd.DataFrame, groups: Sequence[str] = ()) -> html.Details:
    """ "Show the data behind the chart": the table, folded away until asked for."""
    return html.Details(
        [
            html.Summary("Show the data behind the chart"),
            html.Div(observations_table(measure, frame, groups), id="measure-table"),
        ],
        className="data-details",
        id="measure-data",
    )


def _group_words(breakdown: str) -> str:
    """`region=North|sex=Female` -> `Region: North, sex: Female`."""
    parts = [p.split("=", 1) for p in str(breakdown).split("|") if p]
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in parts).capitalize() if parts else "Total"


def download_buttons() -> html.Div:
    return html.Div(
        [
            html.Button("Download CSV", id="download-csv", className="btn btn-outline-primary btn-sm me-2", n_clicks=0),
            html.Button("Download JSON", id="download-json", className="btn btn-outline-primary btn-sm", n_clicks=0),
            html.Span(" of exactly the figures shown", className="small text-body-secondary ms-2"),
            dcc.Download(id="measure-download"),
        ],
        className="downloads my-3",
    )


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
    unit = measure["unit"] + (f" ({measure['unit_label']})" if _text(measure.get("unit_label")) else "")
    items = [
        ("Description", _text(measure.get("description"), "No description written down.")),
        ("Unit", f"{unit}, {int(measure['decimals'])} decimal place{'s' if int(measure['decimals']) != 1 else ''}"),
        ("Direction", direction_words(measure["direction"])),
        ("Frequency", frequency_word(measure["frequency"]).capitalize()),
        ("Owner", org_link(measure["owner_id"], measure["owner_name"], measure["colour_index"], as_of)),
        ("Source", _text(measure.get("source"), "Not stated")),
        ("Leading or lagging", "Leading indicator" if measure.get("timing") == "leading" else "Lagging"),
        ("Kind", str(measure.get("kind", "")).capitalize()),
        ("Role", "Headline measure of the objective" if measure.get("role") == "headline" else "Contributing measure"),
        ("Breakdowns", ", ".join(d.replace("_", " ") for d in dimensions) or "None"),
        ("Due", f"{int(measure.get('due_days') or 0)} days after each period ends"),
        ("Baseline", baseline or "None"),
        ("Milestones", plan_words or "None"),
        ("Final target", target_text(measure)),
        ("Published", "Yes" if measure.get("published") else "No: internal, never on public pages"),
    ]
    if not is_missing(measure.get("tolerance")):
        tolerance = measure["tolerance"]
        if measure["unit"] == "percent":
            size = format_number(tolerance, measure.get("decimals") or 0) + " percentage points"
        else:
            size = value_text(measure, tolerance)
        items.insert(-1, ("Tolerance", f"{size} either side of the plan before a measure is off track"))
    return html.Dl(
        [html.Div([html.Dt(k), html.Dd(v)], className="definition-item") for k, v in items],
        className="definition-list",
    )


def definition_section(measure: Mapping, dimensions: Sequence[str], points: Mapping, as_of: AsOf | None = None):
    return html.Section(
        [
            html.H2("Definition", className="h3 mt-5 mb-3", id="definition-heading"),
            definition_list(measure, dimensions, points, as_of),
        ],
        **{"aria-labelledby": "definition-heading"},
    )


# --- search ----------------------------------------------------------------------------------


SEARCH_KINDS = {"council": "Council", "org": "Organisation", "objective": "Objective", "measure": "Measure"}


def search_suggestions(results: pd.DataFrame, text: str, as_of: AsOf | None = None) -> html.Div | None:
    """The first few matches under the search box, and a link to all of them."""
    if not text:
        return None
    if results.empty:
        return html.Div(
            html.P(f"Nothing found for “{text[:60]}”.", className="small mb-0 p-2"), className="suggestions-panel"
        )
    items = [
        html.Li(
            dcc.Link(
                [html.Span(SEARCH_KINDS[r["kind"]], className="suggestion-kind"), r["name"]],
                href=href(r["kind"], r["id"], as_of),
                className="suggestion",
            )
        )
        for r in results.head(8).to_dict("records")
    ]
    more = dcc.Link(f"All results for “{text[:60]}”", href=urls.search_href(text, as_of), className="small p-2 d-block")
    return html.Div([html.Ul(items, className="list-unstyled mb-0"), more], className="suggestions-panel")


def search_results(results: pd.DataFrame, text: str, as_of: AsOf | None = None) -> list:
    if not text.strip():
        return [notice("Search", "Type part of the name of a measure, objective, council or organisation.")]
    if results.empty:
        return [notice(f"Nothing found for “{text[:60]}”", "Check the spelling, or try fewer or shorter words.")]
    sections = []
    for kind, word in SEARCH_KINDS.items():
        rows = results[results.kind == kind]
        if rows.empty:
            continue
        items = [
            html.Li(
                [
                    dcc.Link(r["name"], href=href(kind, r["id"], as_of), className="fw-semibold"),
                    _small(_text(r.get("context"))) if _text(r.get("context")) else None,
                ],
                className="mb-2",
            )
            for r in rows.to_dict("records")
        ]
        sections.append(
            html.Section(
                [html.H2(f"{word}s ({len(rows)})", className="h4"), html.Ul(items, className="list-unstyled")],
                className="mb-4",
            )
        )
    return sections
