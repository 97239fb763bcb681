"""A throwaway PostgreSQL server for the tests: its own data folder and socket under a temporary
folder, started with the Debian package's binaries (as the `postgres` user when run as root, since
PostgreSQL refuses root), stopped at the end. The README's test command installs the package."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import uuid
from contextlib import contextmanager
from pathlib import Path

__all__ = ["postgres_server"]


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or ([shutil.which(name)] if shutil.which(name)
                                                                       else [])
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed: install Debian's postgresql package "
                           "(the README's test command does)")
    return found[-1]


@contextmanager
def postgres_server(root: Path):
    """Yield a SQLAlchemy URL of a new, empty database on a server of its own."""
    root.mkdir(parents=True, exist_ok=True)
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
        root.chmod(0o755)
        for parent in root.parents:  # the postgres user must reach its folder
            if parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o011)
    port = str(20000 + uuid.uuid4().int % 20000)
    log = root / "server.log"

    def run(*args):
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    run(_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync")
    if as_root:
        log.touch()
        shutil.chown(log, "postgres")
    run(_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-o",
        f"-F -p {port} -k {sockets} -c listen_addresses=''", "start")
    try:
        run(_bin("createdb"), "-h", str(sockets), "-p", port, "-U", "postgres", "outcomes_test")
        yield f"postgresql+psycopg://postgres@/outcomes_test?host={sockets}&port={port}"
    finally:
        subprocess.run([*prefix, _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
