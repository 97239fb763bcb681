"""The workflow database, the only way into it: users, sign-in failures, the audit log, the review
records and the saved workload plans.

SQLAlchemy Core, so one URL chooses the database: SQLite in the home folder by default
(`HOME/workflow.sqlite`), PostgreSQL (`postgresql+psycopg://...`) when several app servers share
the records. The schema is made and migrated on first use by numbered migrations (MIGRATIONS),
each applied once, in order, in its own transaction, and recorded in `schema_migrations`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.schema import CreateIndex, CreateTable

from . import passwords
from .errors import UserError, WorkflowError
from .plans import PlanRecords, define_plan_table
from .review import ReviewRecords, define_tables
from .users import Known, User, check_password, check_role, normal_username

__all__ = ["WorkflowStore", "AuditEntry", "AuditChoices", "default_url", "utcnow", "FILE_NAME", "MIGRATIONS"]

FILE_NAME = "workflow.sqlite"

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(32), nullable=False),
    Column("org_id", String(200)),
    Column("councils", Text, nullable=False),  # JSON list of council ids
    Column("active", Boolean, nullable=False),
    Column("session_epoch", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),  # UTC
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),  # UTC
    Column("who", String(200)),
    Column("action", String(64), nullable=False),
    Column("what", Text, nullable=False),  # JSON object
    Index("audit_log_at", "at"),
    Index("audit_log_action", "action", "id"),  # the administrator's filters
    Index("audit_log_who", "who", "id"),
)

sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),  # UTC
    Column("username", String(200), nullable=False),
    Column("address", String(64), nullable=False),
    Index("sign_in_failures_username", "username", "at"),
    Index("sign_in_failures_address", "address", "at"),
)

review_tables = define_tables(metadata)
plan_table = define_plan_table(metadata)

schema_migrations = Table(
    "schema_migrations", metadata,
    Column("version", Integer, primary_key=True),
    Column("description", String(200), nullable=False),
    Column("applied_at", DateTime, nullable=False),
)

# (version, what it adds, its tables): applied once each, in order; a new change of schema is a new
# entry at the end (never an edit of one already released)
MIGRATIONS: list[tuple[int, str, list[Table]]] = [
    (1, "users, sign-in failures and the audit log", [users, audit_log, sign_in_failures]),
    (2, "commentary, actions, escalations and the reviews held", list(review_tables.values())),
    (3, "workload plans saved as milestone trajectories", [plan_table]),
]


def utcnow() -> datetime:
    """Now in UTC, as stored (naive): one clock for every record."""
    return datetime.now(UTC).replace(tzinfo=None)


def default_url(home: Path) -> str:
    """The workflow database of a home folder: `sqlite:///HOME/workflow.sqlite`."""
    return f"sqlite:///{Path(home) / FILE_NAME}"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    who: str | None
    action: str
    what: dict


@dataclass(frozen=True)
class AuditChoices:
    """What the audit log can be filtered by: the actions and the people in it."""

    actions: tuple[str, ...]
    people: tuple[str, ...]


class WorkflowStore(ReviewRecords, PlanRecords):
    """Users, sign-in failures, the audit log, the review records and the saved workload plans in one
    database; connects on first use."""

    tables = review_tables
    plan_table = plan_table

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._dummy_hash: str | None = None
        self._listeners: list[Callable[[str], None]] = []

    def on_change(self, listener: Callable[[str], None]) -> None:
        """Call `listener(table)` after each committed write to a review record (commentary,
        actions, escalations) or a saved plan. A listener that fails is logged; the write it follows stands."""
        self._listeners.append(listener)

    def _changed(self, table: str) -> None:
        for listener in self._listeners:
            try:
                listener(table)
            except Exception:  # the record is written; what listens (a public copy) says why it lags
                logging.getLogger(__name__).exception("after a write to %s, a listener failed", table)

    # --- connection ------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = _open(self.url)
            return self._engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # --- users -----------------------------------------------------------------------------

    def add_user(self, username: str, password: str, role: str, org: str | None = None, councils=(), *,
                 by: str, known: Known | None = None) -> User:
        """A new, active user; audited as `user-add` by `by`. UserError if the name is taken or anything
        does not fit (see workflow.users)."""
        name = normal_username(username)
        org, councils = check_role(role, org, councils, known)
        check_password(password)
        row = dict(username=name, password_hash=passwords.hash_password(password), role=role, org_id=org,
                   councils=json.dumps(list(councils)), active=True, session_epoch=0, created_at=utcnow())
        try:
            with self.engine.begin() as con:
                con.execute(insert(users).values(**row))
                self._audit(con, by, "user-add", {"username": name, "role": role, "org": org,
                                                  "councils": list(councils)})
        except IntegrityError as e:
            raise UserError(f"there is already a user {name!r}") from e
        return self._named(name)

    def remove_user(self, username: str, *, by: str) -> None:
        """Delete the user (their audit rows stay); audited as `user-remove`."""
        name = normal_username(username)
        with self.engine.begin() as con:
            if not con.execute(delete(users).where(users.c.username == name)).rowcount:
                raise UserError(f"there is no user {name!r}")
            self._audit(con, by, "user-remove", {"username": name})

    def set_role(self, username: str, role: str, org: str | None = None, councils=(), *, by: str,
                 known: Known | None = None) -> User:
        """Give the user a new role (with its organisation or councils); audited as `user-set-role` with
        the role before and after. Takes effect at the user's next request."""
        name = normal_username(username)
        org, councils = check_role(role, org, councils, known)
        with self.engine.begin() as con:
            before = con.execute(select(users.c.role, users.c.org_id, users.c.councils)
                                 .where(users.c.username == name)).first()
            if before is None:
                raise UserError(f"there is no user {name!r}")
            con.execute(update(users).where(users.c.username == name)
                        .values(role=role, org_id=org, councils=json.dumps(list(councils))))
            self._audit(con, by, "user-set-role", {
                "username": name,
                "before": {"role": before.role, "org": before.org_id, "councils": json.loads(before.councils)},
                "after": {"role": role, "org": org, "councils": list(councils)}})
        return self._named(name)

    def set_password(self, username: str, password: str, *, by: str) -> None:
        """A new password; every session of the user ends. Audited as `user-set-password` (without it)."""
        name = normal_username(username)
        check_password(password)
        with self.engine.begin() as con:
            changed = con.execute(update(users).where(users.c.username == name).values(
                password_hash=passwords.hash_password(password), session_epoch=users.c.session_epoch + 1))
            if not changed.rowcount:
                raise UserError(f"there is no user {name!r}")
            self._audit(con, by, "user-set-password", {"username": name})

    def set_active(self, username: str, active: bool, *, by: str) -> None:
        """Let the user sign in again, or not (their sessions end at once); audited."""
        name = normal_username(username)
        with self.engine.begin() as con:
            changed = con.execute(update(users).where(users.c.username == name).values(
                active=active, session_epoch=users.c.session_epoch + 1))
            if not changed.rowcount:
                raise UserError(f"there is no user {name!r}")
            self._audit(con, by, "user-activate" if active else "user-deactivate", {"username": name})

    def list_users(self) -> list[User]:
        """Every user, by name (never their password hashes)."""
        with self.engine.connect() as con:
            return [_user(r) for r in con.execute(select(*_USER_COLUMNS).order_by(users.c.username))]

    def user(self, user_id: int) -> User | None:
        with self.engine.connect() as con:
            row = con.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
        return _user(row) if row else None

    def user_named(self, username: str) -> User | None:
        try:
            name = normal_username(username)
        except UserError:
            return None
        return self._named(name)

    def _named(self, name: str) -> User | None:
        with self.engine.connect() as con:
            row = con.execute(select(*_USER_COLUMNS).where(users.c.username == name)).first()
        return _user(row) if row else None

    def verify_password(self, username: str, password: str) -> User | None:
        """The active user with this name and password, or None. An unknown name costs the same time
        as a known one (a hash is checked either way), so timing does not tell which names exist.
        A hash made with weaker parameters than today's is made anew."""
        try:
            name = normal_username(username)
        except UserError:
            name = None
        with self.engine.connect() as con:
            row = con.execute(select(users.c.id, users.c.password_hash, users.c.active)
                              .where(users.c.username == name)).first() if name else None
        if row is None:
            passwords.verify_password(self._dummy(), password or "")
            return None
        if not passwords.verify_password(row.password_hash, password or "") or not row.active:
            return None
        if passwords.needs_rehash(row.password_hash):
            with self.engine.begin() as con:
                con.execute(update(users).where(users.c.id == row.id)
                            .values(password_hash=passwords.hash_password(password)))
        return self.user(row.id)

    def end_sessions(self, user_id: int) -> None:
        """Every session cookie issued to the user stops working (sign-out)."""
        with self.engine.begin() as con:
            con.execute(update(users).where(users.c.id == user_id)
                        .values(session_epoch=users.c.session_epoch + 1))

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = passwords.hash_password(os.urandom(16).hex())
        return self._dummy_hash

    # --- sign-in failures (for the rate limits in workflow.attempts) -------------------------

    def record_failure(self, username: str, address: str, at: datetime, keep: timedelta) -> None:
        """One failed sign-in; failures older than `keep` are forgotten."""
        with self.engine.begin() as con:
            con.execute(delete(sign_in_failures).where(sign_in_failures.c.at < at - keep))
            con.execute(insert(sign_in_failures).values(at=at, username=username[:200], address=address[:64]))

    def failures_since(self, since: datetime, *, username: str | None = None, address: str | None = None,
                       limit: int) -> list[datetime]:
        """When the newest `limit` failures since `since` for this username (or address) happened, newest first."""
        column, value = (sign_in_failures.c.username, username) if username is not None else (
            sign_in_failures.c.address, address)
        with self.engine.connect() as con:
            return list(con.execute(select(sign_in_failures.c.at).where(column == value[:200],
                                                                        sign_in_failures.c.at >= since)
                                    .order_by(sign_in_failures.c.at.desc()).limit(limit)).scalars())

    def clear_failures(self, username: str) -> None:
        """A good sign-in forgets the username's failures (not the address's: an attacker with an account
        of their own must not be able to reset the count for the address they guess from)."""
        with self.engine.begin() as con:
            con.execute(delete(sign_in_failures).where(sign_in_failures.c.username == username[:200]))

    # --- audit -----------------------------------------------------------------------------

    def audit(self, who: str | None, action: str, what: dict) -> None:
        """Record that `who` did `action` (to `what`), now, in UTC."""
        with self.engine.begin() as con:
            self._audit(con, who, action, what)

    def audit_log(self, limit: int = 100, action: str | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if action is not None:
            query = query.where(audit_log.c.action == action)
        with self.engine.connect() as con:
            return [AuditEntry(r.id, r.at, r.who, r.action, json.loads(r.what)) for r in con.execute(query)]

    def audit_entries(self, *, action: str | None = None, who: str | None = None, offset: int = 0,
                      limit: int = 100) -> list[AuditEntry]:
        """One page of the audit log, newest first, of one action and/or one person (None: any)."""
        query = _audit_filtered(select(audit_log), action, who).order_by(audit_log.c.id.desc())
        with self.engine.connect() as con:
            rows = con.execute(query.offset(max(0, int(offset))).limit(max(0, int(limit))))
            return [AuditEntry(r.id, r.at, r.who, r.action, json.loads(r.what)) for r in rows]

    def audit_count(self, *, action: str | None = None, who: str | None = None) -> int:
        """How many entries the same filter finds."""
        with self.engine.connect() as con:
            return con.execute(_audit_filtered(select(func.count()).select_from(audit_log), action, who)).scalar_one()

    def audit_choices(self) -> AuditChoices:
        """Every action and every person the audit log holds, sorted."""
        with self.engine.connect() as con:
            actions = con.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars()
            people = con.execute(select(audit_log.c.who).where(audit_log.c.who.is_not(None)).distinct()
                                 .order_by(audit_log.c.who)).scalars()
            return AuditChoices(tuple(actions), tuple(people))

    @staticmethod
    def _audit(con, who: str | None, action: str, what: dict) -> None:
        if any("password" in key for key in what):
            raise ValueError("the audit log never holds a password")  # a programming error, not input
        con.execute(insert(audit_log).values(at=utcnow(), who=who and str(who)[:200], action=action,
                                             what=json.dumps(what, default=str, sort_keys=True)))


def _audit_filtered(query, action: str | None, who: str | None):
    if action is not None:
        query = query.where(audit_log.c.action == action)
    if who is not None:
        query = query.where(audit_log.c.who == who)
    return query


_USER_COLUMNS = (users.c.id, users.c.username, users.c.role, users.c.org_id, users.c.councils, users.c.active,
                 users.c.created_at, users.c.session_epoch)


def _user(row) -> User:
    return User(row.id, row.username, row.role, row.org_id, tuple(json.loads(row.councils)), bool(row.active),
                row.created_at, row.session_epoch)


def _open(url: str) -> Engine:
    """An engine with the schema in place. A new SQLite file is made readable by its owner only: it
    holds password hashes."""
    try:
        engine = create_engine(url)
    except (SQLAlchemyError, ValueError, ImportError) as e:
        raise WorkflowError(f"the workflow database URL cannot be used: {e}") from e
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if path and path != ":memory:" and not path.startswith("file:"):
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except SQLAlchemyError as e:
        engine.dispose()
        raise WorkflowError(f"the workflow database cannot be opened: {e}") from e
    return engine


def migrate(engine: Engine) -> list[int]:
    """Apply the migrations this database has not had, each in its own transaction; the versions
    applied now. Two processes starting together: the second finds the version recorded and skips it."""
    with engine.begin() as con:
        con.execute(CreateTable(schema_migrations, if_not_exists=True))
    applied = []
    for version, description, tables in MIGRATIONS:
        with engine.connect() as con:
            done = con.execute(select(schema_migrations.c.version).where(
                schema_migrations.c.version == version)).first()
        if done:
            continue
        try:
            with engine.begin() as con:
                for table in tables:  # if_not_exists: databases made before migrations already have version 1
                    con.execute(CreateTable(table, if_not_exists=True))
                    for index in table.indexes:
                        con.execute(CreateIndex(index, if_not_exists=True))
                con.execute(insert(schema_migrations).values(version=version, description=description,
                                                             applied_at=utcnow()))
            applied.append(version)
        except IntegrityError:
            continue  # another process applied it first
    return applied


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # several gunicorn workers write the audit log: let readers and a writer work at once, and wait for a lock
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

