"""The layout holds: imports flow one way (goal_councils <- etl <- published <- workflow <- dashboard <-
outcomes) and no module imports another that imports it back, directly or through others."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# each may import only those before it
LAYERS = ["goal_councils", "etl", "published", "workflow", "dashboard", "outcomes"]


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Project modules that `name` imports (at module level or inside functions)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            # `from pkg import sub` imports the submodule; `from pkg import name` the package itself
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        out |= {t for t in targets if t in known}
    return out - {name}


GRAPH = {name: _imports(name, path, set(_modules())) for name, path in _modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_flow_one_way(module):
    layer = LAYERS.index(module.split(".")[0])
    for target in GRAPH[module]:
        assert LAYERS.index(target.split(".")[0]) <= layer, f"{module} imports {target}, a later layer"


def test_no_import_cycles():
    seen: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(GRAPH[node]):
            if seen.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in seen:
                visit(nxt, [*trail, nxt])
        seen[node] = 2

    for start in sorted(GRAPH):
        if start not in seen:
            visit(start, [start])


def test_the_command_line_is_the_only_place_that_imports_all_three():
    importers = {m for m, targets in GRAPH.items()
                 if {t.split(".")[0] for t in targets} >= {"goal_councils", "etl", "dashboard"}}
    assert importers and all(m.startswith("outcomes") for m in importers), importers


def test_the_command_line_reads_through_the_read_side_not_the_dashboard():
    # only `outcomes serve` needs Dash, and `outcomes export-site` and `outcomes review-pack` the app's figure
    # builders: the other commands read with published/
    assert {t for t in GRAPH["outcomes.cli"] if t.startswith("dashboard")} <= {"dashboard.app",
                                                                                "dashboard.static_site",
                                                                                "dashboard.review_pack"}


def test_the_workflow_records_know_nothing_of_the_web():
    # workflow/ is used by the command line as much as by the app: no Flask, Dash or Flask-Login in it
    for path in (ROOT / "workflow").glob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module.split(".")[0])
        assert not imported & {"flask", "dash", "flask_login", "werkzeug"}, f"{path.name} imports the web"


def test_the_read_side_keeps_its_sql_in_files():
    for path in (ROOT / "published").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert '"""\nWITH' not in text and '"""\nSELECT' not in text, f"{path.name}: SQL belongs in published/sql/"


def test_no_folder_of_a_home_is_named_like_a_package(tmp_path):
    """`python -m outcomes` run inside a home puts the home first on the import path: a folder there
    named like one of our packages (an editable install finds them later) would stand in for it."""
    from etl.home import Home

    home = Home.at(tmp_path).ensure()
    folders = {p.name for p in tmp_path.iterdir() if p.is_dir()} | {home.versions.name, home.uploads.name,
                                                                   home.audit_log.parent.name}
    assert folders and not folders & set(LAYERS)
