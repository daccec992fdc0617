"""The two audit paths share their rules from below: neither imports the engine that calls them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import cidrkit.audit

AUDIT = Path(cidrkit.audit.__file__).parent


def _imported(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside functions."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("name", ["block_columns", "columnar_audit", "rules"])
def test_columnar_modules_and_rules_never_import_the_engine(name: str) -> None:
    assert "cidrkit.audit.engine" not in _imported(AUDIT / f"{name}.py")


def test_rules_import_neither_audit_path() -> None:
    assert not {"cidrkit.audit.block_columns", "cidrkit.audit.columnar_audit"} & _imported(
        AUDIT / "rules.py")
