"""Internal measures (`published: false`) are seen only by those allowed, everywhere the read side answers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from etl.load import LoadRequest, load_batch
from published.access import OPERATOR, PUBLIC, Viewer, as_viewer, current_viewer
from published.judgements import review, stored_statuses
from published.reader import Scope, Warehouse
from tests.support import mini_home, write


@pytest.fixture(scope="module")
def internal(tmp_path_factory) -> Path:
    """The mini home with North's youth contacts made internal, and figures for both measures."""
    root = tmp_path_factory.mktemp("internal")
    home = mini_home(root / "home")
    path = home.definitions / "mini.yaml"
    path.write_text(path.read_text().replace("            frequency: quarterly",
                                             "            frequency: quarterly\n            published: false"))
    a = write(root / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11\n")
    b = write(root / "b.csv", "measure_id,period,value\nyouth-contacts,2025-Q1,7\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 2, 10)), LoadRequest("north", [b], datetime(2025, 4, 10))],
               today=date(2025, 5, 1))
    return home.warehouse


def _sees(warehouse: Path, viewer: Viewer) -> dict:
    w = Warehouse(warehouse)
    try:
        with as_viewer(viewer):
            return {
                "measures": set(w.measures(Scope()).id),
                "values": set(w.values(Scope()).measure_id),
                "search": set(w.search("youth").id),
                "one measure": set(w.measures(Scope(measure="youth-contacts")).id),
                "statuses": set(stored_statuses(w, Scope(), None)),
                "exceptions": set(review(w, Scope(), None).exceptions.measure_id),
                "received": set(w.last_received(Scope()).measure_id),
                # north owns only the internal measure: its count of measures says whether one is there
                "counted": {"youth-contacts"} if int(w.organisations(org_id="north").measures.iloc[0]) else set(),
            }
    finally:
        w.close()


@pytest.mark.parametrize("viewer, sees", [
    (PUBLIC, False),
    (Viewer("steward", org="edu", name="e"), True),  # edu leads the objective the measure belongs to
    (Viewer("steward", org="north", name="n"), True),  # north owns it
    (Viewer("council_member", councils=("education",), name="c"), True),  # it is in their council
    (Viewer("council_member", councils=("health",), name="h"), False),  # another council's member
    (Viewer("steward", org="elsewhere", name="x"), False),
    (OPERATOR, True),
])
def test_an_internal_measure_is_seen_only_by_those_allowed(internal, viewer, sees):
    seen = _sees(internal, viewer)
    for where, ids in seen.items():
        assert ("youth-contacts" in ids) is sees, where
    assert "neet-rate" in seen["measures"] and "neet-rate" in seen["values"]  # public measures: everyone


def test_the_viewer_is_the_public_unless_something_says_otherwise(internal):
    assert current_viewer() == PUBLIC
    with as_viewer(OPERATOR):
        assert current_viewer() is OPERATOR
    assert current_viewer() == PUBLIC
    with pytest.raises(ValueError, match="unknown role"):
        Viewer("superuser")


@pytest.mark.slow
def test_the_public_finds_no_internal_demo_measure_on_any_page_callback_or_download(demo_home):
    from dashboard import Settings, create_app
    from etl.demo import INTERNAL_MEASURES
    from published.reader import Warehouse as W

    with as_viewer(OPERATOR):
        every = W(demo_home.warehouse).measures(Scope())
    internal = every[every.id.isin(INTERNAL_MEASURES)]
    assert len(internal) == len(INTERNAL_MEASURES)
    names = list(internal.name)
    app = create_app(Settings(warehouse=demo_home.warehouse))
    client = app.server.test_client()
    client.get("/")
    spec = next(k for k in app.callback_map if "_pages_content" in k)

    def page(path: str, search: str = "") -> str:
        body = {"output": spec, "changedPropIds": ["_pages_location.pathname"],
                "outputs": [{"id": "_pages_content", "property": "children"},
                            {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                           {"id": "_pages_location", "property": "search", "value": search}], "state": []}
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code == 200, path
        return r.get_data(as_text=True)

    def callback(output: str, inputs: list, state: list) -> str:
        body = {"output": output, "outputs": [{"id": o.split(".")[0], "property": o.split(".")[1]}
                                              for o in output.strip(".").split("...")],
                "inputs": inputs, "state": state}
        r = client.post("/_dash-update-component", json=body)
        return r.get_data(as_text=True)

    for m in internal.itertuples():
        served = client.get(f"/measure/{m.id}")
        assert served.status_code == 404 and m.name not in served.get_data(as_text=True)  # nor in the title
        shown = page(f"/measure/{m.id}")
        assert m.name not in shown
        for path in (f"/objective/{m.objective_id}", f"/org/{m.owner_id}", f"/council/{m.council_id}", "/exceptions",
                     "/"):
            assert m.name not in page(path) and m.id not in page(path), path
        assert m.id not in page("/search", f"?q={m.name.split()[0]}")
        download = callback("measure-download.data", [
            {"id": "download-csv", "property": "n_clicks", "value": 1},
            {"id": "download-json", "property": "n_clicks", "value": None}], [
            {"id": "breakdown-picker", "property": "value", "value": ""},
            {"id": "measure-page", "property": "data", "value": {"measure": m.id, "as_of": None}}])
        assert m.id not in download and "value" not in download
    filters = [{"id": f"exc-{k}", "property": "value", "value": None} for k in ("council", "org", "objective")]
    exceptions_csv = callback("exc-download.data", [{"id": "exc-download-button", "property": "n_clicks", "value": 1}],
                              [*filters, {"id": "exc-as-of", "property": "data", "value": None}])
    assert "content" in exceptions_csv and not any(name in exceptions_csv for name in names)
    assert not any(m in exceptions_csv for m in INTERNAL_MEASURES)


def test_a_check_tells_another_organisation_nothing_of_an_internal_measure(internal, tmp_path):
    """A file naming another organisation's internal measure reads exactly as one naming no measure
    at all; its owner gets the full checks."""
    from etl.home import Home
    from etl.load import validate_files

    home = Home(internal.parent)
    rows = "measure_id,period,value\nyouth-contacts,2025-13,x\nno-such-measure,2025-13,x\nneet-rate,2025-02,11\n"
    sent = write(tmp_path / "sent.csv", rows)
    _, errors, _ = validate_files(home, LoadRequest("edu", [sent]))
    assert [(p.row, p.column, p.reason) for p in errors] == [
        (2, "measure_id", "unknown measure"), (3, "measure_id", "unknown measure")]
    _, errors, _ = validate_files(home, LoadRequest("north", [sent]))
    reasons = {p.reason for p in errors if p.row == 2}
    assert any("period" in r or "not a period" in r for r in reasons) and len(reasons) > 1  # its owner: every check
