"""`/embed/measure/<id>`: a public measure's chart for other sites' iframes; never an internal one,
whoever asks; text from the definitions only ever as text, even inside the figure's JSON."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from markupsafe import escape

from etl.load import LoadRequest, load_batch
from tests.support import mini_home, write
from tests.test_auth_web import PASSWORD, sign_in

NAME = 'NEET rate </script><script>window.__xss=1</script> & "more"'


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from dashboard import Settings, create_app
    from dashboard.context import STORE_KEY

    root = tmp_path_factory.mktemp("embed")
    home = mini_home(root / "home")
    path = home.definitions / "mini.yaml"
    text = path.read_text().replace("            frequency: quarterly", "            frequency: quarterly\n"
                                    "            published: false")
    path.write_text(text.replace("name: NEET rate", f"name: {json.dumps(NAME)}"))
    a = write(root / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\nneet-rate,2025-02,11.2\n")
    b = write(root / "b.csv", "measure_id,period,value\nyouth-contacts,2025-Q1,7\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 3, 10)), LoadRequest("north", [b], datetime(2025, 4, 10))],
               today=date(2025, 5, 1))
    found = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40))
    found.server.config[STORE_KEY].add_user("ann", PASSWORD, "admin", by="test")
    return found


def test_a_public_measure_is_embedded_with_its_chart_table_and_a_link_back(app):
    r = app.server.test_client().get("/embed/measure/neet-rate")
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert "frame-ancestors *" in r.headers["Content-Security-Policy"] and "X-Frame-Options" not in r.headers
    page = r.text
    figure = json.loads(re.search(r'<script id="figure" type="application/json">(.*?)</script>', page, re.S)[1])
    assert "Actual" in [t.get("name") for t in figure["data"]]
    assert "February 2025" in page and "11.2%" in page  # the data table, newest first
    assert page.index("February 2025") < page.index("January 2025")
    assert 'href="/measure/neet-rate"' in page and "Department for Education" in page


def test_text_from_the_definitions_is_only_ever_text(app):
    page = app.server.test_client().get("/embed/measure/neet-rate").text
    assert "<script>window.__xss" not in page and NAME not in page
    assert page.count(str(escape(NAME))) == 5  # title, heading, chart label and summary, table caption
    assert page.count("</script>") == page.count("<script")  # the name did not close an element
    from dashboard.embed import _script_json

    inside = _script_json({"layout": {"title": {"text": NAME}}})  # a name in the figure's JSON cannot end it
    assert not set("<>&") & set(inside) and json.loads(inside)["layout"]["title"]["text"] == NAME


@pytest.mark.parametrize("signed_in", [False, True])
def test_an_internal_or_unknown_measure_is_never_embedded_whoever_asks(app, signed_in):
    client = app.server.test_client()
    if signed_in:
        assert sign_in(client, "ann").status_code == 303  # an administrator, who sees it on its page
    for ident in ("youth-contacts", "no-such-measure"):
        r = client.get(f"/embed/measure/{ident}")
        assert r.status_code == 404 and "Youth service contacts" not in r.text


def test_every_other_page_may_be_framed_by_this_site_alone(app):
    r = app.server.test_client().get("/")
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]
