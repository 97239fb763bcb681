"""The public warehouse: every publish writes a second file without internal measures, and every
anonymous request is answered from it alone, so a check missed on the read side cannot leak."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from etl.home import Home, public_path
from etl.load import LoadRequest, load_batch
from tests.support import mini_home, write

SECRET = "SECRET-MARKER-7f3a"
SECRET_VALUE = 987654321


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """The mini home with North's youth contacts made internal, its text and a figure carrying a marker."""
    root = tmp_path_factory.mktemp("public")
    home = mini_home(root / "home")
    path = home.definitions / "mini.yaml"
    text = path.read_text().replace("            frequency: quarterly", (
        "            frequency: quarterly\n            published: false\n"
        f"            description: {SECRET} description\n            source: {SECRET} source"))
    path.write_text(text.replace("name: Youth service contacts", f"name: Youth service contacts {SECRET}"))
    a = write(root / "a.csv", "measure_id,period,value\nneet-rate,2025-01,11\n")
    b = write(root / "b.csv", f"measure_id,period,value,note\nyouth-contacts,2025-Q1,{SECRET_VALUE},{SECRET} note\n")
    load_batch(home, [LoadRequest("edu", [a], datetime(2025, 2, 10), by="ann"),
                      LoadRequest("north", [b], datetime(2025, 4, 10), by="bob")], today=date(2025, 5, 1))
    return home


def _every_cell(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables "
                                            "WHERE table_type = 'BASE TABLE'").fetchall()]
        return [str(cell) for t in tables for row in con.execute(f'SELECT * FROM "{t}"').fetchall() for cell in row]
    finally:
        con.close()


def test_the_public_file_holds_nothing_of_an_internal_measure(home):
    assert home.public_warehouse == public_path(home.warehouse) and home.public_warehouse.exists()
    full, public = _every_cell(home.warehouse), _every_cell(home.public_warehouse)
    for cells in (full, public):
        assert any("neet-rate" in c for c in cells)
    assert any(SECRET in c for c in full) and any(str(SECRET_VALUE) in c for c in full)  # there to be found
    assert not any(SECRET in c or "youth-contacts" in c for c in public)
    assert not any(str(SECRET_VALUE) in c for c in public)
    assert not {"ann", "bob"} & set(public)  # who ran a load is not public
    raw = home.public_warehouse.read_bytes()  # nor anywhere in the file's bytes (freed pages included)
    assert SECRET.encode() not in raw and b"youth-contacts" not in raw


def test_a_rejected_load_leaves_both_files_as_they_were(home, tmp_path):
    from etl.load import Rejected

    before = (home.warehouse.read_bytes(), home.public_warehouse.read_bytes())
    bad = write(tmp_path / "bad.csv", "measure_id,period,value\nneet-rate,2025-13,11\n")
    with pytest.raises(Rejected):
        load_batch(home, [LoadRequest("edu", [bad], datetime(2025, 3, 10))], today=date(2025, 5, 1))
    assert (home.warehouse.read_bytes(), home.public_warehouse.read_bytes()) == before


def test_anonymous_requests_read_only_the_public_file_even_when_a_check_is_missed(home, monkeypatch):
    import published.reader
    from dashboard import Settings, create_app

    app = create_app(Settings(warehouse=home.warehouse, secret_key="k" * 40))
    client = app.server.test_client()
    owner_sees = {"viewer_admin": True, "viewer_org": None, "viewer_councils": []}
    monkeypatch.setattr(published.reader, "viewer_params", lambda: owner_sees)  # every check on the read side off
    client.get("/")  # Dash registers its pages' callback on the first request
    spec = next(k for k in app.callback_map if "_pages_content" in k)

    def page(path: str) -> str:
        body = {"output": spec, "changedPropIds": ["_pages_location.pathname"],
                "outputs": [{"id": "_pages_content", "property": "children"},
                            {"id": "_pages_store", "property": "data"}],
                "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                           {"id": "_pages_location", "property": "search", "value": ""}], "state": []}
        r = client.post("/_dash-update-component", json=body)
        assert r.status_code == 200, path
        return r.get_data(as_text=True)

    for path in ("/", "/measure/youth-contacts", "/objective/neet", "/org/north", "/exceptions", "/council/education"):
        shown = page(path)
        assert SECRET not in shown, path
        assert "youth-contacts" not in shown or "There is no measure with that id" in shown, path  # the address
    # the same missed check with a signed-in reader shows it: the public file is what kept it out
    with app.server.app_context():
        from dashboard.context import WAREHOUSE_KEY

        full = app.server.config[WAREHOUSE_KEY]
        assert SECRET in " ".join(full.measures(published.reader.Scope()).name)


def _compressions(path: Path, table: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(f"SELECT DISTINCT compression FROM pragma_storage_info('{table}')").fetchall()
        return {c for (c,) in found}
    finally:
        con.close()


def test_the_public_file_is_written_in_readers_order_and_without_zstd(home, tmp_path):
    """Observations totals first, then by measure (zone maps skip what a page does not read); long judgements
    not packed into blocks that every read of one measure must unpack whole."""
    import shutil

    from etl.public import write_public

    full = tmp_path / "full.duckdb"
    shutil.copy(home.warehouse, full)
    con = duckdb.connect(str(full))
    detail = '{"status": "on_track", "series": [' + ",".join(f'"{n} {n * 7 % 13}"' for n in range(3000)) + "]}"
    con.execute("INSERT INTO assessments (run_id, measure_id, status, rag, reason, period, detail) "
                "SELECT 1000 + i, 'neet-rate', 'on_track', 'green', 'said', NULL, ? || i "
                "FROM range(400) t(i)", [detail])
    # breakdowns and earlier months, stored after the total they come before in readers' order
    con.execute("INSERT INTO observations SELECT 'neet-rate', '2024-' || lpad((12 - i % 12)::VARCHAR, 2, '0'), "
                "make_date(2024, 12 - i % 12, 1), 'month', CASE WHEN i < 12 THEN '' ELSE 'sex=F' END, "
                "CASE WHEN i < 12 THEN '' ELSE 'sex' END, CASE WHEN i < 12 THEN '' ELSE 'F' END, 10, NULL, NULL, "
                "(SELECT min(id) FROM loads), 'x.csv', i FROM range(24) t(i) ORDER BY i DESC")
    con.execute("CHECKPOINT")
    con.close()
    assert "ZSTD" in _compressions(full, "assessments")  # what a default write chooses for such text
    target = tmp_path / "public.duckdb"
    write_public(full, target)
    assert "ZSTD" not in _compressions(target, "assessments")
    con = duckdb.connect(str(target), read_only=True)
    try:
        stored = con.execute("SELECT dimension <> '', measure_id, breakdown, period_start FROM observations "
                             "ORDER BY rowid").fetchall()
        judged = con.execute("SELECT measure_id, run_id FROM assessments ORDER BY rowid").fetchall()
    finally:
        con.close()
    assert stored == sorted(stored) and len(stored) == 25
    assert judged == sorted(judged) and len(judged) > 400


# --- brought up to date, not written whole (etl/public.py) --------------------------------------------


def _rows(path: Path) -> dict[str, Counter]:
    """Every table's rows (a multiset; the public file's own build marks left out of meta), and each judgement
    run's exceptions in their stored order (the order breaks the list's ties)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall():
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            if table == "meta":
                rows = [r for r in rows if not r[0].startswith("public_")]
            out[table] = Counter(map(repr, rows))
            if table == "exceptions":
                out["exceptions by run, in order"] = Counter(
                    repr((run, [r for r in rows if r[0] == run])) for run in {r[0] for r in rows})
        return out
    finally:
        con.close()


def _marks(path: Path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM meta WHERE key LIKE 'public_%'").fetchall())
    finally:
        con.close()


def _as_if_whole(home, tmp_path) -> dict[str, Counter]:
    from etl.public import write_public

    tmp_path.mkdir(exist_ok=True)
    whole = tmp_path / f"whole-{len(list(tmp_path.iterdir()))}.duckdb"
    assert write_public(home.warehouse, whole) == "whole"
    return _rows(whole)


@pytest.fixture
def growing(home, tmp_path):
    """A copy of the module's home (one internal measure), to load more into."""
    import shutil

    shutil.copytree(home.root, tmp_path / "home")
    return Home.at(tmp_path / "home")


def test_a_publish_appends_to_the_public_file_and_it_holds_what_a_whole_write_holds(growing, tmp_path):
    from etl.load import rejudge

    home, marks = growing, [_marks(growing.public_warehouse)]
    loads = [("edu", "measure_id,period,value,region\nneet-rate,2025-02,10.5,\nneet-rate,2025-02,11,North\n"),
             ("north", f"measure_id,period,value,note\nyouth-contacts,2025-Q2,{SECRET_VALUE + 1},{SECRET} again\n"),
             ("edu", "measure_id,period,value\nneet-rate,2025-01,10.8\nneet-rate,2025-03,10.1\n")]  # one revised
    for n, (org, text) in enumerate(loads):
        path = write(tmp_path / "in" / f"{n}.csv", text)
        load_batch(home, [LoadRequest(org, [path], datetime(2025, 5 + n, 10))], today=date(2025, 8, 1))
        marks.append(_marks(home.public_warehouse))
        assert _rows(home.public_warehouse) == _as_if_whole(home, tmp_path / "w")
    rejudge(home, today=date(2025, 9, 1))  # a judgement run alone
    marks.append(_marks(home.public_warehouse))
    assert _rows(home.public_warehouse) == _as_if_whole(home, tmp_path / "w")
    # appended each time: the marks of the last whole write stay, those of the newest build move on
    assert all(m["public_sorted_through_load"] == marks[0]["public_sorted_through_load"] for m in marks)
    assert [int(m["public_through_load"]) for m in marks] == [2, 3, 4, 5, 5]
    assert [int(m["public_through_run"]) for m in marks] == [1, 2, 3, 4, 5]
    raw = home.public_warehouse.read_bytes()  # nothing of the internal measure came with the appended rows
    assert SECRET.encode() not in raw and b"youth-contacts" not in raw and str(SECRET_VALUE + 1).encode() not in raw


def test_the_public_file_is_written_whole_when_it_cannot_be_appended_to(growing, tmp_path, monkeypatch):
    import etl.public
    from etl.public import write_public

    home = growing
    first = _marks(home.public_warehouse)

    def load(n: int, text: str) -> dict[str, str]:
        path = write(tmp_path / "in" / f"{n}.csv", text)
        load_batch(home, [LoadRequest("edu", [path], datetime(2025, 5 + n, 10))], today=date(2025, 9, 1))
        assert _rows(home.public_warehouse) == _as_if_whole(home, tmp_path / "w")
        return _marks(home.public_warehouse)

    # the definitions changed (a measure could have been made public or internal)
    definitions = home.definitions / "mini.yaml"
    definitions.write_text(definitions.read_text().replace("name: NEET rate", "name: NEET rate (16-24)"))
    marks = load(1, "measure_id,period,value\nneet-rate,2025-02,10.5\n")
    assert marks["public_sorted_through_load"] == marks["public_through_load"] != first["public_through_load"]
    # as many appended rows as would leave a measure's reads outside the sorted order
    monkeypatch.setattr(etl.public, "SORTED_SLACK", 1)
    marks = load(2, "measure_id,period,value\nneet-rate,2025-03,10.4\n")
    assert marks["public_sorted_through_load"] == marks["public_through_load"] == "4"
    # a public file that is not of the version the new build grew from
    target = tmp_path / "public.duckdb"
    assert write_public(home.warehouse, target, previous=home.public_warehouse, grew_from="1") == "whole"
    assert write_public(home.warehouse, target, previous=home.public_warehouse,
                        grew_from=_version(home)) == "appended"


def _version(home) -> str:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
    finally:
        con.close()


def _damage_observations(path: Path) -> None:
    """Flip a byte inside a block of the observations (its checksum then fails) and leave the rest readable."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        size = con.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
        block = con.execute("SELECT min(block_id) FROM pragma_storage_info('observations') WHERE block_id >= 0 "
                            "AND block_id NOT IN (SELECT block_id FROM pragma_storage_info('meta') "
                            "WHERE block_id >= 0)").fetchone()[0]
    finally:
        con.close()
    with open(path, "r+b") as f:
        f.seek(3 * 4096 + block * size + 64)
        byte = f.read(1)
        f.seek(-1, 1)
        f.write(bytes([byte[0] ^ 0xFF]))


def test_damage_in_the_published_public_file_is_not_carried_into_the_next(growing, tmp_path):
    from etl.schema import read_whole

    _damage_observations(growing.public_warehouse)
    with pytest.raises(duckdb.Error):
        read_whole(growing.public_warehouse)
    # a load of the internal measure alone: nothing is appended to the public observations, whose damaged
    # block an append would not read
    path = write(tmp_path / "in" / "next.csv", "measure_id,period,value\nyouth-contacts,2025-Q2,5\n")
    load_batch(growing, [LoadRequest("north", [path], datetime(2025, 5, 10))], today=date(2025, 8, 1))
    read_whole(growing.public_warehouse)  # the new one reads whole: it was written whole, not appended to
    marks = _marks(growing.public_warehouse)
    assert marks["public_sorted_through_load"] == marks["public_through_load"]
    assert _rows(growing.public_warehouse) == _as_if_whole(growing, tmp_path / "w")
