"""The exceptions the workflow records raise (drawn in the package docstring)."""

from __future__ import annotations

__all__ = ["WorkflowError", "UserError"]


class WorkflowError(Exception):
    """The workflow records refuse something."""


class UserError(WorkflowError):
    """A user change that cannot be made; the message says why, in words for the person making it."""
