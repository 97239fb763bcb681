"""The home folder: where every piece of state lives, and the names of its parts.

    HOME/
      definitions/        YAML definitions (the reviewed text files)
      warehouse.duckdb    the published warehouse; replaced only by atomic rename
      warehouse.public.duckdb  the same without internal measures: anonymous visitors read only this
      milestone-plans.json  the saved workload plans a publish applies as milestone trajectories
      versions/N/         the newest published versions, both files of each with version.json, kept for
                          `outcomes rollback` (hard links: the current one takes no extra space)
      staging/            throw-away build copies of the warehouse
      rejected/           each rejected submission with its problem report
      audit/loads.jsonl   every load attempt, published or rejected
      uploads/ORG/        files stewards sent in the browser, as SHA256.csv|xlsx beside SHA256.json
      workflow.sqlite     users, sign-in attempts and the audit log of the web app (workflow/)
      session.key         the key that signs session cookies (0600)
      .load.lock          held while a load builds and publishes
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Home", "DEFAULT_HOME", "safe_name", "public_path", "VERSIONS", "kept_versions_of"]

DEFAULT_HOME = Path.home() / ".shared-outcomes"
VERSIONS = "versions"  # the folder beside the published files that keeps their newest versions
# (not "published": a folder of that name in the working directory would stand in for the package)


def kept_versions_of(published: Path) -> list[Path]:
    """The kept copies of the published file at `published` (full or public), newest version first."""
    folder = published.parent / VERSIONS
    found = [p for p in folder.glob(f"[0-9]*/{published.name}") if p.parent.name.isdigit()]
    return sorted(found, key=lambda p: int(p.parent.name), reverse=True)


def safe_name(text: str, limit: int = 80) -> str:
    """A file or folder name made from user input: never a path, never hidden, never empty.

    Anything but letters, digits, '.', '_' and '-' becomes '_'; a leading '.' too."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(text))[:limit]
    name = re.sub(r"^\.", "_", name)
    return name or "_"


def public_path(warehouse: Path) -> Path:
    """Where the public file of the warehouse at `warehouse` lives (etl/public.py): beside it."""
    return warehouse.with_name(f"{warehouse.stem}.public{warehouse.suffix}")


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def at(cls, path: str | Path) -> Home:
        return cls(Path(path).expanduser().resolve())

    @property
    def definitions(self) -> Path:
        return self.root / "definitions"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def public_warehouse(self) -> Path:
        """What anonymous visitors are answered from (etl/public.py)."""
        return public_path(self.warehouse)

    @property
    def milestone_plans(self) -> Path:
        """The saved workload plans a publish applies as milestone trajectories (etl/plans.py)."""
        return self.root / "milestone-plans.json"

    @property
    def versions(self) -> Path:
        """Where the newest published versions are kept (etl/warehouse.py), one folder each."""
        return self.root / VERSIONS

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def rejected(self) -> Path:
        return self.root / "rejected"

    @property
    def audit_log(self) -> Path:
        return self.root / "audit" / "loads.jsonl"

    @property
    def uploads(self) -> Path:
        return self.root / "uploads"

    @property
    def lock(self) -> Path:
        return self.root / ".load.lock"

    def ensure(self) -> Home:
        for p in (self.root, self.definitions, self.versions, self.staging, self.rejected, self.audit_log.parent):
            p.mkdir(parents=True, exist_ok=True)
        return self
