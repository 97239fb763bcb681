"""Answers to the public, kept per published version: the morning new figures are published, a
thousand visitors ask for the same few pages, and each answer is the same until the next publish.

An answer is kept only when it was made for the public (nobody signed in, no single sign-on
header), came back 200 without setting a cookie, and is a page, a Dash callback, the API or the
embed view. It is keyed by everything the answer can depend on: the method, host, path and query,
the callback request's body, the public warehouse's file identity (which every publish changes),
the public text file's, and today's date (an action's status, "overdue", is today's). A key from an
older version is never looked up again, and the whole store is dropped when the version changes.
Signed-in viewers are never answered from it, and their answers are never kept.

Bounded per worker by count and bytes (least recently used first out). The kept body is the one
before compression; compression and the headers every answer gets (security, caching) are applied
again on the way out, so a kept answer leaves exactly as a fresh one does.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import flask
from dash import Dash

from published.access import current_viewer
from published.reader import WarehouseError

__all__ = ["ResponseCache", "install", "CACHE_KEY", "HIT_HEADER"]

CACHE_KEY = "SHARED_OUTCOMES_RESPONSE_CACHE"
HIT_HEADER = "X-Outcomes-Cache"  # "hit" or "miss" on every answer that could be kept
MAX_ENTRIES = 2_000
MAX_BYTES = 96 * 2**20  # per worker
MAX_ONE = 4 * 2**20  # a larger answer (a big download) is not worth keeping
KEPT_TYPES = ("application/json", "text/html", "text/csv")


@dataclass(frozen=True)
class Kept:
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...]  # those the view set itself (e.g. a download's file name)


class ResponseCache:
    """Answers by key, for one published version at a time; thread-safe."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._lock = threading.Lock()
        self._kept: OrderedDict[bytes, Kept] = OrderedDict()
        self._bytes = 0
        self._version: tuple | None = None
        self.hits = self.misses = 0

    def get(self, version: tuple, key: bytes) -> Kept | None:
        with self._lock:
            if version != self._version:
                self._drop_all(version)
            found = self._kept.get(key)
            if found is None:
                self.misses += 1
                return None
            self._kept.move_to_end(key)
            self.hits += 1
            return found

    def put(self, version: tuple, key: bytes, kept: Kept) -> None:
        if len(kept.body) > MAX_ONE:
            return
        with self._lock:
            if version != self._version:
                self._drop_all(version)
            old = self._kept.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._kept[key] = kept
            self._bytes += len(kept.body)
            while self._kept and (len(self._kept) > self.max_entries or self._bytes > self.max_bytes):
                _, gone = self._kept.popitem(last=False)
                self._bytes -= len(gone.body)

    def _drop_all(self, version: tuple) -> None:
        self._kept.clear()
        self._bytes = 0
        self._version = version

    def __len__(self) -> int:
        return len(self._kept)


def _version(public_version: Callable[[], tuple]) -> tuple | None:
    try:
        # today's date on the server's clock (an action's "overdue") and in UTC (whether a month asked for has
        # ended: dashboard.urls.month_has_ended): an answer is kept for one day of each
        return (*public_version(), date.today().isoformat(), datetime.now(UTC).date().isoformat())
    except (WarehouseError, OSError):
        return None  # nothing published (or unreadable): answer each request afresh


def _key() -> bytes:
    request = flask.request
    digest = hashlib.sha256()
    for part in (request.method, request.scheme, request.host, request.full_path):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\x00")
    if request.method == "POST":
        digest.update(request.get_data(cache=True))
    return digest.digest()


def install(app: Dash, public_version: Callable[[], tuple], *, skip: tuple[str, ...] = ()) -> ResponseCache:
    """Keep the public's answers on `app` (after the guards and sign-in, which must run first).
    `public_version()`: what identifies the public data now (raises WarehouseError or OSError when
    there is none); `skip`: path prefixes never kept (static files, sign-in)."""
    server = app.server
    cache = ResponseCache()
    server.config[CACHE_KEY] = cache
    callback = app.config.routes_pathname_prefix + "_dash-update-component"

    def keepable() -> bool:
        request = flask.request
        if current_viewer().signed_in or request.path.startswith(skip):
            return False
        return request.method in ("GET", "HEAD") or (request.method == "POST" and request.path == callback)

    @server.before_request
    def _answer_from_cache():
        if not keepable():
            return None
        version = _version(public_version)
        if version is None:
            return None
        key = _key()
        flask.g.response_cache = (version, key)
        found = cache.get(version, key)
        if found is None:
            return None
        flask.g.response_cache = None  # nothing to keep on the way out
        response = flask.Response(found.body, status=200, content_type=found.content_type)
        for name, value in found.headers:
            response.headers[name] = value
        response.headers[HIT_HEADER] = "hit"
        return response

    @server.after_request
    def _keep(response: flask.Response) -> flask.Response:
        pending = flask.g.pop("response_cache", None)
        if pending is None:
            return response
        version, key = pending
        response.headers[HIT_HEADER] = "miss"
        if (response.status_code != 200 or "Set-Cookie" in response.headers or response.direct_passthrough
                or response.mimetype not in KEPT_TYPES or flask.request.method == "HEAD"
                or current_viewer().signed_in):
            return response
        own = tuple((k, v) for k, v in response.headers.items() if k.lower() in ("content-disposition",))
        cache.put(version, key, Kept(response.get_data(), response.content_type, own))
        return response

    return cache
