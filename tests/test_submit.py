"""Submission in the browser: the rules for storing an upload (size, type by content, names that
are never paths, checksums), and the page's callbacks over HTTP as signed-in users: who may, for
which organisation, what a broken, good or re-sent old file does, and that nothing published
changes unless a fully valid file is loaded."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from argon2 import PasswordHasher

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from etl import uploads
from etl.load import LoadRequest, load_batch
from etl.uploads import MAX_NAME, UploadRefused, decode_upload, file_type, shown_name, store_upload, stored_upload
from tests.support import callback_outputs, find, mini_home, sha256, sign_in, texts, write
from workflow import passwords

PASSWORD = "correct horse battery"
SITE = "http://localhost"
CALLBACK = "/_dash-update-component"
SIGN_IN_WORDS = "Sign in as a steward to submit figures"

FIRST = "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n"
NORTH = "measure_id,period,value\nyouth-contacts,2025-Q1,120\n"
GOOD = "measure_id,period,value,status,note\nneet-rate,2025-03,10.9,provisional,\nneet-rate,2025-04,10.7,,\n"
BROKEN = ("measure_id,period,value,status,note\n"
          "neet-rate,2025-13,10.9,,\n"
          "neet-rate,2025-04,abc,,\n"
          "youth-contacts,2025-Q2,5,,\n"
          "neet-rate,2025-05,10.5,,\n")
BROKEN_PROBLEMS = [  # (file, row, column, value, reason) as the report shows them
    ("march.csv", 2, "period", "2025-13", "not a period (use YYYY, YYYY-MM, YYYY-Qn, YYYY-MM-DD or YYYY/YY)"),
    ("march.csv", 3, "value", "abc", "value is not a number"),
    ("march.csv", 4, "measure_id", "youth-contacts", "measure is owned by north, not by edu"),
]


def data_url(content: bytes | str, kind: str = "text/csv") -> str:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return f"data:{kind};base64,{base64.b64encode(raw).decode()}"


def payload(content, filename="march.csv"):
    return {"contents": data_url(content), "filename": filename}


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


# --- etl/uploads.py: what is stored, and how --------------------------------------------------

def test_a_file_over_the_limit_is_refused_before_it_is_decoded(monkeypatch):
    def never(*_a, **_k):
        raise AssertionError("decoded")

    monkeypatch.setattr(uploads.base64, "b64decode", never)
    with pytest.raises(UploadRefused, match="larger than 1 KB"):  # 3 bytes over: base64 counts in threes
        decode_upload(data_url(b"x" * 1027), limit=1024)


@pytest.mark.parametrize("size, refused", [(1024, False), (1025, True), (1026, True)])
def test_the_size_limit_is_exact(size, refused):
    if refused:
        with pytest.raises(UploadRefused, match="larger than"):
            decode_upload(data_url(b"x" * size), limit=1024)
    else:
        assert decode_upload(data_url(b"x" * size), limit=1024) == b"x" * size


@pytest.mark.parametrize("contents, reason", [
    (None, "nothing was received that looks like a file"),
    (["data:text/csv;base64,eA=="], "nothing was received that looks like a file"),
    ("../../etc/passwd", "nothing was received that looks like a file"),
    ("data:text/csv,plain", "the file did not arrive whole"),
    ("data:text/csv;base64,%%%%", "the file did not arrive whole"),
    ("data:text/csv;base64,", "the file is empty"),
])
def test_what_is_not_a_whole_file_is_refused(contents, reason):
    with pytest.raises(UploadRefused, match=re.escape(reason)):
        decode_upload(contents)


XLSX = xlsx_bytes([["measure_id", "period", "value"], ["neet-rate", "2025-03", 10.9]])


@pytest.mark.parametrize("raw, found", [
    (b"measure_id,period,value\nneet-rate,2025-03,10.9\n", "csv"),
    (b"\xef\xbb\xbfmeasure_id,period,value\n", "csv"),  # UTF-8 with a byte order mark, as Excel saves it
    ("measure_id,period,value,note\nneet-rate,2025-03,10.9,Évaluation\n".encode(), "csv"),
    (XLSX, "xlsx"),
    ("measure_id,period,value,note\nneet-rate,2025-03,10.9,Évaluation\n".encode("cp1252"),
     "the file is not UTF-8 text (line 2, byte 0xc9)"),
    ("measure_id,period\n".encode("utf-16"), "text saved as UTF-16"),
    (b"measure_id,period,value\n\x00\x01\x02", "this is not a text file"),
    (zip_bytes({"figures.csv": b"measure_id,period,value\n"}), "this is a zip archive, not a CSV file"),
    (zip_bytes({"[Content_Types].xml": b"<Types/>"}), "this is a zip archive"),  # a fake workbook
    (zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>", "xl/vbaProject.bin": b"x"}),
     "this workbook holds macros"),
    (b"PK\x03\x04 not really a zip", "this is a damaged zip file"),
    (b"%PDF-1.7\n", "this is a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Excel workbook (.xls)"),
    (b"\x1f\x8b\x08\x00", "this is a gzip archive"),
])
def test_the_type_is_found_from_the_content_alone(raw, found):
    if found in ("csv", "xlsx"):
        assert file_type(raw) == found
    else:
        with pytest.raises(UploadRefused, match=re.escape(found)):
            file_type(raw)


def test_a_zip_bomb_is_refused_before_any_reader_opens_it():
    bomb = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
                      "xl/sharedStrings.xml": b"\0" * (uploads.MAX_UNZIPPED_BYTES + 1)})
    assert len(bomb) < 1_000_000
    with pytest.raises(UploadRefused, match="expands to more than"):
        file_type(bomb)


@pytest.mark.parametrize("sent, shown", [
    ("march.csv", "march.csv"),
    ("../../x.csv", "x.csv"),
    ("..\\..\\windows\\x.csv", "x.csv"),
    ("/etc/passwd", "passwd"),
    ("folder/sub/../figures.xlsx", "figures.xlsx"),
    (".bashrc", "_bashrc"),
    ("..", "upload"),
    ("...", "upload"),
    ("", "upload"),
    (None, "upload"),
    ("<script>alert(1)</script>.csv", "script_.csv"),  # a slash ends a folder's name, even here
    ("<img src=x onerror=alert(1)>.csv", "_img_src_x_onerror_alert_1__.csv"),
    ("March figures (final).csv", "March_figures__final_.csv"),
    ("x\x00.csv", "x.csv"),
    ("a" * 500 + ".csv", "a" * MAX_NAME),
])
def test_the_browsers_file_name_is_only_text(sent, shown):
    assert shown_name(sent) == shown


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_an_upload_is_stored_by_its_checksum_never_by_its_name(tmp_path):
    home = mini_home(tmp_path / "home")
    before = _files(tmp_path)
    raw = GOOD.encode()
    upload = store_upload(home, "edu", "../../../x.csv", data_url(raw), by="sam")
    digest = hashlib.sha256(raw).hexdigest()
    assert (upload.sha256, upload.name, upload.kind, upload.size) == (digest, "x.csv", "csv", len(raw))
    assert upload.path == home.root / "uploads" / "edu" / f"{digest}.csv"
    assert _files(tmp_path) - before == {f"home/uploads/edu/{digest}.csv", f"home/uploads/edu/{digest}.json"}
    assert sha256(upload.path) == digest
    facts = json.loads((upload.path.parent / f"{digest}.json").read_text())
    assert (facts["name"], facts["sha256"], facts["by"], facts["path"]) == ("x.csv", digest, "sam", f"{digest}.csv")


def test_an_organisation_id_never_leaves_the_uploads_folder(tmp_path):
    home = mini_home(tmp_path / "home")
    upload = store_upload(home, "../../outside", "x.csv", data_url(GOOD), by="sam")
    assert upload.path.parent == home.root / "uploads" / "_._.._outside"
    assert not (tmp_path / "outside").exists()


def test_a_refused_file_is_not_stored(tmp_path):
    home = mini_home(tmp_path / "home")
    with pytest.raises(UploadRefused, match="zip archive"):
        store_upload(home, "edu", "figures.csv", data_url(zip_bytes({"a.csv": b"x"})), by="sam")
    assert not (home.root / "uploads").exists()


def test_an_upload_is_found_only_by_its_own_organisation_and_intact(tmp_path):
    home = mini_home(tmp_path / "home")
    upload = store_upload(home, "edu", "march.csv", data_url(GOOD), by="sam")
    assert stored_upload(home, "edu", upload.sha256).path == upload.path
    assert stored_upload(home, "north", upload.sha256) is None  # another organisation's id
    for forged in ("../edu/" + upload.sha256, upload.sha256.upper(), upload.sha256[:-1], None, 7, ["x"]):
        assert stored_upload(home, "edu", forged) is None
    upload.path.write_bytes(b"measure_id,period,value\nneet-rate,2025-03,99\n")  # changed on disk since
    assert stored_upload(home, "edu", upload.sha256) is None


# --- the page and its callbacks, over HTTP -----------------------------------------------------

@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def home(tmp_path):
    """The mini definitions (edu owns neet-rate, north owns youth-contacts), a first load published."""
    found = mini_home(tmp_path / "home")
    load_batch(found, [LoadRequest("edu", [write(tmp_path / "in" / "first.csv", FIRST)]),
                       LoadRequest("north", [write(tmp_path / "in" / "north.csv", NORTH)])])
    return found


@pytest.fixture
def app(home, tmp_path):
    found = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                                secret_key="k" * 40))
    store = found.server.config[STORE_KEY]
    store.add_user("sam", PASSWORD, "steward", "edu", by="test")
    store.add_user("nora", PASSWORD, "steward", "north", by="test")
    store.add_user("lee", PASSWORD, "lead", "edu", by="test")
    store.add_user("cat", PASSWORD, "council_member", councils=["education"], by="test")
    store.add_user("ann", PASSWORD, "admin", by="test")
    found.server.test_client().get("/_dash-dependencies")  # Dash fills its callback map on the first request
    return found


def client_as(app, username: str | None):
    """A test client signed in as `username` through the sign-in form (None: the public)."""
    return app.server.test_client() if username is None else sign_in(app, username, PASSWORD, SITE)


def post(app, client, name: str, *values):
    """Call the submission page's callback `name` with its inputs then its states, as a browser would."""
    key, spec = next((k, v) for k, v in app.callback_map.items()
                     if "submit-" in k and v.get("callback") and v["callback"].__name__ == name)
    n = len(spec["inputs"])
    body = {"output": key, "outputs": callback_outputs(key), "changedPropIds": [f"{i['id']}.{i['property']}"
                                                                         for i in spec["inputs"]],
            "inputs": [{**i, "value": v} for i, v in zip(spec["inputs"], values, strict=False)],
            "state": [{**s, "value": v} for s, v in zip(spec["state"], values[n:], strict=False)]}
    return client.post(CALLBACK, json=body, headers={"Origin": SITE})


def answer(response) -> dict:
    assert response.status_code == 200, response.data[:300]
    return response.json["response"]


def text(node) -> str:
    return " ".join(texts(node))


def page_content(app, client) -> dict:
    key = next(k for k in app.callback_map if "_pages_content" in k)
    body = {"output": key, "changedPropIds": ["_pages_location.pathname"],
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/submit"},
                       {"id": "_pages_location", "property": "search", "value": ""}], "state": []}
    return answer(client.post(CALLBACK, json=body, headers={"Origin": SITE}))["_pages_content"]["children"]


def published(home) -> list[tuple]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT measure_id, period, breakdown, value FROM current_observations ORDER BY ALL").fetchall()
    finally:
        con.close()


def check(app, client, content, filename="march.csv", org=None) -> dict:
    return answer(post(app, client, "check", payload(content, filename), org))


@pytest.mark.parametrize("username", [None, "lee", "cat"])
def test_only_a_steward_or_an_administrator_sees_the_page(app, username):
    content = page_content(app, client_as(app, username))
    assert SIGN_IN_WORDS in text(content)
    assert find(content, "submit-upload") is None
    assert "Department for Education" not in json.dumps(content) and "neet-rate" not in json.dumps(content)


def test_a_steward_sees_its_organisation_what_is_due_and_its_loads(app):
    content = page_content(app, client_as(app, "sam"))
    shown = text(content)
    assert "Figures from Department for Education" in shown and SIGN_IN_WORDS not in shown
    assert find(content, "submit-upload") is not None and "10 MB" in shown
    assert "Due this period: received" in shown and "Not received yet" in shown and "NEET rate" in shown
    assert "Youth service contacts" not in shown  # north's measure
    history = text(find(content, "history-section"))
    assert "first.csv" in history and "north.csv" not in history and "/" not in history.replace("(UTC)", "")


@pytest.mark.parametrize("username", [None, "lee", "cat"])
def test_every_callback_refuses_anyone_but_a_steward_and_leaks_nothing(app, home, username):
    client = client_as(app, username)
    before = sha256(home.warehouse)
    upload = store_upload(home, "edu", "march.csv", data_url(GOOD), by="sam")  # a real id to try
    for name, values in [("check", (payload(GOOD), "edu")), ("confirm", (1, upload.sha256, "edu")),
                         ("download", (1, upload.sha256, "edu")), ("pick", ("edu",))]:
        r = post(app, client, name, *values)
        assert r.status_code == 204 and r.data == b"", (name, r.data[:200])
    assert sha256(home.warehouse) == before
    assert _files(home.root / "uploads") == {f"edu/{upload.sha256}.csv", f"edu/{upload.sha256}.json"}


def test_a_steward_always_submits_for_its_own_organisation(app, home):
    client = client_as(app, "nora")  # north's steward names edu, and sends edu's measure
    found = check(app, client, GOOD, org="edu")
    report = text(found["submit-report"]["children"])
    assert "measure is owned by edu, not by north" in report
    assert find(found["submit-report"]["children"], "submit-confirm")["props"]["disabled"] is True
    digest = hashlib.sha256(GOOD.encode()).hexdigest()
    assert (home.root / "uploads" / "north" / f"{digest}.csv").is_file()
    assert not (home.root / "uploads" / "edu").exists()


def test_another_organisations_upload_cannot_be_loaded_or_read(app, home):
    before, rows = sha256(home.warehouse), published(home)
    upload_id = check(app, client_as(app, "sam"), GOOD)["submit-upload-id"]["data"]
    nora = client_as(app, "nora")
    found = answer(post(app, nora, "confirm", 1, upload_id, "edu"))
    assert "That upload is not one of this organisation's" in text(found["submit-result"]["children"])
    assert post(app, nora, "download", 1, upload_id, "edu").status_code == 204
    assert sha256(home.warehouse) == before and published(home) == rows


def test_a_broken_file_shows_every_problem_and_changes_nothing_published(app, home):
    before = sha256(home.warehouse)
    client = client_as(app, "sam")
    found = check(app, client, BROKEN)
    report = found["submit-report"]["children"]
    rows = [[c for c in texts(tr["props"]["children"][1:])] for tr in
            find(report, "problems-table")["props"]["children"]["props"]["children"]["props"]["children"][2]
            ["props"]["children"]]
    assert rows == [[f, f"{r}", c, v, reason] for f, r, c, v, reason in BROKEN_PROBLEMS]
    assert "cannot be loaded: 3 problems to fix. Nothing has been published." in text(report)
    assert "Rows that would be accepted 1" in text(report)  # row 5
    assert text(find(report, "preview-table")).split().count("2025-05") == 1
    assert find(report, "submit-confirm")["props"]["disabled"] is True
    assert "3 problem(s) found in march.csv" in found["submit-status"]["children"]
    # a forged click on the disabled button loads nothing either
    result = answer(post(app, client, "confirm", 1, found["submit-upload-id"]["data"], None))
    assert "was rejected: 3 problem(s); nothing has been published" in text(result["submit-result"]["children"])
    assert sha256(home.warehouse) == before


def test_a_good_file_loads_on_confirm_and_links_the_measures_changed(app, home):
    before = published(home)
    client = client_as(app, "sam")
    found = check(app, client, GOOD, "../../march.csv")
    report = found["submit-report"]["children"]
    assert "march.csv passed every check: 2 figures would be added or changed." in text(report)
    assert find(report, "submit-confirm")["props"]["disabled"] is False
    assert published(home) == before  # checking loads nothing
    result = answer(post(app, client, "confirm", 1, found["submit-upload-id"]["data"], None))
    words = text(result["submit-result"]["children"])
    assert "Loaded and published march.csv" in words and "2 figure(s) new or changed" in words
    link = find(result["submit-result"]["children"], "changed-measures")["props"]["children"][0]["props"]["children"]
    assert (link["props"]["href"], link["props"]["children"]) == ("/measure/neet-rate", "NEET rate")
    assert result["submit-confirm"]["disabled"] is True
    assert published(home) == sorted(before + [("neet-rate", "2025-03", "", 10.9), ("neet-rate", "2025-04", "", 10.7)])
    history = text(result["submit-history"]["children"])
    assert "march.csv" in history and "uploads" not in history and str(home.root) not in json.dumps(result)
    entry = json.loads(home.audit_log.read_text().splitlines()[-1])
    assert (entry["by"], entry["outcome"], entry["supersede"]) == ("sam", "loaded", False)
    checked, loaded = reversed(app.server.config[STORE_KEY].audit_log(limit=2))
    assert (checked.who, checked.action, checked.what["name"], checked.what["errors"]) == (
        "sam", "submission-check", "march.csv", 0)
    assert (loaded.who, loaded.action, loaded.what["org"], loaded.what["rows_new"]) == (
        "sam", "submission-load", "edu", 2)


def test_an_excel_workbook_loads_too(app, home):
    client = client_as(app, "sam")
    raw = xlsx_bytes([["measure_id", "period", "value"], ["neet-rate", "2025-06", 10.1]])
    found = answer(post(app, client, "check", {"contents": data_url(raw, "application/octet-stream"),
                                               "filename": "june.xlsx"}, None))
    assert "june.xlsx passed every check: 1 figure would be added" in text(found["submit-report"]["children"])
    answer(post(app, client, "confirm", 1, found["submit-upload-id"]["data"], None))
    assert ("neet-rate", "2025-06", "", 10.1) in published(home)


def test_a_resent_old_file_does_not_turn_corrected_figures_back(app, home, tmp_path):
    client = client_as(app, "sam")
    load_batch(home, [LoadRequest("edu", [write(tmp_path / "in" / "fix.csv",
                                                "measure_id,period,value\nneet-rate,2025-01,10.0\n")])])
    # the same bytes again: already loaded, nothing to do
    same = check(app, client, FIRST, "first.csv")["submit-report"]["children"]
    assert "nothing new to load: this file has already been loaded" in text(same)
    assert find(same, "submit-confirm")["props"]["disabled"] is True
    # the old figures again, with one new month: the new month loads, the reverting row is not applied
    before = sha256(home.warehouse)
    found = check(app, client, FIRST + "neet-rate,2025-03,10.9\n", "first-again.csv")
    report = text(found["submit-report"]["children"])
    assert ("neet-rate 2025-01 would go back to a figure that load 3 has since corrected to 10; not applied: a file "
            "sent from the browser never turns a corrected figure back") in report
    assert "1 figure would be added or changed" in report
    assert sha256(home.warehouse) == before
    result = answer(post(app, client, "confirm", 1, found["submit-upload-id"]["data"], None))
    words = text(result["submit-result"]["children"])
    assert "1 figure(s) new or changed" in words and "would go back to a figure" in words
    current = {(m, p): v for m, p, b, v in published(home) if not b}
    assert current[("neet-rate", "2025-01")] == 10.0 and current[("neet-rate", "2025-03")] == 10.9
    assert json.loads(home.audit_log.read_text().splitlines()[-1])["reverting_rows"] == 1


def test_an_upload_up_to_the_limit_reaches_the_check_and_one_over_is_refused_in_words(app, home):
    from dashboard.pages.submit import LIMIT  # the page module as Dash imported it for the app

    assert LIMIT == uploads.MAX_UPLOAD_BYTES == 10 * 1024 * 1024
    client = client_as(app, "sam")
    # just under: the request guard lets it through and the content is checked (binary: refused at once)
    found = check(app, client, b"\0" * (LIMIT - 1), "big.csv")
    assert "big.csv was not accepted: this is not a text file" in found["submit-status"]["children"]
    # one byte over: refused in words, before it is decoded or stored
    found = check(app, client, b"x" * (LIMIT + 1))
    shown = texts(found["submit-report"]["children"])
    assert "march.csv was not accepted: " in shown and f"the file is larger than 10 MB ({LIMIT + 1:,} bytes)" in shown
    assert found["submit-upload-id"]["data"] is None and not (home.root / "uploads").exists()


def test_only_the_upload_may_send_more_than_a_megabyte(app, home):
    from dashboard.guard import MAX_BODY_BYTES, UPLOAD_BODY_BYTES

    client = client_as(app, "sam")
    # beyond the base64 of the limit and its margin, the request guard answers first
    assert post(app, client, "check", payload("x" * (UPLOAD_BODY_BYTES * 3 // 4)), None).status_code == 413
    # any other callback over 1 MB: 413, however well formed
    assert post(app, client, "pick", "x" * MAX_BODY_BYTES).status_code == 413
    assert post(app, client, "download", 1, "x" * MAX_BODY_BYTES, None).status_code == 413
    # the public never uploads: the same body as a steward's is 413 without a session
    r = post(app, client_as(app, None), "check", payload(b"\0" * MAX_BODY_BYTES), None)
    assert r.status_code == 413
    assert not (home.root / "uploads").exists()


@pytest.mark.parametrize("raw, filename, reason", [
    (zip_bytes({"figures.csv": FIRST.encode()}), "figures.csv", "this is a zip archive, not a CSV file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "figures.csv", "an old-style Excel workbook"),
    ("measure_id,period,value\nneet-rate,2025-03,10,9\n".encode("utf-16"), "figures.csv", "UTF-16"),
])
def test_a_file_that_is_not_what_it_says_is_refused(app, home, raw, filename, reason):
    before = sha256(home.warehouse)
    found = answer(post(app, client_as(app, "sam"), "check", {"contents": data_url(raw), "filename": filename}, None))
    shown = text(found["submit-report"]["children"])
    assert f"{filename} was not accepted: " in shown and reason in shown and "Nothing has been published" in shown
    assert sha256(home.warehouse) == before and not (home.root / "uploads").exists()


def test_a_traversal_name_is_stored_safely_and_shown_as_text(app, home):
    found = check(app, client_as(app, "sam"), GOOD, "../../../../etc/cron.d/x.csv")
    assert "x.csv passed every check" in text(found["submit-report"]["children"])
    digest = hashlib.sha256(GOOD.encode()).hexdigest()
    assert _files(home.root / "uploads") == {f"edu/{digest}.csv", f"edu/{digest}.json"}


def test_formula_cells_are_flagged_and_neutralised_in_the_report_download(app, home):
    client = client_as(app, "sam")
    content = ('measure_id,period,value,status,note\n'
               'neet-rate,2025-03,10.9,,"=HYPERLINK(""http://evil.example"",""x"")"\n'
               'neet-rate,2025-04,10.7,,@SUM(1+1)\n'
               '=cmd|\' /C calc\'!A0,2025-05,1,,\n')
    found = check(app, client, content)
    report = found["submit-report"]["children"]
    warnings = text(find(report, "warnings-table"))
    assert warnings.count("starts like a spreadsheet formula: kept as text") == 2
    download = answer(post(app, client, "download", 1, found["submit-upload-id"]["data"], None))["submit-download"]
    lines = download["data"]["content"].splitlines()
    assert lines[0] == "severity,file,row,column,value,reason"
    assert any(",measure_id,'=cmd|' /C calc'!A0,unknown measure" in line for line in lines)
    assert any(",note,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"," in line for line in lines)
    assert any(",note,'@SUM(1+1)," in line for line in lines)
    assert not any(re.search(r",[=+@]", line) for line in lines)  # no cell starts like a formula


def test_script_in_uploaded_values_is_only_ever_text(app, home):
    script, handler = "<script>alert(1)</script>", '<img src=x onerror="alert(2)">'
    content = f"measure_id,period,value,status,note\n{script},2025-03,1,,\nneet-rate,2025-04,10.7,,{handler}\n"
    found = check(app, client_as(app, "sam"), content, f"{script}.csv")
    report = found["submit-report"]["children"]
    assert script in texts(report) and handler in texts(report)  # children strings, which Dash renders as text
    dumped = json.dumps(report)
    assert "dangerouslySetInnerHTML" not in dumped and '"Markdown"' not in dumped and '"Iframe"' not in dumped


def test_an_administrator_chooses_the_organisation_and_an_unknown_one_is_refused(app, home):
    client = client_as(app, "ann")
    content = page_content(app, client)
    assert find(content, "submit-org-picker") is not None and "Choose an organisation" in text(content)
    assert post(app, client, "pick", "nope").status_code == 204
    unchosen = check(app, client, NORTH, org="nope")
    assert "choose the organisation to submit for first" in text(unchosen["submit-report"]["children"])
    assert unchosen["submit-upload-id"]["data"] is None and not (home.root / "uploads").exists()
    picked = answer(post(app, client, "pick", "north"))
    assert picked["submit-org"]["data"] == "north"
    assert "Youth service contacts" in text(picked["submit-due"]["children"])
    found = check(app, client, "measure_id,period,value\nyouth-contacts,2025-Q2,130\n", org="north")
    answer(post(app, client, "confirm", 1, found["submit-upload-id"]["data"], "north"))
    assert ("youth-contacts", "2025-Q2", "", 130.0) in published(home)
    assert json.loads(home.audit_log.read_text().splitlines()[-1])["by"] == "ann"


def test_a_definitions_problem_is_said_calmly_and_names_no_server_path(app, home):
    (home.definitions / "mini.yaml").write_text("councils: [\n")
    found = check(app, client_as(app, "sam"), GOOD)
    shown = text(found["submit-report"]["children"])
    assert "could not be checked" not in shown and "the definitions cannot be read just now" in shown
    assert str(home.root) not in json.dumps(found)
