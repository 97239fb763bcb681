"""Tampering: every Dash callback and every Flask route, sent the most dangerous inputs it takes (an
internal measure's id, another organisation's or council's ids, another organisation's upload, another
user's name), by the public, a steward or lead of another organisation and a member of another
council: no response holds anything internal. Those entitled do get it, so the sweep can fail.

Each request is sent twice: with the real target (the internal measure, North's upload, a real user)
and with a decoy that names nothing. For someone not entitled the two answers must be the same, once
what the request itself carried is masked out: an internal measure reads exactly like one that does
not exist. A new callback, route or page fails `test_every_callback_route_and_page_has_a_case` until
it is given a case here.
"""

from __future__ import annotations

import base64
import difflib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import dash
import pytest
from argon2 import PasswordHasher

from dashboard import Settings, create_app
from dashboard.auth import TOKEN_FIELD, TOKEN_KEY
from dashboard.context import STORE_KEY
from etl.load import LoadRequest, load_batch
from etl.uploads import store_upload
from tests.support import mini_home, sign_in, write
from workflow import passwords

SITE = "http://localhost"  # where Flask's test client sends its requests
CALLBACK = "/_dash-update-component"
PASSWORD = "correct horse battery"

# North owns an internal headline measure of an objective Education leads, in the education council
DEFINITIONS = """\
organisations:
  - {id: edu, name: Department for Education, kind: department}
  - {id: north, name: Northfield Council, kind: local_council}
  - {id: east, name: Eastvale Health, kind: health_provider}
breakdowns:
  region: [North, South]
councils:
  - id: education
    name: World-class education
    goal: Every young person learning or earning
    chair: A. Chair
    objectives:
      - id: neet
        name: Fewer young people not in education, employment or training
        partners:
          - {org: edu, role: lead, responsibility: Owns the outcome}
        measures:
          - {id: neet-rate, name: NEET rate, owner: edu, role: headline, unit: percent, decimals: 1,
             direction: down, frequency: monthly}
      - id: outreach
        name: Young people reached by outreach
        partners:
          - {org: edu, role: lead, responsibility: Owns the outcome}
          - {org: north, role: contributor, responsibility: Runs the outreach}
        measures:
          - id: covert-outreach
            name: Covert outreach visits
            owner: north
            role: headline
            unit: number
            decimals: 3
            direction: up
            frequency: monthly
            published: false
            breakdowns: [region]
            target:
              baseline: {period: 2024-01, value: 111222.333}
              final: {period: 2026-12, value: 555444.333}
  - id: health
    name: Healthy lives
    goal: People live longer
    chair: B. Chair
    objectives:
      - id: waits
        name: Shorter waits
        partners:
          - {org: east, role: lead, responsibility: Runs the clinics}
        measures:
          - {id: wait-days, name: Days waited, owner: east, role: headline, unit: days, direction: down,
             frequency: monthly}
services:  # an end-to-end service whose second stage is North's internal measure
  - id: outreach-service
    name: Outreach to young people
    objectives: [outreach]
    stages:
      - {id: refer, name: Young person referred, org: edu, next: [visit]}
      - {id: visit, name: Outreach visit, org: north, measures: {completions: covert-outreach}}
"""
INTERNAL = ("covert-outreach", "Covert outreach visits",  # the measure, and its figures as sent and as shown
            "987654", "987,654", "876543", "876,543", "555444", "555,444", "111222", "111,222")
NORTH_UPLOAD = ("north-private", "246813")  # North's files by name, and a figure only in its upload
# username -> (role, organisation, councils)
USERS = {
    "ann.q7": ("admin", None, ()),
    "nora.q7": ("steward", "north", ()),  # owns the internal measure
    "olive.q7": ("steward", "north", ()),  # loaded and uploaded North's files; never signs in here
    "sam.q7": ("steward", "edu", ()),  # its organisation leads the measure's objective
    "cal.q7": ("council_member", None, ("education",)),  # sits on the measure's council
    "eve.q7": ("steward", "east", ()),
    "lee.q7": ("lead", "east", ()),
    "hal.q7": ("council_member", None, ("health",)),
}
WRONG = {"public": None, "steward of another organisation": "eve.q7", "lead of another organisation": "lee.q7",
         "member of another council": "hal.q7"}
RIGHTFUL = {"owner's steward": "nora.q7", "lead organisation's steward": "sam.q7", "council member": "cal.q7",
            "administrator": "ann.q7"}
VIEWERS = {**WRONG, **RIGHTFUL}
EVERY_RIGHTFUL = frozenset(RIGHTFUL)
# who must see internal data where (the contrast): each right in a few places, every one on the measure's page
OWNER, LEAD_ORG, MEMBER, ADMIN = (frozenset({v}) for v in RIGHTFUL)


@dataclass(frozen=True)
class Target:
    """What a tampering request aims at: the real things, or decoys that name nothing."""
    measure: str
    upload: str
    user: str
    words: str  # searched for

    def masks(self) -> list[tuple[str, str]]:
        return [(self.measure, "<measure>"), (self.upload, "<upload>"), (self.user, "<user>"), (self.words, "<words>")]


DECOY = Target("no-such-measure", "0" * 64, "nobody.q7", "zzqx")


@dataclass(frozen=True)
class Call:
    """One callback request: the values of its inputs, then of its states (or `by_id`, values by
    "id.property", clicks and the like 1 when not named); `outputs` forged for a pattern-matching
    callback; `changed` the index of the input that fired."""
    inputs: tuple = ()
    state: tuple = ()
    outputs: list | None = None
    changed: int = 0
    by_id: dict | None = None


@dataclass(frozen=True)
class Route:
    """One request to a Flask route; a POST's `form` is sent with the session's form token."""
    method: str
    path: str
    form: dict | None = None


@dataclass(frozen=True)
class Case:
    """Requests (for a target), who must see internal data in the answers (the contrast), and who else
    beyond WRONG must not."""
    build: Callable[[Target], list[Call | Route]]
    seen_by: frozenset = frozenset()
    hidden_from: frozenset = frozenset()


def _csv(text: str, name: str = "march.csv") -> dict:
    return {"contents": "data:text/csv;base64," + base64.b64encode(text.encode()).decode(), "filename": name}


def _panels(t: Target) -> list:
    return [[{"id": {"type": "objective-panel", "measure": m}, "property": "figure"} for m in (t.measure, "neet-rate")],
            {"id": "panel-window-caption", "property": "children"}]


def _nav_links(t: Target) -> list:
    return [[{"id": {"type": "nav-link", "name": "Measure", "path": f"/measure/{t.measure}"}, "property": "href"}],
            {"id": "site-search", "property": "value"}]


def _admin(t: Target) -> list[Call]:
    """An administrator's forms filled in by someone else: another user made an administrator,
    deactivated, a new administrator added, the audit log read for another user."""
    values = {"admin-role-user.value": t.user, "admin-role-role.value": "admin", "admin-role-org.value": None,
              "admin-role-councils.value": [], "admin-add-username.value": "mallory.q7",
              "admin-add-role.value": "admin", "admin-add-org.value": None, "admin-add-councils.value": [],
              "admin-add-password.value": PASSWORD, "admin-add-again.value": PASSWORD,
              "admin-audit-action.value": None, "admin-audit-who.value": t.user, "admin-audit-page.data": 0,
              "admin-changed.data": None}
    return [Call(by_id=values), Call(by_id=values, changed=1)]


def _review(t: Target) -> list[Call]:
    """The review page's forms filled in by someone else: commentary on the internal measure, an action and
    an escalation about it, an action closed, an escalation decided, the review recorded as held, the pack
    downloaded. (The sweep's definitions have no review schedule, so even those entitled get no pack here:
    tests/test_review_page.py has the contrast.)"""
    values = {"review-page.data": {"council": "education", "month": "2025-03"},
              "review-c-measure.value": t.measure, "review-c-period.value": "2025-02",
              "review-c-happened.value": t.words, "review-c-why.value": "", "review-c-next.value": "",
              "review-c-visibility.value": "public",
              "review-a-title.value": t.words, "review-a-org.value": "north", "review-a-person.value": t.user,
              "review-a-due.value": "2025-04-30", "review-a-link.value": f"measure:{t.measure}",
              "review-a-notes.value": "", "review-a-visibility.value": "public", "review-d-action.value": "1",
              "review-e-org.value": "north", "review-e-to.value": "council", "review-e-problem.value": t.words,
              "review-e-decision.value": t.words, "review-e-link.value": f"measure:{t.measure}",
              "review-x-escalation.value": "1", "review-x-outcome.value": t.words, "review-x-day.value": "2025-03-20",
              "review-h-day.value": "2025-03-20", "review-h-notes.value": t.words,
              "review-r-commentary.value": "1", "review-r-happened.value": t.words, "review-r-why.value": "",
              "review-r-next.value": "", "review-r-visibility.value": "public"}
    return [Call(by_id=values)]


def _review_revision(t: Target) -> list[Call]:
    """Someone else's commentary revised, then withdrawn (the second button)."""
    return [*_review(t), Call(by_id=_review(t)[0].by_id, changed=1)]


EXCEPTION_FILTERS = ("education", "north", "outreach")
SERVICE_PAGE = {"service": "outreach-service", "as_of": None}
PAGE_ROUTER = ".._pages_content.children..._pages_store.data.."
NOT_ADMIN = EVERY_RIGHTFUL - ADMIN
NOT_NORTH = frozenset({"lead organisation's steward", "council member"})  # North's uploads are not theirs either

# every callback, by its output key (without Dash's `@hash` of allow_duplicate outputs)
CALLBACKS: dict[str, Case] = {
    "exc-list.children": Case(lambda t: [Call((*EXCEPTION_FILTERS,), (None,))], OWNER),
    "exc-address.data": Case(lambda t: [Call((*EXCEPTION_FILTERS,))]),  # runs in the browser: the server refuses
    "exc-download.data": Case(lambda t: [Call((1,), (*EXCEPTION_FILTERS, None))], LEAD_ORG),
    '..{"measure":["ALL"],"type":"objective-panel"}.figure...panel-window-caption.children..': Case(
        lambda t: [Call(("10",), ({"objective": "outreach", "as_of": None, "end": "2025-02-01"},), _panels(t))],
        OWNER),
    "..submit-payload.data...submit-upload.contents...submit-status.children...submit-report.children..": Case(
        lambda t: [Call((_csv(f"measure_id,period,value\n{t.measure},2025-03,1\n")["contents"],), ("x.csv",))]),
    "..submit-report.children...submit-upload-id.data...submit-status.children...submit-result.children..": Case(
        lambda t: [Call((_csv(f"measure_id,period,region,value\n{t.measure},2025-03,North,1\n"),), ("north",))],
        hidden_from=frozenset({"council member"})),
    "..submit-result.children...submit-status.children...submit-confirm.disabled...submit-due.children"
    "...submit-history.children..": Case(lambda t: [Call((1,), (t.upload, "north"))], hidden_from=NOT_NORTH),
    "..submit-org.data...submit-due.children...submit-history.children...submit-report.children"
    "...submit-upload-id.data..": Case(lambda t: [Call(("north",))], ADMIN, NOT_NORTH),
    "submit-download.data": Case(lambda t: [Call((1,), (t.upload, "north"))], OWNER | ADMIN, NOT_NORTH),
    "..measure-chart.figure...measure-chart.style...measure-table.children..": Case(
        lambda t: [Call(("region", "panels"), ({"measure": t.measure, "as_of": "2025-03"},))], MEMBER),
    "measure-address.data": Case(lambda t: [Call(("region", "panels"))]),  # runs in the browser
    "measure-download.data": Case(
        lambda t: [Call((1, None), ("region", {"measure": t.measure, "as_of": None})),
                   Call((None, 1), ("", {"measure": t.measure, "as_of": None}), changed=1)], OWNER | ADMIN),
    "..as-of-picker.value...as-of-picker.options..": Case(
        lambda t: [Call((f"?as_of=2025-03&measure={t.measure}",), ([{"label": t.measure, "value": t.measure}],))]),
    "navigate.href": Case(lambda t: [Call(("2025-03", 1), (t.words, f"/measure/{t.measure}", ""), changed=1)]),
    '..{"name":["ALL"],"path":["ALL"],"type":"nav-link"}.href...site-search.value..': Case(
        lambda t: [Call(("?as_of=2025-03", f"/measure/{t.measure}"), (), _nav_links(t))]),
    "data-as-of.children": Case(lambda t: [Call(("?as_of=2025-03",))]),
    "sign-in-link.href": Case(lambda t: [Call((f"/measure/{t.measure}", "?as_of=2025-03"))]),
    "search-suggestions.children": Case(lambda t: [Call((t.words, "?as_of=2025-03"))], LEAD_ORG),
    # the administration page: an administrator only (who is not sent the forms that change users and
    # reload the definitions: those would change this module's app)
    "..admin-role-form.children...admin-role-user.invalid..": Case(_admin, hidden_from=NOT_ADMIN),
    "..admin-role-form.children...admin-role-user.invalid...admin-role-user.options...admin-users-table.children"
    "...admin-changed.data..": Case(_admin, hidden_from=NOT_ADMIN),
    "..admin-add-form.children...admin-users-table.children...admin-role-user.options...admin-changed.data..": Case(
        _admin, hidden_from=NOT_ADMIN),
    "admin-defs-result.children": Case(_admin, hidden_from=NOT_ADMIN),
    "..admin-reload-status.children...admin-reload-poll.disabled..": Case(_admin, hidden_from=NOT_ADMIN),
    "..admin-reload-status.children...admin-reload-poll.disabled...admin-changed.data..": Case(
        _admin, hidden_from=NOT_ADMIN),
    "..admin-audit-results.children...admin-audit-page.data...admin-audit-newer.disabled"
    "...admin-audit-older.disabled...admin-audit-action.options...admin-audit-who.options..": Case(
        _admin, ADMIN, NOT_ADMIN),
    # the monthly review page (dashboard/pages/review.py)
    "review-commentary.children": Case(_review),
    "review-actions.children": Case(_review),
    "..review-actions-table.children...review-d-form.children..": Case(_review),
    "review-escalations.children": Case(_review),
    "..review-escalations-table.children...review-x-form.children..": Case(_review),
    "review-held.children": Case(_review),
    "review-download.data": Case(_review),
    "..review-commentary-list.children...review-r-form.children..": Case(_review_revision),
    "..review-r-happened.value...review-r-why.value...review-r-next.value...review-r-visibility.value..": Case(
        _review),
    # Dash's own: the page router (swept page by page, PAGES) and the title writer (in the browser)
    PAGE_ROUTER: Case(lambda t: []),
    "_pages_dummy.children": Case(lambda t: [Call(({"title": t.measure},))]),
    # the end-to-end service page (dashboard/pages/service.py): the month picker and the what-if panel
    "service-period-view.children": Case(lambda t: [Call(("2025-01",), (SERVICE_PAGE,)),
                                                   Call((t.measure,), (SERVICE_PAGE,))], EVERY_RIGHTFUL),
    "what-if-result.children": Case(lambda t: [Call(("visit", "capacity", 10, "2025-01"), (SERVICE_PAGE,)),
                                               Call((t.measure, "demand", 10, t.measure), (SERVICE_PAGE,))]),
    "plan-result.children": Case(lambda t: [Call(("visit", "5", 13, "10", "15", "", "2025-01"), (SERVICE_PAGE,)),
                                            Call((t.measure, "5", 13, "", "", "", t.measure), (SERVICE_PAGE,))]),
    # saving a plan as a milestone trajectory (no stage here measures its work waiting: nothing is saved)
    "plan-saved.children": Case(lambda t: [
        Call((1, 0), ("visit", "5", 13, "", "15", "", "2025-01", SERVICE_PAGE)),
        Call((0, 1), (t.measure, "5", 13, "", "15", "", t.measure, SERVICE_PAGE), changed=1)]),
}

def _page(path: Callable[[Target], str], search: Callable[[Target], str] = lambda t: "") -> Callable:
    return lambda t: [Call((path(t), search(t)))]


# every page, by its path template: the address and query the router is sent
NOTHING_INTERNAL = EVERY_RIGHTFUL  # pages that show nothing internal to anyone
PAGES: dict[str, Case] = {
    "/": Case(_page(lambda t: "/"), MEMBER),
    "/council/<council_id>": Case(_page(lambda t: "/council/education"), ADMIN),
    "/exceptions": Case(_page(lambda t: "/exceptions", lambda t: "?council=education&org=north&objective=outreach"),
                        OWNER),
    "/measure/<measure_id>": Case(_page(lambda t: f"/measure/{t.measure}", lambda t: "?breakdown=region&view=panels"),
                                  EVERY_RIGHTFUL),
    "/methods": Case(_page(lambda t: "/methods", lambda t: f"?measure={t.measure}"), hidden_from=NOTHING_INTERNAL),
    "/404": Case(_page(lambda t: "/404"), hidden_from=NOTHING_INTERNAL),
    "/objective/<objective_id>": Case(_page(lambda t: "/objective/outreach"), LEAD_ORG),
    "/org/<org_id>": Case(_page(lambda t: "/org/north"), MEMBER),
    "/search": Case(_page(lambda t: "/search", lambda t: f"?q={t.words}"), ADMIN),
    "/submit": Case(_page(lambda t: "/submit"), OWNER, NOT_NORTH),
    "/admin": Case(_page(lambda t: "/admin"), ADMIN, NOT_ADMIN),
    "/service/<service_id>": Case(_page(lambda t: "/service/outreach-service", lambda t: "?period=2025-01"),
                                  EVERY_RIGHTFUL),
    # the monthly review: the list, an old address (sent on to the new one), and a pack
    "/review": Case(lambda t: [Call(("/review", f"?measure={t.measure}")),
                               Call(("/review", f"?council=education&month=2025-03&measure={t.measure}")),
                               Call(("/review", "?council=education"))]),
    "/review/<council>/<month>": Case(lambda t: [Call(("/review/education/2025-03", f"?measure={t.measure}")),
                                                 Call(("/review/health/2025-03", ""))]),
}


# every Flask route that is not a static file
ROUTES: dict[str, Case] = {
    "/_dash-layout": Case(lambda t: [Route("GET", "/_dash-layout")]),
    "/_dash-dependencies": Case(lambda t: [Route("GET", "/_dash-dependencies")]),
    "/_reload-hash": Case(lambda t: [Route("GET", "/_reload-hash")]),
    # swept callback by callback (CALLBACKS); here, a callback the server does not have, named for the measure
    "/_dash-update-component": Case(lambda t: [Route("POST", CALLBACK, {"output": f"{t.measure}.children",
                                                                       "outputs": {"id": t.measure,
                                                                                   "property": "children"},
                                                                       "inputs": [], "state": []})]),
    "/": Case(lambda t: [Route("GET", f"/?as_of=2025-03&measure={t.measure}")]),
    "/<path:path>": Case(lambda t: [Route("GET", f"/measure/{t.measure}"), Route("GET", f"/measure/{t.measure}/x"),
                                    Route("GET", f"/search?q={t.words}")], OWNER | MEMBER),
    "/sign-in": Case(lambda t: [Route("GET", "/sign-in"), Route("GET", f"/sign-in?next=/measure/{t.measure}"),
                                Route("POST", "/sign-in", {"username": t.user, "password": "not the password"})]),
    "/sign-out": Case(lambda t: [Route("POST", "/sign-out", {TOKEN_FIELD: "forged"})]),
    # the embed view (dashboard/embed.py): answered from the public warehouse whoever asks, so no one sees it
    "/embed/measure/<measure_id>": Case(lambda t: [Route("GET", f"/embed/measure/{t.measure}")],
                                        hidden_from=NOTHING_INTERNAL),
    "/embed/embed.js": Case(lambda t: [Route("GET", "/embed/embed.js")], hidden_from=NOTHING_INTERNAL),
    # the read-only API and downloads (dashboard/api.py)
    "/api/v1/openapi.json": Case(lambda t: [Route("GET", "/api/v1/openapi.json")], hidden_from=NOTHING_INTERNAL),
    "/api/v1/councils": Case(lambda t: [Route("GET", "/api/v1/councils?as_of=2025-03")], hidden_from=NOTHING_INTERNAL),
    "/api/v1/councils/<council_id>": Case(lambda t: [Route("GET", "/api/v1/councils/education")], EVERY_RIGHTFUL),
    "/api/v1/councils/<council_id>.csv": Case(lambda t: [Route("GET", "/api/v1/councils/education.csv")],
                                              EVERY_RIGHTFUL),
    "/api/v1/objectives": Case(lambda t: [Route("GET", "/api/v1/objectives?council=education")], EVERY_RIGHTFUL),
    "/api/v1/objectives/<objective_id>": Case(lambda t: [Route("GET", "/api/v1/objectives/outreach")], EVERY_RIGHTFUL),
    "/api/v1/objectives/<objective_id>.csv": Case(lambda t: [Route("GET", "/api/v1/objectives/outreach.csv")],
                                                  EVERY_RIGHTFUL),
    "/api/v1/measures": Case(lambda t: [Route("GET", "/api/v1/measures?council=education&owner=north"),
                                        Route("GET", f"/api/v1/measures?owner={t.measure}")], EVERY_RIGHTFUL),
    "/api/v1/measures/<measure_id>": Case(lambda t: [Route("GET", f"/api/v1/measures/{t.measure}?as_of=2025-03")],
                                          EVERY_RIGHTFUL),
    "/api/v1/measures/<measure_id>.csv": Case(lambda t: [Route("GET", f"/api/v1/measures/{t.measure}.csv")],
                                              EVERY_RIGHTFUL),
    "/api/v1/measures/<measure_id>/observations": Case(lambda t: [
        Route("GET", f"/api/v1/measures/{t.measure}/observations?breakdown=region=North&from=2025-01"),
        Route("GET", f"/api/v1/measures/{t.measure}/observations?breakdown=colour")], EVERY_RIGHTFUL),
    # public text only, whoever asks (tests/test_public_text.py plants internal text to show it stays out)
    "/api/v1/measures/<measure_id>/commentary": Case(
        lambda t: [Route("GET", f"/api/v1/measures/{t.measure}/commentary")]),
    "/api/v1/actions": Case(lambda t: [Route("GET", f"/api/v1/actions?measure={t.measure}"),
                                       Route("GET", "/api/v1/actions?council=education&objective=outreach")],
                            hidden_from=NOTHING_INTERNAL),
    "/api/v1/organisations": Case(lambda t: [Route("GET", "/api/v1/organisations")], hidden_from=NOTHING_INTERNAL),
    "/api/v1/organisations/<org_id>": Case(lambda t: [Route("GET", "/api/v1/organisations/north")], EVERY_RIGHTFUL),
    "/api/v1/organisations/<org_id>.csv": Case(lambda t: [Route("GET", "/api/v1/organisations/north.csv")],
                                               EVERY_RIGHTFUL),
    # end-to-end services: the list names stages, not measures; the service's North stage is internal
    "/api/v1/services": Case(lambda t: [Route("GET", "/api/v1/services?as_of=2025-03")], hidden_from=NOTHING_INTERNAL),
    "/api/v1/services/<service_id>": Case(lambda t: [Route("GET", "/api/v1/services/outreach-service"),
                                                     Route("GET", f"/api/v1/services/{t.measure}?as_of=2025-03")],
                                          EVERY_RIGHTFUL),
}
STATIC = ("/static/", "/assets/", "/_dash-component-suites/", "/_favicon.ico")

# Leaks found by this sweep in code this test does not own: strict, so that each fails once fixed.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}  # (case, viewer) -> why it still leaks: a strict xfail until mended


def _key(output: str) -> str:
    return re.sub(r"@[0-9a-f]+", "", output)


def _cases() -> dict[str, Case]:
    found = {f"callback {k}": c for k, c in CALLBACKS.items()} | {f"route {k}": c for k, c in ROUTES.items()}
    return found | {f"page {k}": c for k, c in PAGES.items()}


CASES = _cases()


def _params():
    """(case, viewer) for every viewer not entitled, and for the rightful where the case says they must or
    must not see (elsewhere a rightful viewer may see internal data, and nothing is asserted)."""
    for name, case in CASES.items():
        for viewer in VIEWERS:
            if viewer in WRONG or viewer in case.hidden_from or viewer in case.seen_by:
                reason = KNOWN_LEAKS.get((name, viewer))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                yield pytest.param(name, viewer, marks=marks, id=f"{name} | {viewer}")


# --- the home, the app and who signs in ---------------------------------------------------------

@pytest.fixture(scope="module")
def cheap_hashes():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """Three organisations' figures loaded; North's internal measure with distinctive figures, and an
    upload of North's waiting in HOME/uploads."""
    root = tmp_path_factory.mktemp("tampering")
    found = mini_home(root / "home")
    for path in found.definitions.glob("*.yaml"):
        path.unlink()
    write(found.definitions / "tampering.yaml", DEFINITIONS)
    inbox = root / "in"
    load_batch(found, [
        LoadRequest("edu", [write(inbox / "edu.csv", "measure_id,period,value\nneet-rate,2025-01,11\n"
                                                     "neet-rate,2025-02,10.5\n")], datetime(2025, 3, 10)),
        LoadRequest("north", [write(inbox / "north-private-first.csv",
                                    "measure_id,period,region,value\ncovert-outreach,2025-01,,987654.321\n"
                                    "covert-outreach,2025-02,,987650\ncovert-outreach,2025-02,North,876543.219\n")],
                    datetime(2025, 3, 11), by="olive.q7"),
        LoadRequest("east", [write(inbox / "east.csv", "measure_id,period,value\nwait-days,2025-01,30\n")],
                    datetime(2025, 3, 12)),
    ], today=date(2025, 4, 1))
    return found


@pytest.fixture(scope="module")
def upload(home) -> str:
    """North's upload (one row with a problem, so its report has something to show), by its id."""
    text = "measure_id,period,value\ncovert-outreach,2025-03,246813.579\ncovert-outreach,2025-04,246813.5x\n"
    return store_upload(home, "north", "north-private-march.csv", _csv(text)["contents"], by="olive.q7").sha256


@pytest.fixture(scope="module")
def real(upload) -> Target:
    return Target("covert-outreach", upload, "olive.q7", "covert")


@pytest.fixture(scope="module")
def app(home, tmp_path_factory, cheap_hashes):
    found = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40,
                                workflow_url=f"sqlite:///{tmp_path_factory.mktemp('workflow') / 'workflow.sqlite'}"))
    store = found.server.config[STORE_KEY]
    for name, (role, org, councils) in USERS.items():
        store.add_user(name, PASSWORD, role, org, councils=councils, by="test")
    found.server.test_client().get("/_dash-dependencies")  # Dash fills its callback map on the first request
    return found


@pytest.fixture(scope="module")
def signed_in(app) -> Callable[[str], object]:
    """One signed-in client per user, made when first asked for."""
    clients = {}

    def client(username: str):
        if username not in clients:
            clients[username] = sign_in(app, username, PASSWORD, SITE)
        return clients[username]

    return client


# --- sending -------------------------------------------------------------------------------------

def _outputs(output: str):
    named = output[2:-2].split("...") if output.startswith("..") else [output]
    found = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in named]
    return found if output.startswith("..") else found[0]


def _send(app, client, name: str, request: Call | Route) -> tuple[int, str, str]:
    """(status, body, what the request carried, as text) for one request."""
    if isinstance(request, Route):
        if request.method == "GET":
            r = client.get(request.path)
            return r.status_code, r.get_data(as_text=True), request.path
        form = dict(request.form or {})
        if request.path == CALLBACK:
            r = client.post(CALLBACK, json=form, headers={"Origin": SITE})
        else:
            client.get("/sign-in")  # the session's form token, as a browser would hold it
            with client.session_transaction() as session:
                form.setdefault(TOKEN_FIELD, session.get(TOKEN_KEY, ""))
            r = client.post(request.path, data=form, headers={"Origin": SITE})
        return r.status_code, r.get_data(as_text=True), json.dumps(request.form)
    wanted = PAGE_ROUTER if name.startswith("page ") else name.removeprefix("callback ")
    key, spec = next((k, v) for k, v in app.callback_map.items() if _key(k) == wanted)
    named = [f"{i['id']}.{i['property']}" for i in spec["inputs"] + spec["state"]]
    values = ([request.by_id.get(n, 1) for n in named] if request.by_id is not None
              else [*request.inputs, *request.state])
    n = len(spec["inputs"])
    body = {"output": key, "outputs": request.outputs or _outputs(key),
            "changedPropIds": [named[min(request.changed, n - 1)]],
            "inputs": [{**i, "value": v} for i, v in zip(spec["inputs"], values[:n], strict=True)],
            "state": [{**s, "value": v} for s, v in zip(spec["state"], values[n:], strict=True)]}
    r = client.post(CALLBACK, json=body, headers={"Origin": SITE})
    return r.status_code, r.get_data(as_text=True), _carried(body)


def _carried(body: dict) -> str:
    """The request as text, with any file it sends decoded: what an answer may echo back."""
    text = json.dumps(body)
    files = re.findall(r"data:[^;\"]+;base64,([A-Za-z0-9+/=]+)", text)
    return "\n".join([text, *(base64.b64decode(f).decode("utf-8", "replace") for f in files)])


NONCES = [(r"[0-9a-f]{64}", "<sha256>"), (r'"end_id":"[^"]*"', '"end_id":"<nonce>"'),
          (r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="<token>"')]


def _masked(body: str, target: Target, carried: str) -> str:
    """The answer with what the request carried of `target` masked, every checksum (an upload's id
    follows from its content, which differs between target and decoy) and each answer's own nonces."""
    for value, mask in target.masks():
        if value in carried:
            body = body.replace(value, mask)
    for pattern, mask in NONCES:
        body = re.sub(pattern, mask, body)
    return body


def _difference(mine: str, theirs: str) -> str:
    """The lines that differ, for the failure message (a JSON answer is one line: split it at commas)."""
    lines = [re.split(r"(?<=[,\n])", text) for text in (mine, theirs)]
    return "".join(list(difflib.unified_diff(*lines, "target", "decoy", n=1))[:40])


def _leaked(body: str, carried: str, secrets: tuple[str, ...]) -> list[str]:
    return [s for s in secrets if s in body and s not in carried]


# --- the tests -----------------------------------------------------------------------------------

def test_every_callback_route_and_page_has_a_case(app):
    assert {_key(k) for k in app.callback_map} == set(CALLBACKS)
    routes = {r.rule for r in app.server.url_map.iter_rules() if not r.rule.startswith(STATIC)}
    assert routes == set(ROUTES)
    assert {p.get("path_template") or p["path"] for p in dash.page_registry.values()} == set(PAGES)
    assert set(KNOWN_LEAKS) <= {(n, v) for n in CASES for v in VIEWERS}


def test_the_public_is_answered_from_real_data(app):
    """So that "nothing internal" is not merely "nothing at all": the public sees the public measures."""
    client = app.server.test_client()
    _, goal_map, _ = _send(app, client, "page /", Call(("/", "")))
    _, measure, _ = _send(app, client, "page /measure/<measure_id>", Call(("/measure/neet-rate", "")))
    assert "NEET rate" in goal_map and "Days waited" in goal_map and "10.5" in measure


@pytest.mark.parametrize("name, viewer", list(_params()))
def test_tampering_leaks_nothing_to_those_not_entitled(app, signed_in, real, name, viewer):
    username = VIEWERS[viewer]
    secrets = INTERNAL + NORTH_UPLOAD + tuple(u for u in USERS if u != username)  # and other users' names
    case = CASES[name]
    seen = []
    for sent, decoy in zip(case.build(real), case.build(DECOY), strict=True):
        # the public sends no session at all: a new client for every request
        status, body, carried = _send(app, signed_in(username) if username else app.server.test_client(), name, sent)
        assert status < 500, (sent, body[:300])
        leaked = _leaked(body, carried, secrets)
        if viewer in case.seen_by:
            seen.append(bool(leaked))
            continue
        assert not leaked, f"{viewer} got {leaked} from {sent}"
        if decoy == sent:
            continue  # the request names nothing of the target: nothing to compare
        decoy_status, decoy_body, decoy_carried = _send(
            app, signed_in(username) if username else app.server.test_client(), name, decoy)
        mine, theirs = _masked(body, real, carried), _masked(decoy_body, DECOY, decoy_carried)
        assert (status, mine) == (decoy_status, theirs), (
            f"{viewer} can tell the real target from a decoy with {sent}: {status} vs {decoy_status}\n"
            + _difference(mine, theirs))
    if viewer in case.seen_by:
        assert any(seen), f"{viewer} should see internal data from {name}; the sweep could not fail"


def test_the_sweep_sends_something_for_every_case(real):
    empty = [n for n, c in CASES.items() if not c.build(real) and n != f"callback {PAGE_ROUTER}"]
    assert empty == []
    assert len(PAGES) >= 10  # the router's own case is empty: it is swept page by page
