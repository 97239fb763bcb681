"""Helpers shared by the ETL tests: a home with the mini definitions, small CSV writers."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import datetime
from pathlib import Path

from etl.home import Home

PASSWORD = "correct horse battery"  # every test user's
FIXTURES = Path(__file__).parent / "fixtures"
MINI_DEFINITIONS = FIXTURES / "mini" / "definitions"
# the shared folder beside the checkout (../shared); OUTCOMES_SHARED points elsewhere if needed
SHARED = Path(os.environ.get("OUTCOMES_SHARED") or Path(__file__).resolve().parents[2] / "shared")
DATASETS = SHARED / "datasets"


def mini_home(root: Path) -> Home:
    home = Home.at(root).ensure()
    shutil.copytree(MINI_DEFINITIONS, home.definitions, dirs_exist_ok=True)
    return home


CATEGORICAL_DEFINITIONS = FIXTURES / "categorical" / "definitions"
# laws-online (categorical, annual): No until 2024, Yes in 2025
LAWS_ONLINE = {str(year): (1 if year >= 2025 else 0 if year >= 2018 else -1) for year in range(2016, 2026)}
# library-visits (no direction of good, monthly): steady, then a jump in the newest month (a signal)
LIBRARY_VISITS = {f"{2024 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}": 4000 + 40 * (m % 3) + (900 if m == 34 else 0)
                  for m in range(6, 35)}


def categorical_home(root: Path, received: datetime = datetime(2026, 11, 10, 9, 0)) -> Home:
    """A home with one categorical measure and one with no direction of good, loaded and published."""
    from etl.load import LoadRequest, load_batch

    home = Home.at(root).ensure()
    shutil.copytree(CATEGORICAL_DEFINITIONS, home.definitions, dirs_exist_ok=True)
    laws = "".join(f"laws-online,{year},{code}\n" for year, code in LAWS_ONLINE.items())
    visits = "".join(f"library-visits,{month},{value}\n" for month, value in LIBRARY_VISITS.items())
    load_batch(home, [
        LoadRequest("stats", [write(root.parent / "in" / "laws.csv", "measure_id,period,value\n" + laws)], received),
        LoadRequest("north", [write(root.parent / "in" / "visits.csv", "measure_id,period,value\n" + visits)],
                    received),
    ], today=received.date())
    return home


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sign_in(app, username: str, password: str = PASSWORD, site: str = "http://localhost"):
    """A Flask test client of `app` signed in as `username` (through the sign-in form, with its token)."""
    import re

    client = app.server.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text)[1]
    answer = client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token},
                         headers={"Origin": site})
    if answer.status_code != 303:
        raise AssertionError(f"signing in as {username} answered {answer.status_code}")
    return client


# --- Dash answers read in tests: the ids a callback key names, the texts and ids of a component tree ------

def callback_outputs(output: str):
    """The `outputs` of a callback request for the callback keyed `output` (`a.children` or `..a.b...c.d..`)."""
    named = output[2:-2].split("...") if output.startswith("..") else [output]
    found = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in named]
    return found if output.startswith("..") else found[0]


def text_of(component) -> str:
    """Every piece of text a component (or list of them) shows, in order, one space between pieces."""
    if component is None:
        return ""
    if isinstance(component, str | int | float):
        return " ".join(str(component).split())
    if isinstance(component, list | tuple):
        return " ".join(t for t in (text_of(c) for c in component) if t)
    return text_of(getattr(component, "children", None))


def texts(node) -> list[str]:
    """Every text a component tree (as Dash sends it) shows, in order."""
    out, stack = [], [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.append(item.get("props", {}).get("children"))
    return out


def find(node, ident: str) -> dict | None:
    """The component with id `ident` in a component tree, or None."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if item.get("props", {}).get("id") == ident:
                return item
            stack.extend(v for v in item.get("props", {}).values() if isinstance(v, dict | list))
    return None
