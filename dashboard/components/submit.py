"""The submission page: what is due, the upload control, the validation report, the load's result
and the organisation's load history. Pure builders: plain values in, components out.

Every text that came from an uploaded file is a child string, which Dash renders as text: nothing
here builds HTML or Markdown from it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dash import dcc, html

from etl.tables import Problem
from etl.uploads import Check, Upload

from ..formatting import format_date, format_period
from . import tags
from .chips import _link, _small, chip
from .frame import notice
from .organisation import RECORD_SYMBOLS, submission_summary
from .pieces import summary_figures, table

__all__ = ["signed_out", "org_picker", "due_section", "upload_section", "report", "refused", "load_result",
           "history_section", "history_table", "choose_org", "problems_table", "preview_table",
           "SIGN_IN_WORDS", "UPLOAD_HEADING"]

SIGN_IN_WORDS = "Sign in as a steward to submit figures"
PROBLEMS_SHOWN = 1_000  # rows of a problems table on the page (a file of 10 MB can have 400,000)
UPLOAD_HEADING = "upload-heading"
STATE_TONES = {"on_time": "chip-good", "late": "chip-warn", "missing": "chip-bad"}
OUTCOMES = {"loaded": ("✓", "Loaded", "chip-good"), "unchanged": ("–", "Nothing new", "chip-neutral"),
            "rejected": ("✕", "Rejected", "chip-bad"), "skipped": ("✕", "Rejected", "chip-bad")}
SEVERITIES = {"error": ("✕", "Error", "chip-bad"), "warning": ("!", "Warning", "chip-warn"),
              "note": ("i", "Note", "chip-neutral")}


def signed_out(sign_in_href: str) -> html.Div:
    """What anyone but a steward (or an administrator) sees: no data, a way to sign in."""
    return notice(SIGN_IN_WORDS, ["Only an organisation's data steward can submit its figures. ",
                                  tags.A("Sign in", href=sign_in_href), " with a steward's account."])


def choose_org() -> html.Div:
    return notice("Choose an organisation", "As an administrator you submit for one organisation at a time: "
                                            "choose it above.")


def org_picker(options: Sequence[tuple[str, str]]) -> html.Div:
    """An administrator's choice of the organisation to submit for (checked again on the server)."""
    return tags.Div(
        [
            tags.Label("Organisation to submit for", htmlFor="submit-org-picker", className="form-label"),
            dcc.Dropdown([{"label": name, "value": ident} for ident, name in options], None,
                         id="submit-org-picker", clearable=False, placeholder="Choose an organisation"),
        ],
        className="mb-4 col-md-6",
    )


# --- what is due --------------------------------------------------------------------------------

def _state_chip(state: str) -> html.Span:
    symbol, word = RECORD_SYMBOLS[state]
    return chip(symbol, word.capitalize(), STATE_TONES[state])


def _periods(records: list[dict], state: str, frequency: str) -> str:
    return ", ".join(format_period(r["period"], frequency) for r in records if r["state"] == state)


def due_section(org_name: str, measures: list[Mapping], due: Mapping[str, list[dict]], judged_at) -> html.Section:
    """What is due: the newest figure due of each measure (received or not) and the year's record,
    then the figures still missing, then each measure's record, folded away (`due`: each measure's
    dashboard.summaries.submission_record, as judged when data was last published)."""
    every = [r for m in measures for r in due.get(m["id"], [])]
    newest = {m["id"]: due[m["id"]][-1] for m in measures if due.get(m["id"])}
    received = sum(1 for r in newest.values() if r["state"] != "missing")
    intro = (f"As judged on {format_date(judged_at, short=True)}, when figures were last published. "
             if judged_at is not None else "Timeliness is judged when figures are published; none has been yet. ")
    body = [
        tags.H2("What is due", className="h3 mt-4 mb-2", id="due-heading"),
        tags.P(intro + "A figure is due a set number of days after its period ends.", className="small"),
        summary_figures([("Due this period: received", f"{received:,} of {len(newest):,}"),
                         *submission_summary(every)]),
    ]
    if not measures:
        body.append(tags.P(f"{org_name} owns no measures, so nothing is due from it."))
        return tags.Section(body, id="due-section", **{"aria-labelledby": "due-heading"})
    missing = [(m, r) for m in measures if (r := newest.get(m["id"])) is not None and r["state"] == "missing"]
    if missing:
        items = [tags.Li([_link("measure", m["id"], m["name"]),
                          f": {format_period(r['period'], m['frequency'])}, due {format_date(r['due'], short=True)}"])
                 for m, r in missing]
        body += [tags.H3("Not received yet", className="h5"), tags.Ul(items, id="missing-list")]
    body.append(tags.Details([tags.Summary(f"Each measure's newest figure due ({len(measures):,})"),
                              _due_table(org_name, measures, due)], className="data-details", id="due-details"))
    return tags.Section(body, id="due-section", **{"aria-labelledby": "due-heading"})


def _due_table(org_name: str, measures: list[Mapping], due: Mapping[str, list[dict]]) -> html.Div:
    rows = []
    for m in measures:
        mine = due.get(m["id"], [])
        if mine:
            last = mine[-1]
            when = (f"arrived {format_date(last['received'], short=True)}" if last["received"] is not None
                    else "not received")
            newest_cell = [tags.Div(format_period(last["period"], m["frequency"]), className="fw-semibold"),
                           _small(f"due {format_date(last['due'], short=True)}, {when}")]
            state = _state_chip(last["state"])
        else:
            newest_cell, state = _small("Nothing fell due in the last year"), ""
        late, missing = _periods(mine, "late", m["frequency"]), _periods(mine, "missing", m["frequency"])
        rows.append(tags.Tr([
            tags.Th(_link("measure", m["id"], m["name"], "fw-semibold"), scope="row"),
            tags.Td(newest_cell),
            tags.Td(state),
            tags.Td([tags.Div(f"Late: {late}") if late else None, tags.Div(f"Missing: {missing}") if missing else None,
                     _small("None") if not (late or missing) else None]),
        ]))
    return table([("Measure", "col-measure"), ("Newest figure due", "col-due"), ("Received", "col-state"),
                  ("Late or missing in the last year", "col-late")], rows, f"Figures due from {org_name}", "due-table")


# --- the upload ---------------------------------------------------------------------------------

def upload_section(limit_words: str) -> html.Section:
    """The upload control: the standard format, CSV or Excel, and the size limit said up front."""
    return tags.Section(
        [
            tags.H2("Upload a file", className="h3 mt-5 mb-2", id=UPLOAD_HEADING, tabIndex="-1"),
            tags.P([
                "The standard submission format, as CSV (UTF-8) or an Excel workbook (.xlsx), at most ",
                tags.Strong(limit_words), ". Columns ", tags.Code("measure_id"), ", ", tags.Code("period"), ", ",
                tags.Code("value"), "; optional ", tags.Code("status"), ", ", tags.Code("note"),
                " and one column per breakdown. Nothing is published until you have read the report and "
                "chosen to load.",
            ], id="upload-help"),
            dcc.Upload(
                # the drop zone itself takes no focus: the button does, and its click opens the file dialog
                tags.Div([tags.Span("Drag a file here, or "),
                          tags.Button("choose a file", type="button", id="submit-choose",
                                      className="btn btn-link p-0 align-baseline",
                                      **{"aria-describedby": "upload-help"})]),
                id="submit-upload",
                accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                multiple=False,
                className="upload-box border border-2 border-secondary rounded-3 p-4 text-center bg-light",
                className_active="upload-box border border-2 border-primary rounded-3 p-4 text-center bg-white",
            ),
            tags.P(id="submit-status", role="status", className="mt-2 mb-0", **{"aria-live": "polite"}),
        ],
        id="upload-section",
        **{"aria-labelledby": UPLOAD_HEADING},
    )


def _severity(p: Problem) -> html.Span:
    return chip(*SEVERITIES.get(p.severity, SEVERITIES["note"]))


PROBLEM_COLUMNS = [("Kind", "col-severity"), ("File", "col-file"), ("Row", "col-row text-end text-nowrap"),
                   ("Column", "col-column text-nowrap"), ("Value", "col-value"), ("Reason", "col-reason")]


def problems_table(problems: list[Problem], caption: str, table_id: str = "problems-table") -> html.Div:
    """The problems, up to PROBLEMS_SHOWN of them: file, row, column, value, reason; values as text, however
    they look. Beyond that a page would be too heavy to send or read: the downloaded report has them all."""
    rows = [tags.Tr([tags.Td(_severity(p), className="text-nowrap"), tags.Td(p.file, className="text-break"),
                     tags.Td("" if p.row is None else f"{p.row:,}", className="text-end"),
                     tags.Td(p.column or "", className="text-nowrap"),
                     tags.Td(tags.Code(p.value) if p.value not in (None, "") else "", className="text-break"),
                     tags.Td(p.reason)]) for p in problems[:PROBLEMS_SHOWN]]
    shown = table(PROBLEM_COLUMNS, rows, caption, "problems-table")
    if len(problems) > PROBLEMS_SHOWN:
        shown = [tags.P(f"The first {PROBLEMS_SHOWN:,} of {len(problems):,} are shown; the downloaded report "
                        "lists every one.", className="small mb-1"), shown]
    return tags.Div(shown, id=table_id)


PREVIEW_COLUMNS = [("Row", "text-end"), ("Measure", ""), ("Period", ""), ("Breakdown", ""), ("Value", "text-end"),
                   ("Status", ""), ("Note", "")]


def preview_table(rows: list[Mapping]) -> html.Div:
    body = [tags.Tr([tags.Td(f"{r['row']:,}", className="text-end"), tags.Td(r["measure_id"]), tags.Td(r["period"]),
                     tags.Td(r["breakdown"] or "Total"), tags.Td(r["value"], className="text-end"),
                     tags.Td(r["status"] or ""), tags.Td(r["note"] or "")]) for r in rows]
    return tags.Div(table(PREVIEW_COLUMNS, body, "The first rows that would be accepted"), id="preview-table")


def _headline(upload: Upload, check: Check) -> tuple[str, str]:
    """The report's one-line verdict, and its tone."""
    errors = len(check.errors)
    if errors:
        return (f"{upload.name} cannot be loaded: {errors:,} problem{'s' * (errors != 1)} to fix. "
                "Nothing has been published.", "alert-danger")
    if not check.changing:
        already = any(p.reason.startswith("already loaded") for p in check.warnings)
        why = "this file has already been loaded" if already else "every figure in it is already published"
        return f"{upload.name} passed every check, but there is nothing new to load: {why}.", "alert-info"
    return (f"{upload.name} passed every check: {check.changing:,} figure{'s' * (check.changing != 1)} would be "
            "added or changed.", "alert-success")


def report(upload: Upload, check: Check, measure_names: Mapping[str, str]) -> html.Section:
    """The validation report of one upload, with the choice to load it or to send a corrected file."""
    headline, tone = _headline(upload, check)
    facts = [("Rows read", f"{check.rows_read:,}"),
             ("Rows that would be accepted", f"{check.accepted:,}"), ("Problems", f"{len(check.errors):,}"),
             ("Warnings", f"{sum(p.severity == 'warning' for p in check.warnings):,}")]
    body = [
        tags.H2("Validation report", className="h3 mt-5 mb-3", id="report-heading"),
        tags.Div(headline, className=f"alert {tone}", id="report-verdict"),
        summary_figures(facts),
        _small(f"Checksum (SHA-256) {upload.sha256}", "mb-3 text-break"),
    ]
    if check.errors:
        body += [tags.H3("Problems to fix", className="h4 mt-4"),
                 tags.P("Each must be fixed in the file before it can be loaded. Rows are numbered as a "
                        "spreadsheet shows them: the header is row 1.", className="small"),
                 problems_table(check.errors, "Problems to fix")]
    if check.warnings:
        body += [tags.H3("Warnings and notes", className="h4 mt-4"),
                 tags.P("These do not stop a load. Rows that would turn back a figure corrected since are "
                        "never applied from the browser.", className="small"),
                 problems_table(check.warnings, "Warnings and notes", "warnings-table")]
    if check.preview:
        shown = (f"all {check.accepted:,}" if len(check.preview) == check.accepted
                 else f"the first {len(check.preview):,} of {check.accepted:,}")
        body += [tags.H3(f"Rows that would be accepted: {shown}", className="h4 mt-4"),
                 tags.P("The file is loaded whole or not at all: these rows load once every problem is fixed.",
                        className="small") if check.errors else None,
                 preview_table(check.preview)]
    if check.measures and not check.errors:
        body += [tags.H3("Measures whose figures would change", className="h4 mt-4"),
                 tags.Ul([tags.Li(measure_names.get(m, m)) for m in check.measures], id="changing-measures")]
    body.append(tags.Div(
        [
            tags.Button("Load these figures", id="submit-confirm", className="btn btn-primary me-2",
                        disabled=not (check.loadable and check.changing), n_clicks=0,
                        **{"aria-describedby": "report-verdict"}),
            tags.A("Upload a corrected file", href=f"#{UPLOAD_HEADING}", className="btn btn-outline-primary me-2",
                   id="submit-again"),
            tags.Button("Download this report (CSV)", id="submit-download-button",
                        className="btn btn-link", n_clicks=0),
        ],
        className="mt-4 d-flex flex-wrap align-items-center gap-2",
    ))
    return tags.Section(body, id="report", **{"aria-labelledby": "report-heading"})


def refused(name: str, reason: str) -> html.Section:
    """An upload that was not even checked (too big, not a CSV or workbook...)."""
    return tags.Section(
        [tags.H2("Validation report", className="h3 mt-5 mb-3", id="report-heading"),
         tags.Div([tags.Strong(f"{name} was not accepted: "), reason, ". Nothing has been published."],
                  className="alert alert-danger", id="report-verdict")],
        id="report", **{"aria-labelledby": "report-heading"},
    )


# --- after loading ------------------------------------------------------------------------------

def load_result(outcome: str, words: str, measures: Sequence[tuple[str, str]] = (),
                warnings: list[Problem] | None = None, problems: list[Problem] | None = None) -> html.Section:
    """What the load did: published (with links to the measures changed), nothing new, or refused."""
    tone = {"loaded": "alert-success", "unchanged": "alert-info"}.get(outcome, "alert-danger")
    body = [tags.H2("Result", className="h3 mt-5 mb-3", id="result-heading"),
            tags.Div(words, className=f"alert {tone}", id="result-verdict")]
    if measures:
        body += [tags.H3("Measures changed", className="h4"),
                 tags.Ul([tags.Li(_link("measure", ident, name)) for ident, name in measures], id="changed-measures")]
    if warnings:
        body += [tags.H3("Not applied", className="h4 mt-3"), problems_table(warnings, "Warnings", "result-warnings")]
    if problems:
        body += [tags.H3("Problems", className="h4 mt-3"), problems_table(problems, "Problems", "result-problems")]
    return tags.Section(body, id="result", **{"aria-labelledby": "result-heading"})


# --- history ------------------------------------------------------------------------------------

HISTORY_COLUMNS = [("When (UTC)", "col-when"), ("Outcome", "col-outcome"), ("By", "col-by"), ("Files", "col-files"),
                   ("Rows read", "text-end"), ("New or changed", "text-end"), ("Not applied (reverting)", "text-end"),
                   ("Problems", "text-end")]


def _count(value) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else ""


def history_table(entries: list[Mapping]) -> html.Div:
    rows = [tags.Tr([
        tags.Td(e["at"]),
        tags.Td(chip(*OUTCOMES.get(e["outcome"], ("·", e["outcome"].capitalize() or "Unknown", "chip-neutral")))),
        tags.Td(e["by"]),
        tags.Td(", ".join(e["files"])),
        tags.Td(_count(e["rows_read"]), className="text-end"),
        tags.Td(_count(e["rows_new"]), className="text-end"),
        tags.Td(_count(e["reverting_rows"]), className="text-end"),
        tags.Td(_count(e["problems"]), className="text-end"),
    ]) for e in entries]
    return table(HISTORY_COLUMNS, rows, "Loads, newest first", "history-table")


def history_section(org_name: str, entries: list[Mapping]) -> html.Section:
    body = [tags.H2("Loads so far", className="h3 mt-5 mb-2", id="history-heading")]
    if entries:
        body += [tags.P(f"Every load of figures for {org_name}, from the browser or the command line, newest first.",
                        className="small"), history_table(entries)]
    else:
        body.append(tags.P(f"No figures for {org_name} have been loaded yet."))
    return tags.Section(body, id="history-section", **{"aria-labelledby": "history-heading"})
