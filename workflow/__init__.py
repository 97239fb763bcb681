"""The workflow records the app writes: users and their roles, sign-in attempts and the audit log.

    store       WorkflowStore: the only way into the workflow database (SQLAlchemy Core; SQLite in
                the home folder by default, any SQLAlchemy URL, such as PostgreSQL, by setting)
    users       User, and the rules for usernames, roles and passwords
    passwords   argon2id hashing; a password is never stored, logged or audited in clear
    attempts    one sign-in attempt: rate limits, verification, audit
    keys        the key that signs session cookies, made once in the home folder
    review      commentary, actions, escalations and the reviews held
    plans       workload plans saved as milestone trajectories, and the file a publish reads them from

Exceptions:

    WorkflowError       anything the workflow records refuse
      +-- UserError     a user change that cannot be made (unknown user, bad role, weak password...)

Depends on published (the roles a viewer may have) and goal_councils; knows nothing of Flask or Dash.
"""

from .attempts import LIMITS, Attempt, Limits, sign_in
from .errors import UserError, WorkflowError
from .keys import session_key
from .store import AuditEntry, WorkflowStore, default_url
from .users import USER_ROLES, Known, User

__all__ = [
    "WorkflowError", "UserError", "WorkflowStore", "AuditEntry", "default_url", "User", "Known", "USER_ROLES",
    "sign_in", "Attempt", "Limits", "LIMITS", "session_key",
]
