"""Helpers shared by the ETL tests: a home with the mini definitions, small CSV writers."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from etl.home import Home

FIXTURES = Path(__file__).parent / "fixtures"
MINI_DEFINITIONS = FIXTURES / "mini" / "definitions"
# the shared folder beside the checkout (../shared); OUTCOMES_SHARED points elsewhere if needed
SHARED = Path(os.environ.get("OUTCOMES_SHARED") or Path(__file__).resolve().parents[2] / "shared")
DATASETS = SHARED / "datasets"


def mini_home(root: Path) -> Home:
    home = Home.at(root).ensure()
    shutil.copytree(MINI_DEFINITIONS, home.definitions, dirs_exist_ok=True)
    return home


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
