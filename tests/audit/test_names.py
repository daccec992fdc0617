"""The audit's types have names of their own.

An observed block of an inventory and a conflict between two scopes are not
the IPAM's allocation and refusal nor the planner's result: a reader meeting
a class name must know which one it is without looking at the import.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "cidrkit"


def _public_classes(folder: Path) -> dict[str, str]:
    """Public top-level class name -> module, for every module under ``folder``."""
    found = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                found[node.name] = str(path.relative_to(PACKAGE.parent))
    return found


def test_audit_classes_are_named_nowhere_else() -> None:
    audit = _public_classes(PACKAGE / "audit")
    elsewhere = {
        name: module
        for folder in PACKAGE.iterdir() if folder.is_dir() and folder.name != "audit"
        for name, module in _public_classes(folder).items()
    }
    assert {name: (module, elsewhere[name]) for name, module in audit.items()
            if name in elsewhere} == {}


def test_the_audit_model_names_what_it_holds() -> None:
    model = _public_classes(PACKAGE / "audit")
    assert model["ObservedBlock"] == model["ScopeConflict"] == "cidrkit/audit/model.py"
