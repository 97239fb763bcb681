"""Who may sign in, and the rules for their usernames, roles and passwords.

    admin            users, definitions reload, everything
    council_member   the internal pages of the councils they sit on (`councils`, at least one)
    steward          submits figures for the measures its organisation owns, writes its commentary (`org`)
    lead             writes commentary and actions for the objectives its organisation leads (`org`)

`public` is everyone not signed in, so it is no user's role. An organisation belongs to stewards
and leads only, councils to council members only: a scope that the role ignores would read as a
right the user does not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from published.access import ROLES, Viewer

from .errors import UserError

__all__ = ["User", "Known", "USER_ROLES", "ORG_ROLES", "normal_username", "check_role", "check_password",
           "MIN_PASSWORD", "MAX_PASSWORD", "check_own_account"]

USER_ROLES = tuple(r for r in ROLES if r != "public")
ORG_ROLES = ("steward", "lead")  # the roles that act for one organisation
MIN_PASSWORD, MAX_PASSWORD = 12, 1024
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@+-]{0,63}")


@dataclass(frozen=True)
class User:
    """A user as stored; never carries the password hash."""

    id: int
    username: str
    role: str
    org: str | None
    councils: tuple[str, ...]
    active: bool
    created_at: datetime
    session_epoch: int = 0  # raised at each sign-out: every older session of this user stops working

    @property
    def viewer(self) -> Viewer:
        """The viewer every query made for this user is answered for."""
        return Viewer(self.role, self.org, self.councils, self.username)


@dataclass(frozen=True)
class Known:
    """The organisations and councils defined, to check a role's scope against."""

    orgs: frozenset[str]
    councils: frozenset[str]


def normal_username(text: str) -> str:
    """A username as stored: trimmed and lower case; letters, digits and . _ @ + - (an email address fits)."""
    name = (text or "").strip().lower()
    if not USERNAME.fullmatch(name):
        raise UserError(f"username {str(text)[:80]!r}: use 1 to 64 letters, digits and . _ @ + -, "
                        "starting with a letter or digit")
    return name


def check_role(role: str, org: str | None = None, councils=(), known: Known | None = None,
               ) -> tuple[str | None, tuple[str, ...]]:
    """The organisation and councils a user with `role` keeps, checked; UserError when they do not fit.

    `known`, when given, is what the definitions hold; without it any id is accepted."""
    if role not in USER_ROLES:
        raise UserError(f"unknown role {role!r}: one of {', '.join(USER_ROLES)}")
    org = org.strip() if isinstance(org, str) and org.strip() else None
    councils = tuple(dict.fromkeys(c.strip() for c in councils if c and c.strip()))
    if role in ORG_ROLES and org is None:
        raise UserError(f"a {role} needs the organisation it acts for")
    if role not in ORG_ROLES and org is not None:
        raise UserError(f"only a steward or a lead acts for an organisation, not a {role}")
    if role == "council_member" and not councils:
        raise UserError("a council member needs at least one council they sit on")
    if role != "council_member" and councils:
        raise UserError(f"only a council member sits on councils, not a {role}")
    if known is not None:
        if org is not None and org not in known.orgs:
            raise UserError(f"unknown organisation {org!r}: it is not in the definitions")
        unknown = [c for c in councils if c not in known.councils]
        if unknown:
            raise UserError(f"unknown council(s) {', '.join(map(repr, unknown))}: not in the definitions")
    return org, councils


def check_password(password: str) -> None:
    """Long enough to resist guessing, short enough not to be a way to make the server work hard."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"the password must be at most {MAX_PASSWORD} characters")
    if not password.strip():
        raise UserError("the password must not be only spaces")


def check_own_account(by: str | None, username: str, *, role: str | None = None, active: bool | None = None) -> None:
    """An administrator may not demote or deactivate themselves: UserError when `by` would. (Another
    administrator can; the store itself does not check, so that the command line can mend anything.)"""
    try:
        own = by is not None and normal_username(by) == normal_username(username)
    except UserError:
        return  # not a username, so not this one: the change itself says what is wrong
    if own and role is not None and role != "admin":
        raise UserError("you cannot take away your own administrator role: ask another administrator")
    if own and active is False:
        raise UserError("you cannot deactivate your own account: ask another administrator")
