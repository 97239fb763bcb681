"""Pieces every page uses: headline numbers, graphs, tables, status, change and freshness blocks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import dash_bootstrap_components as dbc
from dash import dcc, html

from goal_councils.categories import categories_of, code_of
from goal_councils.status import StatusResult

from .. import figures
from ..formatting import (
    NO_DATA,
    change_judgement,
    format_change,
    format_date,
    format_number,
    format_period,
    format_value,
    is_missing,
)
from ..summaries import Summary
from . import tags
from .chips import STATUSES, _small, _text, badge, change_chip, chip, element, status_chip

# --- pieces every page uses ------------------------------------------------------------------


def summary_figures(items: Iterable[tuple[str, str]]) -> html.Dl:
    """A row of headline numbers: (label, value) pairs, read as a description list."""
    return tags.Dl(
        [
            tags.Div(
                [tags.Dt(label, className="summary-label"), tags.Dd(value, className="summary-value")],
                className="summary-item",
            )
            for label, value in items
        ],
        className="summary-figures mb-4",
    )


def graph(
    figure: dict, *, graph_id=None, panel: bool = False, className: str = "", summary: str | None = None
) -> dcc.Graph | html.Figure:
    """A chart with the app's config: no logo; small multiples without a mode bar. `summary`: what
    the chart shows in words, for those who cannot see it (WCAG 1.1.1), as the caption of a <figure>
    around it; hidden from sight, because the figures it draws are shown beside it in words already."""
    kwargs = {"id": graph_id} if graph_id is not None else {}
    chart = dcc.Graph(
        figure=figure,
        config=figures.PANEL_CONFIG if panel else figures.CONFIG,
        className=f"chart {className}".strip(),
        style=graph_style(figure),
        **kwargs,
    )
    if summary is None:
        return chart
    return tags.Figure([chart, tags.Figcaption(summary, className="chart-summary visually-hidden")],
                       className="chart-figure mb-0")


def chart_summary(measure: Mapping, summary: Summary) -> str:
    """A measure's chart in one sentence: `Chart of Referrals received, Northfield, monthly: latest
    1,840 for February 2025, up 40 since January 2025; no target set. Every figure is in a table on
    the measure page.`"""
    title = figures.chart_title(measure)
    if summary.latest_period is None:
        return f"Chart of {title}: no figures have been published yet."
    frequency = measure["frequency"]
    said = f"latest {value_text(measure, summary.latest_value)} for {format_period(summary.latest_period, frequency)}"
    if summary.change is not None:  # none for a categorical measure
        words = format_change(summary.change, measure["unit"], measure.get("decimals"),
                              _text(measure.get("unit_label")) or None, measure.get("rate_per"))
        said += f", {words.lower()} since {format_period(summary.previous_period, frequency)}"
    target = "no target set" if is_missing(measure.get("target_value")) else f"target {target_text(measure)}"
    return f"Chart of {title}: {said}; {target}. Every figure is in a table on the measure page."


def graph_style(figure: dict) -> dict:
    """The chart element as tall as its figure: a responsive graph fills its element, so the
    element needs the height (a callback that returns a taller figure returns this too)."""
    height = figure.get("layout", {}).get("height") or 450
    return {"height": f"{height}px"}


def radio_group(label: str, group_id: str, options: Sequence[tuple[str, str]], value: str) -> html.Div:
    """A labelled row of radio buttons (the label names the group for screen readers). Native
    radios from dbc: Dash 4's dcc.RadioItems draws a listbox of options holding radios, which
    nests one control in another and leaves the listbox without a name (axe: serious)."""
    label_id = f"{group_id}-label"
    return tags.Div(
        [
            tags.Div(label, className="form-label fw-semibold mb-1", id=label_id),
            tags.Div(
                dbc.RadioItems(
                    id=group_id,
                    options=[{"label": text, "value": key} for key, text in options],
                    value=value,
                    inline=True,
                    name=group_id,
                    input_class_name="me-1",
                    label_class_name="me-3",
                ),
                role="radiogroup",
                **{"aria-labelledby": label_id},
            ),
        ]
    )


def table(columns: Sequence[tuple[str, str]], rows: list, caption: str, className: str = "") -> html.Div:
    """An accessible table: a caption, header cells with scope, horizontal scroll on a phone."""
    return tags.Div(
        tags.Table(
            [
                tags.Caption(caption, className="visually-hidden"),
                tags.Thead(tags.Tr([tags.Th(name, scope="col", className=cls) for name, cls in columns])),
                tags.Tbody(rows),
            ],
            className=f"table data-table align-top mb-0 {className}".strip(),
        ),
        className="table-responsive",
    )


def stat(label: str, children, detail=None) -> html.Div:
    """A big-number card: label, the figure, a line of detail."""
    body = [tags.Div(label, className="stat-label"), tags.Div(children, className="stat-body")]
    if detail is not None:
        body.append(tags.Div(detail, className="stat-detail small"))
    return tags.Div(tags.Div(body, className="stat h-100"), className="col")


def value_text(measure: Mapping, value) -> str:
    """A value of the measure in words: `12.3%`, `£1,234`; a categorical measure's label: `Yes`."""
    return format_value(
        value,
        measure["unit"],
        measure.get("decimals"),
        _text(measure.get("unit_label")) or None,
        measure.get("rate_per"),
        measure.get("categories"),
    )


def target_text(measure: Mapping) -> str:
    if is_missing(measure.get("target_value")):
        return "No target set"
    when = format_period(measure["target_period"], measure["frequency"])
    return f"{value_text(measure, measure['target_value'])} by {when}"


def source_line(measure: Mapping, summary: Summary | None = None, updates: str | None = None) -> html.P:
    """`Source: …. Last updated 10 November 2026.` under a chart; `updates`: those words told
    otherwise (with when the next figures are due)."""
    parts = []
    if _text(measure.get("source")):
        parts.append(f"Source: {measure['source']}.")
    if updates:
        parts.append(updates)
    elif summary is not None and summary.last_received is not None:
        parts.append(f"Last updated {format_date(summary.last_received)}.")
    return tags.P(" ".join(parts), className="chart-source small")


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
    reason = None if status.status == "no_target" else tags.Div(status.reason, className="status-reason small mt-1")
    return tags.Div([status_chip(status.status), reason], className="status-block" + (" status-small" if small else ""))


def change_block(
    measure: Mapping, delta, since_period, *, what: str = "since", before=None, latest=None
) -> html.Div:
    """Better / Worse chip with the change in words, or why there is no change to show. A
    categorical measure has no change in numbers: `before` (its value for `since_period`) and
    `latest` in words instead."""
    if categories_of(measure.get("categories")):
        return category_change(measure, before, latest, since_period)
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
    return tags.Div([change_chip(judgement, delta), _small(sentence, "mt-1")])


def summary_change(measure: Mapping, summary: Summary, *, on_year: bool = False) -> html.Div:
    """The change block of a summary: on the period before, or (`on_year`) on a year earlier."""
    if on_year:
        return change_block(measure, summary.change_on_year, summary.year_ago_period,
                            before=summary.year_ago_value, latest=summary.latest_value)
    return change_block(measure, summary.change, summary.previous_period,
                        before=summary.previous_value, latest=summary.latest_value)


def category_change(measure: Mapping, before, latest, since_period) -> html.Div:
    """`Was No in February 2025` or `Same as February 2025`: no chip and no number, since codes
    are not amounts."""
    if is_missing(since_period) or is_missing(latest):
        return _small("Not enough data")
    since = format_period(since_period, measure["frequency"])
    if is_missing(before):
        return _small(f"No figure for {since} to compare")
    if code_of(float(before)) == code_of(float(latest)):
        return tags.Div(f"Same as {since}", className="small")
    return tags.Div(f"Was {value_text(measure, before)} in {since}", className="small")


def latest_block(measure: Mapping, summary: Summary) -> html.Div:
    if summary.latest_period is None:
        return tags.Div(
            [tags.Div(NO_DATA, className="figure-value text-body-secondary"), _small("Nothing submitted yet")]
        )
    parts = [
        _figure({**measure, "v": summary.latest_value}, "v"),
        _small(format_period(summary.latest_period, measure["frequency"])),
    ]
    if summary.latest_flags:
        parts.append(_small(" · ".join(summary.latest_flags), "fst-italic"))
    return tags.Div(parts)


FRESHNESS = {
    "on_time": ("✓", "On time", "chip-good"),
    "late": ("!", "Late", "chip-warn"),
    "missing": ("✕", "Missing", "chip-bad"),
    "not_due": ("–", "Not due yet", "chip-neutral"),
    "not_judged": ("?", "Not judged", "chip-neutral"),
}


def freshness_block(summary: Summary) -> html.Div:
    """Whether the newest figure due came on time, late or not at all, and the year's record."""
    f = summary.freshness
    icon, word, tone = FRESHNESS[f.state]
    parts = [chip(icon, word, tone), tags.Div(f.text, className="small mt-1")]
    if f.late_in_window:
        parts.append(_small(f"{f.late_in_window} of the last {f.due_in_window} due arrived late"))
    if summary.last_received is not None and (f.received is None or summary.last_received.date() != f.received.date()):
        parts.append(_small(f"Last submission {format_date(summary.last_received, short=True)}"))
    return tags.Div(parts)


def rollup_counts(counts: Mapping[str, int]) -> html.Div:
    """`Contributing measures: 3 on track · 1 at risk · 2 off track · 1 without a target`."""
    order = [
        ("on_track", "on track"),
        ("at_risk", "at risk"),
        ("off_track", "off track"),
        ("no_target", "without a target"),
        ("no_direction", "with no direction of good"),
        ("categorical", "categorical"),
        ("not_enough_data", "without enough data"),
    ]
    total = sum(counts.values())
    if not total:
        return _small("No contributing measures")
    named = dict(order)
    shown = [f"{counts[k]} {word}" for k, word in order if counts.get(k)]
    shown += [f"{n} {STATUSES[k][1].lower() if k in STATUSES else k.replace('_', ' ')}"  # e.g. not judged (as at)
              for k, n in counts.items() if n and k not in named]
    return _small(f"{total} contributing measure{'s' if total != 1 else ''}: " + " · ".join(shown), "rollup-counts")



def _value(row: Mapping, column: str) -> str:
    return value_text(row, row.get(column))


def _figure(row: Mapping, column: str) -> html.Div:
    """A big figure; a unit written after the number (`days`, `per 100,000`) is set smaller; a
    category as its label."""
    text = _value(row, column)
    if is_missing(row.get(column)):
        return element(html.Div, text, className="figure-value text-body-secondary")
    if categories_of(row.get("categories")):
        return element(html.Div, text, className="figure-value figure-category")
    number = format_number(row[column], row.get("decimals"))
    if text.startswith(number + " "):
        unit = element(html.Span, text[len(number) :], className="figure-unit")
        return element(html.Div, [number, unit], className="figure-value")
    return element(html.Div, text, className="figure-value")
