"""Submit figures: a steward uploads its organisation's file, reads the validation report (every
problem by file, row, column, value and reason; the rows that would be accepted) and chooses to
load it, or fixes the file and uploads it again; and sees what is due and its loads so far.

Who may: a steward, for its own organisation (`viewer.org`; an organisation id from the browser is
never used for a steward), or an administrator, for the organisation chosen on the page (checked to
exist). Everyone else sees a notice and no data, and every callback refuses (PreventUpdate). Each
callback checks again on the server; the browser holds only the upload's id (its checksum), which is
looked up in the caller's own organisation's folder (etl.uploads).

The flow: upload -> (in the browser) the size checked, the contents put in a store -> the server
stores the file by its checksum and runs every check of a load without loading -> "Load these
figures" -> the server loads the stored file (checked again by etl.load) and publishes atomically.
A load from the browser never supersedes: rows that would turn a corrected figure back are listed
and not applied.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

import dash
import pandas as pd
from dash import Input, Output, State, callback, dcc, no_update
from dash.exceptions import PreventUpdate

from dashboard import components
from dashboard.auth import require
from dashboard.components import tags
from dashboard.components.submit import (
    choose_org,
    due_section,
    history_section,
    load_result,
    org_picker,
    refused,
    report,
    signed_out,
    upload_section,
)
from dashboard.context import current_settings, current_store, current_warehouse, page_title
from dashboard.guard import UPLOAD_STORE
from dashboard.navigation import sign_in_href
from dashboard.pages._shared import page
from dashboard.series import records
from dashboard.summaries import submission_record
from dashboard.urls import AsOf, href
from etl.home import Home
from etl.load import Rejected
from etl.uploads import (
    MAX_NAME,
    MAX_UPLOAD_BYTES,
    Unavailable,
    Upload,
    UploadRefused,
    check_upload,
    in_browser_terms,
    load_history,
    load_upload,
    size_words,
    store_upload,
    stored_upload,
)
from published.access import current_viewer
from published.exports import FORMULA_STARTS, csv_text
from published.judgements import stored_timeliness
from published.reader import Scope, Warehouse, WarehouseError

log = logging.getLogger(__name__)

PATH = "/submit"
HEADING = "Submit figures"
SUBMITTERS = ("steward", "admin")

dash.register_page(
    __name__,
    path=PATH,
    name=HEADING,
    title=page_title(HEADING),
    description="Stewards upload their organisation's figures, read the validation report and load them.",
    roles=SUBMITTERS,  # for a navigation link shown only to these roles
)

# An upload's base64 travels in one callback request, from the store UPLOAD_STORE to `check`; the
# request guard lets that request (and only it) carry the base64 of etl.uploads' limit. The browser
# checks the size before sending; the server checks again.
LIMIT = MAX_UPLOAD_BYTES
LIMIT_WORDS = size_words(LIMIT)
LIMIT_BASE64 = 4 * -(-LIMIT // 3)


# --- who may, and for which organisation ----------------------------------------------------------

def _org_name(warehouse: Warehouse, org_id) -> str | None:
    if not isinstance(org_id, str) or not org_id:
        return None
    found = warehouse.organisations(org_id=org_id)
    return None if found.empty else str(found.name.iloc[0])


def submitter(warehouse: Warehouse, choice=None) -> str | None:
    """The organisation this request may submit for: a steward's own (never an id from the browser);
    an administrator's `choice` when it names a known organisation; anyone else: None."""
    viewer = current_viewer()
    if viewer.role == "steward":
        return viewer.org if _org_name(warehouse, viewer.org) else None
    if viewer.is_admin:
        return choice if _org_name(warehouse, choice) else None
    return None


def _home() -> Home:
    return Home.at(current_settings().home)


def _by() -> str:
    return current_viewer().name or current_viewer().role


def _audit(action: str, upload: Upload, **what) -> None:
    """The app's audit log (workflow records) keeps who checked or loaded which file; the loads
    themselves are in the home's load log too (etl.load)."""
    current_store().audit(_by(), action, {"org": upload.org, "sha256": upload.sha256, "name": upload.name, **what})


# --- page areas ---------------------------------------------------------------------------------

def _due(warehouse: Warehouse, org: str):
    scope = Scope(owner=org)
    measures = records(warehouse.measures(scope))
    timely = stored_timeliness(warehouse, scope, None)
    due = {m["id"]: submission_record(m, timely) for m in measures}
    return due_section(_org_name(warehouse, org) or org, measures, due, timely.at)


def _history(warehouse: Warehouse, org: str):
    return history_section(_org_name(warehouse, org) or org, load_history(_home(), org))


def _measure_names(warehouse: Warehouse, org: str) -> dict[str, str]:
    found = warehouse.measures(Scope(owner=org))
    return dict(zip(found.id, found.name, strict=True))


def layout(**query):
    viewer = current_viewer()
    if viewer.role not in SUBMITTERS:
        return [components.breadcrumbs([("Goal map", href("goal_map")), (HEADING, None)]),
                components.page_heading(HEADING), signed_out(sign_in_href(dash.get_relative_path(PATH)))]
    return _content(**query)


@page(HEADING)
def _content(warehouse: Warehouse, as_of: AsOf, **_):
    viewer = current_viewer()
    org = submitter(warehouse)
    if viewer.is_admin:
        orgs = warehouse.organisations()
        top = [org_picker(list(zip(orgs.id, orgs.name, strict=True)))]
        lead = "Choose the organisation, then upload its file."
    elif org is None:
        return [components.page_heading(HEADING),
                components.notice("Organisation not found", "Your account acts for an organisation that the "
                                  "published definitions do not hold. Ask an administrator to check it.")]
    else:
        top = []
        lead = f"Figures from {_org_name(warehouse, org)}: upload a file, read the report, then load it."
    return [
        components.breadcrumbs([("Goal map", href("goal_map")), (HEADING, None)]),
        components.page_heading(HEADING, lead),
        *top,
        dcc.Store(id="submit-org", data=None),  # an administrator's choice; ignored for a steward
        tags.Div(_due(warehouse, org) if org else choose_org(), id="submit-due"),
        upload_section(LIMIT_WORDS),
        dcc.Store(id=UPLOAD_STORE),
        dcc.Store(id="submit-upload-id"),
        dcc.Download(id="submit-download"),
        dcc.Loading(tags.Div(id="submit-report"), delay_show=300),
        dcc.Loading(tags.Div(id="submit-result"), delay_show=300),
        tags.Div(_history(warehouse, org) if org else None, id="submit-history"),
    ]


# --- callbacks ----------------------------------------------------------------------------------

# chosen file -> (in the browser) refused when too big, else handed to the server's check; the
# upload is emptied so that choosing the same file again is a new upload
dash.clientside_callback(
    f"""function (contents, filename) {{
        const keep = window.dash_clientside.no_update;
        if (!contents || typeof contents !== "string") {{ return [keep, keep, keep, keep]; }}
        const name = String(filename || "the file").slice(-{MAX_NAME});
        const data = contents.length - contents.indexOf(",") - 1;
        if (data > {LIMIT_BASE64}) {{
            const words = name + " was not accepted: it is larger than {LIMIT_WORDS}. Nothing has been published.";
            const verdict = {{namespace: "dash_html_components", type: "Div",
                             props: {{children: words, className: "alert alert-danger mt-4", id: "report-verdict"}}}};
            return [null, null, words, verdict];
        }}
        return [{{contents: contents, filename: name}}, null, "Checking " + name + "…", null];
    }}""",
    Output(UPLOAD_STORE, "data"),
    Output("submit-upload", "contents"),
    Output("submit-status", "children", allow_duplicate=True),
    Output("submit-report", "children", allow_duplicate=True),
    Input("submit-upload", "contents"),
    State("submit-upload", "filename"),
    prevent_initial_call=True,
)


# uploaded file -> stored by its checksum, checked like a load -> the validation report
@callback(
    Output("submit-report", "children"),
    Output("submit-upload-id", "data"),
    Output("submit-status", "children"),
    Output("submit-result", "children"),
    Input(UPLOAD_STORE, "data"),
    State("submit-org", "data"),
    prevent_initial_call=True,
)
def check(payload, choice):
    org = _acting_for(choice, unchosen=True)
    if not isinstance(payload, dict):
        raise PreventUpdate
    name = str(payload.get("filename") or "the file")[:MAX_NAME]
    if org is None:  # an administrator who has not chosen (or chose no known organisation)
        return refused(name, "choose the organisation to submit for first"), None, "Choose an organisation first.", None
    return _store_and_check(org, name, payload)


# "Load these figures" -> the stored upload loaded and published -> the result, what is due, the history
@callback(
    Output("submit-result", "children", allow_duplicate=True),
    Output("submit-status", "children", allow_duplicate=True),
    Output("submit-confirm", "disabled"),
    Output("submit-due", "children"),
    Output("submit-history", "children"),
    Input("submit-confirm", "n_clicks"),
    State("submit-upload-id", "data"),
    State("submit-org", "data"),
    prevent_initial_call=True,
)
def confirm(clicks, upload_id, choice):
    org = _acting_for(choice)
    if not _clicked(clicks):
        raise PreventUpdate
    upload = stored_upload(_home(), org, upload_id)
    if upload is None:
        words = "That upload is not one of this organisation's; upload the file again."
        return load_result("refused", words), words, True, no_update, no_update
    warehouse = current_warehouse()
    section, words = _load(upload, warehouse)
    return section, words, True, _due(warehouse, org), _history(warehouse, org)


def _load(upload: Upload, warehouse: Warehouse):
    """Check the stored upload again, then load it; the result section and the status line."""
    home = _home()
    try:
        found = check_upload(home, upload, by=_by())  # what it changes; the load checks once more, locked
        if found.errors:
            raise Rejected(found.errors)
        result = load_upload(home, upload, by=_by())
    except Rejected as e:
        _audit("submission-rejected", upload, problems=len(e.problems))
        words = f"{upload.name} was rejected: {len(e.problems):,} problem(s); nothing has been published."
        return load_result("rejected", words, problems=in_browser_terms(e.problems, upload)), words
    except (UploadRefused, Unavailable) as e:
        log.exception("submission load failed")
        words = f"{upload.name} was not loaded: {e}."
        return load_result("refused", words), words
    _audit("submission-load", upload, load_id=result.load_id, rows_new=result.rows_new, reverting=result.reverts)
    reverting = [w for w in result.warnings if w.severity == "warning"]
    if not result.rows_new:
        words = f"Nothing new in {upload.name}: every figure in it is already published; nothing has changed."
        return load_result("unchanged", words, warnings=reverting), words
    names = _measure_names(warehouse, upload.org)
    words = (f"Loaded and published {upload.name} (load {result.load_id}): {result.rows_new:,} figure(s) new or "
             f"changed, {result.rows_read - result.rows_new:,} unchanged or not applied.")
    return load_result("loaded", words, [(m, names.get(m, m)) for m in found.measures], reverting), words


# an administrator's organisation -> what is due, the history; a report of another organisation cleared
@callback(
    Output("submit-org", "data"),
    Output("submit-due", "children", allow_duplicate=True),
    Output("submit-history", "children", allow_duplicate=True),
    Output("submit-report", "children", allow_duplicate=True),
    Output("submit-upload-id", "data", allow_duplicate=True),
    Input("submit-org-picker", "value"),
    prevent_initial_call=True,
)
@require("admin")
def pick(choice):
    org, warehouse = _acting_for(choice), current_warehouse()
    return org, _due(warehouse, org), _history(warehouse, org), None, None


# "Download this report" -> the problems and warnings as CSV, made safe for a spreadsheet
@callback(
    Output("submit-download", "data"),
    Input("submit-download-button", "n_clicks"),
    State("submit-upload-id", "data"),
    State("submit-org", "data"),
    prevent_initial_call=True,
)
def download(clicks, upload_id, choice):
    org = _acting_for(choice)
    upload = stored_upload(_home(), org, upload_id) if _clicked(clicks) else None
    if upload is None:
        raise PreventUpdate
    try:
        found = check_upload(_home(), upload, formula_starts=FORMULA_STARTS, by=_by())
    except Unavailable as e:
        raise PreventUpdate from e
    columns = ["severity", "file", "row", "column", "value", "reason"]
    frame = pd.DataFrame([asdict(p) for p in found.errors + found.warnings], columns=columns)
    return dcc.send_string(csv_text(frame[columns]), f"{Path(upload.name).stem}-report.csv", type="text/csv")


# --- what the callbacks share ----------------------------------------------------------------------

def _acting_for(choice, *, unchosen: bool = False) -> str | None:
    """The organisation this callback acts for (`submitter`: a steward's own, an administrator's
    choice). Anyone else, a steward whose organisation is not published, or (unless `unchosen`) an
    administrator who has chosen no known organisation is refused here: nothing is updated.
    With `unchosen`, such an administrator gets None, for the callback to say what to do."""
    try:
        org = submitter(current_warehouse(), choice)
    except WarehouseError:  # the page says so on reload
        org = None
    if org is None and not (unchosen and current_viewer().is_admin):
        raise PreventUpdate  # nothing is updated, and the browser learns nothing (204)
    return org


def _clicked(clicks) -> bool:
    return isinstance(clicks, int) and clicks > 0


def _store_and_check(org: str, name: str, payload: dict):
    """Store the upload and check it like a load: the report, the upload's id and the status line."""
    home = _home()
    try:
        upload = store_upload(home, org, payload.get("filename"), payload.get("contents"), by=_by(), limit=LIMIT)
        found = check_upload(home, upload, formula_starts=FORMULA_STARTS, by=_by())
    except UploadRefused as e:
        return refused(name, str(e)), None, f"{name} was not accepted: {e}.", None
    except Unavailable as e:
        log.exception("submission check failed")
        return refused(name, str(e)), None, f"{name} could not be checked: {e}.", None
    _audit("submission-check", upload, errors=len(found.errors), changing=found.changing, reverting=found.reverting)
    words = (f"{len(found.errors):,} problem(s) found in {upload.name}; nothing has been published." if found.errors
             else f"{upload.name} passed every check; {found.changing:,} figure(s) would be added or changed.")
    return report(upload, found, _measure_names(current_warehouse(), org)), upload.sha256, words, None
