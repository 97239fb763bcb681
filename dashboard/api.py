"""The read-only JSON API and the bulk CSV downloads under /api/v1/ (docs/api.md; the OpenAPI
description, OPENAPI below, is served at /api/v1/openapi.json).

Every answer reads through `current_warehouse()`: an anonymous request is answered from the public
file, which holds no internal measure at all, and a signed-in one as the reader scopes it for the
viewer (published/access.py). An id naming something the viewer may not see is answered exactly as
one naming nothing: 404, same body. Query parameters come from anyone: each is checked, and a bad
one is answered 400 with `{"error": ..., "parameter": ...}`; so is one the address does not take,
so that a misspelt filter does not quietly return everything.

Answers to the public may be kept by shared caches for five minutes; answers to a signed-in
viewer are never stored.
"""

from __future__ import annotations

import calendar
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial

import flask
from dash import Dash
from werkzeug.exceptions import MethodNotAllowed

from published import documents
from published.access import current_viewer
from published.as_of import AsOf
from published.reader import Warehouse, WarehouseError, WarehouseMissing

from . import public_documents
from .context import current_public_text, current_settings, current_warehouse
from .service_documents import STAGE_FIGURES, read_service, service_document, service_index
from .urls import NotEnded, view_as_of

__all__ = ["install", "ENDPOINTS", "OPENAPI", "PREFIX"]

log = logging.getLogger(__name__)

PREFIX = "api/v1"  # under the app's path prefix
MAX_ID = 200  # longer than any id a definition may have
MAX_VALUE = 200  # characters of a query parameter
PUBLIC_CACHE, PRIVATE_CACHE = "public, max-age=300", "private, no-store"
JSON_TYPE, CSV_TYPE = "application/json; charset=utf-8", "text/csv; charset=utf-8"
NOT_FOUND = {"error": "Not found."}  # the same for an id that names nothing and one the viewer may not see
MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
ID_PARAMS = {"council": "council_id", "objective": "objective_id", "measure": "measure_id",
             "organisation": "org_id", "service": "service_id"}


class BadParameter(Exception):
    """A query parameter that cannot be used: answered 400, naming it."""

    def __init__(self, parameter: str, error: str):
        super().__init__(f"{parameter}: {error}")
        self.parameter, self.error = parameter, error


# --- the answers -----------------------------------------------------------------------------------

def _listed(kind: str, items: list[dict], as_of: AsOf) -> list[dict]:
    """Items of a list, each with `href`: the address of its own document (keeping the as-of month)."""
    endpoint = f"api.{kind}"
    return [{**item, "href": flask.url_for(endpoint, **{ID_PARAMS[kind]: item["id"]}, as_of=as_of.month)}
            for item in items]


def _councils(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    return {"councils": _listed("council", documents.council_index(w), as_of)}


def _objectives(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    return {"objectives": _listed("objective", documents.objective_index(w, query.get("council")), as_of)}


def _measures(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    found = documents.measure_index(w, as_of.as_at, council_id=query.get("council"),
                                    objective_id=query.get("objective"), owner_id=query.get("owner"))
    return {"measures": _listed("measure", found, as_of)}


def _organisations(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    return {"organisations": _listed("organisation", documents.organisation_index(w), as_of)}


def _observations(w: Warehouse, as_of: AsOf, query: dict, measure_id: str) -> dict | None:
    since, until, breakdown = query.get("from"), query.get("to"), query.get("breakdown")
    if since and until and since > until:
        raise BadParameter("to", "is before `from`")
    try:
        found = documents.measure_observations(w, measure_id, as_of.as_at, since=since, until=until,
                                               breakdown=breakdown)
    except documents.UnknownBreakdown:
        raise BadParameter("breakdown", f"is not a breakdown of this measure: `{documents.TOTAL}`, a dimension it "
                                        "declares (`region`) or one group (`region=North`)") from None
    if found is None:
        return None
    return {"measure_id": measure_id, "from": since and f"{since:%Y-%m}", "to": until and f"{until:%Y-%m}",
            "breakdown": breakdown, "observations": found}


def _commentary(w: Warehouse, as_of: AsOf, query: dict, measure_id: str) -> dict | None:
    return public_documents.commentary_document(current_public_text(), w, measure_id)


def _actions(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    return public_documents.actions_document(current_public_text(), w, council_id=query.get("council"),
                                             objective_id=query.get("objective"), measure_id=query.get("measure"))


def _services(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    return {"services": _listed("service", service_index(w, as_of.as_at), as_of)}


def _service(w: Warehouse, as_of: AsOf, query: dict, service_id: str) -> dict | None:
    found = read_service(w, service_id, as_of.as_at)
    return None if found is None else service_document(found)


def _openapi(w: Warehouse, as_of: AsOf, query: dict) -> dict:
    prefix = flask.current_app.blueprints["api"].url_prefix
    return {**OPENAPI, "servers": [{"url": flask.request.script_root + prefix}]}


def _one(build: Callable[[Warehouse, str, object], dict | str | None]) -> Callable:
    """An answer for one thing by its id (a document or its CSV); None when there is no such thing."""
    def answer(w: Warehouse, as_of: AsOf, query: dict, **path) -> dict | str | None:
        (ident,) = path.values()
        return build(w, ident, as_of.as_at)
    return answer


@dataclass(frozen=True)
class Endpoint:
    name: str
    answer: Callable[..., dict | str | None]  # (warehouse, as_of, query, **path): JSON, CSV text, None (404)
    params: tuple[str, ...] = ()  # query parameters it takes besides `as_of`
    download: str | None = None  # a CSV download: the first word of its file name
    as_of: bool = True  # takes `as_of`, and says which month it answers for


# every route, under /api/v1; OPENAPI describes exactly these (tests/test_api.py holds them together)
ENDPOINTS: dict[str, Endpoint] = {
    "/openapi.json": Endpoint("openapi", _openapi, as_of=False),
    "/councils": Endpoint("councils", _councils),
    "/councils/<council_id>": Endpoint("council", _one(documents.council_document)),
    "/councils/<council_id>.csv": Endpoint("council_csv", _one(documents.council_csv), download="council"),
    "/objectives": Endpoint("objectives", _objectives, ("council",)),
    "/objectives/<objective_id>": Endpoint("objective", _one(documents.objective_document)),
    "/objectives/<objective_id>.csv": Endpoint("objective_csv", _one(documents.objective_csv), download="objective"),
    "/measures": Endpoint("measures", _measures, ("council", "objective", "owner")),
    "/measures/<measure_id>": Endpoint("measure", _one(documents.measure_document)),
    "/measures/<measure_id>.csv": Endpoint("measure_csv", _one(documents.measure_csv), download="measure"),
    "/measures/<measure_id>/observations": Endpoint("observations", _observations, ("from", "to", "breakdown")),
    "/measures/<measure_id>/commentary": Endpoint("commentary", _commentary, as_of=False),
    "/actions": Endpoint("actions", _actions, ("council", "objective", "measure"), as_of=False),
    "/organisations": Endpoint("organisations", _organisations),
    "/organisations/<org_id>": Endpoint("organisation", _one(documents.organisation_document)),
    "/organisations/<org_id>.csv": Endpoint("organisation_csv", _one(documents.organisation_csv),
                                            download="organisation"),
    "/services": Endpoint("services", _services),
    "/services/<service_id>": Endpoint("service", _service),
}


# --- the parameters ----------------------------------------------------------------------------------

def _month(value: str, *, end: bool = False) -> date:
    match = MONTH.fullmatch(value)
    if not match:
        raise ValueError("is not a month: write it as YYYY-MM, e.g. 2025-03")
    year, month = int(match[1]), int(match[2])
    return date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def _as_of(value: str) -> AsOf:
    found = view_as_of(value)
    if isinstance(found, NotEnded):  # as the pages do: its end has not come, so figures as at it are not known
        raise ValueError(f"{value} has not ended yet: ask for a month that has, or `latest`")
    if found.problem:
        raise ValueError("is not a month: write it as YYYY-MM, e.g. 2025-03, or `latest`")
    return found


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value


PARSERS: dict[str, Callable[[str], object]] = {
    "as_of": _as_of, "from": _month, "to": partial(_month, end=True), "breakdown": _text,
    "council": _text, "objective": _text, "owner": _text, "measure": _text,
}


def _query(endpoint: Endpoint) -> dict:
    """The request's query parameters, checked and parsed (BadParameter for the first bad one)."""
    takes = (*endpoint.params, *(("as_of",) if endpoint.as_of else ()))
    found = {}
    for name in flask.request.args:
        shown = name[:MAX_VALUE]
        if name not in takes:
            raise BadParameter(shown, "is not a parameter of this address; it takes: " + (", ".join(takes) or
                                                                                           "none"))
        values = flask.request.args.getlist(name)
        if len(values) > 1:
            raise BadParameter(name, "is given more than once")
        if len(values[0]) > MAX_VALUE:
            raise BadParameter(name, f"is longer than {MAX_VALUE} characters")
        try:
            found[name] = PARSERS[name](values[0])
        except ValueError as e:
            raise BadParameter(name, str(e)) from None
    return found


# --- serving -----------------------------------------------------------------------------------------

def _json(data: dict, status: int = 200) -> flask.Response:
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return flask.Response(body, status=status, content_type=JSON_TYPE)


def _file_name(word: str, ident: str, as_of: AsOf) -> str:
    """`measure-neet_rate-2025-03.csv`: only letters, digits, `-`, `_` and `.` from the id."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", ident).strip(".")[:100] or "download"
    return f"{word}-{safe}-{as_of.month or 'latest'}.csv"


def _serve(endpoint: Endpoint, **path: str) -> flask.Response:
    try:
        query = _query(endpoint)
        as_of = query.pop("as_of", AsOf())
        if any(len(v) > MAX_ID for v in path.values()):
            return _json(NOT_FOUND, 404)
        found = endpoint.answer(current_warehouse(), as_of, query, **path)
    except BadParameter as e:
        return _json({"error": f"`{e.parameter}` {e.error}.", "parameter": e.parameter}, 400)
    except WarehouseMissing:
        return _json({"error": "No data has been published yet."}, 503)
    except WarehouseError:
        log.exception("API %s: warehouse unreadable", flask.request.path)
        return _json({"error": "The published data cannot be read just now; try again shortly."}, 503)
    if found is None:
        return _json(NOT_FOUND, 404)
    if endpoint.download:
        name = _file_name(endpoint.download, *path.values(), as_of)
        return flask.Response(found, content_type=CSV_TYPE,
                              headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return _json({"as_of": as_of.month, **found} if endpoint.as_of else found)


def _unknown_address(prefix: str):
    """An address under the API that names no route (Dash's catch-all would answer it with a page):
    a JSON 404, or 405 for a method the API does not take."""
    request = flask.request
    if request.blueprint == "api" or not (request.path == prefix or request.path.startswith(prefix + "/")):
        return None
    if isinstance(request.routing_exception, MethodNotAllowed):
        response = _json({"error": "The API only reads: use GET."}, 405)
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return _json(NOT_FOUND, 404)


def _headers(prefix: str, response: flask.Response) -> flask.Response:
    """Caching by who is asking, and no type sniffing, on every answer under the API."""
    path = flask.request.path
    if not (path == prefix or path.startswith(prefix + "/")):
        return response
    shared = not current_viewer().signed_in and "Set-Cookie" not in response.headers
    response.headers["Cache-Control"] = PUBLIC_CACHE if shared else PRIVATE_CACHE
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Cookie")
    header = current_settings().trusted_user_header
    if header:
        response.vary.add(header)
    return response


def install(app: Dash) -> None:
    """Mount the API's routes under the app's path prefix, with its 404s and headers."""
    prefix = app.config.routes_pathname_prefix.rstrip("/") + "/" + PREFIX
    blueprint = flask.Blueprint("api", __name__, url_prefix=prefix)
    for rule, endpoint in ENDPOINTS.items():
        blueprint.add_url_rule(rule, endpoint.name, partial(_serve, endpoint), methods=["GET"])
    app.server.register_blueprint(blueprint)
    app.server.before_request(partial(_unknown_address, prefix))
    app.server.after_request(partial(_headers, prefix))


# --- the OpenAPI description, written by hand --------------------------------------------------------

def _ref(kind: str, name: str) -> dict:
    return {"$ref": f"#/components/{kind}/{name}"}


def _array(name: str) -> dict:
    return {"type": "array", "items": _ref("schemas", name)}


def _object(properties: dict, nullable: bool = False) -> dict:
    return {"type": ["object", "null"] if nullable else "object", "properties": properties,
            "required": list(properties)}


def _get(summary: str, description: str, answer: dict | None, *params: str, path: str | None = None) -> dict:
    """A GET operation: `answer` the JSON schema of its 200 (None: a CSV file); `path` its id parameter."""
    ok = ({"description": "CSV, one row per observation (columns: " + ", ".join(documents.CSV_COLUMNS) + "); "
                          "cells that a spreadsheet would run as a formula start with a quote.",
           "content": {"text/csv": {"schema": {"type": "string"}}},
           "headers": {"Content-Disposition": {"schema": {"type": "string"},
                                               "description": "attachment; filename=\"<kind>-<id>-<month>.csv\""}}}
          if answer is None else {"description": "OK", "content": {"application/json": {"schema": answer}}})
    responses = {"200": ok, "400": _ref("responses", "BadParameter"), "503": _ref("responses", "Unavailable")}
    if path:
        responses["404"] = _ref("responses", "NotFound")
    names = ([path] if path else []) + list(params)
    return {"get": {"summary": summary, "description": description,
                    "parameters": [_ref("parameters", n) for n in names], "responses": responses}}


_TEXT, _NUMBER, _INTEGER = {"type": "string"}, {"type": ["number", "null"]}, {"type": "integer"}
_MAYBE = {"type": ["string", "null"]}
_NAMED = _object({"id": _TEXT, "name": _TEXT})
_AS_OF = {"as_of": {"type": ["string", "null"], "description": "the month whose end the figures are as at; "
                                                                 "null: the latest"}}
_DOCUMENT_PARTS = {"measures": _array("Measure"), "observations": _array("Observation")}
_SERVICE = {"id": _TEXT, "name": _TEXT, "description": _MAYBE, "objectives": _array("Named")}
_STAGE = {"id": _TEXT, "name": _TEXT, "description": _MAYBE, "organisation": _NAMED}


def _listing(key: str, item: str) -> dict:
    return _object({**_AS_OF, key: _array(item)})


def _id_param(name: str, what: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string", "maxLength": MAX_ID},
            "description": f"the {what}'s id, as in its definition"}


def _filter(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string", "minLength": 1},
            "description": description}


OPENAPI: dict = {
    "openapi": "3.1.0",
    "info": {
        "title": "Shared Outcomes API",
        "version": "1.0.0",
        "description": "Read-only: goal councils, their objectives, the measures of each and their observations, "
                       "with definitions, units, targets and the status each measure was judged to have when its "
                       "figures were published, and end-to-end services across organisations with their flow month "
                       "by month. Anyone may read published measures; a signed-in user also sees "
                       "the internal measures their role allows. Every address takes `as_of=YYYY-MM` (the figures "
                       "as they stood at the end of that month) and refuses a parameter it does not take with "
                       "400. See docs/api.md.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/openapi.json": {"get": {"summary": "This description", "parameters": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {"application/json": {"schema": {
                                                            "type": "object"}}}}}}},
        "/councils": _get("Goal councils", "Every council, in order.", _listing("councils", "CouncilSummary"),
                          "as_of"),
        "/councils/{council_id}": _get(
            "One council, in full", "Its goal and chair, member organisations, objectives with lead and partners, "
            "and the definitions and observations (every breakdown) of its measures.",
            _object({**_AS_OF, "council": _ref("schemas", "Council"), "members": _array("Member"),
                     "objectives": _array("Objective"), **_DOCUMENT_PARTS}), "as_of", path="council_id"),
        "/councils/{council_id}.csv": _get("One council's observations as CSV",
                                           "Every observation of every measure of the council.", None, "as_of",
                                           path="council_id"),
        "/objectives": _get("Objectives", "Every objective (of one council), in order, with its lead and the "
                            "headline measure.", _listing("objectives", "ObjectiveSummary"), "as_of", "council"),
        "/objectives/{objective_id}": _get(
            "One objective, in full", "Its statement, council, lead and partners with their responsibilities, and "
            "its measures' definitions and observations.",
            _object({**_AS_OF, "objective": _ref("schemas", "Objective"), **_DOCUMENT_PARTS}), "as_of",
            path="objective_id"),
        "/objectives/{objective_id}.csv": _get("One objective's observations as CSV", "Every observation of every "
                                               "measure of the objective.", None, "as_of", path="objective_id"),
        "/measures": _get("Measures", "Measure definitions (without trajectory) and their judged status, "
                          "filtered by council, objective and owning organisation.",
                          _listing("measures", "MeasureSummary"), "as_of", "council", "objective", "owner"),
        "/measures/{measure_id}": _get(
            "One measure, in full", "Its definition, target and trajectory, owner, judged status and every "
            "observation.", _object({**_AS_OF, "measure": _ref("schemas", "Measure"),
                                     "observations": _array("Observation")}), "as_of", path="measure_id"),
        "/measures/{measure_id}.csv": _get("One measure's observations as CSV", "Every observation of the measure.",
                                           None, "as_of", path="measure_id"),
        "/measures/{measure_id}/observations": _get(
            "Some observations of a measure", "By period (the month each period starts in) and breakdown.",
            _object({**_AS_OF, "measure_id": _TEXT, "from": _MAYBE, "to": _MAYBE, "breakdown": _MAYBE,
                     "observations": _array("Observation")}), "as_of", "from", "to", "breakdown",
            path="measure_id"),
        "/measures/{measure_id}/commentary": _get(
            "Public commentary on a measure", "What its owner or its objective's lead said about a period: what "
            "happened, why, and what is being done; newest period first. Only commentary marked public, as it "
            "stands today.", _object({"measure_id": _TEXT, "commentary": _array("Commentary")}),
            path="measure_id"),
        "/actions": _get(
            "Public actions", "What the councils agreed to do, with owner organisation, due date and status today "
            "(open, done, or overdue: open after its due date); open before done. Only actions marked public.",
            _object({"actions": _array("Action")}), "council", "objective", "measure"),
        "/organisations": _get("Organisations", "Every organisation, with how many objectives it leads and "
                               "contributes to.", _listing("organisations", "OrganisationSummary"), "as_of"),
        "/organisations/{org_id}": _get(
            "One organisation, in full", "The objectives it leads or contributes to (with every partner's "
            "responsibility), the measures it owns there and each objective's headline measure, with observations.",
            _object({**_AS_OF, "organisation": _ref("schemas", "Organisation"), "objectives": _array("Objective"),
                     **_DOCUMENT_PARTS}), "as_of", path="org_id"),
        "/organisations/{org_id}.csv": _get("One organisation's observations as CSV", "Every observation of the "
                                            "measures in the organisation's document.", None, "as_of",
                                            path="org_id"),
        "/services": _get("End-to-end services", "Every service the viewer may see a stage of, in order: the "
                          "objectives it serves and its stages with the organisation running each.",
                          _listing("services", "ServiceSummary"), "as_of"),
        "/services/{service_id}": _get(
            "One end-to-end service, in full", "Its stages (with the measures each names), hand-offs and, month by "
            "month as judged at publish, each stage's flow figures, the volumes handed on, the pinch point and the "
            "end-to-end time. Stages the viewer may not see are left out, and so is every figure derived from them.",
            _object({**_AS_OF, "service": _ref("schemas", "Service"), "stages": _array("Stage"),
                     "handoffs": _array("Handoff"), "months": _array("ServiceMonth")}), "as_of", path="service_id"),
    },
    "components": {
        "parameters": {
            "as_of": {"name": "as_of", "in": "query", "required": False,
                      "schema": {"type": "string", "pattern": r"^(\d{4}-(0[1-9]|1[0-2])|latest)$"},
                      "description": "The figures as they stood at the end of this month (YYYY-MM); "
                                     "absent or `latest`: the newest."},
            "council_id": _id_param("council_id", "council"),
            "objective_id": _id_param("objective_id", "objective"),
            "measure_id": _id_param("measure_id", "measure"),
            "org_id": _id_param("org_id", "organisation"),
            "service_id": _id_param("service_id", "service"),
            "council": _filter("council", "Only those of this council (an id)."),
            "objective": _filter("objective", "Only those of this objective (an id)."),
            "owner": _filter("owner", "Only those this organisation owns (an id)."),
            "measure": _filter("measure", "Only those about this measure (an id)."),
            "from": {"name": "from", "in": "query", "required": False,
                     "schema": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
                     "description": "Periods starting in this month (YYYY-MM) or later."},
            "to": {"name": "to", "in": "query", "required": False,
                   "schema": {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$"},
                   "description": "Periods starting in this month (YYYY-MM) or earlier; not before `from`."},
            "breakdown": _filter("breakdown", "`total`: the totals only; a dimension the measure declares "
                                 "(`region`): each of its groups; one group (`region=North`)."),
        },
        "responses": {
            "BadParameter": {"description": "A query parameter is malformed, repeated or not taken by this "
                                            "address; `parameter` names it.",
                             "content": {"application/json": {"schema": _ref("schemas", "Error")}}},
            "NotFound": {"description": "No such id, or nothing the viewer may see: the two read the same.",
                         "content": {"application/json": {"schema": _ref("schemas", "Error")}}},
            "Unavailable": {"description": "Nothing has been published yet, or the data cannot be read now.",
                            "content": {"application/json": {"schema": _ref("schemas", "Error")}}},
        },
        "schemas": {
            "Error": {"type": "object", "properties": {"error": _TEXT, "parameter": _TEXT}, "required": ["error"]},
            "Named": _NAMED,
            "CouncilSummary": _object({"id": _TEXT, "name": _TEXT, "goal": _MAYBE, "chair": _MAYBE,
                                       "objectives": _INTEGER, "members": _INTEGER, "href": _TEXT}),
            "Council": _object({"id": _TEXT, "name": _TEXT, "goal": _MAYBE, "chair": _MAYBE}),
            "Member": _object({"id": _TEXT, "name": _TEXT, "short_name": _MAYBE, "kind": _TEXT}),
            "OrganisationSummary": _object({"id": _TEXT, "name": _TEXT, "short_name": _MAYBE, "kind": _TEXT,
                                            "url": _MAYBE, "leads": _INTEGER, "contributes": _INTEGER,
                                            "href": _TEXT}),
            "Organisation": _object({"id": _TEXT, "name": _TEXT, "short_name": _MAYBE, "kind": _TEXT,
                                     "url": _MAYBE}),
            "ObjectiveSummary": _object({"id": _TEXT, "name": _TEXT, "statement": _MAYBE, "council": _NAMED,
                                         "number": _INTEGER, "lead": {**_NAMED, "type": ["object", "null"]},
                                         "headline_measure": _MAYBE, "href": _TEXT}),
            "Objective": _object({"id": _TEXT, "name": _TEXT, "statement": _MAYBE, "council": _NAMED,
                                  "number": _INTEGER, "lead": {**_NAMED, "type": ["object", "null"]},
                                  "partners": _array("Partner"), "headline_measure": _MAYBE,
                                  "measures": {"type": "array", "items": _TEXT}}),
            "Partner": _object({"id": _TEXT, "name": _TEXT, "role": {"enum": ["lead", "contributor"]},
                                "responsibility": _MAYBE}),
            "Judgement": _object({"status": _TEXT, "reason": _TEXT, "period": _MAYBE}, nullable=True),
            "Target": _object({"baseline_period": _MAYBE, "baseline_value": _NUMBER, "target_period": _MAYBE,
                               "target_value": _NUMBER, "note": _MAYBE}),
            "TrajectoryPoint": _object({"period": _TEXT, "period_start": {"type": "string", "format": "date"},
                                        "value": {"type": "number"},
                                        "kind": {"enum": ["baseline", "milestone", "final"]}}),
            "MeasureDefinition": _object({
                "id": _TEXT, "name": _TEXT, "description": _MAYBE, "role": _TEXT, "kind": _TEXT, "timing": _TEXT,
                "unit": _TEXT, "unit_label": _MAYBE, "rate_per": {"type": ["integer", "null"]},
                "decimals": _INTEGER, "direction": _TEXT, "frequency": _TEXT, "published": {"type": "boolean"},
                "source": _MAYBE, "categories": {"type": ["object", "null"], "additionalProperties": _TEXT},
                "breakdowns": {"type": "array", "items": _TEXT}, "owner": _NAMED, "objective": _NAMED,
                "council": _NAMED, "target": _ref("schemas", "Target"), "judgement": _ref("schemas", "Judgement")}),
            "MeasureSummary": {"allOf": [_ref("schemas", "MeasureDefinition"), _object({"href": _TEXT})]},
            "Measure": {"allOf": [_ref("schemas", "MeasureDefinition"),
                                  _object({"trajectory": _array("TrajectoryPoint")})]},
            "Commentary": _object({"period": _TEXT, "organisation": _NAMED, "what_happened": _TEXT, "why": _TEXT,
                                   "what_next": _TEXT, "updated": {"type": "string", "format": "date"}}),
            "Action": _object({"id": _INTEGER, "council_id": _TEXT, "objective_id": _MAYBE, "measure_id": _MAYBE,
                               "title": _TEXT, "owner": _NAMED, "due": {"type": "string", "format": "date"},
                               "state": {"enum": ["open", "done"]}, "status": {"enum": ["open", "done", "overdue"]},
                               "notes": _TEXT, "updated": {"type": "string", "format": "date"}}),
            "Observation": _object({"measure_id": _TEXT, "period": _TEXT,
                                    "period_start": {"type": "string", "format": "date"},
                                    "breakdown": {"type": "string", "description": "'' the total; else "
                                                  "`name=group`, several joined by `|`"},
                                    "value": _NUMBER, "status": _MAYBE, "note": _MAYBE,
                                    "revised": {"type": "boolean"}}),
            "ServiceSummary": _object({**_SERVICE, "stages": _array("StageSummary"), "href": _TEXT}),
            "Service": _object({**_SERVICE, "little_tolerance": {"type": "number", "description": "how far apart "
                                "work waiting and arrivals a day × days in stage may be before Little's-law check "
                                "flags them (0.35: 35%)"},
                                "end_to_end_measures": _object({"median": _MAYBE, "p90": _MAYBE})}),
            "StageSummary": _object(_STAGE),
            "Stage": _object({**_STAGE, "measures": {"type": "object", "additionalProperties": _TEXT,
                                                     "description": "figure (arrivals, completions, backlog, "
                                                                    "time_median, time_p90, failure_demand, "
                                                                    "right_first_time, capacity): measure id"}}),
            "Handoff": _object({"from_stage": _TEXT, "to_stage": _TEXT}),
            "ServiceMonth": _object({
                "period": _TEXT, "period_start": {"type": "string", "format": "date"},
                "pinch_point": _object({"stage_id": _TEXT, "reason": {"enum": ["over capacity", "longest wait"]},
                                        "size": {"type": "number", "description": "arrivals / capacity when over "
                                                 "capacity; else the days work waits there"}}, nullable=True),
                "end_to_end": _object({"median": _NUMBER, "p90": _NUMBER, "median_estimate": _NUMBER,
                                       "p90_estimate": _NUMBER}),
                "stages": _array("StageFlow"),
                "handoffs": {"type": "array", "items": _object({"from_stage": _TEXT, "to_stage": _TEXT,
                                                                "volume": _NUMBER})}}),
            "StageFlow": _object({"stage_id": _TEXT, **{k: _NUMBER for k in STAGE_FIGURES},
                                  "littles_law": _object({"expected": _NUMBER, "ratio": _NUMBER,
                                                          "agrees": {"type": ["boolean", "null"]}})}),
        },
    },
}
