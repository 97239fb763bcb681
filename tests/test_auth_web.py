"""Sign-in in the app: the form, sessions and their cookies, cross-site refusals, single sign-on
through a trusted proxy, and each request (page, callback, route) running as its signed-in viewer."""

from __future__ import annotations

import json
import re

import duckdb
import flask
import pytest
from argon2 import PasswordHasher
from dash import Input, Output

from dashboard import Settings, create_app
from dashboard.auth import acts_for, allows, is_signed_in, next_page, require, sits_on
from dashboard.context import STORE_KEY as STORE
from dashboard.context import current_warehouse
from dashboard.guard import forgery_problem
from dashboard.navigation import sign_in_href
from published.access import PUBLIC, Viewer, current_viewer
from workflow import passwords

PASSWORD = "correct horse battery"
KEY = "k" * 40
SITE = "http://localhost"  # where Flask's test client sends its requests
CALLBACK = "/_dash-update-component"
GOOD = {"output": "exc-list.children", "outputs": {"id": "exc-list", "property": "children"},
        "inputs": [{"id": "exc-council", "property": "value", "value": None}] * 3,
        "state": [{"id": "exc-as-of", "property": "data", "value": None}]}
PROBE = {"output": "probe.children", "outputs": {"id": "probe", "property": "children"},
         "inputs": [{"id": "probe-in", "property": "value", "value": 1}], "changedPropIds": ["probe-in.value"]}


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, build_tiny_warehouse):
    """The tiny warehouse with one measure internal (`published: false`): Northfield's referrals."""
    path = build_tiny_warehouse(tmp_path_factory.mktemp("internal") / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    con.execute("UPDATE measures SET published = false WHERE id = 'mh-referrals'")
    con.execute("CHECKPOINT")
    con.close()
    from etl.home import public_path
    from etl.public import write_public

    write_public(path, public_path(path))  # as a publish would: the public file without it
    return path


def make_app(tmp_path, warehouse, **settings):
    app = create_app(Settings(warehouse=warehouse, workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}",
                              secret_key=KEY, **settings))
    server = app.server

    # probes: what the request runs as, in a route, a callback and a warehouse query
    @server.route("/_probe/viewer")
    def _viewer():
        return flask.jsonify(vars(current_viewer()))

    @server.route("/_probe/search")
    def _search():
        return flask.jsonify(list(current_warehouse().search("referrals", limit=5)["id"]))

    @server.route("/_probe/admin-only", methods=["GET", "POST"])
    @require("admin")
    def _admin_only():
        return "done"

    app.callback(Output("probe", "children"), Input("probe-in", "value"))(lambda _v: current_viewer().role)
    app.callback(Output("probe-admin", "children"), Input("probe-admin-in", "value"))(
        require("admin")(lambda _v: "admin saw this"))
    server.test_client().get("/_dash-dependencies")  # Dash fills its callback map on the first request
    return app


@pytest.fixture
def app(tmp_path, warehouse):
    found = make_app(tmp_path, warehouse)
    store = found.server.config[STORE]
    store.add_user("ann", PASSWORD, "admin", by="test")
    store.add_user("sam", PASSWORD, "steward", "northfield", by="test")
    store.add_user("cat", PASSWORD, "council_member", councils=["safe-communities"], by="test")
    return found


@pytest.fixture
def client(app):
    return app.server.test_client()


def token_of(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text)[1]


def sign_in(client, username="ann", password=PASSWORD, **headers):
    token = token_of(client.get("/sign-in").text)
    return client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token},
                       headers={"Origin": SITE, **headers})


def layout_text(client) -> str:
    return client.get("/_dash-layout").text


def layout_token(client) -> str:
    """The token in the header's sign-out form."""
    stack = [client.get("/_dash-layout").json]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("props", {}).get("id") == "sign-out-token":
                return item["props"]["value"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    raise AssertionError("no sign-out form in the layout")


# --- the form ----------------------------------------------------------------------------------

def test_the_sign_in_form_is_labelled_and_carries_a_token(client):
    r = client.get("/sign-in")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    page = r.text
    assert '<html lang="en">' in page and "<title>Sign in – Shared Outcomes</title>" in page
    assert '<label class="form-label fw-bold" for="username">Username</label>' in page
    assert '<label class="form-label fw-bold" for="password">Password</label>' in page
    assert 'autocomplete="current-password"' in page and 'href="/assets/bootstrap.min.css"' in page
    assert len(token_of(page)) >= 32


def test_signing_in_with_the_right_password_signs_in_and_is_audited(app, client):
    assert "Sign in" in layout_text(client) and "Signed in as" not in layout_text(client)
    r = sign_in(client)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert re.search(r"Signed in as.*ann.*administrator", layout_text(client))
    entry = app.server.config[STORE].audit_log(limit=1)[0]
    assert (entry.who, entry.action, entry.what["via"], entry.what["address"]) == ("ann", "sign-in", "password",
                                                                                   "127.0.0.1")
    assert client.get("/sign-in").status_code == 303  # already signed in: back to the pages


@pytest.mark.parametrize("username, password, status, message", [
    ("ann", "not the password", 401, "The username or password is not right"),
    ("nobody", PASSWORD, 401, "The username or password is not right"),
    ("", PASSWORD, 400, "Enter your username"),
    ("ann", "", 400, "Enter your password"),
])
def test_a_failed_sign_in_says_why_and_signs_nobody_in(app, client, username, password, status, message):
    r = sign_in(client, username, password)
    assert r.status_code == status
    assert "There is a problem" in r.text and message in r.text and "<title>Error: Sign in" in r.text
    assert 'aria-invalid="true"' in r.text and PASSWORD not in r.text
    assert "Signed in as" not in layout_text(client)


def test_the_form_token_is_required(client):
    client.get("/sign-in")
    r = client.post("/sign-in", data={"username": "ann", "password": PASSWORD, "csrf_token": "forged"},
                    headers={"Origin": SITE})
    assert r.status_code == 400 and "The sign-in form had expired" in r.text
    assert "Signed in as" not in layout_text(client)


def test_repeated_failures_are_refused_for_a_while(app, client):
    for _ in range(5):
        assert sign_in(client, "ann", "not the password").status_code == 401
    r = sign_in(client, "ann", PASSWORD)  # even the right password, while paused
    assert r.status_code == 429 and "Too many failed sign-in attempts" in r.text and "15 minutes" in r.text
    assert 800 < int(r.headers["Retry-After"]) <= 900
    assert "Signed in as" not in layout_text(client)
    assert sign_in(app.server.test_client(), "sam", PASSWORD).status_code == 303  # another username is open
    assert app.server.config[STORE].audit_log(limit=2)[1].action == "sign-in-refused"


# --- back to the page after signing in ---------------------------------------------------------

@pytest.mark.parametrize("value, back", [
    ("/", "/"),
    ("/measure/burglary-rate", "/measure/burglary-rate"),
    ("/measure/x?as_of=2026-05", "/measure/x?as_of=2026-05"),
    ("/ok?x=1", "/ok?x=1"),
    ("/search?q=http://a//b", "/search?q=http://a//b"),  # the query cannot change the site
    ("/javascript:alert(1)", "/javascript:alert(1)"),  # a path on this site, not a scheme
    ("//evil.com", None),
    ("//evil.com/measure/x", None),
    ("/\\evil.com", None),
    ("\\\\evil.com", None),
    ("/measure/x\\", None),
    ("/a//b", None),
    ("https://evil.com", None),
    ("http:/evil.com", None),
    ("javascript:alert(1)", None),
    ("evil.com", None),
    ("measure/x", None),
    ("/\t/evil.com", None),  # browsers drop tabs and newlines: //evil.com
    ("/\n/evil.com", None),
    ("/ok\r\nSet-Cookie: x=1", None),
    ("/ok\x00", None),
    ("/ok\x7f", None),
    ("/ok\x85", None),  # a C1 control
    ("/" + "a" * 1999, "/" + "a" * 1999),
    ("/" + "a" * 2000, None),
    ("", None),
    (None, None),
    (["/"], None),
])
def test_only_a_path_on_this_site_is_a_page_to_go_back_to(value, back):
    assert next_page(value) == back


def test_under_a_path_prefix_the_page_must_be_under_it():
    assert next_page("/app/measure/x", "/app/") == "/app/measure/x"
    assert next_page("/measure/x", "/app/") is None and next_page("/app", "/app/") is None


def post_sign_in(client, page: str, username="ann", password=PASSWORD, **fields):
    return client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token_of(page),
                                         **fields}, headers={"Origin": SITE})


def test_signing_in_goes_back_to_the_page_it_came_from(client):
    page = client.get("/sign-in?next=/measure/burglary-rate%3Fas_of%3D2026-05").text
    assert '<input type="hidden" name="next" value="/measure/burglary-rate?as_of=2026-05">' in page
    wrong = post_sign_in(client, page, password="not the password", next="/measure/burglary-rate?as_of=2026-05")
    assert wrong.status_code == 401 and 'name="next" value="/measure/burglary-rate?as_of=2026-05"' in wrong.text
    r = post_sign_in(client, wrong.text, next="/measure/burglary-rate?as_of=2026-05")
    assert r.status_code == 303 and r.headers["Location"] == "/measure/burglary-rate?as_of=2026-05"
    assert "Signed in as" in layout_text(client)
    already = client.get("/sign-in?next=/org/northfield")  # signed in already: straight there
    assert already.status_code == 303 and already.headers["Location"] == "/org/northfield"


@pytest.mark.parametrize("evil", ["//evil.com", "/\\evil.com", "https://evil.com", "javascript:alert(1)",
                                  "/\t/evil.com"])
def test_signing_in_never_goes_to_another_site(client, evil):
    page = client.get("/sign-in", query_string={"next": evil}).text
    assert 'name="next"' not in page
    r = post_sign_in(client, page, next=evil)  # sent with the form, as another site's link might
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_a_page_with_markup_in_its_address_stays_text(client):
    page = client.get("/sign-in", query_string={"next": '/x"><script>alert(1)</script>'}).text
    assert "<script>alert" not in page and 'value="/x&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    r = post_sign_in(client, page, next='/x"><script>alert(1)</script>')
    assert r.headers["Location"] == "/x%22%3E%3Cscript%3Ealert(1)%3C/script%3E"  # quoted: this site's path


@pytest.mark.parametrize("page, href", [
    (None, "/sign-in"),
    ("/", "/sign-in"),
    ("/measure/x", "/sign-in?next=/measure/x"),
    ("/measure/x?as_of=2026-05", "/sign-in?next=/measure/x%3Fas_of%3D2026-05"),
    ("/search?q=a&b=c d", "/sign-in?next=/search%3Fq%3Da%26b%3Dc%20d"),
    ("//evil.com", "/sign-in"),
    ("javascript:alert(1)", "/sign-in"),
])
def test_the_sign_in_link_carries_the_page(page, href):
    assert sign_in_href(page, "/") == href


def test_the_sign_in_link_follows_the_address(client):
    assert '"id":"sign-in-link"' in layout_text(client).replace(" ", "")
    body = {"output": "sign-in-link.href", "outputs": {"id": "sign-in-link", "property": "href"},
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/measure/burglary-rate"},
                       {"id": "_pages_location", "property": "search", "value": "?as_of=2026-05"}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    r = client.post(CALLBACK, json=body, headers={"Origin": SITE})
    assert r.json["response"]["sign-in-link"]["href"] == "/sign-in?next=/measure/burglary-rate%3Fas_of%3D2026-05"


# --- the session cookie ------------------------------------------------------------------------

def cookie_flags(response) -> set[str]:
    """`HttpOnly; Path=/; SameSite=Lax; Expires=...` as {"httponly", "path=/", "samesite=lax", "expires"}."""
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("outcomes_session=")]
    parts = [p.strip().lower() for p in cookie.split(";")[1:]]
    return {p.split("=")[0] if p.startswith(("expires", "max-age")) else p for p in parts}


def test_the_session_cookie_is_httponly_and_samesite_and_not_secure_over_plain_http(client):
    flags = cookie_flags(sign_in(client))
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags
    assert "expires" in flags  # a session lasts hours, not forever


def test_behind_tls_the_session_cookie_is_secure(tmp_path, warehouse):
    app = make_app(tmp_path, warehouse, cookie_secure=True)
    app.server.config[STORE].add_user("ann", PASSWORD, "admin", by="test")
    client = app.server.test_client()
    token = token_of(client.get("/sign-in").text)
    r = client.post("/sign-in", data={"username": "ann", "password": PASSWORD, "csrf_token": token},
                    headers={"Origin": SITE})
    assert {"httponly", "samesite=lax", "secure"} <= cookie_flags(r)


def test_without_a_configured_key_one_is_made_in_the_home_folder(tmp_path, build_tiny_warehouse):
    home = tmp_path / "home"
    home.mkdir()
    first = create_app(Settings(warehouse=home / "warehouse.duckdb"))
    second = create_app(Settings(warehouse=home / "warehouse.duckdb"))
    assert first.server.secret_key == second.server.secret_key == (home / "session.key").read_text().strip()
    assert ((home / "session.key").stat().st_mode & 0o777) == 0o600


# --- sign-out --------------------------------------------------------------------------------

def test_signing_out_ends_the_session_everywhere(app, client):
    sign_in(client)
    stolen = client.get_cookie("outcomes_session").value
    token = layout_token(client)
    assert client.post("/sign-out", data={"csrf_token": "forged"}, headers={"Origin": SITE}).status_code == 403
    assert "Signed in as" in layout_text(client)
    r = client.post("/sign-out", data={"csrf_token": token}, headers={"Origin": SITE})
    assert r.status_code == 303 and "Signed in as" not in layout_text(client)
    assert app.server.config[STORE].audit_log(limit=1)[0].action == "sign-out"
    replay = app.server.test_client()
    replay.set_cookie("outcomes_session", stolen)
    assert replay.get("/_probe/viewer").json["role"] == "public"  # the old cookie no longer signs anyone in


def test_a_removed_user_is_signed_out_at_the_next_request_and_a_new_role_counts_at_once(app, client):
    sign_in(client, "sam")
    assert client.get("/_probe/viewer").json["role"] == "steward"
    app.server.config[STORE].set_role("sam", "lead", "dww", by="test")
    assert client.get("/_probe/viewer").json == {"role": "lead", "org": "dww", "councils": [], "name": "sam"}
    app.server.config[STORE].remove_user("sam", by="test")
    assert client.get("/_probe/viewer").json["role"] == "public"


# --- cross-site requests -----------------------------------------------------------------------

@pytest.mark.parametrize("method, origin, referer, credentialed, callback, mimetype, problem", [
    ("GET", "https://evil.example", None, True, False, "", None),
    ("POST", SITE, None, True, True, "application/json", None),
    ("POST", None, SITE + "/measure/x?y=1", True, False, "application/x-www-form-urlencoded", None),
    ("POST", None, None, False, True, "application/json", None),  # no credentials: runs as the public
    ("POST", "https://evil.example", None, False, True, "application/json",
     "the request comes from another site (https://evil.example)"),
    ("POST", "null", None, True, False, "", "the request comes from another site (null)"),
    ("POST", "http://localhost:8050", None, True, False, "", "the request comes from another site "
                                                             "(http://localhost:8050)"),
    ("POST", None, "https://evil.example/page", True, False, "", "the request comes from another site "
                                                                 "(https://evil.example)"),
    ("DELETE", None, None, True, False, "", "the request names no origin (Origin or Referer) and carries credentials"),
    ("POST", SITE, None, True, True, "text/plain", "a callback request must be sent as application/json"),
    ("PUT", SITE.upper(), None, True, False, "", None),
])
def test_forgery_rules(method, origin, referer, credentialed, callback, mimetype, problem):
    assert forgery_problem(method, SITE, origin, referer, credentialed=credentialed, callback=callback,
                           mimetype=mimetype) == problem


def test_a_cross_site_callback_post_is_refused_and_a_same_site_one_answered(client):
    assert client.post(CALLBACK, json=GOOD, headers={"Origin": "https://evil.example"}).status_code == 403
    assert client.post(CALLBACK, json=GOOD, headers={"Origin": SITE}).status_code == 200
    assert client.post(CALLBACK, json=GOOD).status_code == 200  # no origin and no session: as the public
    raw = json.dumps(GOOD)
    for mimetype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        assert client.post(CALLBACK, data=raw, content_type=mimetype, headers={"Origin": SITE}).status_code == 403


def test_with_a_session_a_post_must_name_its_site(client):
    sign_in(client)
    assert client.post(CALLBACK, json=GOOD).status_code == 403
    assert client.post(CALLBACK, json=GOOD, headers={"Referer": SITE + "/"}).status_code == 200
    assert client.post(CALLBACK, json=GOOD, headers={"Referer": "https://evil.example/"}).status_code == 403
    assert client.post("/sign-out", headers={"Origin": "https://evil.example"}).status_code == 403
    assert "Signed in as" in layout_text(client)


# --- each request runs as its viewer -----------------------------------------------------------

def test_a_route_runs_as_the_signed_in_viewer_and_the_public_otherwise(client):
    assert client.get("/_probe/viewer").json == {"role": "public", "org": None, "councils": [], "name": None}
    sign_in(client, "cat")
    assert client.get("/_probe/viewer").json == {"role": "council_member", "org": None,
                                                 "councils": ["safe-communities"], "name": "cat"}
    assert current_viewer() is PUBLIC  # reset when the request ended


def test_a_callback_runs_as_the_signed_in_viewer(client):
    def probe():
        r = client.post(CALLBACK, json=PROBE, headers={"Origin": SITE})
        return r.json["response"]["probe"]["children"]

    assert probe() == "public"
    sign_in(client, "sam")
    assert probe() == "steward"


def test_internal_measures_are_seen_only_by_those_allowed(app):
    public, ann, sam, cat = (app.server.test_client() for _ in range(4))
    sign_in(ann, "ann"), sign_in(sam, "sam"), sign_in(cat, "cat")
    assert public.get("/_probe/search").json == []
    assert ann.get("/_probe/search").json == ["mh-referrals"]  # an administrator sees everything
    assert sam.get("/_probe/search").json == ["mh-referrals"]  # its owner, Northfield, sees it
    assert cat.get("/_probe/search").json == []  # a member of another council does not


def test_require_refuses_a_route_with_403_and_a_callback_with_no_update(client):
    body = {"output": "probe-admin.children", "outputs": {"id": "probe-admin", "property": "children"},
            "inputs": [{"id": "probe-admin-in", "property": "value", "value": 1}],
            "changedPropIds": ["probe-admin-in.value"]}
    assert client.get("/_probe/admin-only").status_code == 403
    assert client.post(CALLBACK, json=body, headers={"Origin": SITE}).status_code == 204  # PreventUpdate
    sign_in(client, "sam")
    assert client.get("/_probe/admin-only").status_code == 403
    assert client.post(CALLBACK, json=body, headers={"Origin": SITE}).status_code == 204
    admin = client.application.test_client()
    sign_in(admin, "ann")
    assert admin.get("/_probe/admin-only").data == b"done"
    assert admin.post(CALLBACK, json=body, headers={"Origin": SITE}).json["response"]["probe-admin"] == {
        "children": "admin saw this"}


@pytest.mark.parametrize("viewer, check, allowed", [
    (PUBLIC, is_signed_in, False),
    (PUBLIC, "admin", False),
    (Viewer("admin", name="a"), "steward", True),  # an administrator may do everything
    (Viewer("admin", name="a"), acts_for("northfield"), True),
    (Viewer("steward", "northfield"), "steward", True),
    (Viewer("steward", "northfield"), ("lead", "steward"), True),
    (Viewer("steward", "northfield"), "lead", False),
    (Viewer("steward", "northfield"), acts_for("northfield"), True),
    (Viewer("steward", "northfield"), acts_for("dww"), False),
    (Viewer("steward", "northfield"), acts_for(None), False),
    (Viewer("lead", "dww"), acts_for("dww"), True),
    (Viewer("council_member", councils=("prosperity",)), acts_for("dww"), False),
    (Viewer("council_member", councils=("prosperity",)), sits_on("prosperity"), True),
    (Viewer("council_member", councils=("prosperity",)), sits_on("healthy-lives"), False),
    (Viewer("steward", "northfield"), is_signed_in, True),
])
def test_allows(viewer, check, allowed):
    assert allows(check, viewer) is allowed


# --- single sign-on through a trusted proxy ----------------------------------------------------

def test_the_proxy_header_is_ignored_unless_configured(client):
    assert client.get("/_probe/viewer", headers={"X-Remote-User": "ann"}).json["role"] == "public"


def test_a_configured_proxy_header_signs_in_the_user_it_names(tmp_path, warehouse):
    app = make_app(tmp_path, warehouse, trusted_user_header="X-Remote-User")
    store = app.server.config[STORE]
    store.add_user("ann", PASSWORD, "admin", by="test")
    store.add_user("sam", PASSWORD, "steward", "northfield", by="test")
    client = app.server.test_client()
    assert client.get("/_probe/viewer").json["role"] == "public"
    for _ in range(3):
        assert client.get("/_probe/viewer", headers={"X-Remote-User": "Sam"}).json["name"] == "sam"
    assert [(e.who, e.action, e.what["via"]) for e in store.audit_log(action="sign-in")] == [
        ("sam", "sign-in", "proxy")]  # once a session, not at every request
    assert client.get("/_probe/viewer", headers={"X-Remote-User": "nobody"}).json["role"] == "public"
    assert store.audit_log(limit=1)[0].action == "sign-in-failed"
    assert "single sign-on" in layout_text_with(client, {"X-Remote-User": "sam"})
    # the header is a credential: a POST carrying it must name its site
    assert client.post(CALLBACK, json=GOOD, headers={"X-Remote-User": "sam"}).status_code == 403
    # the proxy's word wins over a session signed in with a password
    sign_in(client, "ann", **{"X-Remote-User": "ann"})
    assert client.get("/_probe/viewer", headers={"X-Remote-User": "sam"}).json["name"] == "sam"
    store.set_active("sam", False, by="test")
    assert client.get("/_probe/viewer", headers={"X-Remote-User": "sam"}).json["role"] == "public"


def layout_text_with(client, headers) -> str:
    return client.get("/_dash-layout", headers=headers).text
