"""Answers to the public kept per published version (dashboard/response_cache.py): the same request
is answered from memory until a publish or a write of public text; a signed-in viewer is never
answered from it, and their answers are never kept; the store stays within its bounds."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from argon2 import PasswordHasher

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from dashboard.response_cache import CACHE_KEY, HIT_HEADER, Kept, ResponseCache
from etl.load import LoadRequest, load_batch
from tests.support import mini_home, sign_in, write
from workflow import passwords

PASSWORD = "correct horse battery"


@pytest.fixture
def home(tmp_path):
    """The mini home, youth contacts internal."""
    home = mini_home(tmp_path / "home")
    path = home.definitions / "mini.yaml"
    path.write_text(path.read_text().replace("            frequency: quarterly",
                                             "            frequency: quarterly\n            published: false"))
    a = write(tmp_path / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\n")
    b = write(tmp_path / "b.csv", "measure_id,period,value\nyouth-contacts,2025-Q1,42\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 3, 10)), LoadRequest("north", [b], datetime(2025, 3, 11))],
               today=date(2025, 4, 1))
    return home


@pytest.fixture
def app(home, tmp_path):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        found = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                                    workflow_url=f"sqlite:///{tmp_path / 'workflow.sqlite'}"))
        found.server.config[STORE_KEY].add_user("ann", PASSWORD, "admin", by="test")
        yield found


def test_the_public_is_answered_from_memory_until_the_next_publish(app, home, tmp_path):
    client = app.server.test_client()
    first = client.get("/api/v1/measures/neet-rate")
    again = client.get("/api/v1/measures/neet-rate")
    assert (first.headers[HIT_HEADER], again.headers[HIT_HEADER]) == ("miss", "hit")
    assert again.get_data() == first.get_data() and again.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    # a publish: the next answer is made anew, from the new figures
    c = write(tmp_path / "c.csv", "measure_id,period,value\nneet-rate,2025-02,10.9\n")
    load_batch(home, [LoadRequest("edu", [c], datetime(2025, 3, 20))], today=date(2025, 4, 1))
    after = client.get("/api/v1/measures/neet-rate")
    assert after.headers[HIT_HEADER] == "miss" and [o["value"] for o in after.json["observations"]] == [11.5, 10.9]


def test_a_write_of_public_text_is_seen_at_once(app):
    client = app.server.test_client()
    assert client.get("/api/v1/actions").json == {"actions": []}
    assert client.get("/api/v1/actions").headers[HIT_HEADER] == "hit"
    app.server.config[STORE_KEY].add_action(council_id="education", objective_id="neet", title="Careers advisers",
                                            owner_org="edu", owner_person="x", due="2025-06-30",
                                            visibility="public", by="x")
    fresh = client.get("/api/v1/actions")
    assert fresh.headers[HIT_HEADER] == "miss" and [a["title"] for a in fresh.json["actions"]] == ["Careers advisers"]


def test_a_callback_for_the_public_is_kept_by_its_request_body(app):
    client = app.server.test_client()
    body = {"output": "data-as-of.children", "outputs": {"id": "data-as-of", "property": "children"},
            "inputs": [{"id": "url", "property": "search", "value": "?as_of=2025-03"}], "changedPropIds": [],
            "state": []}
    deps = client.get("/_dash-dependencies").json
    assert any(d["output"] == "data-as-of.children" for d in deps)
    first = client.post("/_dash-update-component", json=body)
    again = client.post("/_dash-update-component", json=body)
    assert first.status_code == 200 and (first.headers[HIT_HEADER], again.headers[HIT_HEADER]) == ("miss", "hit")
    assert again.get_data() == first.get_data()
    other = client.post("/_dash-update-component", json={**body, "inputs": [{**body["inputs"][0], "value": ""}]})
    assert other.headers[HIT_HEADER] == "miss"


def test_a_signed_in_viewer_is_never_answered_from_it_nor_kept(app):
    public = app.server.test_client()
    assert [m["id"] for m in public.get("/api/v1/measures?council=education").json["measures"]] == ["neet-rate"]
    assert public.get("/api/v1/measures?council=education").headers[HIT_HEADER] == "hit"
    admin = sign_in(app, "ann", PASSWORD)
    for _ in range(2):
        answer = admin.get("/api/v1/measures?council=education")
        assert HIT_HEADER not in answer.headers
        assert [m["id"] for m in answer.json["measures"]] == ["neet-rate", "youth-contacts"]
    kept = len(app.server.config[CACHE_KEY])
    admin.get("/api/v1/measures/youth-contacts")
    assert len(app.server.config[CACHE_KEY]) == kept
    assert public.get("/api/v1/measures/youth-contacts").status_code == 404  # and a 404 is not kept
    assert public.get("/api/v1/measures/youth-contacts").headers[HIT_HEADER] == "miss"


def test_sign_in_and_static_files_are_never_kept(app):
    client = app.server.test_client()
    assert HIT_HEADER not in client.get("/sign-in").headers
    assert HIT_HEADER not in client.get("/_favicon.ico").headers


def test_the_store_keeps_within_its_bounds_least_recently_used_first_out():
    cache = ResponseCache(max_entries=3, max_bytes=10)
    version = ("v1",)
    for key in (b"a", b"b", b"c"):
        cache.put(version, key, Kept(b"xx", "application/json", ()))
    assert cache.get(version, b"a") is not None  # a used: b is now the oldest
    cache.put(version, b"d", Kept(b"xx", "application/json", ()))
    assert cache.get(version, b"b") is None and cache.get(version, b"a") is not None and len(cache) == 3
    cache.put(version, b"big", Kept(b"x" * 9, "application/json", ()))  # over the byte bound: the oldest go
    assert sum(len(k.body) for k in cache._kept.values()) <= 10
    assert cache.get(("v2",), b"big") is None and len(cache) == 0  # another version: nothing of the old one


def test_an_answer_is_kept_for_one_day_on_the_servers_clock_and_in_utc():
    # whether a month asked for has ended is told in UTC (dashboard.urls.month_has_ended), an action's "overdue"
    # on the server's clock: an answer kept across either midnight would say yesterday's
    from datetime import UTC, date, datetime

    from dashboard.response_cache import _version

    assert _version(lambda: ("v1",)) == ("v1", date.today().isoformat(), datetime.now(UTC).date().isoformat())
