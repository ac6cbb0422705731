"""The dependency direction: core <- scrapers, analysis (never each other) <- dashboard."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("core", "scrapers", "analysis", "dashboard")
# Which of our packages each package may import.
ALLOWED = {
    "core": set(),
    "scrapers": {"core"},
    "analysis": {"core"},
    "dashboard": {"core", "analysis", "dashboard"},
}
STREAMLIT_ALLOWED = ("dashboard/app.py", "dashboard/state.py", "dashboard/ui.py", "dashboard/app_pages/",
                     "dashboard/bench.py",  # bench drives the app through streamlit's test harness
                     "dashboard/serve.py")  # serve starts streamlit's server and fills its caches


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def source_files(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_only_what_it_may(package: str) -> None:
    bad = []
    for path in source_files(package):
        for module in imported_modules(path):
            top = module.split(".")[0]
            if top in PACKAGES and top != package and top not in ALLOWED[package]:
                bad.append(f"{path.relative_to(REPO_ROOT)} imports {module}")
    assert not bad, "layering broken:\n" + "\n".join(bad)


def test_only_the_page_layer_imports_streamlit() -> None:
    bad = []
    for package in PACKAGES:
        for path in source_files(package):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if any(m.split(".")[0] == "streamlit" for m in imported_modules(path)) and not relative.startswith(
                STREAMLIT_ALLOWED
            ):
                bad.append(relative)
    assert not bad, f"streamlit imported outside the page layer: {bad}"


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from analysis.compare.outlets import outlet_table\nimport streamlit as st\n")
    assert {"analysis.compare.outlets", "streamlit"} <= imported_modules(sample)


def test_only_the_store_writes_sql() -> None:
    offenders = []
    for package in PACKAGES:
        for path in source_files(package):
            if path.name in ("store.py", "migrations.py") and package == "core":
                continue  # the store and its schema
            text = path.read_text(encoding="utf-8")
            if any(word in text for word in ("INSERT INTO", "UPDATE articles", "DELETE FROM", "CREATE TABLE")):
                offenders.append(path.relative_to(REPO_ROOT).as_posix())
            if "import sqlite3" in text:
                offenders.append(path.relative_to(REPO_ROOT).as_posix())
    assert not offenders, f"SQL outside core/store.py and core/migrations.py: {offenders}"


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Return, for every module of ours, the modules of ours it imports (anywhere in it, functions too)."""
    paths = {_module_name(p): p for package in PACKAGES for p in source_files(package)}
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        found = set()
        for module in imported_modules(path):
            found.add(module)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):  # "from package import module" imports the module too
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def test_the_import_graph_has_no_cycle() -> None:
    """No two modules import each other, directly or around a loop, not even from inside a function."""
    graph = _import_graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    """The check is not vacuous: two modules that import each other (one from a function) are a cycle."""
    graph = _import_graph()
    assert "analysis.digest.render" in graph["analysis.digest.build"]  # it sees real edges
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import b\n", encoding="utf-8")
    b.write_text("def f():\n    import a\n", encoding="utf-8")
    assert imported_modules(a) == {"b"} and imported_modules(b) == {"a"}
