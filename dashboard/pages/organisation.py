"""An organisation: every objective it leads or contributes to across councils, the measures
it submits with their status, and how on time its submissions have been over the last year."""

from __future__ import annotations

import dash

from dashboard import components, figures
from dashboard.components import tags
from dashboard.components.organisation import timeliness_figures, timeliness_not_judged
from dashboard.pages._shared import as_of_parts, entity_title, page, read_id
from dashboard.series import records
from dashboard.summaries import (
    submission_record,
    submissions_by_month,
    summaries,
)
from dashboard.urls import AsOf, href
from goal_councils.status import roll_up
from published.judgements import stored_statuses, stored_timeliness
from published.reader import Scope, Warehouse


def _name(warehouse: Warehouse, org_id: str) -> str | None:
    found = warehouse.organisations(org_id=org_id)
    return None if found.empty else str(found.name.iloc[0])


dash.register_page(
    __name__,
    path_template="/org/<org_id>",
    name="Organisation",
    title=entity_title(_name),
    exists=_name,  # the guard answers 404 for an id that names nothing
    description="Everything an organisation leads or contributes to, and how on time its submissions have been.",
)


def layout(org_id: str = "", **query):
    return _layout(org_id=read_id(org_id), **query)


@page("Organisation")
def _layout(warehouse: Warehouse, as_of: AsOf, org_id: str, **_):
    found_org = records(warehouse.organisations(org_id=org_id))
    if not found_org:
        return components.not_found("org", org_id, as_of)
    org = found_org[0]
    scope = Scope(partner=org_id)  # its own measures, and the headline of each of its objectives
    objectives, measures = records(warehouse.objectives(partner=org_id)), records(warehouse.measures(scope))
    timely = stored_timeliness(warehouse, scope, as_of.as_at)
    judged = timely.at is not None  # no judgement run stood then: what fell due is not known, not nothing
    # latest values and their changes need only each measure's last year of figures
    found = summaries(measures, warehouse.latest_year(scope, as_of.as_at),
                      stored_statuses(warehouse, scope, as_of.as_at), timely)
    own = [m for m in measures if m["owner_id"] == org_id]
    records_due = {m["id"]: submission_record(m, timely) for m in own}
    every = [r for rows in records_due.values() for r in rows]
    statuses = {
        o["objective_id"]: roll_up([found[o["headline_id"]].status], [])
        for o in objectives
        if o.get("headline_id") in found
    }
    leads = [o for o in objectives if o["partner_role"] == "lead"]
    return [
        components.breadcrumbs([("Goal map", href("goal_map", as_of=as_of)), (org["name"], None)]),
        *as_of_parts(as_of, href("org", org_id)),
        components.org_title(org),
        components.org_header(org),
        components.summary_figures(
            [
                ("Objectives it leads", f"{len(leads):,}"),
                ("Objectives it contributes to", f"{len(objectives) - len(leads):,}"),
                ("Measures it submits", f"{len(own):,}"),
                *timeliness_figures(every if judged else None),
            ]
        ),
        _timeliness(org, every) if judged else timeliness_not_judged(org, as_of, warehouse.first_judgement()),
        tags.H2("Objectives it takes part in", className="h3 mt-5 mb-3"),
        components.roles_table(objectives, statuses, as_of)
        if objectives
        else components.notice("No objectives", f"{org['name']} is not a partner in any objective."),
        tags.H2("Measures it submits", className="h3 mt-5 mb-3"),
        components.submissions_table(own, found, records_due, as_of)
        if own
        else components.notice("No measures", f"{org['name']} does not submit any measures."),
    ]


def _timeliness(org: dict, every: list[dict]):
    name = org.get("short_name") or org["name"]
    figure = figures.submissions_figure(
        submissions_by_month(every), title=f"Figures due from {name}, by the month they were due"
    )
    return components.timeliness_section(org, every, figure)
