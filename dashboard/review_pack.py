"""The review pack as one self-contained HTML file: `render_pack_html(pack, warehouse) -> str`.

Everything is inside the file (stylesheet, plotly.js once, each objective's headline chart as its
figure JSON), so it opens offline and can be mailed or filed. Escalations awaiting a decision lead it
(before the status of the objectives), as they lead the page. It prints on A4 landscape, each
objective on a new page. The same pack gives the same bytes: nothing of the export itself (no
time, no random id) is written, and every list keeps the pack's order.

Text people typed (commentary, actions, escalations) is escaped and shown as plain text with its
line breaks (Jinja2 autoescape, `white-space: pre-line`): never as HTML, never as Markdown.

Charts are read as the data stood at the review (`pack.as_at`) and drawn by the app's own builder
(`figures.trend_figure`); the reader's viewer (published.access) is the caller's.
"""

from __future__ import annotations

from pathlib import Path

import jinja2

from goal_councils.assess import plan_points
from published.reader import Scope, Warehouse
from workflow.pack import ReviewPack

from . import figures
from .components.chips import STATUSES
from .components.pieces import target_text, value_text
from .formatting import flag_words, format_date, format_period, format_timestamp
from .static_site import _plotly_js, _script_json

__all__ = ["render_pack_html", "pack_title", "ACTION_STATES"]

TEMPLATES = Path(__file__).resolve().parent / "review_pack_templates"
CHART_WIDTH, CHART_HEIGHT = 1000, 340  # px: fits A4 landscape between 12 mm margins, on screen and on paper
# an action's status on the meeting day -> (icon, word, chip class)
ACTION_STATES = {"overdue": ("!", "Overdue", "chip-bad"), "open": ("○", "Open", "chip-neutral"),
                 "done": ("✓", "Done", "chip-good")}


def pack_title(pack: ReviewPack) -> str:
    """`World-class education: monthly review, November 2026`."""
    return f"{pack.council_name}: monthly review, {format_period(pack.month, 'monthly')}"


def render_pack_html(pack: ReviewPack, warehouse: Warehouse) -> str:
    """The pack as one HTML document (see the module's docstring)."""
    env = _environment()
    charts = [_chart(section, warehouse, pack) for section in pack.objectives]
    return env.get_template("pack.html").render(
        pack=pack, title=pack_title(pack), charts=charts,
        css=(TEMPLATES / "pack.css").read_text(encoding="utf-8"),
        draw=(TEMPLATES / "draw.js").read_text(encoding="utf-8"),
        plotly_js=_inline_script(_plotly_js().decode("utf-8")) if any(charts) else "",
    )


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(script_json=_script_json, day=format_date, moment=format_timestamp, period=format_period,
                       value=_value, target=target_text, flags=lambda line: " · ".join(
                           flag_words(line.latest_flag, line.latest_revised)))
    env.globals.update(status=_status, action_state=_action_state)
    return env


def _status(key: str) -> dict:
    icon, word, tone = STATUSES.get(key, ("·", str(key).replace("_", " ").capitalize(), "chip-neutral"))
    return {"icon": icon, "word": word, "tone": tone}


def _action_state(key: str) -> dict:
    icon, word, tone = ACTION_STATES[key]
    return {"icon": icon, "word": word, "tone": tone}


def _value(value, measure) -> str:
    return "No figure" if value is None else value_text(measure, value)


def _chart(section, warehouse: Warehouse, pack: ReviewPack) -> dict | None:
    """The objective's headline against its plan, as the figures stood at the review; None: no headline."""
    line = next((m for m in section.measures if m.measure_id == section.headline_id), None)
    if line is None:
        return None
    measure = line.definition
    scope = Scope(measure=line.measure_id)
    points = plan_points(measure, warehouse.plan(scope, pack.as_at))
    figure = figures.trend_figure(measure, warehouse.values(scope, pack.as_at), points,
                                  colour=figures.org_colour(measure["colour_index"]),
                                  title=figures.chart_title(measure), height=CHART_HEIGHT)
    figure["layout"]["width"] = CHART_WIDTH
    return {"figure": figure, "name": line.name}


def _inline_script(text: str) -> str:
    """Script text that cannot close or comment out the <script> element it is put in."""
    return text.replace("</script", "<\\/script").replace("<!--", "<\\!--")
