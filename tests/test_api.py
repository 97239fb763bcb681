"""The read-only API and the downloads under /api/v1/: every endpoint's answer on known data, the
filters, 400 for a bad parameter naming it, 404 alike for an unknown id and an internal one, what a
signed-in administrator gets, formula-safe CSV, nothing internal in any anonymous answer, and an
OpenAPI description that lists exactly the routes there are."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from argon2 import PasswordHasher

from dashboard import Settings, api, create_app
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from published import documents
from published.access import PUBLIC, as_viewer
from published.reader import Warehouse
from tests.support import mini_home, sign_in, write
from workflow import passwords

SITE = "http://localhost"
PASSWORD = "correct horse battery"
# the internal measure, all of it, and internal text (tests/test_public_text.py has more on the text)
SECRETS = ("youth-contacts", "Covert youth contacts", "987654", "covert note", "covert plan", "Priya")
FORMULA = '=HYPERLINK("http://evil.example","click")'

DEFINITIONS = f"""\
organisations:
  - {{id: edu, name: Department for Education, kind: department}}
  - {{id: north, name: Northfield Council, short_name: Northfield, kind: local_council}}
breakdowns:
  region: [North, South]
councils:
  - id: education
    name: World-class education
    goal: Every young person learning or earning
    chair: A. Chair
    objectives:
      - id: neet
        name: Fewer young people not in work or training
        statement: Cut the NEET rate to 8% by 2026.
        partners:
          - {{org: edu, role: lead, responsibility: Owns the outcome}}
          - {{org: north, role: contributor, responsibility: Finds young people}}
        measures:
          - id: neet-rate
            name: NEET rate
            owner: edu
            role: headline
            unit: percent
            unit_label: "% of 16 to 24 year olds"
            decimals: 1
            direction: down
            frequency: monthly
            source: Labour Force Survey
            breakdowns: [region]
            target:
              baseline: {{period: 2024-01, value: 12}}
              final: {{period: 2026-01, value: 8}}
              trajectory: {{2025-01: 10}}
          - id: formula-trap
            name: '{FORMULA}'
            owner: north
            unit: number
            direction: up
            frequency: monthly
          - id: youth-contacts
            name: Covert youth contacts
            description: Never shown to the public
            owner: north
            unit: count
            direction: up
            frequency: quarterly
            published: false
  - id: health
    name: Healthy lives
    goal: People live longer
    chair: B. Chair
    objectives:
      - id: waits
        name: Shorter waits
        partners:
          - {{org: north, role: lead, responsibility: Runs the clinics}}
        measures:
          - {{id: wait-days, name: Days waited, owner: north, role: headline, unit: days, direction: down,
             frequency: monthly}}
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    found = mini_home(root / "home")
    for path in found.definitions.glob("*.yaml"):
        path.unlink()
    write(found.definitions / "api.yaml", DEFINITIONS)
    inbox = root / "in"
    load_batch(found, [
        LoadRequest("edu", [write(inbox / "edu.csv", "measure_id,period,region,value\nneet-rate,2025-01,,11\n"
                                                     "neet-rate,2025-02,,10.5\nneet-rate,2025-02,North,12\n"
                                                     "neet-rate,2025-02,South,9\n")], datetime(2025, 3, 10)),
        LoadRequest("north", [write(inbox / "north.csv", "measure_id,period,value,note\n"
                                                         "formula-trap,2025-01,5,+1 for luck\n"
                                                         "formula-trap,2025-02,-3,@SUM(A1:A9)\n"
                                                         "wait-days,2025-01,30,\n"
                                                         "youth-contacts,2025-Q1,987654,covert note\n")],
                    datetime(2025, 3, 11)),
    ], today=date(2025, 4, 1))
    # a revision in April: 2025-02 was 10.5 as at the end of March
    load_batch(found, [LoadRequest("edu", [write(inbox / "edu-2.csv", "measure_id,period,value\n"
                                                                      "neet-rate,2025-02,10.4\n")],
                                   datetime(2025, 4, 10))], today=date(2025, 4, 11))
    return found


@pytest.fixture(scope="module")
def app(home, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        found = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                                    workflow_url=f"sqlite:///{tmp_path_factory.mktemp('wf') / 'workflow.sqlite'}"))
        store = found.server.config[STORE_KEY]
        store.add_user("ann", PASSWORD, "admin", by="test")
        _plant_text(store)
        yield found


def _plant_text(store) -> None:
    """Public commentary and actions, and beside them internal ones and public ones about the internal
    measure (which must stay out of every anonymous answer)."""
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu", what_happened="Harbour lights",
                           why="Schools reopened", what_next="Outreach in March", visibility="public", by="Priya")
    store.write_commentary(measure_id="neet-rate", period="2025-02", org_id="edu", what_happened="covert plan",
                           visibility="internal", by="Priya")
    store.write_commentary(measure_id="youth-contacts", period="2025-Q1", org_id="north",
                           what_happened="covert plan for contacts", visibility="public", by="Priya")
    store.add_action(council_id="education", objective_id="neet", measure_id="neet-rate", title="Open a drop-in",
                     owner_org="north", owner_person="Priya", due="2025-05-31", visibility="public", by="Priya")
    store.add_action(council_id="education", objective_id="neet", title="covert plan action", owner_org="north",
                     owner_person="Priya", due="2025-05-31", visibility="internal", by="Priya")
    store.add_action(council_id="education", objective_id="neet", measure_id="youth-contacts",
                     title="covert plan about contacts", owner_org="north", owner_person="Priya", due="2025-05-31",
                     visibility="public", by="Priya")


@pytest.fixture
def client(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def admin(app):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield sign_in(app, "ann", PASSWORD, SITE)


def get(client, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, (url, r.text[:300])
    return r.json if r.mimetype == "application/json" else r.text


# --- every endpoint on known data --------------------------------------------------------------------

def test_councils(client):
    assert get(client, "/api/v1/councils") == {"as_of": None, "councils": [
        {"id": "education", "name": "World-class education", "goal": "Every young person learning or earning",
         "chair": "A. Chair", "objectives": 1, "members": 2, "href": "/api/v1/councils/education"},
        {"id": "health", "name": "Healthy lives", "goal": "People live longer", "chair": "B. Chair",
         "objectives": 1, "members": 1, "href": "/api/v1/councils/health"},
    ]}
    assert get(client, "/api/v1/councils?as_of=2025-03")["councils"][0]["href"] == (
        "/api/v1/councils/education?as_of=2025-03")


def test_a_council_in_full(client):
    found = get(client, "/api/v1/councils/health")
    assert found == {
        "as_of": None,
        "council": {"id": "health", "name": "Healthy lives", "goal": "People live longer", "chair": "B. Chair"},
        "members": [{"id": "north", "name": "Northfield Council", "short_name": "Northfield", "kind": "local_council"}],
        "objectives": [{"id": "waits", "name": "Shorter waits", "statement": "",
                        "council": {"id": "health", "name": "Healthy lives"}, "number": 1,
                        "lead": {"id": "north", "name": "Northfield Council"},
                        "partners": [{"id": "north", "name": "Northfield Council", "role": "lead",
                                      "responsibility": "Runs the clinics"}],
                        "headline_measure": "wait-days", "measures": ["wait-days"]}],
        "measures": [found["measures"][0]],
        "observations": [{"measure_id": "wait-days", "period": "2025-01", "period_start": "2025-01-01",
                          "breakdown": "", "value": 30.0, "status": None, "note": None, "revised": False}],
    }
    education = get(client, "/api/v1/councils/education")
    assert [m["id"] for m in education["measures"]] == ["neet-rate", "formula-trap"]
    assert [(o["measure_id"], o["period"], o["breakdown"], o["value"]) for o in education["observations"]] == [
        ("neet-rate", "2025-01", "", 11.0), ("neet-rate", "2025-02", "", 10.4),
        ("neet-rate", "2025-02", "region=North", 12.0), ("neet-rate", "2025-02", "region=South", 9.0),
        ("formula-trap", "2025-01", "", 5.0), ("formula-trap", "2025-02", "", -3.0)]


def test_objectives(client):
    listed = get(client, "/api/v1/objectives")["objectives"]
    assert [(o["id"], o["council"]["id"], o["lead"]["id"], o["headline_measure"], o["href"]) for o in listed] == [
        ("neet", "education", "edu", "neet-rate", "/api/v1/objectives/neet"),
        ("waits", "health", "north", "wait-days", "/api/v1/objectives/waits")]
    assert [o["id"] for o in get(client, "/api/v1/objectives?council=health")["objectives"]] == ["waits"]
    found = get(client, "/api/v1/objectives/neet")
    assert found["objective"] == {
        "id": "neet", "name": "Fewer young people not in work or training",
        "statement": "Cut the NEET rate to 8% by 2026.",
        "council": {"id": "education", "name": "World-class education"}, "number": 1,
        "lead": {"id": "edu", "name": "Department for Education"},
        "partners": [{"id": "edu", "name": "Department for Education", "role": "lead",
                      "responsibility": "Owns the outcome"},
                     {"id": "north", "name": "Northfield Council", "role": "contributor",
                      "responsibility": "Finds young people"}],
        "headline_measure": "neet-rate", "measures": ["neet-rate", "formula-trap"]}
    assert {o["measure_id"] for o in found["observations"]} == {"neet-rate", "formula-trap"}


NEET_RATE = {
    "id": "neet-rate", "name": "NEET rate", "description": "", "role": "headline", "kind": "outcome",
    "timing": "lagging", "unit": "percent", "unit_label": "% of 16 to 24 year olds", "rate_per": None,
    "decimals": 1, "direction": "down", "frequency": "monthly", "published": True, "source": "Labour Force Survey",
    "categories": None, "breakdowns": ["region"], "owner": {"id": "edu", "name": "Department for Education"},
    "objective": {"id": "neet", "name": "Fewer young people not in work or training"},
    "council": {"id": "education", "name": "World-class education"},
    "target": {"baseline_period": "2024-01", "baseline_value": 12.0, "target_period": "2026-01",
               "target_value": 8.0, "note": None},
}


def test_a_measure_in_full(client, home):
    found = get(client, "/api/v1/measures/neet-rate")
    judgement = found["measure"].pop("judgement")
    assert found["measure"] == {**NEET_RATE, "trajectory": [
        {"period": "2024-01", "period_start": "2024-01-01", "value": 12.0, "kind": "baseline"},
        {"period": "2025-01", "period_start": "2025-01-01", "value": 10.0, "kind": "milestone"},
        {"period": "2026-01", "period_start": "2026-01-01", "value": 8.0, "kind": "final"}]}
    # the judgement stored at publish, read and never made again
    from published.judgements import stored_statuses
    from published.reader import Scope

    stored = stored_statuses(Warehouse(home.public_warehouse), Scope(measure="neet-rate"), None)["neet-rate"]
    assert judgement == {"status": stored.status, "reason": stored.reason, "period": "2025-02"}
    assert found["observations"] == [
        {"measure_id": "neet-rate", "period": "2025-01", "period_start": "2025-01-01", "breakdown": "",
         "value": 11.0, "status": None, "note": None, "revised": False},
        {"measure_id": "neet-rate", "period": "2025-02", "period_start": "2025-02-01", "breakdown": "",
         "value": 10.4, "status": None, "note": None, "revised": True},
        {"measure_id": "neet-rate", "period": "2025-02", "period_start": "2025-02-01", "breakdown": "region=North",
         "value": 12.0, "status": None, "note": None, "revised": False},
        {"measure_id": "neet-rate", "period": "2025-02", "period_start": "2025-02-01", "breakdown": "region=South",
         "value": 9.0, "status": None, "note": None, "revised": False}]
    # as it stood at the end of March: before the revision
    march = get(client, "/api/v1/measures/neet-rate?as_of=2025-03")
    assert march["as_of"] == "2025-03" and [(o["period"], o["value"], o["revised"]) for o in march["observations"]
                                            if not o["breakdown"]] == [("2025-01", 11.0, False),
                                                                        ("2025-02", 10.5, False)]


@pytest.mark.parametrize("query, expected", [
    ("", ["neet-rate", "formula-trap", "wait-days"]),
    ("?council=health", ["wait-days"]),
    ("?objective=neet", ["neet-rate", "formula-trap"]),
    ("?owner=north", ["formula-trap", "wait-days"]),
    ("?owner=north&council=education", ["formula-trap"]),
    ("?council=nowhere", []),
])
def test_measures_filtered(client, query, expected):
    found = get(client, f"/api/v1/measures{query}")["measures"]
    assert [m["id"] for m in found] == expected
    assert all(m["href"] == f"/api/v1/measures/{m['id']}" and "trajectory" not in m for m in found)


def test_the_measure_list_carries_definitions_and_judgements(client):
    neet = get(client, "/api/v1/measures?objective=neet")["measures"][0]
    assert {k: v for k, v in neet.items() if k not in ("judgement", "href")} == NEET_RATE
    assert neet["judgement"]["period"] == "2025-02"


@pytest.mark.parametrize("query, expected", [
    ("", [("2025-01", ""), ("2025-02", ""), ("2025-02", "region=North"), ("2025-02", "region=South")]),
    ("?from=2025-02", [("2025-02", ""), ("2025-02", "region=North"), ("2025-02", "region=South")]),
    ("?to=2025-01", [("2025-01", "")]),
    ("?from=2025-01&to=2025-01", [("2025-01", "")]),
    ("?from=2026-01", []),
    ("?breakdown=total", [("2025-01", ""), ("2025-02", "")]),
    ("?breakdown=region", [("2025-02", "region=North"), ("2025-02", "region=South")]),
    ("?breakdown=region=North", [("2025-02", "region=North")]),
    ("?breakdown=total&from=2025-02&as_of=2025-03", [("2025-02", "")]),
])
def test_observations_filtered(client, query, expected):
    found = get(client, f"/api/v1/measures/neet-rate/observations{query}")
    assert [(o["period"], o["breakdown"]) for o in found["observations"]] == expected
    assert found["measure_id"] == "neet-rate"


def test_observations_echo_their_filters(client):
    found = get(client, "/api/v1/measures/neet-rate/observations?from=2025-01&to=2025-02&breakdown=total"
                        "&as_of=2025-03")
    assert {k: v for k, v in found.items() if k != "observations"} == {
        "as_of": "2025-03", "measure_id": "neet-rate", "from": "2025-01", "to": "2025-02", "breakdown": "total"}
    assert [o["value"] for o in found["observations"]] == [11.0, 10.5]


def test_organisations(client):
    assert get(client, "/api/v1/organisations")["organisations"] == [
        {"id": "edu", "name": "Department for Education", "short_name": None, "kind": "department", "url": None,
         "leads": 1, "contributes": 0, "href": "/api/v1/organisations/edu"},
        {"id": "north", "name": "Northfield Council", "short_name": "Northfield", "kind": "local_council",
         "url": None, "leads": 1, "contributes": 1, "href": "/api/v1/organisations/north"}]
    found = get(client, "/api/v1/organisations/north")
    assert found["organisation"] == {"id": "north", "name": "Northfield Council", "short_name": "Northfield",
                                     "kind": "local_council", "url": None}
    assert [o["id"] for o in found["objectives"]] == ["neet", "waits"]
    # its own measures where it takes part, and the headline of each objective
    assert [m["id"] for m in found["measures"]] == ["neet-rate", "formula-trap", "wait-days"]


def test_no_services_declared_is_an_empty_list(client):
    """(tests/test_api_services.py has services on known data.)"""
    assert get(client, "/api/v1/services") == {"as_of": None, "services": []}
    assert get(client, "/api/v1/services?as_of=2025-03") == {"as_of": "2025-03", "services": []}


# --- downloads ---------------------------------------------------------------------------------------

def test_a_measure_as_csv_is_tidy_and_formula_safe(client):
    r = client.get("/api/v1/measures/formula-trap.csv")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert r.headers["Content-Disposition"] == 'attachment; filename="measure-formula-trap-latest.csv"'
    assert r.text.splitlines() == [
        "measure_id,measure_name,unit,unit_label,owner,objective,council,period,breakdown,value,status,note",
        """formula-trap,"'=HYPERLINK(""http://evil.example"",""click"")",number,,north,neet,education,2025-01,,"""
        "5.0,,'+1 for luck",
        """formula-trap,"'=HYPERLINK(""http://evil.example"",""click"")",number,,north,neet,education,2025-02,,"""
        "-3.0,,'@SUM(A1:A9)",
    ]


@pytest.mark.parametrize("url, name", [
    ("/api/v1/councils/education.csv?as_of=2025-03", "council-education-2025-03.csv"),
    ("/api/v1/objectives/neet.csv", "objective-neet-latest.csv"),
    ("/api/v1/organisations/north.csv", "organisation-north-latest.csv"),
])
def test_bulk_csv_downloads(client, url, name):
    r = client.get(url)
    assert r.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0]) == documents.CSV_COLUMNS
    assert rows[0] == {"measure_id": "neet-rate", "measure_name": "NEET rate", "unit": "percent",
                       "unit_label": "% of 16 to 24 year olds", "owner": "edu", "objective": "neet",
                       "council": "education", "period": "2025-01", "breakdown": "", "value": "11.0", "status": "",
                       "note": ""}
    # no cell a spreadsheet would run: every text cell starting so is quoted
    cells = [c for row in rows for k, c in row.items() if k != "value"]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


# --- what is refused ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url, parameter", [
    ("/api/v1/measures/neet-rate/observations?from=2025-13", "from"),
    ("/api/v1/measures/neet-rate/observations?from=March", "from"),
    ("/api/v1/measures/neet-rate/observations?to=2025-1", "to"),
    ("/api/v1/measures/neet-rate/observations?from=2025-03&to=2025-02", "to"),
    ("/api/v1/measures/neet-rate/observations?breakdown=colour", "breakdown"),
    ("/api/v1/measures/neet-rate/observations?breakdown=region=East", "breakdown"),
    ("/api/v1/measures/neet-rate/observations?breakdown=", "breakdown"),
    ("/api/v1/measures/neet-rate/observations?from=2025-01&from=2025-02", "from"),
    ("/api/v1/measures?counsil=health", "counsil"),
    ("/api/v1/measures?owner=", "owner"),
    ("/api/v1/measures?owner=" + "x" * 201, "owner"),
    ("/api/v1/councils?as_of=2025-3", "as_of"),
    ("/api/v1/councils/health.csv?as_of=soon", "as_of"),
    ("/api/v1/councils?as_of=2999-12", "as_of"),  # a month not ended: as the pages, no figures as at its end yet
    ("/api/v1/councils?council=health", "council"),
    ("/api/v1/openapi.json?as_of=2025-03", "as_of"),
])
def test_a_bad_parameter_is_named(client, url, parameter):
    found = get(client, url, 400)
    assert found["parameter"] == parameter and found["error"].startswith(f"`{parameter}` ")


ID_ROUTES = ["/api/v1/councils/{}", "/api/v1/councils/{}.csv", "/api/v1/objectives/{}", "/api/v1/objectives/{}.csv",
             "/api/v1/measures/{}", "/api/v1/measures/{}.csv", "/api/v1/measures/{}/observations",
             "/api/v1/organisations/{}", "/api/v1/organisations/{}.csv", "/api/v1/services/{}"]


@pytest.mark.parametrize("route", ID_ROUTES)
def test_unknown_and_internal_ids_read_the_same(client, route):
    unknown = client.get(route.format("no-such-thing"))
    assert unknown.status_code == 404 and unknown.json == {"error": "Not found."}
    internal = client.get(route.format("youth-contacts"))
    assert (internal.status_code, internal.data, internal.headers.get("Content-Type")) == (
        404, unknown.data, unknown.headers["Content-Type"])
    assert client.get(route.format("x" * 201)).json == {"error": "Not found."}


def test_an_internal_measure_with_a_bad_breakdown_is_still_only_not_found(client):
    assert get(client, "/api/v1/measures/youth-contacts/observations?breakdown=colour", 404) == {
        "error": "Not found."}


def test_an_address_the_api_does_not_have_is_a_json_404_and_writing_is_405(client):
    for url in ("/api/v1/", "/api/v1/nothing", "/api/v1/measures/neet-rate/else", "/api/v1/councils/"):
        r = client.get(url)
        assert (r.status_code, r.json, r.headers["X-Content-Type-Options"]) == (404, {"error": "Not found."},
                                                                               "nosniff"), url
    r = client.post("/api/v1/councils", headers={"Origin": SITE})
    assert (r.status_code, r.headers["Allow"]) == (405, "GET, HEAD, OPTIONS")
    # the guard still answers an unknown page with 404, and leaves the API's 200s alone
    assert client.get("/no-such-page").status_code == 404
    assert client.get("/api/v1/measures/neet-rate").status_code == 200


# --- who is asking -----------------------------------------------------------------------------------

def test_the_public_may_cache_what_it_gets(client):
    for url, status in (("/api/v1/measures/neet-rate", 200), ("/api/v1/measures/youth-contacts", 404),
                        ("/api/v1/measures?owner=", 400), ("/api/v1/councils/health.csv", 200)):
        r = client.get(url)
        assert r.status_code == status
        assert r.headers["Cache-Control"] == "public, max-age=300", url
        assert r.headers["X-Content-Type-Options"] == "nosniff" and "Cookie" in r.headers["Vary"]
        assert "Set-Cookie" not in r.headers
        if r.mimetype == "application/json":
            assert r.headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_signed_in_administrator_gets_the_internal_measure_and_nothing_is_stored(admin):
    r = admin.get("/api/v1/measures/youth-contacts")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "private, no-store"
    found = r.json
    assert (found["measure"]["name"], found["measure"]["published"]) == ("Covert youth contacts", False)
    assert [(o["period"], o["value"], o["note"]) for o in found["observations"]] == [
        ("2025-Q1", 987654.0, "covert note")]
    assert "youth-contacts" in [m["id"] for m in admin.get("/api/v1/measures?owner=north").json["measures"]]
    assert "987654" in admin.get("/api/v1/councils/education.csv").text
    assert admin.get("/api/v1/measures/youth-contacts/observations?breakdown=total").status_code == 200


def _every_answer(client) -> dict[str, str]:
    """Every route, with every id the lists give and the internal measure's (the first of each also as at
    a past month), each answer's body and headers."""
    ids = {"councils": [c["id"] for c in client.get("/api/v1/councils").json["councils"]],
           "objectives": [o["id"] for o in client.get("/api/v1/objectives").json["objectives"]],
           "measures": [m["id"] for m in client.get("/api/v1/measures").json["measures"]] + ["youth-contacts"],
           "organisations": [o["id"] for o in client.get("/api/v1/organisations").json["organisations"]],
           "services": [s["id"] for s in client.get("/api/v1/services").json["services"]] + ["youth-contacts"],
           "openapi.json": [None]}
    urls = ["/api/v1/actions?council=education", "/api/v1/actions?objective=neet",
            "/api/v1/actions?measure=youth-contacts", "/api/v1/measures/youth-contacts/commentary",
            "/api/v1/measures?owner=north", "/api/v1/measures?council=education", "/api/v1/measures?objective=neet",
            "/api/v1/objectives?council=education", "/api/v1/measures/youth-contacts/observations?breakdown=total"]
    for rule in api.ENDPOINTS:
        kind, found = rule.split("/")[1], re.search(r"<\w+>", rule)
        for i, ident in enumerate(ids[kind] if found else [None]):
            url = "/api/v1" + (rule.replace(found.group(0), ident) if found else rule)
            urls += [url, url + "?as_of=2025-03"] if i == 0 and api.ENDPOINTS[rule].as_of else [url]
    answers = {}
    for url in urls:
        r = client.get(url)
        assert r.status_code in (200, 404), url
        answers[url] = r.get_data(as_text=True) + str(r.headers)
    return answers


def test_nothing_internal_in_any_anonymous_answer(client, admin):
    answers = _every_answer(client)
    assert len(answers) > 40
    leaks = {url: [s for s in SECRETS if s in text and s not in url] for url, text in answers.items()}
    assert {url: found for url, found in leaks.items() if found} == {}
    # the sweep can fail: the same walk signed in as an administrator finds it
    assert any("Covert youth contacts" in text for text in _every_answer(admin).values())


def test_public_commentary_and_actions_and_nothing_else(client, admin):
    for viewer in (client, admin):  # the API gives public text only, whoever asks (internal text: the review pack)
        said = viewer.get("/api/v1/measures/neet-rate/commentary")
        assert said.status_code == 200
        assert said.json == {"measure_id": "neet-rate", "commentary": [
            {"period": "2025-02", "organisation": {"id": "edu", "name": "Department for Education"},
             "what_happened": "Harbour lights", "why": "Schools reopened", "what_next": "Outreach in March",
             "updated": date.today().isoformat()}]}
        actions = viewer.get("/api/v1/actions?objective=neet").json["actions"]
        assert [(a["title"], a["owner"]["name"], a["due"], a["state"], a["status"]) for a in actions] == [
            ("Open a drop-in", "Northfield Council", "2025-05-31", "open", "overdue")]
        assert "Priya" not in said.text + str(actions)  # the organisation speaks, not its staff
    assert client.get("/api/v1/measures/youth-contacts/commentary").status_code == 404
    assert client.get("/api/v1/actions?objective=waits").json == {"actions": []}
    bad = client.get("/api/v1/actions?owner=north")
    assert bad.status_code == 400 and bad.json["parameter"] == "owner"


def test_the_documents_hide_an_internal_measure_even_from_the_full_file(home):
    """Built straight from the full warehouse for the public (as a static-site export might): the
    reader's scope leaves the internal measure out."""
    w = Warehouse(home.warehouse)
    with as_viewer(PUBLIC):
        assert documents.measure_document(w, "youth-contacts") is None
        assert documents.measure_csv(w, "youth-contacts") is None
        council = documents.council_document(w, "education")
        text = str(council) + documents.organisation_csv(w, "north")
    assert [m["id"] for m in council["measures"]] == ["neet-rate", "formula-trap"]
    assert not [s for s in SECRETS if s in text]
    assert documents.council_document(w, "nowhere") is None and documents.organisation_csv(w, "nobody") is None


# --- the description ---------------------------------------------------------------------------------

def test_the_openapi_description_lists_exactly_the_routes(app, client):
    found = get(client, "/api/v1/openapi.json")
    assert found["openapi"].startswith("3.1") and found["servers"] == [{"url": "/api/v1"}]
    rules = {re.sub(r"<(\w+)>", r"{\1}", r.rule.removeprefix("/api/v1")): r
             for r in app.server.url_map.iter_rules() if r.endpoint.startswith("api.")}
    assert set(rules) == set(found["paths"])
    for path, rule in rules.items():
        operation = found["paths"][path]
        assert set(operation) == {"get"} and rule.methods == {"GET", "HEAD", "OPTIONS"}, path
        named = {p["$ref"].rsplit("/", 1)[1] for p in operation["get"]["parameters"]}
        endpoint = api.ENDPOINTS[rule.rule.removeprefix("/api/v1")]
        takes = set(endpoint.params) | ({"as_of"} if endpoint.as_of else set()) | set(rule.arguments)
        assert named == takes, path
    parameters = found["components"]["parameters"]
    assert all(parameters[n]["name"] == n for n in parameters)
    refs = set(re.findall(r'"#/components/(\w+)/(\w+)"', str(found).replace("'", '"')))
    assert all(name in found["components"][kind] for kind, name in refs)
