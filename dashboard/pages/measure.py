"""A measure: its full series against the target trajectory, by any declared breakdown (one line
per group or a small multiple per group), the data table behind the chart, CSV and JSON of
exactly what is shown, and the definition."""

from __future__ import annotations

from datetime import date

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, no_update

from dashboard import components, figures
from dashboard.components import tags
from dashboard.context import current_public_text, current_warehouse
from dashboard.formatting import format_number, format_period, is_missing, unit_words
from dashboard.pages._shared import as_of_parts, entity_title, page, read_id
from dashboard.public_documents import org_names
from dashboard.series import records
from dashboard.summaries import export_rows, plan_points, summarise
from dashboard.urls import AsOf, href, read_as_of
from goal_councils.assess import gaps_before, next_due, no_figure_months, periods_after
from goal_councils.status import interpolate_plan
from goal_councils.units import GAP_WORDS, UnitWords, shows_nil, telling_decimals
from goal_councils.xmr import MIN_POINTS as XMR_MIN_POINTS
from published.exports import csv_text
from published.judgements import StoredAssessments, stored_judgements
from published.reader import Scope, Warehouse


def _name(warehouse: Warehouse, measure_id: str) -> str | None:
    found = warehouse.measures(Scope(measure=measure_id))
    return None if found.empty else str(found.name.iloc[0])


dash.register_page(
    __name__,
    path_template="/measure/<measure_id>",
    name="Measure",
    title=entity_title(_name),
    exists=_name,  # the guard answers 404 for an id that names nothing
    description="A measure's full series against its target, by breakdown, with its data and definition.",
)


def public_text(warehouse: Warehouse, measure: dict) -> dict:
    """The measure's public commentary and the public actions about it or its objective, as
    `three_questions` takes them."""
    text = current_public_text()
    said = text.commentary_on(measure["id"])
    actions = text.actions_for(objective_id=measure["objective_id"], measure_ids=[measure["id"]])
    names = org_names(warehouse) if said or actions else {}
    return {"commentary": said, "actions": actions, "org_names": names, "today": date.today()}


def layout(measure_id: str = "", **query):
    return _layout(measure_id=read_id(measure_id), **query)


@page("Measure")
def _layout(warehouse: Warehouse, as_of: AsOf, measure_id: str, breakdown=None, view=None, **_):
    scope = Scope(measure=measure_id)
    found = records(warehouse.measures(scope))
    if not found:
        return components.not_found("measure", measure_id, as_of)
    measure, plan, groups = found[0], records(warehouse.plan(scope)), warehouse.breakdowns(measure_id)
    totals = warehouse.values(scope, as_of.as_at)
    judged = stored_judgements(warehouse, scope, as_of.as_at, whole=True)  # one statement for all three
    timely = judged.timeliness
    summary = summarise(measure, totals, judged.statuses.get(measure_id), timely)
    # the next figures due after the day timeliness was judged (not the clock: the page shows a publish)
    due = next_due(measure["frequency"], int(measure["due_days"]), timely.at.date(),
                   no_figure_in=no_figure_months(measure.get("no_figure_in"))) if timely.at else None
    objective = records(warehouse.objectives(objective_id=measure["objective_id"]))
    council = records(warehouse.councils(council_id=measure["council_id"]))
    points = plan_points(measure, plan)
    dimensions = list(dict.fromkeys(groups.breakdown))
    # a breakdown named in the address (?breakdown=region&view=panels) is shown from the start
    dimension = breakdown if isinstance(breakdown, str) and breakdown in dimensions else ""
    view = "panels" if view == "panels" else "lines"
    frame = warehouse.values(scope, as_of.as_at, dimension=dimension) if dimension else totals
    names = list(groups[groups.breakdown == dimension].value)
    return [
        components.breadcrumbs(
            [
                ("Goal map", href("goal_map", as_of=as_of)),
                (measure["council_name"], href("council", measure["council_id"], as_of)),
                (measure["objective_name"], href("objective", measure["objective_id"], as_of)),
                (measure["name"], None),
            ]
        ),
        *as_of_parts(as_of, href("measure", measure_id)),
        components.page_heading(measure["name"]),
        components.measure_tags(measure, as_of),
        components.measure_numbers(measure, summary),
        components.three_questions(measure, summary, objective[0] if objective else None,
                                   council[0]["goal"] if council else None,
                                   records(warehouse.partners(measure["objective_id"])), as_of,
                                   **public_text(warehouse, measure)),
        tags.Section(
            [
                tags.H2("How it has moved", className="visually-hidden", id="chart-heading"),
                components.breakdown_controls(dimensions, dimension, view),
                components.graph(chart(measure, frame, names, dimension, view, points), graph_id="measure-chart"),
                components.source_line(measure, summary, components.update_words(summary, due, measure["frequency"])),
                components.download_buttons(),
                components.data_details(measure, frame, names),
            ],
            **{"aria-labelledby": "chart-heading"},
        ),
        tags.Section(analysis(warehouse, measure, as_of, judged.assessments), id="measure-analysis",
                     className="measure-analysis"),
        components.definition_section(measure, dimensions, points, as_of),
        dcc.Store(id="measure-page", data={"measure": measure_id, "as_of": as_of.month}),
        dcc.Store(id="measure-address"),
    ]


# why a measure's variation is judged on something other than its values
BASIS_WHY = {
    "change on the same period a year earlier": "the measure is seasonal.",
    "gap to the planned trajectory": "the measure is planned to move, so a flat centre line would call the "
                                     "planned trend a signal.",
    "change in the gap to the plan on the same period a year earlier": "the measure is planned to move and is "
                                                                        "seasonal.",
}


Y_TITLES = {"gap to the planned trajectory": "gap to plan"}
WORSE_SIDE = {"up": "low", "down": "high"}  # a measure with no direction of good has no worse side
CATEGORICAL_NOTE = ("A categorical measure: each figure is a category, not an amount, so no process limits, "
                    "signals, divergent groups or forecast are worked out for it. The chart and the table show "
                    "the category of each period.")


def signal_side(signal, direction: str) -> str:
    """` (high side), the worse side`; for a measure with no direction of good, the side alone;
    nothing for a jump in the moving range, which can go either way."""
    if signal.rule == "range_limit":
        return ""
    worse = WORSE_SIDE.get(direction)
    if worse is None:
        return f" ({signal.side} side)"
    return f" ({signal.side} side), the {'worse' if signal.side == worse else 'better'} side"


def analysis(warehouse: Warehouse, measure: dict, as_of: AsOf, found: StoredAssessments) -> list:
    """Status reason, the process-behaviour chart with its signals explained, divergent groups,
    and (for demand and leading measures) the forecast fan with its backtest error; `found`: the
    measure's stored assessment as at the page's month (`stored_judgements(..., whole=True)`)."""
    a = found.found.get(measure["id"])
    if a is None:
        return [tags.H2("Signals and noise", className="h4 mt-4", id="analysis-heading"),
                components.no_judgements_notice(found.first_judged)]
    totals = warehouse.values(Scope(measure=measure["id"]), as_of.as_at).sort_values("period_start")
    x = [str(d)[:10] for d in totals["period_start"]]
    out: list = [tags.H2("Signals and noise", className="h4 mt-4", id="analysis-heading"),
                 tags.P(f"Status: {a.status.reason}.", className="mb-2")]
    if measure.get("categories"):
        return out + [tags.P(CATEGORICAL_NOTE, className="small", id="xmr-signals")]
    no_figure = no_figure_months(measure.get("no_figure_in"))
    starts = [date.fromisoformat(d) for d in x]
    breaks = gaps_before(measure["frequency"], starts, no_figure)
    if a.variation and len(x) == len(a.variation.values):
        basis = ("" if a.variation.basis == "values"
                 else f" Judged on the {a.variation.basis}: {BASIS_WHY[a.variation.basis]}")
        out += [
            tags.P("A process-behaviour (XmR) chart: the shaded band holds the natural process limits "
                   "(centre ± 2.66 × average moving range). Points outside it, or runs on one side, are signals "
                   f"worth acting on; movement inside it is noise.{basis}", className="small text-secondary"),
            components.graph(figures.xmr_figure(x, a.variation, title=f"{measure['name']}: variation",
                                                y_title=variation_axis(measure, a.variation.basis),
                                                decimals=int(measure["decimals"] or 0), breaks=breaks),
                             graph_id="xmr-chart", summary=xmr_summary(measure, a.variation)),
        ]
        recent = [s for s in a.variation.signals if s.index >= len(x) - 12]
        words = [f"{format_period(a.periods[s.index], measure['frequency'])}: {s.label}"
                 + signal_side(s, measure["direction"]) for s in recent[-8:]]
        out.append(tags.Ul([tags.Li(w) for w in words], className="small", id="xmr-signals") if words
                   else tags.P("No signals in the last 12 periods: the variation is noise.", className="small",
                               id="xmr-signals"))
    elif not a.variation:
        out.append(tags.P(f"Too few figures to draw natural process limits: at least {XMR_MIN_POINTS} are needed.",
                          className="small", id="xmr-signals"))
    if a.groups:
        out += [tags.H3("Groups that differ from the whole", className="h5 mt-3"),
                tags.Ul([tags.Li(d.reason) for d in a.groups[:8]], className="small", id="divergent-groups")]
    if a.forecast:
        fc = a.forecast
        last = pd.Timestamp(totals["period_start"].max()).date()
        freq = measure["frequency"]
        # the periods with a figure to come: a month with none by its nature (schools' August) is not forecast
        future = [str(d) for d in periods_after(freq, last, fc.horizon, no_figure)]
        error = backtest_words(measure, fc)
        keep = x[-48:]
        dropped = len(x) - len(keep)  # the points before the forecast chart's window
        # its actual line breaks where the main chart's does: at every month with no figure, August's too
        drawn_gaps = gaps_before(freq, starts)
        plan = warehouse.plan(Scope(measure=measure["id"])).sort_values("period_start")
        points = [(pd.Timestamp(d).date(), float(v)) for d, v in zip(plan["period_start"], plan["value"], strict=True)]
        start = date.fromisoformat(keep[0])
        # the plan inside the window, entering at its interpolated value where the window starts
        inside = [(d, v) for d, v in points if d >= start]
        at_start = interpolate_plan(points, start)
        if at_start is not None and (not inside or inside[0][0] > start):
            inside.insert(0, (start, at_start))
        plan_x = [d.isoformat() for d, _ in inside] or None
        plan_y = [v for _, v in inside] or None
        out += [
            tags.H3("Forecast", className="h5 mt-3"),
            tags.P(f"{fc.method}; 80% and 95% intervals. {error}"
                   + (f" {a.forecast_miss}." if a.forecast_miss else ""), className="small", id="forecast-note"),
            components.graph(figures.forecast_figure(
                keep, list(totals["value"])[-48:], future, fc, plan_x=plan_x, plan_y=plan_y,
                title=f"{measure['name']}: forecast", y_axis=figures.value_axis(measure),
                decimals=int(measure["decimals"] or 0), breaks={i - dropped for i in drawn_gaps if i > dropped}),
                graph_id="forecast-chart",
                summary=forecast_summary(measure, fc, future)),
        ]
    return out


def backtest_words(measure: dict, forecast) -> str:
    """How far the forecast missed on the periods held back, its mean absolute error in the measure's decimals;
    up to three more where those would show an error that is not nil as 0 (0.3 claims a month is not none)."""
    if forecast.backtest_mae is None:
        return "Too short a series to backtest."
    mae = format_number(forecast.backtest_mae, telling_decimals(forecast.backtest_mae, measure["decimals"] or 0))
    percent = f" ({forecast.backtest_mape:.1f}%)" if forecast.backtest_mape is not None else ""
    return f"Backtest on the last {forecast.horizon} periods: mean absolute error {mae}{percent}."


def difference_unit(measure: dict) -> str:
    """What a difference of a measure's figures is counted in, for an axis: percentage points for a percentage,
    days for days, else its unit label (`£ million`, `families`, `per 100,000`); "" for a bare number."""
    label = measure.get("unit_label")
    if measure["unit"] in GAP_WORDS:
        return GAP_WORDS[measure["unit"]]
    if label and isinstance(label, str):
        return label
    if measure["unit"] == "money":
        return "£"
    rate_per = measure.get("rate_per")
    return f"per {int(rate_per):,}" if measure["unit"] == "rate" and not is_missing(rate_per) else ""


def difference_words(measure: dict, value: float) -> str:
    """A difference of the measure's figures written in its unit: `-0.8 percentage points`, `£2.7 million`,
    `-3 families`, `1.2`."""
    words = UnitWords(measure["unit"], measure.get("unit_label"), measure.get("rate_per")).words(
        abs(value), int(measure["decimals"] or 0))
    return ("-" if value < 0 and not shows_nil(format_number(value, int(measure["decimals"] or 0))) else "") + words


def variation_axis(measure: dict, basis: str) -> str:
    """The process-behaviour chart's value axis: the measure's own where it judges the figures themselves,
    else the difference it judges in the unit of a difference: `Change (percentage points)`."""
    if basis == "values":
        return unit_words(measure["unit"], measure.get("unit_label"), measure.get("rate_per"))
    unit = difference_unit(measure)
    return f"{Y_TITLES.get(basis, 'change').capitalize()}" + (f" ({unit})" if unit else "")


def xmr_summary(measure: dict, variation) -> str:
    """The process-behaviour chart in words: the current limits, in the unit judged; the signals are listed
    under it."""
    phase = variation.phases[-1]
    if variation.basis == "values":
        centre, lower, upper = (components.value_text(measure, v) for v in (phase.centre, phase.lower, phase.upper))
    else:
        centre, lower, upper = (difference_words(measure, v) for v in (phase.centre, phase.lower, phase.upper))
    return (f"Process-behaviour chart of {measure['name']}, judged on its {variation.basis}: centre line {centre}, "
            f"natural process limits {lower} to {upper}. Its signals in the last 12 periods are set out under it.")


def forecast_summary(measure: dict, forecast, future: list[str]) -> str:
    """The forecast fan in words: where the central forecast ends, with its 80% interval."""
    end = format_period(figures.period_containing(measure["frequency"], date.fromisoformat(future[-1])),
                        measure["frequency"])
    mean, lower, upper = (components.value_text(measure, v[-1])
                          for v in (forecast.mean, forecast.lower80, forecast.upper80))
    return (f"Forecast chart of {measure['name']}: the last figures, then a forecast to {end} of {mean} "
            f"(80% interval {lower} to {upper}).")


def main_figure(measure: dict, totals, points) -> dict:
    return figures.trend_figure(
        measure,
        totals,
        points,
        colour=figures.org_colour(measure["colour_index"]),
        title=figures.chart_title(measure),
        height=420,
    )


def selection(page_data, dimension) -> tuple[dict, pd.DataFrame, list[str], str, AsOf] | None:
    """What the page shows for a breakdown choice, re-checked on the server (the store and the
    picker come back from the browser): the measure, its values, the groups of the breakdown,
    the breakdown (a declared one, or '' for the total) and the as-of month. None when the
    measure is not in the published data."""
    data = page_data if isinstance(page_data, dict) else {}
    warehouse, as_of = current_warehouse(), read_as_of(data.get("as_of"))
    scope = Scope(measure=read_id(data.get("measure")))
    found = warehouse.measures(scope)
    if found.empty:
        return None
    declared = warehouse.breakdowns(scope.measure)
    dimension = dimension if isinstance(dimension, str) and dimension in set(declared.breakdown) else ""
    groups = list(declared[declared.breakdown == dimension].value)
    return records(found)[0], warehouse.values(scope, as_of.as_at, dimension=dimension), groups, dimension, as_of


def chart(measure: dict, frame: pd.DataFrame, groups: list[str], dimension: str, view: str, points=None) -> dict:
    """The total against its plan, or the breakdown's groups as lines or small multiples."""
    if not dimension:
        if points is None:
            points = plan_points(measure, records(current_warehouse().plan(Scope(measure=measure["id"]))))
        return main_figure(measure, frame, points)
    title = figures.chart_title(measure)
    return figures.breakdown_figure(measure, frame, groups, dimension=dimension, title=title, view=view)


# breakdown picker or view -> the chart and the data table behind it
@callback(
    Output("measure-chart", "figure"),
    Output("measure-chart", "style"),
    Output("measure-table", "children"),
    Input("breakdown-picker", "value"),
    Input("breakdown-view", "value"),
    State("measure-page", "data"),
    prevent_initial_call=True,
)
def show_breakdown(dimension, view, page_data):
    found = selection(page_data, dimension)
    if found is None:
        return figures.empty_figure("This measure is not in the published data."), no_update, None
    measure, frame, groups, dimension, _ = found
    figure = chart(measure, frame, groups, dimension, "panels" if view == "panels" else "lines")
    return figure, components.graph_style(figure), components.observations_table(measure, frame, groups)


# breakdown picker or view -> the address keeps the choice (?breakdown=region&view=panels), so a
# reload or a shared link shows the same; replaceState, because the page is already drawn
dash.clientside_callback(
    """function (dimension, view) {
        const url = new URL(window.location.href);
        url.searchParams.delete("breakdown");
        url.searchParams.delete("view");
        if (dimension) {
            url.searchParams.set("breakdown", dimension);
            if (view === "panels") { url.searchParams.set("view", "panels"); }
        }
        window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
        return url.search;
    }""",
    Output("measure-address", "data"),
    Input("breakdown-picker", "value"),
    Input("breakdown-view", "value"),
    prevent_initial_call=True,
)


# download buttons -> exactly the rows shown, as CSV or JSON
@callback(
    Output("measure-download", "data"),
    Input("download-csv", "n_clicks"),
    Input("download-json", "n_clicks"),
    State("breakdown-picker", "value"),
    State("measure-page", "data"),
    prevent_initial_call=True,
)
def download(_csv, _json, dimension, page_data):
    found = selection(page_data, dimension)
    if found is None:
        return None
    measure, frame, _, _, as_of = found
    rows = export_rows(measure["id"], frame, as_of.month, categories=measure.get("categories"))
    name = f"{measure['id']}-{as_of.month or 'latest'}"
    if ctx.triggered_id == "download-json":
        return {
            "content": rows.to_json(orient="records", indent=1),
            "filename": f"{name}.json",
            "type": "application/json",
        }
    return dcc.send_string(csv_text(rows), f"{name}.csv", type="text/csv")
