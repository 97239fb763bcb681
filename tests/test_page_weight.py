"""Static files (dashboard.assets): compressed once, negotiated, content-hashed, cached for a year, 304s;
the partial plotly bundle listed in the page in place of Dash's full one."""

from __future__ import annotations

import gzip
import hashlib
import os
import pkgutil
import re
from collections import Counter

import brotli
import pytest
from dash import Dash, html
from plotly.offline import get_plotlyjs_version

from dashboard import Settings, create_app
from dashboard.app import ASSETS
from dashboard.assets import BEST, ENCODERS, IMMUTABLE, REVALIDATE, StaticFiles, install, shared

CSS = (ASSETS / "site.css").read_bytes()  # real text: brotli's best level beats its quick one
JS = b"window.answer = " + b"[" + b", ".join(b"42" for _ in range(500)) + b"];\n"  # here it does not
NOISE = os.urandom(4000)  # does not compress: sent as it is


@pytest.fixture
def calls() -> Counter:
    return Counter()


@pytest.fixture
def client(tmp_path, calls):
    folder = tmp_path / "assets"
    folder.mkdir()
    (folder / "site.css").write_bytes(CSS)
    (folder / "app.js").write_bytes(JS)
    (folder / "noise.png").write_bytes(NOISE)

    def counting(name, encode):
        def counted(data: bytes) -> bytes:
            calls[name] += 1
            return encode(data)
        return counted

    app = Dash(__name__, assets_folder=str(folder), serve_locally=True, compress=True)
    app.layout = html.Div("hello", id="greeting")
    store = StaticFiles({name: counting(name, encode) for name, encode in ENCODERS.items()},
                        {name: counting(f"{name} best", encode) for name, encode in BEST.items()})
    install(app, store)
    client = app.server.test_client()
    client.page = client.get("/").get_data(as_text=True)  # Dash registers its scripts on the first page
    client.folder, client.store = folder, store
    return client


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def test_the_page_lists_our_assets_with_their_content_hash(client):
    assert f'href="/assets/site.css?v={digest(CSS)}"' in client.page
    assert f'src="/assets/app.js?v={digest(JS)}"' in client.page
    assert "site.css?m=" not in client.page and "app.js?m=" not in client.page  # listed once, by content


@pytest.mark.parametrize(("accept", "encoding", "decode"), [
    ("gzip, deflate, br, zstd", "br", brotli.decompress),
    ("br;q=0.5, gzip", "gzip", gzip.decompress),  # the browser's preference first
    ("gzip", "gzip", gzip.decompress),
    ("br;q=0, gzip;q=0", "", bytes),
    ("", "", bytes),
])
def test_a_versioned_asset_is_compressed_once_and_cached_for_a_year(client, calls, accept, encoding, decode):
    url = f"/assets/site.css?v={digest(CSS)}"
    first = client.get(url, headers={"Accept-Encoding": accept})
    again = client.get(url, headers={"Accept-Encoding": accept})

    for r in (first, again):
        assert r.status_code == 200
        assert r.headers.get("Content-Encoding", "") == encoding
        assert r.headers["Cache-Control"] == IMMUTABLE
        assert r.headers["Vary"] == "Accept-Encoding"
        assert r.headers["ETag"] == (f'W/"{digest(CSS)}-{encoding}"' if encoding else f'W/"{digest(CSS)}"')
        assert int(r.headers["Content-Length"]) == len(r.data)
        assert r.mimetype == "text/css"
        assert decode(r.data) == CSS
    assert len(first.data) < len(CSS) / 2 if encoding else len(first.data) == len(CSS)
    client.store.settle()
    assert calls == Counter({"br": 1, "br best": 1} if encoding == "br" else {encoding: 1} if encoding else {})


def test_brotli_at_its_best_level_replaces_the_quick_copy_once_made(client, calls):
    url, accept = f"/assets/site.css?v={digest(CSS)}", {"Accept-Encoding": "br"}
    quick = client.get(url, headers=accept)
    client.store.settle()
    best = [client.get(url, headers=accept) for _ in range(2)]
    assert quick.data == brotli.compress(CSS, quality=9)
    assert best[0].data == best[1].data == brotli.compress(CSS, quality=11)
    assert len(best[0].data) < len(quick.data) and int(best[0].headers["Content-Length"]) == len(best[0].data)
    assert quick.headers["ETag"] == best[0].headers["ETag"]  # the same content: a browser holding either keeps it
    assert calls == Counter({"br": 1, "br best": 1})
    # where the best level comes out no smaller, the quick copy stays
    quick = client.get(f"/assets/app.js?v={digest(JS)}", headers=accept)
    client.store.settle()
    assert client.get(f"/assets/app.js?v={digest(JS)}", headers=accept).data == quick.data


def test_a_best_copy_whose_thread_was_stopped_is_started_again(tmp_path):
    # dash[testing] ends a test by raising SystemExit in every thread the test started
    tries = Counter()

    def dies_once(data: bytes) -> bytes:
        tries["best"] += 1
        if tries["best"] == 1:
            raise SystemExit
        return BEST["br"](data)

    (tmp_path / "site.css").write_bytes(CSS)
    app = Dash(__name__, assets_folder=str(tmp_path))
    app.layout = html.Div()
    store = install(app, StaticFiles(ENCODERS, {"br": dies_once}))
    client, url = app.server.test_client(), f"/assets/site.css?v={digest(CSS)}"
    for _ in range(2):
        quick = client.get(url, headers={"Accept-Encoding": "br"}).data
        store.settle()
    assert quick == brotli.compress(CSS, quality=9) and tries["best"] == 2
    assert client.get(url, headers={"Accept-Encoding": "br"}).data == brotli.compress(CSS, quality=11)
    store.settle()
    assert tries["best"] == 2


def test_an_unversioned_or_stale_url_is_revalidated(client):
    for url in ("/assets/app.js", "/assets/app.js?v=0123456789abcdef", "/assets/app.js?m=1"):
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert (r.status_code, r.headers["Cache-Control"], gzip.decompress(r.data)) == (200, REVALIDATE, JS)


def test_if_none_match_gets_304_for_any_encoding_of_the_same_content(client, calls):
    url = f"/assets/app.js?v={digest(JS)}"
    etag = client.get(url, headers={"Accept-Encoding": "br"}).headers["ETag"]
    for accept in ("br", "gzip", ""):
        r = client.get(url, headers={"Accept-Encoding": accept, "If-None-Match": etag})
        assert (r.status_code, r.data) == (304, b"")
        assert r.headers["Cache-Control"] == IMMUTABLE and r.headers["Vary"] == "Accept-Encoding"
    r = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": 'W/"0123456789abcdef-br"'})
    assert r.status_code == 200 and brotli.decompress(r.data) == JS
    assert client.get(url, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304
    client.store.settle()
    assert calls == Counter({"br": 1, "br best": 1, "gzip": 1})


def test_what_does_not_compress_is_sent_as_it_is(client, calls):
    for _ in range(2):
        r = client.get("/assets/noise.png", headers={"Accept-Encoding": "br, gzip"})
        assert "Content-Encoding" not in r.headers and r.data == NOISE and r.mimetype == "image/png"
    client.store.settle()
    assert calls == Counter({"br": 1, "gzip": 1})  # tried once each, and remembered; no better try


@pytest.mark.parametrize(("stored", "used"), [
    (brotli.compress(JS, quality=11), True),
    (brotli.compress(JS + b"// changed since", quality=11), False),  # stale: made from another version
    (b"not brotli at all", False),
])
def test_a_copy_compressed_ahead_of_time_is_used_while_it_decodes_to_the_file(client, calls, stored, used):
    (client.folder / "app.js.br").write_bytes(stored)
    for _ in range(2):
        r = client.get(f"/assets/app.js?v={digest(JS)}", headers={"Accept-Encoding": "br"})
        assert r.headers["Content-Encoding"] == "br" and brotli.decompress(r.data) == JS
        assert (r.data == stored) == used
        client.store.settle()
    assert calls == (Counter() if used else Counter({"br": 1, "br best": 1}))
    assert client.get("/assets/app.js.br").status_code == 404  # only through the file it stands for


def test_a_missing_asset_or_one_outside_the_folder_is_404(client):
    assert client.get("/assets/nothing.css").status_code == 404
    assert client.get("/assets/../test_page_weight.py").status_code == 404


def test_component_suites_are_compressed_once_and_fingerprinted_ones_cached_for_a_year(client, calls):
    src = re.search(r'src="(/_dash-component-suites/dash/dcc/dash_core_components\.v[^"]+\.js)"', client.page)[1]
    original = pkgutil.get_data("dash", "dcc/dash_core_components.js")
    for _ in range(2):
        r = client.get(src, headers={"Accept-Encoding": "gzip, br"})
        assert (r.status_code, r.headers["Content-Encoding"], r.headers["Cache-Control"]) == (200, "br", IMMUTABLE)
        assert brotli.decompress(r.data) == original
    client.store.settle()
    assert calls == Counter({"br": 1, "br best": 1})
    # webpack's chunks are fetched without a fingerprint: the browser revalidates them
    r = client.get("/_dash-component-suites/dash/dcc/async-graph.js", headers={"Accept-Encoding": "gzip"})
    assert (r.status_code, r.headers["Cache-Control"]) == (200, REVALIDATE)
    assert client.get("/_dash-component-suites/dash/dcc/async-graph.js",
                      headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    # only what Dash registered
    assert client.get("/_dash-component-suites/dash/__init__.py").status_code == 404
    assert client.get("/_dash-component-suites/os/os.py").status_code == 404


def test_apps_in_one_process_share_one_store_unless_given_their_own(client, tmp_path):
    apps = [Dash(__name__, assets_folder=str(tmp_path)) for _ in range(2)]
    assert install(apps[0]) is install(apps[1]) is shared()
    assert client.store is not shared()


def test_pages_and_dash_json_are_revalidated(client):
    for url in ("/", "/_dash-layout", "/_dash-dependencies"):
        assert client.get(url).headers["Cache-Control"] == REVALIDATE


# --- the app itself ---------------------------------------------------------------------------------

PLOTLY_BASIC = re.compile(r"plotly-basic-(\d+)\.(\d+)\.(\d+)\.min\.js")


def test_the_vendored_plotly_bundle_matches_the_python_packages_major_version():
    [bundle] = [p for p in ASSETS.iterdir() if PLOTLY_BASIC.fullmatch(p.name)]
    header = bundle.read_text(encoding="utf-8")[:300]
    version = PLOTLY_BASIC.fullmatch(bundle.name).groups()
    assert f"plotly.js (basic - minified) v{'.'.join(version)}" in header and "MIT license" in header
    assert version[0] == get_plotlyjs_version().split(".")[0]
    stored = bundle.with_name(bundle.name + ".br")  # brotli at 11, made once: `python -m dashboard.assets FILE`
    assert brotli.decompress(stored.read_bytes()) == bundle.read_bytes()


def test_the_app_lists_the_partial_plotly_bundle_cached_for_a_year(tiny_warehouse):
    client = create_app(Settings(warehouse=tiny_warehouse)).server.test_client()
    page = client.get("/").get_data(as_text=True)
    [src] = re.findall(r'src="(/assets/plotly-basic-[\d.]+\.min\.js\?v=[0-9a-f]{16})"', page)
    assert "plotly.min.js" not in page
    r = client.get(src, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert (r.status_code, r.headers["Content-Encoding"], r.headers["Cache-Control"]) == (200, "br", IMMUTABLE)
    assert len(r.data) < 400_000  # the full bundle is 1.4 MB compressed
    css = re.search(r'href="(/assets/bootstrap\.min\.css\?v=[0-9a-f]{16})"', page)[1]
    assert client.get(css).headers["Cache-Control"] == IMMUTABLE
    # Dash's JSON differs with every viewer and every publish: compressed per response, and revalidated
    r = client.get("/_dash-dependencies", headers={"Accept-Encoding": "gzip"})
    assert (r.headers["Content-Encoding"], r.headers["Cache-Control"]) == ("gzip", REVALIDATE)
