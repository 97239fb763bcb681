"""Layout pieces of the service page: the stage diagram, the stage table, the pinch point and
end-to-end figures, the data-quality notes and the what-if panel. Pure builders: rows in, components out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from dash import dcc, html

from goal_councils.flow import routes
from goal_councils.whatif import Projection

from ..formatting import format_number, format_period, is_missing
from ..urls import AsOf, href
from . import tags
from .chips import chip, org_link
from .pieces import summary_figures, table

__all__ = ["PLAN_WEEKS", "plan_controls", "plan_words", "plan_save_panel", "standing_plan", "user_groups",
           "stage_diagram", "stage_table",
           "period_summary", "quality_notes", "measure_links", "what_if_controls", "what_if_words", "pinch_chip",
           "FIGURE_WORDS"]

_DAY = timedelta(days=1)
FIGURE_WORDS = {
    "arrivals": "arrivals", "completions": "completions", "backlog": "work waiting",
    "time_median": "time in stage (median)", "time_p90": "time in stage (90th percentile)",
    "failure_demand": "failure demand", "right_first_time": "right first time", "capacity": "capacity",
}


def _n(value, decimals: int = 0, suffix: str = "") -> str:
    return "–" if value is None or is_missing(value) else f"{format_number(value, decimals)}{suffix}"


def _pct(share) -> str:
    return "–" if share is None or is_missing(share) else f"{format_number(100 * share, 1)}%"


def pinch_chip() -> html.Span:
    """The pinch point's mark: an icon and a word, colour third."""
    return chip("⚠", "Pinch point", "chip-bad")


def _columns(stages: Sequence[Mapping], handoffs: Sequence[Mapping]) -> list[list[Mapping]]:
    """Stages in columns by how many hand-offs lie before them on the longest route."""
    order = [s["stage_id"] for s in stages]
    next_of = {s: [h["to_stage"] for h in handoffs if h["from_stage"] == s] for s in order}
    depth = dict.fromkeys(order, 0)
    for path in routes(order, next_of):
        for i, s in enumerate(path):
            depth[s] = max(depth[s], i)
    by = {}
    for s in stages:
        by.setdefault(depth[s["stage_id"]], []).append(s)
    return [by[d] for d in sorted(by)]


def stage_diagram(stages: Sequence[Mapping], handoffs: Sequence[Mapping], rows: Mapping[str, Mapping],
                  volumes: Sequence[Mapping], pinch: str | None, as_of: AsOf) -> html.Div:
    """The flow in the period as columns of stage cards: what arrived, was completed and waits in each
    stage, and what each hands on, loses or gets back as failure demand."""
    names = {s["stage_id"]: s["name"] for s in stages}
    handed_in: dict[str, float] = {}
    for v in volumes:
        handed_in[v["to_stage"]] = handed_in.get(v["to_stage"], 0.0) + v["volume"]
    columns = []
    for i, column in enumerate(_columns(stages, handoffs)):
        cards = [_stage_card(s, rows.get(s["stage_id"], {}), [v for v in volumes if v["from_stage"] == s["stage_id"]],
                             handed_in.get(s["stage_id"]), names, s["stage_id"] == pinch, as_of) for s in column]
        columns.append(tags.Li(tags.Ol(cards, className="list-unstyled d-grid gap-2 mb-0"),
                               className="service-column col-12 col-md", **{"aria-label": f"Step {i + 1}"}))
    return tags.Ol(columns, className="service-flow list-unstyled row g-2 mb-3", id="service-diagram")


def _stage_card(stage: Mapping, row: Mapping, out: Sequence[Mapping], handed_in: float | None, names: Mapping,
                pinch: bool, as_of: AsOf) -> html.Li:
    arrived = ("Arrived", row.get("arrivals")) if row.get("arrivals") is not None else ("Handed in", handed_in)
    facts = [(k, _n(v)) for k, v in (arrived, ("Completed", row.get("completions")), ("Waiting", row.get("backlog")))
             if v is not None]
    if row.get("time_p90") is not None or row.get("time_median") is not None:
        facts.append(("Days in stage", f"{_n(row.get('time_median'), 1)} median, {_n(row.get('time_p90'), 1)} 90th"
                      if row.get("time_p90") is not None else f"{_n(row.get('time_median'), 1)} median"))
    lines = [tags.Li(f"→ {_n(v['volume'])} to {names[v['to_stage']]}") for v in out]
    left = row.get("left_service")
    if left is None and not out and handed_in is not None and row.get("backlog") is None \
            and row.get("completions") is not None:
        left = handed_in - row["completions"]  # a last stage with no backlog: what it did not complete has left
    if left is not None and left > 0.5:
        lines.append(tags.Li(f"↘ {_n(left)} left the service here"))
    if row.get("failure_share") is not None:
        lines.append(tags.Li(f"↺ failure demand {_pct(row['failure_share'])} of demand"))
    body = [
        tags.H3(stage["name"], className="h6 mb-1"),
        tags.Div(org_link(stage["org_id"], stage["org_label"], stage["colour_index"], as_of), className="small mb-2"),
        tags.Dl([tags.Div([tags.Dt(k, className="d-inline fw-normal"), " ", tags.Dd(v, className="d-inline mb-0")])
                 for k, v in facts], className="small mb-1"),
        tags.Ul(lines, className="small list-unstyled mb-0 service-handoffs"),
    ]
    if pinch:
        body.insert(0, tags.Div(pinch_chip(), className="mb-1"))
    return tags.Li(tags.Div(body, className="service-stage p-2 border rounded" + (" border-dark border-2" if pinch
                                                                                  else "")))


def stage_table(stages: Sequence[Mapping], rows: Mapping[str, Mapping], pinch: str | None, caption: str) -> html.Div:
    """Every stage's figures in the period: the data behind the diagram and the charts."""
    short = [(name, "text-end text-nowrap") for name in ("Arrived", "Done", "Capacity", "Load", "Waiting", "Change")]
    columns = [("Stage", ""), *short, ("Median days", "text-end"), ("90th pct days", "text-end"),
               ("Failure demand", "text-end"), ("Right first time", "text-end")]
    body = []
    for s in stages:
        r = rows.get(s["stage_id"], {})
        load = (r["arrivals"] / r["capacity"] if r.get("arrivals") is not None and r.get("capacity") else None)
        change = r.get("backlog_change")
        name = [s["name"], tags.Span(f" ({s['org_label']})", className="text-body-secondary")]
        if s["stage_id"] == pinch:
            name += [" ", pinch_chip()]
        body.append(tags.Tr([tags.Th(name, scope="row")] + [tags.Td(v, className="text-end text-nowrap") for v in (
            _n(r.get("arrivals")), _n(r.get("completions")), _n(r.get("capacity")), _pct(load),
            _n(r.get("backlog")), "–" if change is None else ("+" if change > 0 else "") + _n(change),
            _n(r.get("time_median"), 1), _n(r.get("time_p90"), 1), _pct(r.get("failure_share")),
            _n(r.get("right_first_time"), 1, "%"))]))
    return table(columns, body, caption, className="small")


def period_summary(period: Mapping | None, stages: Sequence[Mapping], rows: Mapping[str, Mapping],
                   frequency: str = "monthly") -> html.Div:
    """The headline figures of the period: end-to-end time (90th percentile first), the pinch point,
    failure demand."""
    if not period:
        return tags.P("No figures for this period.", className="text-body-secondary")
    names = {s["stage_id"]: s["name"] for s in stages}
    measured_p90, estimate_p90 = period.get("end_to_end_p90"), period.get("end_to_end_p90_estimate")
    measured_median, estimate_median = period.get("end_to_end_median"), period.get("end_to_end_median_estimate")
    p90_kind, p90 = (("measured", f"{_n(measured_p90, 1)} days") if not is_missing(measured_p90)
                     else ("estimate", f"up to {_n(estimate_p90, 1)} days") if not is_missing(estimate_p90)
                     else ("", "–"))
    median_kind, median = (("measured", f"{_n(measured_median, 1)} days") if not is_missing(measured_median)
                           else ("estimate", f"{_n(estimate_median, 1)} days") if not is_missing(estimate_median)
                           else ("", "–"))
    shares = sorted(((rows[s]["failure_share"], names.get(s, s)) for s in rows
                     if rows[s].get("failure_share") is not None), reverse=True)
    pinch = period.get("pinch_stage")
    why = ("demand above capacity" if period.get("pinch_reason") == "over capacity" else "work waits longest")
    items = [(f"End-to-end time, 9 in 10 people{f' ({p90_kind})' if p90_kind else ''}", p90),
             (f"End-to-end time, median{f' ({median_kind})' if median_kind else ''}", median),
             (f"Pinch point: {why}" if pinch in names else "Pinch point", f"⚠ {names[pinch]}" if pinch in names
              else "None found"),
             (f"Failure demand, highest: {shares[0][1]}" if shares else "Failure demand", _pct(shares[0][0])
              if shares else "–")]
    return tags.Div([summary_figures(items),
                     tags.P(f"Figures for {format_period(period['period'], frequency)}. End-to-end estimates add up "
                            "the stage times along each route; the 90th percentile estimate is an upper bound.",
                            className="small text-body-secondary")], id="service-summary")


def quality_notes(stages: Sequence[Mapping], rows: Mapping[str, Mapping], tolerance: float) -> html.Div:
    """Little's law: where a stage's backlog disagrees with arrivals x time in stage."""
    notes = []
    for s in stages:
        r = rows.get(s["stage_id"], {})
        if r.get("little_agrees") is False:
            notes.append(tags.Li(
                f"{s['name']}: {_n(r['backlog'])} waiting, but {_n(r['arrivals'] or r['completions'])} arriving "
                f"at {_n(r['time_median'], 1)} days each implies about {_n(r['little_expected'])} "
                f"({format_number(100 * (r['little_ratio'] - 1), 0)}% apart). Check the two organisations count "
                "work in progress and time in stage the same way, or whether the stage is far from steady."))
    checked = sum(rows.get(s["stage_id"], {}).get("little_agrees") is not None for s in stages)
    intro = (f"Little's law: work waiting should be about arrivals per day × days in stage. Figures more than "
             f"{round(100 * tolerance)}% apart are flagged as a data-quality question. {checked} "
             f"{'stage has' if checked == 1 else 'stages have'} the figures to check.")
    body = tags.Ul(notes, className="small") if notes else tags.P("Every stage that can be checked agrees.",
                                                                   className="small")
    return tags.Div([tags.P(intro, className="small mb-1"), body], id="service-quality")


def measure_links(stages: Sequence[Mapping], measures: Sequence[Mapping], as_of: AsOf) -> html.Div:
    """Each stage's measures, linked to their pages."""
    items = []
    for s in stages:
        mine = [m for m in measures if m["stage_id"] == s["stage_id"]]
        if mine:
            links = [tags.Li([f"{FIGURE_WORDS.get(m['figure'], m['figure']).capitalize()}: ",
                              dcc.Link(m["measure_name"], href=href("measure", m["measure_id"], as_of))])
                     for m in mine]
            items.append(tags.Li([tags.Span(s["name"], className="fw-semibold"), tags.Ul(links, className="small")]))
    return tags.Ul(items, className="list-unstyled", id="service-measures")


def what_if_controls(stages: Sequence[Mapping], chosen: str | None = None) -> html.Div:
    """Which stage, demand or capacity, and by what percentage; the stage chosen first is `chosen`."""
    options = [{"label": s["name"], "value": s["stage_id"]} for s in stages]
    first = chosen if chosen in {o["value"] for o in options} else (options[0]["value"] if options else None)
    return tags.Div([
        tags.Div([tags.Label("Stage", htmlFor="what-if-stage", className="form-label fw-semibold mb-1"),
                  dcc.Dropdown(id="what-if-stage", options=options, value=first,
                               clearable=False)], className="col-md-5"),
        tags.Div([tags.Label("Change", htmlFor="what-if-lever", className="form-label fw-semibold mb-1"),
                  dcc.Dropdown(id="what-if-lever", options=[{"label": "Demand", "value": "demand"},
                                                            {"label": "Capacity", "value": "capacity"}],
                               value="capacity", clearable=False)], className="col-md-3"),
        tags.Div([tags.Label("By (%)", htmlFor="what-if-percent", className="form-label fw-semibold mb-1"),
                  # text, not a number field: Dash's number steppers are too small to touch (WCAG 2.5.8)
                  dcc.Input(id="what-if-percent", type="text", inputMode="numeric", value="10",
                            className="form-control", debounce=True)], className="col-md-2"),
    ], className="row g-3 mb-3")


def what_if_words(base: Projection, changed: Projection, stages: Sequence[Mapping], shown: Sequence[str]) -> html.Div:
    """What the projection says, in words: the chart's text alternative and its summary."""
    names = {s["stage_id"]: s["name"] for s in stages}
    last = base.weeks[-1]
    lines = [tags.Li(f"{names[s]}: {_n(changed.backlog[s][-1])} waiting after {last} weeks, against "
                     f"{_n(base.backlog[s][-1])} as now.") for s in shown]
    if base.end_to_end[-1] is not None and changed.end_to_end[-1] is not None:
        lines.append(tags.Li(f"End-to-end time after {last} weeks: {_n(changed.end_to_end[-1], 1)} days, against "
                             f"{_n(base.end_to_end[-1], 1)} days as now."))
    return tags.Ul(lines, className="small chart-summary", id="what-if-words")


def user_groups(rows: Sequence[Mapping], measure_name: str, period: str, as_of: AsOf, measure_id: str) -> html.Div:
    """End-to-end time for each user group the service's own measure breaks it down by, in the period."""
    mine = [r for r in rows if r["period"] == period and r.get("dimension")]
    if not mine:
        return tags.Div()
    items = [tags.Li(f"{r['grp']} ({r['dimension'].replace('_', ' ')}): {_n(r['value'], 1)} days")
             for r in sorted(mine, key=lambda r: (r["dimension"], -(r["value"] or 0)))]
    return tags.Div([tags.H2("End-to-end time by user group", className="h6 mt-2"),
                     tags.P(["From ", dcc.Link(measure_name, href=href("measure", measure_id, as_of)),
                             ", longest first."], className="small mb-1"),
                     tags.Ul(items, className="small", id="service-groups")])


PLAN_WEEKS = (4, 8, 13, 26, 52)


def _field(label: str, control, width: str, hint: str | None = None) -> html.Div:
    ident = control.id
    parts = [tags.Label(label, htmlFor=ident, className="form-label fw-semibold mb-1"), control]
    if hint:
        parts.append(tags.Div(hint, className="form-text", id=f"{ident}-hint"))
    return tags.Div(parts, className=width)


def plan_controls(stages: Sequence[Mapping], rows: Mapping[str, Mapping], chosen: str | None) -> html.Div:
    """Which stage (those that measure their work waiting), the work waiting wanted, within how many weeks;
    and, optionally, the people: staff in post, their leave and absence, and what one completes a week."""
    options = [{"label": s["name"], "value": s["stage_id"]} for s in stages
               if rows.get(s["stage_id"], {}).get("backlog") is not None]
    if not options:
        return tags.P("No stage of this service measures its work waiting, so there is nothing to plan.",
                      className="small")
    first = chosen if chosen in {o["value"] for o in options} else options[0]["value"]
    wanted = rows[first]["backlog"] / 2

    def text(ident: str, value: str = "", mode: str = "decimal") -> dcc.Input:
        return dcc.Input(id=ident, type="text", inputMode=mode, value=value, className="form-control",
                         debounce=True)

    return tags.Div([
        tags.Div([
            _field("Stage", dcc.Dropdown(id="plan-stage", options=options, value=first, clearable=False), "col-md-5"),
            _field("Work waiting wanted", text("plan-target", str(round(wanted)), "numeric"), "col-md-3"),
            _field("Within", dcc.Dropdown(id="plan-weeks", options=[{"label": f"{w} weeks", "value": w}
                                                                    for w in PLAN_WEEKS], value=13, clearable=False),
                   "col-md-3"),
        ], className="row g-3 mb-2"),
        tags.Div([
            _field("Staff in post (full-time equivalent)", text("plan-staff"), "col-md-4",
                   "Optional: to say how many people the plan needs."),
            _field("Leave and absence, %", text("plan-absence", "15", "numeric"), "col-md-3",
                   "Share of staff time lost to leave, sickness and training."),
            _field("Completed a week by one person at work", text("plan-productivity"), "col-md-4",
                   "Blank: what the stage's figures say it does now."),
        ], className="row g-3 mb-3"),
    ])


def plan_words(plan, stage_name: str, target: float, start, by, demand_from: str, team=None) -> html.Div:
    """A stage's workload plan in words (with the people it needs when `team`, a Staffing, is given), and its
    week-by-week profile as a table. `demand_from` says where the weekly demand came from."""
    extra = plan.extra_share
    more = ("no more than now" if extra is None or extra <= 0 else f"{format_number(100 * extra, 0)}% more than now")
    if plan.weeks_to_clear_now is None:
        now = "At today's capacity the work waiting does not clear."
    else:
        now = f"At today's capacity it would clear in about {format_number(plan.weeks_to_clear_now, 0)} weeks."
    said = [tags.P([f"{stage_name}: {_n(plan.backlog[0])} waiting, {_n(plan.demand)} arriving a week on average "
                    f"({demand_from}), and up to {_n(plan.capacity_now)} done a week now. ",
                    f"To have {_n(target)} waiting within {plan.weeks} weeks (by {by:%-d %B %Y}) it needs to complete "
                    f"{_n(plan.capacity_needed)} a week: {more}. ", now], className="small", id="plan-words")]
    if team is not None:
        needed = team.staff_for(plan.capacity_needed)
        gap = "" if needed is None else (
            f": {_fte(needed - team.staff)} more" if needed > team.staff else ": no more than now")
        said.append(tags.P(
            f"People: {_fte(team.staff)} in post, {format_number(100 * team.absence, 0)}% of their time "
            f"on leave or absent, each completing {format_number(team.productivity, 1)} a week at work: "
            f"{_n(team.capacity)} a week. The plan needs "
            f"{'–' if needed is None else _fte(needed)} in post{gap}.",
            className="small", id="plan-staffing"))
    body = [tags.Tr([tags.Td(w, className="text-end"), tags.Td(f"{start + (w * 7) * _DAY:%-d %b %Y}"),
                     tags.Td(_n(v), className="text-end")]) for w, v in enumerate(plan.backlog)]
    said.append(tags.Details([tags.Summary("Week by week", className="small"),
                              table([("Week", "text-end"), ("Week ending", ""), ("Work waiting", "text-end")], body,
                                    f"{stage_name}: work waiting week by week under this plan", className="small")]))
    return tags.Div(said)


def _fte(value: float) -> str:
    """Full-time equivalents: a whole number as it is, else to one decimal."""
    return format_number(value, 0 if float(value).is_integer() else 1)


def plan_save_panel() -> html.Div:
    """The button that saves the plan shown as the stage's work-waiting measure's milestone trajectory, and
    where the outcome and the plan standing are said (for those who may save plans)."""
    return tags.Div([
        tags.Button("Save as the milestone trajectory", id="plan-save", n_clicks=0, className="btn btn-primary me-2"),
        tags.Button("Withdraw the saved plan", id="plan-withdraw", n_clicks=0, className="btn btn-outline-secondary"),
        tags.Div(id="plan-saved", className="small mt-2", role="status"),
    ], className="mt-3", id="plan-save-panel")


def standing_plan(plan, measure_name: str, measure_href: str, saved_by: str) -> html.P:
    """The plan that stands as a measure's milestone trajectory: who saved it and when (internal)."""
    return tags.P([f"Saved plan: {_n(plan.target)} waiting by {plan.saved.end:%-d %B %Y}, the milestone trajectory "
                   "of ", dcc.Link(measure_name, href=measure_href),
                   f", saved by {saved_by} on {plan.recorded_at:%-d %B %Y at %H:%M} UTC."],
                  className="small", id="plan-standing")
