"""The organisation page: what it leads and contributes to, and its submission record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlsplit

import pandas as pd
from dash import html

from ..formatting import (
    format_date,
    format_period,
    frequency_word,
)
from ..series import records
from ..summaries import Summary, share, submissions_by_month
from ..urls import AsOf
from . import tags
from .chips import _link, _small, _text, badge, element, swatch
from .pieces import freshness_block, graph, latest_block, status_block, table

# --- organisation page -----------------------------------------------------------------------


def org_title(org: Mapping) -> html.H1:
    """The organisation's name, with the square of its colour."""
    return tags.H1([swatch(org.get("colour_index")), org["name"]], className="mb-2 org-title")


def safe_url(url) -> str | None:
    """An organisation's web address, only when it is a plain http(s) link."""
    text = _text(url)
    parts = urlsplit(text)
    return text if parts.scheme in ("http", "https") and parts.netloc else None


def org_header(org: Mapping) -> html.Div:
    kind = _text(org.get("kind")).replace("_", " ")
    parts = [tags.Span(kind.capitalize(), className="me-3")] if kind else []
    url = safe_url(org.get("url"))
    if url:
        parts.append(tags.A("Website", href=url, rel="noopener noreferrer", target="_blank"))
    return tags.Div(parts, className="mb-3 text-body-secondary")


def submission_summary(due_records: list[dict]) -> list[tuple[str, str]]:
    due = len(due_records)
    counts = {state: sum(1 for r in due_records if r["state"] == state) for state in ("on_time", "late", "missing")}
    return [
        ("Figures due in the last year", f"{due:,}"),
        ("On time", f"{counts['on_time']:,} ({share(counts['on_time'], due)})"),
        ("Late", f"{counts['late']:,} ({share(counts['late'], due)})"),
        ("Missing", f"{counts['missing']:,} ({share(counts['missing'], due)})"),
    ]


NOT_JUDGED = "Not judged"  # no judgement run stood at the date shown: nothing is known of what fell due


def timeliness_figures(due_records: list[dict] | None) -> list[tuple[str, str]]:
    """The on-time, late and missing counts of an organisation's figures due (None: not judged as at the
    date shown, which is not the same as nothing due)."""
    if due_records is None:
        return [("Figures due in the last year", NOT_JUDGED)]
    return submission_summary(due_records)[1:]


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
            tags.Tr(
                [
                    tags.Th(
                        _link("objective", o["objective_id"], o["objective_name"], "fw-semibold", as_of), scope="row"
                    ),
                    tags.Td(_link("council", o["council_id"], o["council_name"], as_of=as_of)),
                    tags.Td(
                        [
                            badge(role, "strong" if role == "Lead" else "neutral"),
                            tags.Div(_text(o.get("partner_responsibility")), className="small mt-1"),
                        ]
                    ),
                    tags.Td(status_block(rollup, small=True) if rollup is not None else _small("No headline measure")),
                ]
            )
        )
    return table(ROLE_TABLE, rows, "Objectives this organisation takes part in", "roles-table")


# each state's symbol and word: the strip draws the symbols in its style sheet (`.strip-*::before`)
RECORD_SYMBOLS = {"on_time": ("✓", "on time"), "late": ("!", "late"), "missing": ("✕", "missing")}


def submission_strip(records: list[dict], frequency: str) -> html.Ol:
    """The figures due in the last year, oldest first, each marked on time / late / missing. Each mark is one
    element holding its sentence (read by screen readers, shown on hover), drawn as a coloured square with its
    symbol by the style sheet (`.strip-*::before`): an organisation's strips are over a thousand marks."""
    items = []
    for r in records:
        when = f"arrived {format_date(r['received'])}" if r["received"] is not None else "not received"
        word = RECORD_SYMBOLS[r["state"]][1]
        text = f"{format_period(r['period'], frequency)}: {word} (due {format_date(r['due'])}, {when})"
        items.append(element(html.Li, text, className=f"strip-{r['state']}", title=text))
    return tags.Ol(items, className="submission-strip")


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
        if mine:
            tally = f"{len(mine) - late - missing} on time, {late} late, {missing} missing"
        else:
            tally = NOT_JUDGED if s.freshness.state == "not_judged" else "Nothing due"
        rows.append(
            tags.Tr(
                [
                    tags.Th(
                        [
                            _link("measure", m["id"], m["name"], "fw-semibold", as_of),
                            _small(f"{m['objective_name']} · {frequency_word(m['frequency']).capitalize()}", "mt-1"),
                        ],
                        scope="row",
                    ),
                    tags.Td(latest_block(m, s), className="text-end"),
                    tags.Td(status_block(s.status, small=True)),
                    tags.Td([submission_strip(mine, m["frequency"]), _small(tally, "mt-1")]),
                    tags.Td(freshness_block(s)),
                ]
            )
        )
    return table(SUBMISSION_TABLE, rows, "Measures this organisation submits", "submissions-table")


MONTH_TABLE = [("Month due", "col-period"), ("On time", "text-end"), ("Late", "text-end"), ("Missing", "text-end")]


def submissions_by_month_details(due: list[dict]) -> html.Details:
    """ "Show the data behind the chart": the figures due each month, as the chart draws them."""
    counts = submissions_by_month(due)
    rows = [
        tags.Tr([tags.Th(f"{m:%B %Y}", scope="row"), *(tags.Td(f"{n:,}", className="text-end") for n in (a, b, c))])
        for m, a, b, c in zip(counts.month, counts.on_time, counts.late, counts.missing, strict=True)
    ]
    return tags.Details(
        [tags.Summary("Show the data behind the chart"),
         table(MONTH_TABLE, rows, "Figures due each month, by whether they arrived on time", "submissions-by-month")],
        className="data-details",
    )


TIMELINESS_RULE = ("A figure is due a set number of days after its period ends (each measure's definition says how "
                   "many). It is late when the first submission carrying it arrived after that date.")


def _timeliness(sentence: str, chart=None, data=None) -> html.Section:
    """The section: its heading, the sentence, and the chart (when there is one) above the rule it is drawn by
    and the data behind it."""
    heading = tags.H2("How on time its submissions have been", className="h3 mt-4 mb-2", id="timeliness-heading")
    lead = tags.P(sentence, className="lead-text", id="timeliness-sentence")
    rule = tags.P(TIMELINESS_RULE, className="chart-source small")
    parts = [heading, lead, chart, rule, data]
    return tags.Section([p for p in parts if p is not None], **{"aria-labelledby": "timeliness-heading"})


def timeliness_not_judged(org: Mapping, as_of: AsOf, first_judged: datetime | None) -> html.Section:
    """The timeliness section when no judgement stood at the date shown: it says the figures due were not
    judged then (never that nothing fell due), and when judgements begin."""
    if first_judged is None:
        sentence = (f"The figures due from {org['name']} have not been judged yet: timeliness is judged when "
                    "data is published, and none has been judged so far.")
    else:
        sentence = (f"The figures due from {org['name']} were not judged as at {as_of.words}: timeliness is "
                    f"judged when data is published, and was first judged as at {format_date(first_judged)}. "
                    "Pick a later month, or the latest figures, to see it.")
    return _timeliness(sentence)


def timeliness_section(org: Mapping, due: list[dict], figure: dict) -> html.Section:
    """How on time an organisation's figures have been over the last year: a sentence, a chart."""
    total = len(due)
    late = sum(1 for r in due if r["state"] == "late")
    missing = sum(1 for r in due if r["state"] == "missing")
    on_time = total - late - missing
    if not total:  # the sentence says so, without an empty chart and a table of no rows under it
        return _timeliness(f"No figures from {org['name']} fell due in the last year.")
    sentence = (
        f"In the last year {total:,} figure{'s' if total != 1 else ''} from {org['name']} fell due: "
        f"{on_time:,} arrived on time "
        f"({share(on_time, total)}), {late:,} late ({share(late, total)}) and {missing:,} not at all."
    )
    return _timeliness(sentence, graph(figure, graph_id="submissions-chart"), submissions_by_month_details(due))
