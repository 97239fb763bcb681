"""The exceptions list: every measure needing attention, ranked by severity, with data health."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from dashboard import components
from dashboard.components import tags
from dashboard.components.exceptions import LEGEND, read_page, shown_on, table
from dashboard.context import current_warehouse
from dashboard.pages._shared import as_of_parts, page
from dashboard.urls import AsOf, href, read_as_of
from published.exports import csv_text
from published.judgements import review
from published.reader import Scope, Warehouse

dash.register_page(__name__, path="/exceptions", name="Exceptions", title="Exceptions – Shared Outcomes",
                   description="Every measure needing attention, ranked by severity.", order=2, nav=True)


def _scope(council=None, org=None, objective=None) -> Scope:
    return Scope(council=council or None, owner=org or None, objective=objective or None)


def _choices(warehouse: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Councils, organisations and objectives that can be chosen (id, name): read once per request."""
    found = warehouse.choices()
    kinds = {kind: ([], []) for kind in ("council", "organisation", "objective")}
    for kind, ident, name in zip(found.kind.tolist(), found.id.tolist(), found.name.tolist(), strict=True):
        if kind in kinds:  # one pass over the rows (2,245 at state scale), not a mask per kind
            kinds[kind][0].append(ident)
            kinds[kind][1].append(name)
    return tuple(pd.DataFrame({"id": ids, "name": names}, dtype=object) for ids, names in kinds.values())


def _checked(choices: tuple, council, org, objective) -> tuple:
    """Filters from the browser, kept only when they name a real id (the browser is not trusted)."""
    return tuple(v if isinstance(v, str) and v in set(known.id) else None
                 for v, known in zip((council, org, objective), choices, strict=True))


def health_table(health: pd.DataFrame) -> html.Div:
    head = tags.Thead(tags.Tr([tags.Th(h) for h in ("Organisation", "Due", "On time", "Late", "Missing", "On time %")]))
    rows = [tags.Tr([tags.Td(h.org_name), tags.Td(h.due), tags.Td(h.on_time), tags.Td(h.late), tags.Td(h.missing),
                     tags.Td("" if pd.isna(h.on_time_share) else f"{h.on_time_share:.0%}")])
            for h in health.itertuples()]
    return tags.Div(tags.Table([head, tags.Tbody(rows)], className="table table-sm", id="health-table"),
                    className="table-responsive")


def _options(frame: pd.DataFrame) -> list[dict]:
    return [{"label": n, "value": i} for i, n in zip(frame.id, frame.name, strict=True)]


@page("Exceptions")
def layout(warehouse: Warehouse, as_of: AsOf, council=None, org=None, objective=None, page=None, **_):
    choices = _choices(warehouse)
    council, org, objective = _checked(choices, council, org, objective)
    page = read_page(page)
    result = review(warehouse, _scope(council, org, objective), as_of.as_at, lambda groups: shown_on(groups, page))
    if result.run is None:
        return [components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), ("Exceptions", None)]),
                *as_of_parts(as_of, "/exceptions"), components.page_heading("Exceptions"),
                components.no_judgements_notice(result.first_judged)]
    # the placeholder is the button's name while nothing is chosen (Dash 4 names it by its value alone)
    controls = tags.Div([
        tags.Div([tags.Label("Council", htmlFor="exc-council", className="form-label small"),
                  dcc.Dropdown(_options(choices[0]), council, id="exc-council", placeholder="Every council")],
                 className="col-md-4"),
        tags.Div([tags.Label("Organisation", htmlFor="exc-org", className="form-label small"),
                  dcc.Dropdown(_options(choices[1]), org, id="exc-org", placeholder="Every organisation")],
                 className="col-md-4"),
        tags.Div([tags.Label("Objective", htmlFor="exc-objective", className="form-label small"),
                  dcc.Dropdown(_options(choices[2]), objective, id="exc-objective",
                               placeholder="Every objective")], className="col-md-4"),
    ], className="row g-3 mb-3")
    return [
        components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), ("Exceptions", None)]),
        *as_of_parts(as_of, "/exceptions"),
        components.page_heading("Exceptions", "Every measure needing attention: off track, variation signals on the "
                                "worse side, divergent groups, forecasts that miss the plan, late or missing figures. "
                                "Grouped by objective, the most severe first."),
        tags.P([LEGEND, " ", dcc.Link("How each is judged", href=href("methods", as_of=as_of)), "."],
               className="small text-secondary", id="severity-legend"),
        controls,
        tags.Button("Download CSV", id="exc-download-button", className="btn btn-outline-primary btn-sm mb-3"),
        dcc.Download(id="exc-download"),
        dcc.Store(id="exc-as-of", data=as_of.month),
        dcc.Loading(tags.Div(table(result.exceptions, as_of, page, {"council": council, "org": org,
                                                                    "objective": objective}, result.groups),
                             id="exc-list"),
                    delay_show=500),
        dcc.Store(id="exc-address"),
        tags.H2("Data health", className="h4 mt-4"),
        tags.P("Figures that fell due in the year to the as-of date: received on time, late or not at all.",
               className="small text-secondary"),
        health_table(result.health),
    ]


# filters -> exceptions list
@callback(Output("exc-list", "children"), Input("exc-council", "value"), Input("exc-org", "value"),
          Input("exc-objective", "value"), State("exc-as-of", "data"), prevent_initial_call=True)
def filter_list(council, org, objective, month):
    warehouse, as_of = current_warehouse(), read_as_of(month)
    council, org, objective = _checked(_choices(warehouse), council, org, objective)
    result = review(warehouse, _scope(council, org, objective), as_of.as_at, lambda groups: shown_on(groups, 1))
    if not result.run:
        return components.no_judgements_notice(result.first_judged)
    return table(result.exceptions, as_of, 1, {"council": council, "org": org, "objective": objective}, result.groups)


# filters -> the address keeps them (?council=..&org=..&objective=..), so a reload or a shared link
# shows the same list; replaceState, because the list is already drawn
dash.clientside_callback(
    """function (council, org, objective) {
        const url = new URL(window.location.href);
        const chosen = {council: council, org: org, objective: objective};
        for (const [key, value] of Object.entries(chosen)) {
            if (value) { url.searchParams.set(key, value); } else { url.searchParams.delete(key); }
        }
        url.searchParams.delete("page");  // a new selection starts at its first page
        window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
        return url.search;
    }""",
    Output("exc-address", "data"),
    Input("exc-council", "value"),
    Input("exc-org", "value"),
    Input("exc-objective", "value"),
    prevent_initial_call=True,
)


# download button -> CSV of the list as filtered
@callback(Output("exc-download", "data"), Input("exc-download-button", "n_clicks"), State("exc-council", "value"),
          State("exc-org", "value"), State("exc-objective", "value"), State("exc-as-of", "data"),
          prevent_initial_call=True)
def download(_clicks, council, org, objective, month):
    warehouse, as_of = current_warehouse(), read_as_of(month)
    scope = _scope(*_checked(_choices(warehouse), council, org, objective))
    ex = review(warehouse, scope, as_of.as_at).exceptions
    return dcc.send_string(csv_text(ex), "exceptions.csv", type="text/csv")
