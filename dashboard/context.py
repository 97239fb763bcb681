"""What a request may reach of the app serving it: its warehouse, workflow records and settings
(kept on the Flask server, one per app and so one per gunicorn worker; no module-level state)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import flask

from etl.home import public_path
from published.access import current_viewer
from published.reader import Warehouse
from workflow import WorkflowStore, default_url
from workflow.public_text import PublicText, PublicTextFile, public_text_path

__all__ = ["Settings", "current_warehouse", "current_settings", "current_store", "current_public_text", "page_title",
           "WAREHOUSE_KEY", "PUBLIC_WAREHOUSE_KEY", "PUBLIC_TEXT_KEY", "SETTINGS_KEY", "STORE_KEY"]

# where the app keeps its per-app objects on the Flask server
WAREHOUSE_KEY = "SHARED_OUTCOMES_WAREHOUSE"
PUBLIC_WAREHOUSE_KEY = "SHARED_OUTCOMES_PUBLIC_WAREHOUSE"
SETTINGS_KEY = "SHARED_OUTCOMES_SETTINGS"
STORE_KEY = "SHARED_OUTCOMES_WORKFLOW"
PUBLIC_TEXT_KEY = "SHARED_OUTCOMES_PUBLIC_TEXT"
KEY_FILE = "session.key"  # in the home folder, when no key is given


@dataclass(frozen=True)
class Settings:
    """What the app needs to know, read once by the command line and passed in."""

    warehouse: Path  # HOME/warehouse.duckdb: the home folder is the folder it sits in
    debug: bool = False
    title: str = "Shared Outcomes"
    workflow_url: str | None = None  # SQLAlchemy URL of the workflow records; default HOME/workflow.sqlite
    # signs session cookies; default a key made once in HOME/session.key (never in a repr or a log)
    secret_key: str | None = field(default=None, repr=False)
    cookie_secure: bool = False  # cookies only over HTTPS: set when served behind TLS
    trusted_user_header: str | None = None  # e.g. "X-Remote-User": a reverse proxy signs users in (off)
    proxies: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto/-Host headers are believed
    # how often each worker copies the public text anew from the workflow records (0: after its own writes
    # only); `outcomes serve` sets a minute when the records are shared by several app servers
    text_refresh_seconds: float = 0

    @property
    def home(self) -> Path:
        return self.warehouse.parent

    @property
    def public_warehouse(self) -> Path:
        """The published file without internal measures, written beside the warehouse at each publish."""
        return public_path(self.warehouse)

    @property
    def public_text(self) -> Path:
        """Public commentary and actions, copied out of the workflow records (workflow.public_text)."""
        return public_text_path(self.warehouse)

    @property
    def workflow(self) -> str:
        return self.workflow_url or default_url(self.home)

    @property
    def key_file(self) -> Path:
        return self.home / KEY_FILE


def current_warehouse() -> Warehouse:
    """The warehouse of the app serving this request (pages and callbacks use this): for anyone
    not signed in, the public file, which holds no internal measure at all; for the signed in,
    the full one, where the reader shows each viewer what their role allows."""
    key = WAREHOUSE_KEY if current_viewer().signed_in else PUBLIC_WAREHOUSE_KEY
    return flask.current_app.config[key]


def current_settings() -> Settings:
    return flask.current_app.config[SETTINGS_KEY]


def current_store() -> WorkflowStore:
    """The workflow records (users, audit log) of the app serving this request."""
    return flask.current_app.config[STORE_KEY]


def current_public_text() -> PublicText:
    """The public commentary and actions, for everyone: read from the public text file alone (never
    the workflow records, which hold internal text too), cached until the file changes."""
    text_file: PublicTextFile = flask.current_app.config[PUBLIC_TEXT_KEY]
    return text_file.read()


def page_title(name: str) -> Callable[..., str]:
    """A page title function for `register_page`: `Goal map – Shared Outcomes`."""
    return lambda **_: f"{name} – {current_settings().title}"
