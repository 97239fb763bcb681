"""The Dash app: reads the published warehouse read-only and shows it the way a goal council works."""

from .app import Settings, create_app

__all__ = ["Settings", "create_app"]
