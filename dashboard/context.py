"""What a request may reach of the app serving it: its warehouse and settings (kept on the Flask
server, one per app and so one per gunicorn worker; no module-level state)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import flask

from published.reader import Warehouse

__all__ = ["Settings", "current_warehouse", "current_settings", "page_title", "WAREHOUSE_KEY", "SETTINGS_KEY"]

# where the app keeps its per-app objects on the Flask server
WAREHOUSE_KEY = "SHARED_OUTCOMES_WAREHOUSE"
SETTINGS_KEY = "SHARED_OUTCOMES_SETTINGS"


@dataclass(frozen=True)
class Settings:
    """What the app needs to know, read once by the command line and passed in."""

    warehouse: Path
    debug: bool = False
    title: str = "Shared Outcomes"


def current_warehouse() -> Warehouse:
    """The warehouse of the app serving this request (pages and callbacks use this)."""
    return flask.current_app.config[WAREHOUSE_KEY]


def current_settings() -> Settings:
    return flask.current_app.config[SETTINGS_KEY]


def page_title(name: str) -> Callable[..., str]:
    """A page title function for `register_page`: `Goal map – Shared Outcomes`."""
    return lambda **_: f"{name} – {current_settings().title}"
