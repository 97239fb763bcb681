"""The Dash app factory: `create_app(settings)`; gunicorn serves `serving_app(settings)`, the same app's
server once the worker's garbage collector is set for serving (`settle_for_serving`)."""

from __future__ import annotations

import atexit
import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import dash
from dash import Dash, dcc
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix

from published.access import current_viewer
from published.reader import Warehouse, WarehouseError, WarehouseMissing
from workflow import WorkflowError, WorkflowStore
from workflow.public_text import PublicTextFile

from . import api, assets, auth, components, embed, guard, navigation, response_cache
from .context import (
    PUBLIC_TEXT_KEY,
    PUBLIC_WAREHOUSE_KEY,
    SETTINGS_KEY,
    STORE_KEY,
    WAREHOUSE_KEY,
    Settings,
    current_settings,
    current_warehouse,
    page_title,
)

__all__ = ["Settings", "create_app", "serving_app", "settle_for_serving", "settled_for_serving", "current_warehouse",
           "current_settings", "page_title"]

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"
ASSETS = HERE / "assets"


log = logging.getLogger(__name__)

# Dash's own page, with the document language declared (WCAG 3.1.1)
INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


# the collector's thresholds in a serving process (Python's default: 700, 10, 10). A goal map request makes
# some 200,000 objects, nearly all freed when it ends; at the default, collections ran hundreds of times a
# request, and the full ones walked every module, frame and figure template the app holds. Measured at state
# scale (in-process, 15 rounds of six pages): the goal map's median 277 -> 172 ms and its p95 328 -> 194 ms,
# the council page's p95 534 -> 354 ms, for 8-20 MB more peak memory (docs/benchmarks.md).
SERVING_GC_THRESHOLDS = (20_000, 50, 100)


def settle_for_serving() -> None:
    """Set up the garbage collector of a process that has built its app and now only answers requests:
    what is alive now (modules, the app, its layouts) is frozen out of every later collection, and young
    objects are collected in larger batches (SERVING_GC_THRESHOLDS)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*SERVING_GC_THRESHOLDS)


@contextmanager
def settled_for_serving() -> Iterator[None]:
    """`settle_for_serving` for a block (the benchmark's in-process pages), the collector as it was after. In a
    process that has frozen objects already, only the thresholds change: unfreezing would free theirs too."""
    before, froze = gc.get_threshold(), gc.get_freeze_count() == 0
    if froze:
        settle_for_serving()
    else:
        gc.set_threshold(*SERVING_GC_THRESHOLDS)
    try:
        yield
    finally:
        if froze:
            gc.unfreeze()
        gc.set_threshold(*before)


def serving_app(settings: Settings):
    """The WSGI app a gunicorn worker serves: `create_app(settings).server`, the collector then settled."""
    server = create_app(settings).server
    settle_for_serving()
    return server


def create_app(settings: Settings) -> Dash:
    """Build the app; nothing is read from the warehouse until a page asks."""
    app = Dash(
        "dashboard",  # the package: page modules import as dashboard.pages.<name>
        use_pages=True,
        pages_folder=str(PAGES),
        assets_folder=str(ASSETS),
        external_stylesheets=[],  # Bootstrap is served from assets/, never a CDN
        serve_locally=True,
        compress=True,
        suppress_callback_exceptions=True,
        title=settings.title,
        update_title=None,
    )
    app.index_string = INDEX
    warehouse = Warehouse(settings.warehouse)  # one per app, so one per gunicorn worker
    app.server.config[PUBLIC_WAREHOUSE_KEY] = Warehouse(settings.public_warehouse)  # all anonymous visitors read
    store = WorkflowStore(settings.workflow)  # connects on first use
    public_text = PublicTextFile(settings.public_text)
    app.server.config[PUBLIC_TEXT_KEY] = public_text
    store.on_change(partial(_republish_text, public_text, store, settings.public_warehouse))
    _republish_text(public_text, store, settings.public_warehouse, "start")
    if settings.text_refresh_seconds > 0:  # text written through another app server reaches this one
        _start_refresh(public_text, store, settings.public_warehouse, settings.text_refresh_seconds)
    app.server.config[WAREHOUSE_KEY] = warehouse
    app.server.config[SETTINGS_KEY] = settings
    app.server.config[STORE_KEY] = store
    if settings.proxies:  # the client's address, scheme and host as the proxies in front saw them
        n = settings.proxies
        app.server.wsgi_app = ProxyFix(app.server.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.layout = partial(shell, settings, app.config.requests_pathname_prefix)
    navigation.register_callbacks()
    guard.install(app, warehouse, settings.trusted_user_header)  # first: its checks run before anything else
    auth.install(app, settings, store)  # then every request runs as its signed-in viewer
    embed.install(app)
    api.install(app)
    assets.install(app)  # static files compressed once, content-hashed, cached for a year; the rest no-cache
    routes = app.config.routes_pathname_prefix
    response_cache.install(  # last: answers to the public, kept per published version
        app, partial(_public_version, app.server.config[PUBLIC_WAREHOUSE_KEY], settings.public_text),
        skip=tuple(routes + s for s in (*auth.STATIC, "sign-in", "sign-out", "_reload-hash")))
    return app


def _public_version(public: Warehouse, public_text: Path) -> tuple:
    """What the public sees now: the public warehouse's identity and the public text file's (every
    publish and every write of public text changes one)."""
    try:
        st = public_text.stat()
        text = (st.st_ino, st.st_size, st.st_mtime_ns)
    except FileNotFoundError:
        text = None
    return (*public.stamp(), text)


def _republish_text(public_text: PublicTextFile, store: WorkflowStore, public_warehouse: Path, table: str) -> None:
    """Copy the public commentary and actions into the public text file, after a change to either (and
    once as the app starts, for a home written before the file existed or by another process)."""
    if table not in ("start", "refresh", "commentary", "actions"):
        return
    try:
        public_text.write(store, public_warehouse)
    except (OSError, SQLAlchemyError, WarehouseError, WorkflowError) as e:  # the page shows what the file held last
        logging.getLogger(__name__).warning("the public text file %s was not rewritten: %s", public_text.path, e)


def _start_refresh(public_text: PublicTextFile, store: WorkflowStore, public_warehouse: Path, seconds: float) -> None:
    """Copy the public text anew every `seconds` in a thread of its own (the file is replaced only when
    the text changed), stopped and waited for as the process exits, never in the middle of a query."""
    stop = threading.Event()

    def refresh() -> None:
        while not stop.wait(seconds):
            _republish_text(public_text, store, public_warehouse, "refresh")

    thread = threading.Thread(target=refresh, name="public-text-refresh", daemon=True)
    thread.start()

    def finish() -> None:
        stop.set()
        thread.join(timeout=30)

    atexit.register(finish)


def shell(settings: Settings, prefix: str = "/"):
    """The frame around every page, built per page load so the as-of date and the months to
    pick from are current."""
    warehouse = current_warehouse()
    header = components.navbar(settings.title, nav_links(), _months(warehouse))
    damaged = [components.damaged_notice()] if warehouse.problem else []  # known once a query has read it
    return components.page_shell(
        navigation.with_account(header, navigation.account_area(auth.signed_in_as(), prefix)),
        [*damaged, dash.page_container, dcc.Location(id=navigation.NAVIGATE, refresh="callback-nav")],
        components.footer(_as_of(warehouse)),
    )


def _months(warehouse: Warehouse) -> list[str]:
    try:
        return warehouse.months()
    except WarehouseError:
        return []


def nav_links() -> list[tuple[str, str]]:
    """Pages that registered with `nav=True`, and those whose `roles` include the viewer's, in their `order`
    (the page itself re-checks the viewer: a link is a convenience, not a right)."""
    role = current_viewer().role
    pages = sorted((p for p in dash.page_registry.values() if p.get("nav") or role in p.get("roles", ())),
                   key=lambda p: p["order"] or 0)
    return [(p["name"], p["relative_path"]) for p in pages]


def _as_of(warehouse: Warehouse) -> dict | None:
    try:
        rows = warehouse.as_of().to_dict("records")
    except WarehouseMissing:
        return None
    except WarehouseError as e:
        log.warning("as-of date unavailable: %s", e)
        return None
    return rows[0] if rows else None
