"""`/embed/measure/<id>`: one public measure's chart as a small page of its own, for other sites to
show in an iframe. Always answered from the public warehouse, whoever asks, so an embed can never
carry an internal measure; the only page that other sites may frame."""

from __future__ import annotations

import json
from pathlib import Path

import flask
import plotly
from dash import Dash

from published.access import PUBLIC, as_viewer
from published.judgements import stored_statuses, stored_timeliness
from published.reader import Scope, WarehouseError

from . import figures
from .components.chips import STATUSES
from .components.pieces import value_text
from .context import PUBLIC_WAREHOUSE_KEY, current_settings
from .formatting import flag_words, format_date, format_period
from .series import records, rows_of
from .summaries import plan_points, summarise
from .urls import href

__all__ = ["install", "EMBED_PREFIX"]

EMBED_PREFIX = "/embed/"
TABLE_ROWS = 24  # the newest figures in the table under the chart; the full series is on the measure page

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ name }} – {{ site }}</title>
<link rel="stylesheet" href="{{ css }}">
<style>
 body { margin: 0; padding: .75rem 1rem; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
        color: #0b0c0c; background: #fff; font-variant-numeric: tabular-nums; }
 h1 { font-size: 1.15rem; margin: 0 0 .25rem; }
 p { margin: .25rem 0; font-size: .9rem; }
 .status { font-weight: 600; }
 details { margin-top: .5rem; font-size: .85rem; }
 table { border-collapse: collapse; } th, td { padding: .15rem .6rem; border-bottom: 1px solid #d8d8d8; }
 td.n { text-align: right; } a { color: #1d70b8; } a:focus { outline: 3px solid #fd0; }
</style>
</head>
<body>
<main>
<h1>{{ name }}</h1>
<p>{{ owner }} · <span class="status">{{ status_icon }} {{ status_word }}</span>
{%- if reason %}: {{ reason }}{% endif %}</p>
<div id="chart" role="img" aria-label="{{ summary_text }}"></div>
<p>{{ summary_text }}</p>
<p>{% if source_text %}Source: {{ source_text }}. {% endif %}{% if updated %}Last updated {{ updated }}.{% endif %}
 <a href="{{ link }}" target="_blank" rel="noopener">See the full measure, its data and definition</a></p>
<details><summary>Show the data</summary>
<table><caption>{{ name }}, newest first</caption>
<thead><tr><th scope="col">Period</th><th scope="col">Value</th><th scope="col">Notes</th></tr></thead>
<tbody>{% for period, value, flags in rows %}<tr><th scope="row">{{ period }}</th><td class="n">{{ value }}</td>
<td>{{ flags }}</td></tr>{% endfor %}</tbody></table></details>
</main>
<script src="{{ plotly_js }}"></script>
<script id="figure" type="application/json">{{ figure|safe }}</script>
<script src="{{ embed_js }}"></script>
</body>
</html>
"""

SCRIPT = """(function () {
  var figure = JSON.parse(document.getElementById("figure").textContent);
  Plotly.newPlot("chart", figure.data, figure.layout, {displayModeBar: false, responsive: true});
})();
"""


def _script_json(figure) -> str:
    """The figure as JSON that cannot end the <script> element it sits in, whatever its text holds."""
    if hasattr(figure, "to_plotly_json"):
        figure = figure.to_plotly_json()
    text = json.dumps(figure, cls=plotly.utils.PlotlyJSONEncoder)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def install(app: Dash) -> None:
    """Add the embed route, and its script, to the app's Flask server."""
    server = app.server
    prefix = app.config.requests_pathname_prefix.rstrip("/")

    @server.get(f"{prefix}{EMBED_PREFIX}embed.js")
    def embed_script():
        response = flask.Response(SCRIPT, mimetype="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=3600"
        return response

    @server.get(f"{prefix}{EMBED_PREFIX}measure/<measure_id>")
    def embed_measure(measure_id: str):
        warehouse = server.config[PUBLIC_WAREHOUSE_KEY]  # whoever asks: only what the public may see
        with as_viewer(PUBLIC):
            try:
                page = _page(warehouse, measure_id[:200], prefix)
            except WarehouseError:
                flask.abort(503, "No data has been published yet.")
        if page is None:
            flask.abort(404)
        response = flask.Response(page, mimetype="text/html")
        response.headers["Cache-Control"] = "public, max-age=300"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "frame-ancestors *")
        return response

    @server.after_request
    def _framed_only_here(response: flask.Response) -> flask.Response:
        # every other page may be framed by this site alone (clickjacking)
        if not flask.request.path.startswith(prefix + EMBED_PREFIX):
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
            if "Content-Security-Policy" not in response.headers:
                response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response


def _plotly_bundle() -> str:
    """The app's partial plotly bundle in assets/ (the embed draws with the same one as the pages)."""
    found = sorted(p.name for p in (Path(__file__).resolve().parent / "assets").glob("plotly*.js"))
    return found[0] if found else "plotly.min.js"


def _page(warehouse, measure_id: str, prefix: str) -> str | None:
    scope = Scope(measure=measure_id)
    found = records(warehouse.measures(scope))
    if not found:
        return None
    measure = found[0]
    totals = warehouse.values(scope)
    summary = summarise(measure, totals, stored_statuses(warehouse, scope, None).get(measure_id),
                        stored_timeliness(warehouse, scope, None))
    points = plan_points(measure, records(warehouse.plan(scope)))
    figure = figures.trend_figure(measure, totals, points, colour=figures.org_colour(measure["colour_index"]),
                                  title="", height=320)
    icon, word, _ = STATUSES.get(summary.status.status, ("", summary.status.status, ""))
    every = sorted(rows_of(totals), key=lambda r: r.start, reverse=True)[:TABLE_ROWS]
    rows = [(format_period(r.period, measure["frequency"]), value_text(measure, r.value),
             " · ".join(flag_words(r.status, r.revised))) for r in every]
    latest = (f"Latest: {value_text(measure, summary.latest_value)} for "
              f"{format_period(summary.latest_period, measure['frequency'])}." if summary.latest_period
              else "No figures have been published yet.")
    return flask.render_template_string(
        PAGE, name=measure["name"], site=current_settings().title,
        owner=measure["owner_name"], status_icon=icon, status_word=word, reason=summary.status.reason,
        summary_text=f"{figures.chart_title(measure)}. {latest}", source_text=measure.get("source") or "",
        updated=format_date(summary.last_received) if summary.last_received else "",
        link=prefix + href("measure", measure_id), rows=rows, figure=_script_json(figure),
        css=f"{prefix}/assets/bootstrap.min.css", plotly_js=f"{prefix}/assets/{_plotly_bundle()}",
        embed_js=f"{prefix}{EMBED_PREFIX}embed.js")
