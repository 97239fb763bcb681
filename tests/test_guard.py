"""Request guards: malformed callback bodies, odd paths and unknown pages get a 4xx, never a 500."""

from __future__ import annotations

import json

import pytest

from dashboard import Settings, create_app, guard
from dashboard.guard import (
    MAX_BODY_BYTES,
    MAX_DEPTH,
    UPLOAD_BODY_BYTES,
    UPLOAD_STORE,
    callback_body_problem,
    upload_outputs,
)
from etl.uploads import MAX_UPLOAD_BYTES


@pytest.fixture(scope="module")
def app(tiny_warehouse):
    found = create_app(Settings(warehouse=tiny_warehouse))
    found.server.test_client().get("/_dash-dependencies")  # Dash fills its callback map on the first request
    return found


@pytest.fixture
def client(app):
    return app.server.test_client()


GOOD = {"output": "exc-list.children", "outputs": {"id": "exc-list", "property": "children"},
        "inputs": [{"id": "exc-council", "property": "value", "value": None}] * 3,
        "state": [{"id": "exc-as-of", "property": "data", "value": None}]}


@pytest.mark.parametrize("raw, problem", [
    (b"null", "the body must be a JSON object"),
    (b"[]", "the body must be a JSON object"),
    (b"not json", "the body is not JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "the body is not JSON"),
    (b"{}", "the body has no 'output'"),
    (json.dumps({**GOOD, "output": None}).encode(), "the body has no 'output'"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "inputs"}).encode(), "the body has no list of 'inputs'"),
    (json.dumps({**GOOD, "inputs": "x"}).encode(), "the body has no list of 'inputs'"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "outputs"}).encode(), "the body has no 'outputs'"),
    (json.dumps({**GOOD, "state": {}}).encode(), "'state' must be a list"),
    (json.dumps(GOOD).replace('"state"', '"x": ' + "[" * 70 + "]" * 70 + ', "state"').encode(),
     f"the body is nested more than {MAX_DEPTH} levels deep"),
])
def test_malformed_bodies_are_named(raw, problem):
    assert callback_body_problem(raw) == problem


def test_a_good_body_passes_and_must_fit_its_callback(app):
    assert callback_body_problem(json.dumps(GOOD).encode(), app.callback_map) is None
    assert callback_body_problem(json.dumps({**GOOD, "output": "nope.children"}).encode(),
                                 app.callback_map) == "no callback on the server has this 'output'"
    assert callback_body_problem(json.dumps({**GOOD, "inputs": []}).encode(), app.callback_map) == (
        "'inputs' must hold 3 item(s), one per declared input")


@pytest.mark.parametrize("raw", [b"null", b"[]", b"{}", b"not json", b"[" * 50_000 + b"]" * 50_000,
                                 json.dumps({**GOOD, "inputs": [1, 2, 3]}).encode(),
                                 json.dumps({**GOOD, "output": "nope.children"}).encode()])
def test_malformed_callback_posts_get_400(client, raw):
    r = client.post("/_dash-update-component", data=raw, content_type="application/json")
    assert r.status_code == 400
    assert b"Malformed callback request" in r.data


def test_oversized_bodies_get_413(client):
    r = client.post("/_dash-update-component", data=b"x" * 2_000_000, content_type="application/json")
    assert r.status_code == 413


def test_only_the_submit_pages_check_may_carry_an_upload(app):
    [output] = upload_outputs(app.callback_map)
    spec = app.callback_map[output]
    assert spec["callback"].__name__ == "check" and {"id": UPLOAD_STORE, "property": "data"} in spec["inputs"]
    base64 = 4 * -(-MAX_UPLOAD_BYTES // 3)
    assert MAX_BODY_BYTES < base64 < UPLOAD_BODY_BYTES <= base64 + 100_000  # the upload, and a small margin
    assert app.server.config["MAX_CONTENT_LENGTH"] == UPLOAD_BODY_BYTES  # Flask's own limit: the outer bound


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, UPLOAD_BODY_BYTES, UPLOAD_BODY_BYTES + 1])
def test_a_large_body_is_refused_by_its_length_before_it_is_read(app, client, monkeypatch, size):
    """Without a session, a body over 1 MB is 413 even when it names the upload's callback: not parsed."""
    monkeypatch.setattr(guard, "_parsed", lambda _raw: pytest.fail("the body was parsed"))
    [output] = upload_outputs(app.callback_map)
    head = json.dumps({"output": output, "outputs": [], "inputs": [], "state": [], "x": ""}).encode()
    r = client.post("/_dash-update-component", data=head[:-2] + b"x" * (size - len(head)) + head[-2:],
                    content_type="application/json")
    assert r.status_code == 413


ODD_VALUES = [None, 1, -1, 1e308, True, "", "x" * 10_000, {"a": 1}, ["x", {"b": 2}], "../../etc/passwd"]


def _outputs(output: str):
    named = output[2:-2].split("...") if output.startswith("..") else [output]
    found = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in named]
    found = [{**o, "id": json.loads(o["id"]) if o["id"].startswith("{") else o["id"]} for o in found]
    return found if output.startswith("..") else found[0]


def test_every_callback_survives_odd_values(app, client):
    """Any client can call any callback with anything: the answer is never a server error."""
    answered = 0
    for output, spec in app.callback_map.items():
        if spec.get("callback") is None:
            continue
        for odd in ODD_VALUES:
            body = {"output": output, "outputs": _outputs(output), "changedPropIds": [],
                    "inputs": [{**i, "value": odd} for i in spec["inputs"]],
                    "state": [{**s, "value": odd} for s in spec["state"]]}
            r = client.post("/_dash-update-component", json=body)
            assert r.status_code < 500, (output, odd, r.data[:200])
            answered += r.status_code in (200, 204)
    assert answered > 50  # the callbacks really ran, not just the guard


@pytest.mark.parametrize("path", ["/assets/../../etc/passwd", "/assets/%2e%2e/%2e%2e/etc/passwd",
                                  "/assets/nope.css", "/_dash-component-suites/dash/x",
                                  "/_dash-component-suites/dash/%00.js", "/_dash-component-suites/nope/x.js",
                                  "/_dash-component-suites/dash/../../etc/passwd"])
def test_odd_asset_paths_get_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("path, status", [
    ("/", 200), ("/exceptions", 200), ("/search", 200), ("/council/healthy-lives", 200),
    ("/objective/burglary", 200), ("/org/northfield", 200), ("/measure/burglary-rate", 200),
    ("/nope", 404), ("/council/nope", 404), ("/objective/nope", 404), ("/org/nope", 404),
    ("/measure/nope", 404), ("/measure/burglary-rate/extra", 404), ("/404", 404),
    # a page of two path variables: a council that exists and a month
    ("/review", 200), ("/review/healthy-lives/2026-03", 200), ("/review/healthy-lives/2026-03/", 200),
    ("/review/nope/2026-03", 404), ("/review/healthy-lives/March", 404), ("/review/healthy-lives/2026-13", 404),
    ("/review/healthy-lives", 404), ("/review/healthy-lives/2026-03/extra", 404),
])
def test_unknown_pages_answer_404(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    assert b"<html" in r.data  # the page still explains itself in the browser


@pytest.mark.parametrize("template, path, groups", [
    ("/", "/", {}),
    ("/search", "/search/", {}),
    ("/measure/<measure_id>", "/measure/a%20b", {"measure_id": "a%20b"}),
    ("/review/<council>/<month>", "/review/edu/2026-11", {"council": "edu", "month": "2026-11"}),
    ("/review/<council>/<month>", "/review/edu/2026-11/x", None),
    ("/review/<council>/<month>", "/review/edu", None),
    ("/api/<kind>.csv", "/api/x.csv", {"kind": "x"}),
])
def test_each_path_variable_is_a_named_segment_of_its_own(template, path, groups):
    found = guard._template_regex(template).fullmatch(path)
    assert (found.groupdict() if found else None) == groups


@pytest.mark.parametrize("template", ["/x/<a>/<a>", "/x/<not an identifier>"])
def test_a_template_that_names_a_variable_twice_or_badly_is_a_fault(template):
    with pytest.raises(ValueError, match="must be an identifier, named once"):
        guard._template_regex(template)
