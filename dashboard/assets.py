"""Static files served once-compressed, content-addressed and cached for a year: `install(app)`.

Dash serves two kinds of static file: our `assets/` folder, and the component suites' JavaScript
(`/_dash-component-suites/...`). Left alone, flask-compress compresses each of them again on every
request (plotly.min.js: 19 ms of zstd to 107 ms of gzip, each time), and our assets carry only a
modification time. `install` replaces both views:

- each file is read once and compressed once per encoding (brotli, gzip) on its first request in a
  process (a gunicorn worker), kept in memory keyed by file and encoding; a response honours
  Accept-Encoding, says `Vary: Accept-Encoding`, and carries an ETag of the content (304 when
  `If-None-Match` names it);
- brotli's best level (11) is 8% smaller than its quick one but takes ~5 s of CPU for a page's scripts:
  the first request gets level 9, and a background thread makes the level-11 copy, which replaces it.
  An asset may also come with its level-11 copy made ahead of time beside it (`x.js.br`; the plotly
  bundle does), used while it decodes to the file;
- a URL that names the file's version is cached for a year (`immutable`): our assets are listed in the
  page as `?v=<content hash>`, the component suites carry Dash's `.v<version>m<mtime>.` fingerprint;
  any other URL is `no-cache` (the browser revalidates with the ETag);
- pages and Dash's JSON (`_dash-layout`, `_dash-dependencies`, callbacks) are `no-cache`: they change
  with the data and the viewer. flask-compress still compresses those, per response (each differs).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import mimetypes
import pkgutil
import re
import sys
import threading
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

import flask
from dash import Dash
from dash.fingerprint import check_fingerprint
from flask_compress import Compress
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

try:
    import brotli  # flask-compress depends on it on CPython
except ImportError:  # pragma: no cover - then gzip alone
    brotli = None

__all__ = ["install", "shared", "precompress", "respond", "StaticFiles", "Static", "ENCODERS", "BEST", "IMMUTABLE",
           "REVALIDATE", "LISTED"]

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
LISTED = r"\.(css|js)$"  # the assets this module lists in the page itself, each with its content hash
HASH_CHARS = 16  # of the sha256, in URLs and ETags
ENOUGH_SAVED = 0.95  # keep an encoding only when it saves at least 5% (not for images, fonts)

Encoder = Callable[[bytes], bytes]
# in order of preference when the browser accepts several equally; quick enough for a request
ENCODERS: dict[str, Encoder] = {
    **({"br": partial(brotli.compress, quality=9)} if brotli else {}),
    "gzip": partial(gzip.compress, compresslevel=9, mtime=0),
}
# better and slower (brotli 11: ~4 s of CPU for plotly's 1.2 MB), made in the background to replace the above
BEST: dict[str, Encoder] = {"br": partial(brotli.compress, quality=11)} if brotli else {}
DECODERS: dict[str, Callable[[bytes], bytes]] = {**({"br": brotli.decompress} if brotli else {}),
                                                 "gzip": gzip.decompress}
SIDECARS = {"br": ".br", "gzip": ".gz"}  # an asset compressed ahead of time: `x.js.br` beside `x.js`
CORRUPT = (OSError, EOFError, zlib.error, *((brotli.error,) if brotli else ()))
SUITES_RULE = "_dash-component-suites/<string:package_name>/<path:fingerprinted_path>"


@dataclass(frozen=True)
class Static:
    """One file as read: its bytes, type, content hash and the version mark Dash gave it."""

    body: bytes
    mimetype: str
    digest: str
    mtime: str = ""  # Dash's `?m=` for an asset (the favicon's link uses it)
    path: str = ""  # an asset's file, beside which a copy compressed ahead of time may sit (`x.js.br`)


class StaticFiles:
    """Files read once and encoded once per encoding (and once more at the best level, in the background),
    kept in memory. Keys name the file wherever it lies, so that apps can share a store (`shared()`)."""

    def __init__(self, encoders: Mapping[str, Encoder] = ENCODERS, best: Mapping[str, Encoder] = BEST):
        self.encoders, self.best = dict(encoders), dict(best)
        self._files: dict[tuple, Static] = {}
        self._encoded: dict[tuple, bytes | None] = {}
        self._locks: dict[tuple, threading.Lock] = {}
        self._guard = threading.Lock()
        self._settled: set[tuple] = set()  # at their best: a stored copy, improved, or nothing to improve
        self._improving: dict[tuple, threading.Thread] = {}
        self._one_at_a_time = threading.Lock()  # best-level work: the server has requests to answer

    def file(self, key: tuple, read: Callable[[], bytes], mimetype: str, mtime: str = "", path: str = "") -> Static:
        """The file under `key`, read with `read()` the first time it is asked for."""
        found = self._files.get(key)
        if found is None:
            body = read()
            found = Static(body, mimetype, hashlib.sha256(body).hexdigest()[:HASH_CHARS], mtime, path)
            self._files[key] = found
        return found

    def encoded(self, key: tuple, static: Static, encoding: str) -> bytes | None:
        """`static`'s bytes in `encoding`, compressed the first time; None when that saves nothing."""
        slot = (*key, static.digest, encoding)
        if slot not in self._encoded:
            with self._lock(slot):
                if slot not in self._encoded:  # another thread may have done it while this one waited
                    stored = _stored(static, encoding)
                    data = stored or self.encoders[encoding](static.body)
                    self._encoded[slot] = data if len(data) < ENOUGH_SAVED * len(static.body) else None
                    if stored is not None or self._encoded[slot] is None or encoding not in self.best:
                        self._settled.add(slot)
        if slot not in self._settled:
            self._improve(slot, static.body, self.best[encoding])
        return self._encoded[slot]

    def settle(self, timeout: float | None = None) -> None:
        """Wait until the best-level copies asked for so far are made (tests, measurements)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in list(self._improving.values()):
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def _improve(self, slot: tuple, body: bytes, best: Encoder) -> None:
        """Make the best copy in a thread of its own, unless one is at it. A daemon: it never holds up a
        worker's exit; one that died unfinished is started again by the next request."""
        with self._guard:
            running = self._improving.get(slot)
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(target=self._replace, args=(slot, body, best), name="compress-best",
                                      daemon=True)
            self._improving[slot] = thread
        thread.start()

    def _replace(self, slot: tuple, body: bytes, best: Encoder) -> None:
        try:
            with self._one_at_a_time:
                data = best(body)  # brotli lets go of the GIL while it works: requests carry on
            if len(data) < len(self._encoded[slot]):
                self._encoded[slot] = data
            self._settled.add(slot)
        except SystemExit:  # this thread was told to stop (dash[testing] does so after each test)
            return  # unsettled: the next request for the file starts it again

    def _lock(self, slot: tuple) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(slot, threading.Lock())


def _stored(static: Static, encoding: str) -> bytes | None:
    """The copy of an asset compressed ahead of time beside it (`x.js.br`: brotli at 11, too slow for a
    request), if there is one and it decodes to the file as it is now."""
    stored = Path(static.path + SIDECARS[encoding]) if static.path and encoding in DECODERS else None
    if stored is None or not stored.is_file():
        return None
    data = stored.read_bytes()
    try:
        same = DECODERS[encoding](data) == static.body
    except CORRUPT:
        same = False
    if not same:
        log.warning("%s does not decode to %s: compressing it here instead", stored.name, Path(static.path).name)
    return data if same else None


@cache
def shared() -> StaticFiles:
    """The process's store (so a gunicorn worker's): the files do not differ between the apps a process
    makes (tests make many), so neither need their compressed copies."""
    return StaticFiles()


def install(app: Dash, store: StaticFiles | None = None) -> StaticFiles:
    """Serve the app's assets and component suites from a `StaticFiles` store (the process's, unless one
    is given), list our stylesheets and scripts with their content hashes, and mark every other response
    `no-cache`."""
    server = app.server
    store = shared() if store is None else store
    folder = Path(app.config.assets_folder).resolve()
    routes = app.config.routes_pathname_prefix
    assets_rule = f"{routes}{app.config.assets_url_path.strip('/')}/<path:filename>"
    endpoints = {rule.rule: rule.endpoint for rule in server.url_map.iter_rules()}

    def asset(filename: str):
        path = safe_join(str(folder), filename)
        if path is None or not Path(path).is_file() or _is_sidecar(Path(path)):
            raise NotFound()
        stat = Path(path).stat()  # a file edited while the app runs (debug) is read again
        key = ("assets", path, stat.st_mtime_ns, stat.st_size)
        static = store.file(key, Path(path).read_bytes, _mimetype(filename), str(stat.st_mtime), path)
        args = flask.request.args
        versioned = args.get("v") == static.digest or (bool(args.get("m")) and args.get("m") == static.mtime)
        return respond(store, key, static, versioned)

    def suite(package_name: str, fingerprinted_path: str):
        path, fingerprinted = check_fingerprint(fingerprinted_path)
        if path not in app.registered_paths.get(package_name, ()) or package_name not in sys.modules:
            raise NotFound()  # as Dash: only the files its components registered
        key = ("suites", package_name, path)
        static = store.file(key, lambda: pkgutil.get_data(package_name, path), _mimetype(path))
        return respond(store, key, static, fingerprinted)

    server.view_functions[endpoints[assets_rule]] = asset
    server.view_functions[endpoints[routes + SUITES_RULE]] = suite
    served = {endpoints[assets_rule], endpoints[routes + SUITES_RULE]}
    _spare_from_per_request_compression(server, served)
    _list_assets(app, folder)

    @server.after_request
    def _revalidate_the_rest(response: flask.Response) -> flask.Response:
        if flask.request.endpoint not in served and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = REVALIDATE
        return response

    server.extensions["static_files"] = store
    return store


def respond(store: StaticFiles, key: tuple, static: Static, versioned: bool) -> flask.Response:
    """The response for `static`: 304 if the browser holds it, else its bytes in the best accepted encoding.
    The ETag is weak: the same content, whatever the encoding and level of its bytes."""
    request = flask.request
    encoding, body = _negotiate(store, key, static, request.accept_encodings)
    etag = f"{static.digest}-{encoding}" if encoding else static.digest
    headers = {"Cache-Control": IMMUTABLE if versioned else REVALIDATE, "Vary": "Accept-Encoding",
               "ETag": f'W/"{etag}"'}
    held = {tag.split("-", 1)[0] for tag in request.if_none_match.as_set(include_weak=True)}
    if static.digest in held:
        return flask.Response(status=304, headers=headers)
    response = flask.Response(body, mimetype=static.mimetype, headers=headers)
    if encoding:
        response.headers["Content-Encoding"] = encoding  # flask-compress leaves an encoded response alone
    return response


def _negotiate(store: StaticFiles, key: tuple, static: Static, accepted) -> tuple[str, bytes]:
    """The encoding the browser prefers among ours ("" for none) and the bytes to send."""
    ranked = sorted((-accepted.quality(name), i, name) for i, name in enumerate(store.encoders))
    for quality, _, name in ranked:
        if quality < 0:  # accepted (werkzeug reads q=0 as not accepted)
            encoded = store.encoded(key, static, name)
            if encoded is not None:
                return name, encoded
    return "", static.body


def _spare_from_per_request_compression(server: flask.Flask, endpoints: set[str]) -> None:
    """Keep flask-compress (Dash's `compress=True`) off our responses: it would compress again what is
    sent as it is (a browser that accepts only zstd, or refuses everything with `q=0`, which it ignores)."""
    hooks = server.after_request_funcs.get(None, [])
    for i, hook in enumerate(hooks):
        if isinstance(getattr(hook, "__self__", None), Compress):
            hooks[i] = partial(_unless_served_here, endpoints, hook)


def _unless_served_here(endpoints: set[str], hook, response: flask.Response) -> flask.Response:
    return response if flask.request.endpoint in endpoints else hook(response)


def _list_assets(app: Dash, folder: Path) -> None:
    """Put our stylesheets and scripts in the page as `?v=<content hash>` URLs, in Dash's order (by path),
    and have Dash leave them out of its own `?m=<mtime>` listing."""
    old = app.config.assets_ignore
    app.config.assets_ignore = f"(?:{old})|{LISTED}" if old else LISTED
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    listed = [name for name in files if re.search(LISTED, name)]

    def url(name: str) -> str:
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()[:HASH_CHARS]
        return f"{app.get_asset_url(name)}?v={digest}"

    app.config.external_stylesheets = [*app.config.external_stylesheets,
                                       *(url(n) for n in listed if n.endswith(".css"))]
    app.config.external_scripts = [*app.config.external_scripts, *(url(n) for n in listed if n.endswith(".js"))]


def _is_sidecar(path: Path) -> bool:
    return path.suffix in SIDECARS.values() and path.with_suffix("").is_file()


def _mimetype(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def precompress(path: Path) -> Path:
    """Write the best brotli copy of `path` beside it (`x.js.br`), so that even a worker's first request
    gets it: `python -m dashboard.assets FILE...`."""
    stored = Path(str(path) + SIDECARS["br"])
    stored.write_bytes(BEST["br"](Path(path).read_bytes()))
    return stored


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(precompress(Path(name)))
