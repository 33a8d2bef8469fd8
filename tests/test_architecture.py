"""The flow runs one way: bot → nlp → handlers → storage. A test, so the structure cannot drift."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("bot", "handlers", "nlp", "storage")
# What each package may import of ours.
ALLOWED = {
    "nlp": set(),
    "storage": set(),
    "handlers": {"nlp", "storage"},
    "bot": {"handlers", "nlp", "storage"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_follow_the_flow(package):
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        ours = _imports(path) & set(PACKAGES) - {package}
        if ours - ALLOWED[package]:
            bad.append(f"{path.relative_to(ROOT)} imports {sorted(ours - ALLOWED[package])}")
    assert not bad, bad


def test_sql_lives_only_in_storage():
    offenders = []
    for package in ("bot", "handlers", "nlp"):
        for path in (ROOT / package).rglob("*.py"):
            mods = _imports(path)
            if {"aiosqlite", "sqlite3"} & mods:
                offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, offenders

