"""The administrator's page over HTTP, as signed-in users: only an administrator sees users or the
audit log or changes anything; role changes are audited with the administrator's name; bad input
is refused in words, field by field; nobody demotes or deactivates themselves; the definitions are
checked and reloaded in the background (broken ones publish nothing); the audit log filters and pages."""

from __future__ import annotations

import json
import re
import shutil
import time

import duckdb
import pytest
from argon2 import PasswordHasher

from dashboard import Settings, create_app
from dashboard.components.admin import ADMIN_SIGN_IN_WORDS, what_text
from dashboard.context import STORE_KEY
from etl.home import Home
from etl.load import LoadRequest, load_batch
from etl.reload import load_running
from etl.warehouse import load_lock
from tests.support import callback_outputs, find, mini_home, sha256, sign_in, texts, write
from workflow import UserError, passwords
from workflow.users import check_own_account

PASSWORD = "correct horse battery"
SITE = "http://localhost"
CALLBACK = "/_dash-update-component"
FIRST = "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n"
REFUSED = 204  # PreventUpdate: nothing comes back


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="module")
def published_home(tmp_path_factory):
    """The mini definitions with a first load published, built once for the module."""
    root = tmp_path_factory.mktemp("admin")
    found = mini_home(root / "home")
    load_batch(found, [LoadRequest("edu", [write(root / "in" / "first.csv", FIRST)])])
    return found


@pytest.fixture
def home(published_home, tmp_path):
    """A copy of it for each test."""
    shutil.copytree(published_home.root, tmp_path / "home")
    return Home.at(tmp_path / "home")


@pytest.fixture
def app(home, tmp_path):
    found = create_app(Settings(warehouse=home.warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                                secret_key="k" * 40))
    store = found.server.config[STORE_KEY]
    store.add_user("ann", PASSWORD, "admin", by="test")
    store.add_user("bea", PASSWORD, "admin", by="test")
    store.add_user("sam", PASSWORD, "steward", "edu", by="test")
    store.add_user("lee", PASSWORD, "lead", "edu", by="test")
    store.add_user("cat", PASSWORD, "council_member", councils=["education"], by="test")
    found.server.test_client().get("/_dash-dependencies")  # Dash fills its callback map on the first request
    return found


def store_of(app):
    return app.server.config[STORE_KEY]


def client_as(app, username: str | None):
    """A test client signed in as `username` through the sign-in form (None: the public)."""
    return app.server.test_client() if username is None else sign_in(app, username, PASSWORD, SITE)


def post(app, client, name: str, *values, changed: str | None = None):
    """Call the page's callback `name` with its inputs then its states, as a browser would; `changed`
    is the input that fired (default: the first)."""
    key, spec = next((k, v) for k, v in app.callback_map.items()
                     if "admin-" in k and v.get("callback") and v["callback"].__name__ == name)
    n = len(spec["inputs"])
    fired = next(i for i in spec["inputs"] if changed is None or i["id"] == changed)
    body = {"output": key, "outputs": callback_outputs(key), "changedPropIds": [f"{fired['id']}.{fired['property']}"],
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
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/admin"},
                       {"id": "_pages_location", "property": "search", "value": ""}], "state": []}
    return answer(client.post(CALLBACK, json=body, headers={"Origin": SITE}))["_pages_content"]["children"]


def change(app, client, button: str, username, role=None, org=None, councils=None) -> dict:
    return answer(post(app, client, "change", 1, 1, 1, username, role, org, councils, changed=f"admin-role-{button}"))


def add(app, client, username, role, org=None, councils=None, password=PASSWORD, again=PASSWORD) -> dict:
    return answer(post(app, client, "add", 1, username, role, org, councils, password, again))


def error_of(node, field: str) -> str | None:
    found = find(node, f"{field}-error")
    return text(found).replace("Error: ", "", 1).strip() if found else None


def users(app) -> dict[str, tuple]:
    return {u.username: (u.role, u.org, u.councils, u.active) for u in store_of(app).list_users()}


def reload_until_done(app, client, timeout: float = 60) -> dict:
    """Click "Reload definitions", then poll as the page does until the poll switches itself off."""
    started = answer(post(app, client, "reload", 1))
    assert started["admin-reload-poll"]["disabled"] is False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = answer(post(app, client, "poll", 1))
        if found["admin-reload-poll"]["disabled"]:
            return found
        time.sleep(0.2)
    raise AssertionError("the reload did not end")


def measure_name(home, measure_id: str) -> str:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute("SELECT name FROM measures WHERE id = ?", [measure_id]).fetchone()[0]
    finally:
        con.close()


# --- who may -------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", [None, "sam", "lee", "cat"])
def test_only_an_administrator_sees_the_page(app, username):
    content = page_content(app, client_as(app, username))
    assert ADMIN_SIGN_IN_WORDS in text(content)
    shown = json.dumps(content)
    assert find(content, "users-table") is None and find(content, "admin-audit-results") is None
    assert "bea" not in shown and "user-add" not in shown and "Reload definitions" not in shown


def test_an_administrator_sees_users_the_definitions_and_the_audit_log_never_a_hash(app):
    content = page_content(app, client_as(app, "ann"))
    table = text(find(content, "users-table"))
    assert ADMIN_SIGN_IN_WORDS not in text(content)
    assert "sam organisation steward Department for Education ✓ Active" in table
    assert "cat council member World-class education" in table
    assert "argon2" not in json.dumps(content) and "password_hash" not in json.dumps(content)
    assert find(content, "admin-defs-reload") is not None
    assert "user-add" in text(find(content, "audit-table")) and "sign-in" in text(find(content, "audit-table"))


def test_the_navigation_links_the_page_for_administrators_only(app):
    assert "Administration" in client_as(app, "ann").get("/_dash-layout").text
    assert "Administration" not in client_as(app, "sam").get("/_dash-layout").text


CALLS = [  # every callback of the page, with values an attacker might send
    ("pick", ("sam",), None),
    ("change", (1, 1, 1, "ann", "steward", "edu", []), "admin-role-save"),
    ("change", (1, 1, 1, "bea", None, None, None), "admin-role-deactivate"),
    ("change", (1, 1, 1, "sam", None, None, None), "admin-role-reactivate"),
    ("add", (1, "mallory", "admin", None, None, PASSWORD, PASSWORD), None),
    ("check", (1,), None),
    ("reload", (1,), None),
    ("poll", (1,), None),
    ("audit", ("", "", 0, 0, None, 0), None),
    ("audit", ("user-add", "ann", 0, 1, None, 0), "admin-audit-older"),
]


@pytest.mark.parametrize("username", [None, "sam", "lee", "cat"])
def test_every_callback_refuses_anyone_but_an_administrator_and_changes_nothing(app, home, username):
    client = client_as(app, username)
    before, audited, published = users(app), store_of(app).audit_count(), sha256(home.warehouse)
    for name, values, changed in CALLS:
        r = post(app, client, name, *values, changed=changed)
        assert r.status_code == REFUSED and r.data == b"", (name, r.data[:200])
    assert users(app) == before and sha256(home.warehouse) == published
    assert store_of(app).audit_count() == audited  # no reload was even started


# --- users ------------------------------------------------------------------------------------

def test_an_administrator_changes_a_role_and_it_is_audited_with_their_name(app):
    client = client_as(app, "ann")
    picked = answer(post(app, client, "pick", "cat"))["admin-role-form"]["children"]
    assert find(picked, "admin-role-role")["props"]["value"] == "council_member"
    assert find(picked, "admin-role-councils")["props"]["value"] == ["education"]
    found = change(app, client, "save", "cat", "steward", "north", ["education"])  # councils ignored for a steward
    assert "Saved: cat is now organisation steward of Northfield Council" in text(found["admin-role-form"]["children"])
    assert "cat organisation steward Northfield Council" in text(found["admin-users-table"]["children"])
    assert users(app)["cat"] == ("steward", "north", (), True)
    entry = store_of(app).audit_entries(limit=1)[0]
    assert (entry.who, entry.action, entry.what["username"]) == ("ann", "user-set-role", "cat")
    assert entry.what["before"]["role"] == "council_member" and entry.what["after"] == {
        "role": "steward", "org": "north", "councils": []}


def test_a_user_is_deactivated_their_session_ends_and_they_are_reactivated(app):
    sam = client_as(app, "sam")
    client = client_as(app, "ann")
    found = change(app, client, "deactivate", "sam")
    assert "sam can no longer sign in" in text(found["admin-role-form"]["children"])
    assert "✕ Inactive" in text(found["admin-users-table"]["children"])
    assert users(app)["sam"][3] is False
    assert "signed-in-as" in client_as(app, "lee").get("/_dash-layout").text
    assert "signed-in-as" not in sam.get("/_dash-layout").text  # signed out at their next request
    found = change(app, client, "reactivate", "sam")
    assert "sam can sign in again" in text(found["admin-role-form"]["children"]) and users(app)["sam"][3] is True
    actions = [(e.who, e.action, e.what["username"]) for e in store_of(app).audit_entries(who="ann", limit=2)]
    assert actions == [("ann", "user-activate", "sam"), ("ann", "user-deactivate", "sam")]


@pytest.mark.parametrize("sent, field, message", [
    (("sam", "steward", None, None), "admin-role-org", "A steward needs the organisation it acts for."),
    (("sam", "lead", "nowhere", None), "admin-role-org",
     "Unknown organisation 'nowhere': it is not in the definitions."),
    (("sam", "council_member", None, ["mars"]), "admin-role-councils",
     "Unknown council(s) 'mars': not in the definitions."),
    (("sam", "council_member", None, []), "admin-role-councils",
     "A council member needs at least one council they sit on."),
    (("sam", "emperor", None, None), "admin-role-role", "Choose a role."),
    (("nobody", "admin", None, None), "admin-role-user", "Choose a user from the list."),
    ((None, "admin", None, None), "admin-role-user", "Choose the user to change."),
])
def test_a_bad_role_change_says_why_by_the_field_and_changes_nothing(app, sent, field, message):
    client = client_as(app, "ann")
    before, audited = users(app), store_of(app).audit_count()
    found = change(app, client, "save", *sent)
    form = found["admin-role-form"]["children"]
    assert error_of(form, field) == message
    if field == "admin-role-user":
        assert found["admin-role-user"]["invalid"] is True and find(form, "role-errors") is None
    else:
        assert message in text(find(form, "role-errors")) and found["admin-role-user"]["invalid"] is False
    assert "admin-users-table" not in found and "admin-changed" not in found
    assert users(app) == before and store_of(app).audit_count() == audited


@pytest.mark.parametrize("sent, fields", [
    (("Bad Name!", "admin"), {"admin-add-username": "Username 'Bad Name!': use 1 to 64 letters, digits and . _ @ + -, "
                                                   "starting with a letter or digit."}),
    (("sam", "admin"), {"admin-add-username": "There is already a user 'sam'."}),
    (("", "admin"), {"admin-add-username": "Enter a username."}),
    (("dan", "steward", None, None, "short", "short"),
     {"admin-add-org": "A steward needs the organisation it acts for.",
      "admin-add-password": "The password must be at least 12 characters."}),
    (("dan", "admin", None, None, PASSWORD, PASSWORD + "!"),
     {"admin-add-again": "The two passwords are not the same."}),
    (("dan", None), {"admin-add-role": "Choose a role."}),
])
def test_a_bad_new_user_says_why_by_the_field_and_adds_nothing(app, sent, fields):
    client = client_as(app, "ann")
    before, audited = users(app), store_of(app).audit_count()
    found = add(app, client, *sent)
    form = found["admin-add-form"]["children"]
    assert {f: error_of(form, f) for f in fields} == fields
    assert PASSWORD not in json.dumps(found) and "short" not in json.dumps(found)  # a password never comes back
    assert users(app) == before and store_of(app).audit_count() == audited


def test_a_form_drawn_anew_does_not_click_its_own_buttons(app):
    # Dash calls a button's callback once when the form holding it is drawn anew, with no clicks
    client = client_as(app, "ann")
    before, audited = users(app), store_of(app).audit_count()
    assert post(app, client, "change", 0, 0, 0, "sam", "lead", "edu", [], changed="admin-role-save").status_code == 204
    assert post(app, client, "add", 0, "dan", "admin", None, None, PASSWORD, PASSWORD).status_code == 204
    assert users(app) == before and store_of(app).audit_count() == audited


def test_an_administrator_adds_a_user_who_can_then_sign_in(app):
    client = client_as(app, "ann")
    found = add(app, client, "Dan@Example.org", "council_member", "edu", ["education"])  # the org is ignored
    words = text(found["admin-add-form"]["children"])
    assert "Added dan@example.org, council member on World-class education." in words
    assert "dan@example.org" in text(found["admin-users-table"]["children"])
    assert {"label": "dan@example.org", "value": "dan@example.org"} in found["admin-role-user"]["options"]
    assert find(found["admin-add-form"]["children"], "admin-add-username")["props"]["value"] == ""
    assert users(app)["dan@example.org"] == ("council_member", None, ("education",), True)
    entry = store_of(app).audit_entries(limit=1)[0]
    assert (entry.who, entry.action, entry.what["username"]) == ("ann", "user-add", "dan@example.org")
    client_as(app, "dan@example.org")  # signs in with the password typed twice


@pytest.mark.parametrize("button, role, message", [
    ("save", "steward", "You cannot take away your own administrator role: ask another administrator."),
    ("deactivate", None, "You cannot deactivate your own account: ask another administrator."),
])
def test_an_administrator_cannot_demote_or_deactivate_themselves(app, button, role, message):
    before = users(app)
    found = change(app, client_as(app, "ann"), button, "ann", role, "edu")
    field = "admin-role-role" if button == "save" else "admin-role-user"
    assert error_of(found["admin-role-form"]["children"], field) == message
    assert users(app) == before
    found = change(app, client_as(app, "bea"), button, "ann", role, "edu")  # another administrator can
    assert "admin-users-table" in found and users(app)["ann"] != before["ann"]


def test_the_own_account_rule():
    check_own_account("ann", "bob", role="steward")
    check_own_account("ann", "ANN", role="admin")
    check_own_account("ann", "ann", active=True)
    check_own_account("operator", "Not A Name!", active=False)
    for change_ in ({"role": "lead"}, {"active": False}):
        with pytest.raises(UserError, match="your own"):
            check_own_account("ann", " Ann ", **change_)


# --- definitions ----------------------------------------------------------------------------------

BROKEN = """organisations:
  - {id: edu, name: Department for Education, kind: department}
councils:
  - id: health
    name: Health
    goal: Healthy
    chair: B. Chair
    objectives:
      - id: waits
        name: Shorter waits
        partners:
          - {org: nowhere, role: lead, responsibility: Owns it}
"""


def test_check_shows_what_good_definitions_hold(app):
    found = answer(post(app, client_as(app, "ann"), "check", 1))["admin-defs-result"]["children"]
    assert text(found) == ("No problems found: the definitions hold 2 organisations, 1 council, 1 objective, "
                           "2 measures.")


def test_broken_definitions_show_every_problem_by_file_and_line_and_publish_nothing(app, home):
    (home.definitions / "health").mkdir()
    write(home.definitions / "health" / "broken.yaml", BROKEN)
    before = sha256(home.warehouse)
    client = client_as(app, "ann")
    checked = answer(post(app, client, "check", 1))["admin-defs-result"]["children"]
    problems = texts(find(checked, "definitions-problems"))
    assert problems and all(re.match(r"(health/broken|mini)\.yaml(:\d+)?: ", p) for p in problems), problems
    assert any(p.startswith("health/broken.yaml:") and "nowhere" in p for p in problems)
    assert str(home.root) not in json.dumps(checked)
    found = reload_until_done(app, client)["admin-reload-status"]["children"]
    assert "was refused at" in text(found) and "Nothing was published" in text(found)
    assert texts(find(found, "reload-problems")) == problems
    assert str(home.root) not in json.dumps(found)
    assert sha256(home.warehouse) == before
    started, ended = reversed(store_of(app).audit_entries(action="definitions-reload", limit=2))
    assert (started.who, started.what, ended.who, ended.what["outcome"]) == ("ann", {"outcome": "started"}, "ann",
                                                                             "rejected")


def test_good_changed_definitions_are_published(app, home):
    path = home.definitions / "mini.yaml"
    path.write_text(path.read_text().replace("name: NEET rate", "name: Young people NEET"))
    client = client_as(app, "ann")
    found = reload_until_done(app, client)
    words = " ".join(text(found["admin-reload-status"]["children"]).split())
    assert "✓ Published The definitions were published at" in words and "reloaded by ann" in words
    assert "measure(s) judged in full" in words
    assert measure_name(home, "neet-rate") == "Young people NEET"
    assert "admin-changed" in found  # the audit log is shown anew
    content = page_content(app, client)  # and the page, drawn again, says so without polling
    assert find(content, "admin-reload-poll")["props"]["disabled"] is True
    assert "Published" in text(find(content, "reload-outcome"))


def test_a_reload_while_a_load_runs_starts_nothing_and_says_so(app, home):
    client = client_as(app, "ann")
    audited = store_of(app).audit_count()
    with load_lock(home):
        assert load_running(home)
        found = answer(post(app, client, "reload", 1))
    assert not load_running(home)
    words = text(found["admin-reload-status"]["children"])
    assert "A load or a reload is already running: nothing new was started." in words
    assert store_of(app).audit_count() == audited


# --- the audit log ------------------------------------------------------------------------------

def audit(app, client, action="", who="", page=0, changed=None) -> dict:
    return answer(post(app, client, "audit", action, who, 0, 0, None, page, changed=changed))


def of_type(node, kind: str) -> list[dict]:
    """Every component of this type, in order."""
    if isinstance(node, list):
        return [found for item in node for found in of_type(item, kind)]
    if not isinstance(node, dict):
        return []
    inner = of_type(node.get("props", {}).get("children"), kind)
    return [node, *inner] if node.get("type") == kind else inner


def rows(found) -> list[list[str]]:
    """The audit table's rows, as the cells' texts."""
    body = of_type(find(found["admin-audit-results"]["children"], "audit-table"), "Tbody")
    return [[text(cell) for cell in tr["props"]["children"]] for tr in of_type(body, "Tr")]


def test_the_audit_log_filters_by_action_and_by_user(app):
    client = client_as(app, "ann")
    change(app, client, "save", "lee", "steward", "edu")
    found = audit(app, client, action="user-set-role")
    assert [r[1:] for r in rows(found)] == [["ann", "user-set-role", "username: lee; before: role lead, org edu; "
                                                                      "after: role steward, org edu"]]
    assert {"label": "user-set-role", "value": "user-set-role"} in found["admin-audit-action"]["options"]
    assert {"label": "ann", "value": "ann"} in found["admin-audit-who"]["options"]
    by_test = rows(audit(app, client, who="test"))
    assert len(by_test) == 5 and {r[1] for r in by_test} == {"test"} and {r[2] for r in by_test} == {"user-add"}
    assert rows(audit(app, client, action="user-remove")) == []
    assert "No entries match." in text(audit(app, client, who="<script>")["admin-audit-results"]["children"])


def test_the_audit_log_pages_a_hundred_at_a_time(app):
    store = store_of(app)
    for i in range(230):
        store.audit("robot", "probe", {"n": i})
    client = client_as(app, "ann")
    first = audit(app, client, who="robot")
    assert [r[3] for r in rows(first)][:2] == ["n: 229", "n: 228"] and len(rows(first)) == 100
    assert (first["admin-audit-page"]["data"], first["admin-audit-newer"]["disabled"],
            first["admin-audit-older"]["disabled"]) == (0, True, False)
    last = audit(app, client, who="robot", page=1, changed="admin-audit-older")
    assert last["admin-audit-page"]["data"] == 2 and last["admin-audit-older"]["disabled"] is True
    assert [r[3] for r in rows(last)] == [f"n: {i}" for i in range(29, -1, -1)]
    assert "Entries 201–230 of 230" in text(last["admin-audit-results"]["children"])
    assert audit(app, client, who="robot", page=5, changed="admin-audit-older")["admin-audit-page"]["data"] == 2


def test_audit_details_are_text():
    assert what_text({"problems": [f"p{i}" for i in range(7)], "before": {"org": None}, "username": "<b>x</b>",
                      "councils": []}) == "username: <b>x</b>; problems: p0, p1, p2, p3, p4 … (7 in all)"
