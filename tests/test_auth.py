"""Users, passwords, sign-in limits, the session key and `outcomes user ...`: the workflow records
without the web (tests/test_auth_web.py drives the app)."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from outcomes.cli import main
from published.access import Viewer
from workflow import Known, Limits, UserError, WorkflowError, WorkflowStore, default_url, passwords, session_key
from workflow.attempts import LIMITS, sign_in
from workflow.users import check_password, check_role

DEMO_DEFINITIONS = Path(__file__).resolve().parents[1] / "data" / "demo" / "definitions"
PASSWORD = "correct horse battery"
PRODUCTION_HASHER = passwords.HASHER


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Production argon2 costs ~0.4 s a hash; the rules under test do not depend on the cost."""
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def store(tmp_path) -> WorkflowStore:
    found = WorkflowStore(default_url(tmp_path))
    yield found
    found.close()


# --- passwords ---------------------------------------------------------------------------------

def test_passwords_are_hashed_with_argon2id_at_the_production_cost(monkeypatch):
    monkeypatch.setattr(passwords, "HASHER", PRODUCTION_HASHER)
    stored = passwords.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
    assert passwords.hash_password(PASSWORD) != stored  # salted
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "!")
    assert not passwords.verify_password("not a hash", PASSWORD)
    assert not passwords.needs_rehash(stored)
    assert passwords.needs_rehash(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD))


def test_a_weak_hash_is_made_anew_at_sign_in(store, monkeypatch):
    store.add_user("ann", PASSWORD, "admin", by="test")
    monkeypatch.setattr(passwords, "HASHER", PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1))
    assert store.verify_password("ann", PASSWORD) is not None
    with sqlite3.connect(store.engine.url.database) as con:
        [stored] = con.execute("SELECT password_hash FROM users").fetchone()
    assert "m=2048,t=2" in stored


# --- users and roles ---------------------------------------------------------------------------

KNOWN = Known(frozenset({"northfield", "dww"}), frozenset({"healthy-lives", "prosperity"}))


@pytest.mark.parametrize("role, org, councils, problem", [
    ("admin", None, (), None),
    ("steward", "northfield", (), None),
    ("lead", "dww", (), None),
    ("council_member", None, ("healthy-lives", "healthy-lives", "prosperity"), None),
    ("public", None, (), "unknown role 'public': one of council_member, steward, lead, admin"),
    ("owner", None, (), "unknown role 'owner': one of council_member, steward, lead, admin"),
    ("steward", None, (), "a steward needs the organisation it acts for"),
    ("lead", "  ", (), "a lead needs the organisation it acts for"),
    ("admin", "dww", (), "only a steward or a lead acts for an organisation, not a admin"),
    ("council_member", None, (), "a council member needs at least one council they sit on"),
    ("steward", "dww", ("prosperity",), "only a council member sits on councils, not a steward"),
    ("steward", "eastshire", (), "unknown organisation 'eastshire': it is not in the definitions"),
    ("council_member", None, ("prosperity", "nope"), "unknown council(s) 'nope': not in the definitions"),
])
def test_role_rules(role, org, councils, problem):
    if problem is None:
        kept_org, kept = check_role(role, org, councils, KNOWN)
        assert kept_org == org and kept == tuple(dict.fromkeys(councils))
    else:
        with pytest.raises(UserError) as e:
            check_role(role, org, councils, KNOWN)
        assert str(e.value) == problem


def test_without_definitions_any_organisation_is_accepted():
    assert check_role("steward", "eastshire", ()) == ("eastshire", ())


@pytest.mark.parametrize("password, problem", [
    ("short", "the password must be at least 12 characters"),
    (" " * 12, "the password must not be only spaces"),
    ("x" * 1025, "the password must be at most 1024 characters"),
])
def test_password_rules(password, problem):
    with pytest.raises(UserError, match=problem):
        check_password(password)


def test_users_are_added_listed_given_roles_and_removed_with_every_change_audited(store):
    ann = store.add_user("  Ann@Example.org ", PASSWORD, "steward", "northfield", by="ops")
    assert (ann.username, ann.role, ann.org, ann.councils, ann.active) == ("ann@example.org", "steward",
                                                                          "northfield", (), True)
    assert ann.viewer == Viewer("steward", "northfield", (), "ann@example.org")
    with pytest.raises(UserError, match="there is already a user 'ann@example.org'"):
        store.add_user("ANN@example.org", PASSWORD, "admin", by="ops")
    store.add_user("bob", PASSWORD, "admin", by="ops")
    assert [u.username for u in store.list_users()] == ["ann@example.org", "bob"]
    assert not any(hasattr(u, "password_hash") for u in store.list_users())

    member = store.set_role("ann@example.org", "council_member", councils=["healthy-lives"], by="ops")
    assert (member.role, member.org, member.councils) == ("council_member", None, ("healthy-lives",))
    store.remove_user("bob", by="root")
    for call in (lambda: store.remove_user("bob", by="ops"), lambda: store.set_role("bob", "admin", by="ops"),
                 lambda: store.set_password("bob", PASSWORD, by="ops")):
        with pytest.raises(UserError, match="there is no user 'bob'"):
            call()

    log = [(e.who, e.action, e.what) for e in reversed(store.audit_log())]
    assert log == [
        ("ops", "user-add", {"username": "ann@example.org", "role": "steward", "org": "northfield", "councils": []}),
        ("ops", "user-add", {"username": "bob", "role": "admin", "org": None, "councils": []}),
        ("ops", "user-set-role", {"username": "ann@example.org",
                                  "before": {"role": "steward", "org": "northfield", "councils": []},
                                  "after": {"role": "council_member", "org": None, "councils": ["healthy-lives"]}}),
        ("root", "user-remove", {"username": "bob"}),
    ]
    assert all(isinstance(e.at, datetime) for e in store.audit_log())


def test_a_password_is_never_stored_or_audited_in_clear(store):
    store.add_user("ann", PASSWORD, "admin", by="ops")
    store.set_password("ann", "another long password", by="ops")
    sign_in(store, "ann", "a wrong long password", "10.0.0.1")
    with sqlite3.connect(store.engine.url.database) as con:
        text = repr([con.execute(f"SELECT * FROM {t}").fetchall() for t in ("users", "audit_log", "sign_in_failures")])
    assert PASSWORD not in text and "another long password" not in text and "a wrong long password" not in text
    with pytest.raises(ValueError, match="never holds a password"):
        store.audit("ops", "oops", {"new_password": PASSWORD})


def test_verify_password(store):
    store.add_user("ann", PASSWORD, "admin", by="ops")
    assert store.verify_password("ANN", PASSWORD).username == "ann"
    assert store.verify_password("ann", "wrong password!") is None
    assert store.verify_password("nobody", PASSWORD) is None
    assert store.verify_password("", "") is None
    store.set_active("ann", False, by="ops")
    assert store.verify_password("ann", PASSWORD) is None  # an inactive user cannot sign in


def test_an_unknown_username_costs_a_hash_check_too(store, monkeypatch):
    # so the time a refusal takes does not tell which usernames exist
    checked, real = [], passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda stored, pw: checked.append(stored) or real(stored, pw))
    assert store.verify_password("nobody", PASSWORD) is None
    assert len(checked) == 1 and checked[0].startswith("$argon2id$")


def test_the_workflow_database_lives_in_the_home_folder_readable_by_its_owner_only(tmp_path):
    store = WorkflowStore(default_url(tmp_path / "home"))
    store.add_user("ann", PASSWORD, "admin", by="ops")
    store.close()
    path = tmp_path / "home" / "workflow.sqlite"
    assert path.is_file() and (path.stat().st_mode & 0o777) == 0o600


def test_an_unusable_database_url_is_a_clear_error():
    with pytest.raises(WorkflowError, match="cannot be used"):
        WorkflowStore("nosuchdb://x").list_users()


# --- sign-in attempts and their limits ---------------------------------------------------------

def test_sign_in_succeeds_fails_and_is_audited(store):
    store.add_user("ann", PASSWORD, "lead", "dww", by="ops")
    assert sign_in(store, "Ann", PASSWORD, "10.0.0.1").user.username == "ann"
    failed = sign_in(store, "ann", "not the password", "10.0.0.1")
    assert failed.user is None and not failed.refused
    assert [(e.who, e.action, e.what["address"]) for e in store.audit_log(limit=2)] == [
        ("ann", "sign-in-failed", "10.0.0.1"), ("ann", "sign-in", "10.0.0.1")]


def test_too_many_failures_for_a_username_pause_it_for_the_window(store):
    store.add_user("ann", PASSWORD, "admin", by="ops")
    limits, t0 = Limits(per_user=3, per_address=100, window=timedelta(minutes=15)), datetime(2026, 3, 1, 9)
    for i in range(3):
        assert not sign_in(store, "ann", "wrong", f"10.0.0.{i}", limits=limits, now=t0 + timedelta(minutes=i)).refused
    paused = sign_in(store, "ann", PASSWORD, "10.0.0.9", limits=limits, now=t0 + timedelta(minutes=5))
    assert paused.refused and paused.user is None  # the right password does not help while paused
    assert paused.wait == timedelta(minutes=10)  # until the oldest failure leaves the window
    assert store.audit_log(limit=1)[0].action == "sign-in-refused"
    assert sign_in(store, "bob", "wrong", "10.0.0.9", limits=limits, now=t0 + timedelta(minutes=5)).wait is None
    opened = sign_in(store, "ann", PASSWORD, "10.0.0.9", limits=limits, now=t0 + timedelta(minutes=15, seconds=1))
    assert opened.user is not None
    # a good sign-in forgets the username's failures
    assert store.failures_since(t0, username="ann", limit=10) == []


def test_too_many_failures_from_one_address_pause_it_for_every_username(store):
    store.add_user("ann", PASSWORD, "admin", by="ops")
    limits, t0 = Limits(per_user=100, per_address=4), datetime(2026, 3, 1, 9)
    for name in ("a", "b", "c", "d"):
        sign_in(store, name, "wrong", "192.0.2.7", limits=limits, now=t0)
    assert sign_in(store, "ann", PASSWORD, "192.0.2.7", limits=limits, now=t0).refused
    assert sign_in(store, "ann", PASSWORD, "192.0.2.8", limits=limits, now=t0).user is not None
    # ann's own good sign-in does not reset the count for the address
    assert sign_in(store, "ann", PASSWORD, "192.0.2.7", limits=limits, now=t0).refused


def test_the_limits_default_to_five_per_username_and_twenty_per_address_in_fifteen_minutes():
    assert LIMITS == Limits(5, 20, timedelta(minutes=15))


# --- the session key ---------------------------------------------------------------------------

def test_the_session_key_is_made_once_and_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "home" / "session.key"
    key = session_key(path)
    assert len(key) >= 32 and session_key(path) == key
    assert (path.stat().st_mode & 0o777) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["session.key"]  # no draft left behind
    path.write_text("short")
    with pytest.raises(WorkflowError, match="shorter than 32 characters"):
        session_key(path)
    with pytest.raises(WorkflowError, match="cannot be made or read"):
        session_key(path.parent)  # a folder, not a file


# --- outcomes user ... -------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setattr("getpass.getuser", lambda: "opsuser")
    monkeypatch.delenv("OUTCOMES_WORKFLOW_URL", raising=False)
    root = tmp_path / "home"
    shutil.copytree(DEMO_DEFINITIONS, root / "definitions" / "demo")
    return root


def run(home: Path, *args: str, stdin: str | None = None, monkeypatch=None) -> int:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["--home", str(home), "user", *args])


def test_user_commands_add_list_set_role_and_remove(home, monkeypatch, capsys):
    assert run(home, "add", "Ann", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n",
               monkeypatch=monkeypatch) == 0
    assert run(home, "add", "sam", "--role", "steward", "--org", "education", "--password-stdin",
               stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 0
    assert run(home, "set-role", "sam", "council_member", "--council", "world_class_education",
               "--council", "prosperous_economy") == 0
    capsys.readouterr()
    assert run(home, "list") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["ann", "admin", "active"]
    assert out.splitlines()[1].split()[:5] == ["sam", "council_member", "on", "world_class_education,",
                                               "prosperous_economy"]
    assert "$argon2" not in out and PASSWORD not in out

    store = WorkflowStore(default_url(home))
    assert store.verify_password("ann", PASSWORD).role == "admin"
    assert run(home, "remove", "sam") == 0
    assert [u.username for u in store.list_users()] == ["ann"]
    assert {(e.who, e.action) for e in store.audit_log()} == {
        ("opsuser", "user-add"), ("opsuser", "user-set-role"), ("opsuser", "user-remove")}


@pytest.mark.parametrize("args, message", [
    (["add", "sam", "--role", "steward", "--org", "eastshire"],
     "outcomes user add: unknown organisation 'eastshire': it is not in the definitions"),
    (["add", "sam", "--role", "steward"], "outcomes user add: a steward needs the organisation it acts for"),
    (["add", "ann", "--role", "admin"], "outcomes user add: there is already a user 'ann'"),
    (["add", "bad name", "--role", "admin"], "outcomes user add: username 'bad name': use 1 to 64 letters"),
    (["set-role", "nobody", "admin"], "outcomes user set-role: there is no user 'nobody'"),
    (["set-role", "ann", "council_member", "--council", "nope"],
     "outcomes user set-role: unknown council(s) 'nope': not in the definitions"),
    (["remove", "nobody"], "outcomes user remove: there is no user 'nobody'"),
])
def test_user_commands_reject_with_a_clear_message_and_exit_1(home, monkeypatch, capsys, args, message):
    run(home, "add", "ann", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    capsys.readouterr()
    if args[0] == "add":
        args = [*args, "--password-stdin"]
    assert run(home, *args, stdin=PASSWORD + "\n", monkeypatch=monkeypatch) == 1
    assert capsys.readouterr().err.startswith(message)


def test_a_short_password_is_rejected(home, monkeypatch, capsys):
    assert run(home, "add", "ann", "--role", "admin", "--password-stdin", stdin="short\n", monkeypatch=monkeypatch) == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert not WorkflowStore(default_url(home)).list_users()


@pytest.mark.parametrize("args", [
    ["add", "ann", "--role", "admin", "--password", PASSWORD],  # never on the command line: no such option
    ["add", "ann", "--role", "public"],
    ["add", "ann"],
    ["set-role", "ann", "owner"],
    ["frobnicate"],
])
def test_user_usage_errors_exit_2(home, args, capsys):
    with pytest.raises(SystemExit) as e:
        run(home, *args)
    assert e.value.code == 2


def test_the_prompt_asks_twice_and_refuses_a_mismatch(home, monkeypatch, capsys):
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert run(home, "add", "ann", "--role", "admin") == 2
    assert "the two passwords differ" in capsys.readouterr().err
    answers = iter([PASSWORD, PASSWORD])
    assert run(home, "add", "ann", "--role", "admin") == 0


def test_set_password_ends_sessions_and_is_audited(home, monkeypatch):
    run(home, "add", "ann", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n", monkeypatch=monkeypatch)
    store = WorkflowStore(default_url(home))
    epoch = store.user_named("ann").session_epoch
    assert run(home, "set-password", "ann", "--password-stdin", stdin="a new long password\n",
               monkeypatch=monkeypatch) == 0
    assert store.verify_password("ann", "a new long password") is not None
    assert store.user_named("ann").session_epoch == epoch + 1
    assert store.audit_log(limit=1)[0].action == "user-set-password"


def test_the_workflow_url_comes_from_the_environment(home, monkeypatch, tmp_path):
    monkeypatch.setenv("OUTCOMES_WORKFLOW_URL", f"sqlite:///{tmp_path / 'elsewhere.sqlite'}")
    assert run(home, "add", "ann", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n",
               monkeypatch=monkeypatch) == 0
    assert (tmp_path / "elsewhere.sqlite").exists() and not (home / "workflow.sqlite").exists()
    assert os.environ["OUTCOMES_WORKFLOW_URL"].endswith("elsewhere.sqlite")
