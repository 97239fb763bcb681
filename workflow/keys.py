"""The key that signs session cookies: given by setting, or made once and kept in the home folder."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from .errors import WorkflowError

__all__ = ["session_key", "MIN_KEY_LENGTH"]

MIN_KEY_LENGTH = 32


def session_key(path: Path) -> str:
    """The key in `path`, made there first if there is none: random, readable by its owner only (0600).

    Every gunicorn worker calls this at start; the first to finish writing wins and the others read
    its key (the file appears whole, by hard link, never half written)."""
    try:
        if not path.exists():
            _make(path)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as e:
        raise WorkflowError(f"{path}: the session key cannot be made or read ({e.strerror}); give one in "
                            "OUTCOMES_SECRET_KEY instead") from e
    if len(key) < MIN_KEY_LENGTH:
        raise WorkflowError(f"{path}: the session key is shorter than {MIN_KEY_LENGTH} characters; "
                            "delete the file to have a new one made (everyone is signed out)")
    return key


def _make(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another worker made it first: use theirs
    finally:
        draft.unlink(missing_ok=True)
