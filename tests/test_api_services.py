"""End-to-end services on the read-only API: /api/v1/services and /api/v1/services/<id> on known data (the
small service home: Intake, ScanCo, and Northfield's internal decision stage), the month's stored flow
figures, and nothing of an internal stage (or of a service with no public stage) for the public, while a
signed-in administrator does get them, so each check can fail."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from dashboard import Settings, create_app
from dashboard.context import STORE_KEY
from tests.service_home import DECIDE_WAITING, HIDDEN_SECRETS, service_home
from tests.support import sign_in
from tests.test_api import get
from workflow import passwords

SITE = "http://localhost"
PASSWORD = "correct horse battery"
SECRETS = HIDDEN_SECRETS  # and the service tests/service_home.py adds with `hidden`
# JSON names measures by id and gives numbers unformatted
SEEN_SIGNED_IN = tuple(s for s in SECRETS if s not in ("Secret decision queue", f"{DECIDE_WAITING:,}"))


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("api-services")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        home = service_home(root / "home", hidden=True)
        found = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                                    workflow_url=f"sqlite:///{root / 'workflow.sqlite'}"))
        found.server.config[STORE_KEY].add_user("ann", PASSWORD, "admin", by="test")
        yield found


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def admin(app):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield sign_in(app, "ann", PASSWORD, SITE)


INTAKE = {"id": "intake", "name": "Claim received", "description": None,
          "organisation": {"id": "intake", "name": "Claims Intake Agency"}}
SCAN = {"id": "scan", "name": "Evidence scanned", "description": None,
        "organisation": {"id": "scanco", "name": "ScanCo Ltd"}}
CLAIMS = [{"id": "claims", "name": "Pay claims promptly"}]


def test_the_list_gives_each_service_with_its_public_stages(client):
    assert get(client, "/api/v1/services") == {"as_of": None, "services": [
        {"id": "claim", "name": "Claim for support", "description": "From a claim arriving to its decision.",
         "objectives": CLAIMS, "stages": [INTAKE, SCAN], "href": "/api/v1/services/claim"}]}
    assert get(client, "/api/v1/services?as_of=2025-12")["services"][0]["href"] == (
        "/api/v1/services/claim?as_of=2025-12")


def test_a_service_in_full(client):
    found = get(client, "/api/v1/services/claim")
    assert found["service"] == {"id": "claim", "name": "Claim for support",
                                "description": "From a claim arriving to its decision.", "objectives": CLAIMS,
                                "little_tolerance": 0.35,
                                "end_to_end_measures": {"median": "claim-days", "p90": None}}
    assert found["stages"] == [
        {**INTAKE, "measures": {"arrivals": "claims-in", "completions": "claims-in"}},
        {**SCAN, "measures": {"arrivals": "claims-in", "backlog": "scan-waiting", "completions": "scanned",
                              "right_first_time": "scan-rft", "time_median": "scan-days"}}]
    assert found["handoffs"] == [{"from_stage": "intake", "to_stage": "scan"}]
    months = found["months"]
    assert [m["period"] for m in months] == [f"2025-{m:02d}" for m in range(1, 13)]
    december = months[-1]
    assert {k: december[k] for k in ("period", "period_start", "pinch_point", "handoffs")} == {
        "period": "2025-12", "period_start": "2025-12-01",
        "pinch_point": {"stage_id": "scan", "reason": "longest wait", "size": 19.8},
        "handoffs": [{"from_stage": "intake", "to_stage": "scan", "volume": 1000.0}]}
    # the service's own median is measured; no estimate, as the stage times shown are not the whole journey
    assert december["end_to_end"] == {"median": 41.0, "p90": None, "median_estimate": None, "p90_estimate": None}
    intake, scan = december["stages"]
    little = scan.pop("littles_law")
    assert scan == {"stage_id": "scan", "arrivals": 1000.0, "completions": 950.0, "backlog": 650.0,
                    "backlog_change": 50.0, "time_median": 19.8, "time_p90": None, "failure_demand": None,
                    "failure_share": None, "right_first_time": 90.0, "capacity": None, "left_service": None}
    assert little["agrees"] is True and little["expected"] == pytest.approx(650.5, abs=0.1)
    assert intake["stage_id"] == "intake" and intake["littles_law"] == {"expected": None, "ratio": None,
                                                                         "agrees": None}
    # the growing queue, month by month
    assert [m["stages"][1]["backlog"] for m in months] == [100.0 + 50 * i for i in range(12)]


def test_as_of_is_echoed_and_checked(client):
    assert get(client, "/api/v1/services/claim?as_of=latest")["as_of"] is None
    bad = get(client, "/api/v1/services/claim?as_of=2025-13", 400)
    assert bad["parameter"] == "as_of"
    assert get(client, "/api/v1/services?stage=scan", 400)["parameter"] == "stage"
    assert get(client, "/api/v1/services/claim?breakdown=total", 400)["parameter"] == "breakdown"


@pytest.mark.parametrize("ident", ["no-such-service", "hidden-queue", "x" * 201])
def test_unknown_and_internal_services_read_like_an_unknown_measure(client, ident):
    unknown_measure = client.get("/api/v1/measures/no-such-measure")
    r = client.get(f"/api/v1/services/{ident}")
    assert (r.status_code, r.data, r.headers["Content-Type"]) == (404, unknown_measure.data,
                                                                  unknown_measure.headers["Content-Type"])
    assert r.json == {"error": "Not found."}


def test_the_public_may_cache_and_a_signed_in_answer_is_never_stored(client, admin):
    for url in ("/api/v1/services", "/api/v1/services/claim", "/api/v1/services/hidden-queue"):
        r = client.get(url)
        assert r.headers["Cache-Control"] == "public, max-age=300", url
        assert r.headers["X-Content-Type-Options"] == "nosniff" and "Cookie" in r.headers["Vary"]
    assert admin.get("/api/v1/services/claim").headers["Cache-Control"] == "private, no-store"


def _answers(client) -> str:
    urls = ["/api/v1/services", "/api/v1/services?as_of=2025-12", "/api/v1/services/claim",
            "/api/v1/services/claim?as_of=2025-12", "/api/v1/services/hidden-queue", "/api/v1/openapi.json"]
    return "\n".join(client.get(url).get_data(as_text=True) for url in urls)


def test_nothing_internal_reaches_the_public_but_an_administrator_sees_it(client, admin):
    public = _answers(client)
    assert [s for s in SECRETS if s in public] == []
    # the same walk signed in finds the internal stage, its figures and the hidden service: the check can fail
    entitled = _answers(admin)
    assert [s for s in SEEN_SIGNED_IN if s not in entitled] == []
    found = admin.get("/api/v1/services/claim").json
    assert [s["id"] for s in found["stages"]] == ["intake", "scan", "decide"]
    assert found["months"][-1]["stages"][2]["backlog"] == DECIDE_WAITING
    assert [s["id"] for s in admin.get("/api/v1/services").json["services"]] == ["claim", "hidden-queue"]
