"""One sign-in attempt: refused while too many have failed lately, checked, recorded and audited.

The limits count failures in the workflow database, so they hold across gunicorn workers and app
servers: after `per_user` failures for one username, or `per_address` from one client address,
within `window`, further attempts are refused (without checking the password) until the oldest of
those failures is older than `window`. Refused attempts are audited but not counted, so the pause
ends on time; a good sign-in forgets its username's failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .store import WorkflowStore, utcnow
from .users import User

__all__ = ["Limits", "LIMITS", "Attempt", "sign_in"]


@dataclass(frozen=True)
class Limits:
    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


LIMITS = Limits()


@dataclass(frozen=True)
class Attempt:
    """What became of a sign-in: the user, or None; `wait` is set when the attempt was refused unchecked."""

    user: User | None
    wait: timedelta | None = None

    @property
    def refused(self) -> bool:
        return self.wait is not None


def sign_in(store: WorkflowStore, username: str, password: str, address: str, *, via: str = "password",
            limits: Limits = LIMITS, now: datetime | None = None) -> Attempt:
    """Check `username` and `password`, tried from client `address`; every outcome is audited."""
    now = now or utcnow()
    claimed = (username or "").strip().lower()[:200]
    where = {"username": claimed, "address": address, "via": via}
    wait = paused_for(store, claimed, address, limits, now)
    if wait is not None:
        store.audit(claimed, "sign-in-refused", {**where, "reason": "too many failed attempts",
                                                 "seconds": int(wait.total_seconds())})
        return Attempt(None, wait)
    user = store.verify_password(claimed, password)
    if user is None:
        store.record_failure(claimed, address, now, limits.window)
        store.audit(claimed, "sign-in-failed", {**where, "reason": "unknown user, wrong password or inactive"})
        return Attempt(None)
    store.clear_failures(claimed)
    store.audit(user.username, "sign-in", {**where, "role": user.role})
    return Attempt(user)


def paused_for(store: WorkflowStore, username: str, address: str, limits: Limits, now: datetime,
               ) -> timedelta | None:
    """How long sign-in stays refused for this username or address, or None when it is open."""
    since = now - limits.window
    waits = []
    for key, limit in (({"username": username}, limits.per_user), ({"address": address}, limits.per_address)):
        recent = store.failures_since(since, limit=limit, **key)
        if len(recent) >= limit:
            # open again when the oldest of the newest `limit` failures leaves the window
            waits.append(recent[-1] + limits.window - now)
    return max(waits, default=None)
