"""Who is reading: the viewer every query of the published warehouse is answered for.

A measure defined `published: false` is internal. The public (anyone not signed in) never sees it
anywhere: not on its page, in listings, search, the exceptions list, downloads or page titles.
A signed-in viewer sees the internal measures of:

    admin            every council
    council member   the councils they sit on (`councils`)
    steward, lead    their organisation's own measures, and every measure of the objectives their
                     organisation leads (`org`)

The rule lives in one place, the `scope` SQL fragment (published/sql/scope.sql) that every query of
measures goes through; `Warehouse.query` binds the viewer of the moment to it. The viewer is set
per request by the dashboard (`as_viewer`), and is the public unless something says otherwise, so
a code path that forgets to say who is asking shows only what is public.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["ROLES", "Viewer", "PUBLIC", "OPERATOR", "current_viewer", "as_viewer", "viewer_params"]

ROLES = ("public", "council_member", "steward", "lead", "admin")


@dataclass(frozen=True)
class Viewer:
    role: str = "public"
    org: str | None = None  # the organisation a steward or lead acts for
    councils: tuple[str, ...] = ()  # the councils a council member sits on
    name: str | None = None  # who, for the audit log and the page header

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}: one of {', '.join(ROLES)}")

    @property
    def signed_in(self) -> bool:
        return self.role != "public"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


PUBLIC = Viewer()
OPERATOR = Viewer("admin", name="operator")  # the command line, run by whoever holds the home folder

_viewer: ContextVar[Viewer] = ContextVar("viewer", default=PUBLIC)


def current_viewer() -> Viewer:
    return _viewer.get()


@contextmanager
def as_viewer(viewer: Viewer) -> Iterator[Viewer]:
    """Answer every query inside the block for `viewer`."""
    token = _viewer.set(viewer)
    try:
        yield viewer
    finally:
        _viewer.reset(token)


def viewer_params(viewer: Viewer | None = None) -> dict:
    """The viewer as the `scope` fragment's parameters."""
    v = viewer or current_viewer()
    return {"viewer_admin": v.is_admin, "viewer_org": v.org if v.signed_in else None,
            "viewer_councils": list(v.councils) if v.signed_in else []}
