"""Every import in the package follows the layers drawn in docs/architecture.md.

The test reads the diagram line (``errors <- core <- ... <- cli``) from the
document itself, so the picture and the rule cannot drift apart: a package
may import packages to its left, never one to its right or beside it. Every
import statement counts, at module level, inside functions and under
``if TYPE_CHECKING:`` alike. Imports by computed name (``importlib``) are not
seen; the package uses them only within one package.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cidrkit"
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# Modules at the top of the package that belong to a layer by what they are.
TOP_LEVEL = {"cidrkit": "core", "cidrkit.__main__": "cli"}
# Third-party modules a layer must not import, whatever the diagram allows.
FORBIDDEN_LIBRARIES = {"errors": {"numpy"}, "core": {"numpy"}}


def read_layers(text: str) -> dict[str, int]:
    """``{package: rank}`` from the diagram line; packages listed together share a rank."""
    found = re.search(r"^errors\s+<-.*$", text, re.MULTILINE)
    assert found, "docs/architecture.md has no 'errors <- core <- ...' diagram line"
    ranks: dict[str, int] = {}
    for rank, group in enumerate(found.group(0).split("<-")):
        for name in group.split(","):
            ranks[name.strip()] = rank
    return ranks


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """The layer a ``cidrkit`` module belongs to, or None for modules outside the package."""
    if module in TOP_LEVEL:
        return TOP_LEVEL[module]
    parts = module.split(".")
    if parts[0] != "cidrkit":
        return None
    return parts[1]


def is_submodule(name: str) -> bool:
    return (PACKAGE / name).is_dir() or (PACKAGE / f"{name}.py").exists()


def imports_of(code: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """``(line, module)`` of every import statement in ``code``, relative ones resolved."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                parts = package.split(".")
                base = parts[: len(parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            for alias in node.names:
                # ``from cidrkit import sources`` imports a subpackage, not the root.
                if target == "cidrkit" and is_submodule(alias.name):
                    found.append((node.lineno, f"cidrkit.{alias.name}"))
                else:
                    found.append((node.lineno, target))
    return sorted(set(found))


def check_module(ranks: dict[str, int], module: str, code: str, is_package: bool,
                 where: str) -> list[str]:
    """What in one module's imports breaks the layering ``ranks`` describes."""
    source = layer_of(module)
    if source not in ranks:
        return [f"{where}: package {source!r} is in no layer of the diagram"]
    problems = []
    for line, target in imports_of(code, module, is_package):
        library = target.split(".")[0]
        if library in FORBIDDEN_LIBRARIES.get(source, set()):
            problems.append(f"{where}:{line}: {source} may not import {library}")
        layer = layer_of(target)
        if layer is None or layer == source:
            continue
        if layer not in ranks:
            problems.append(f"{where}:{line}: {target} is in no layer of the diagram")
        elif ranks[layer] >= ranks[source]:
            side = "beside" if ranks[layer] == ranks[source] else "above"
            problems.append(f"{where}:{line}: {source} imports {target}, {side} it")
    return problems


def violations(diagram: str) -> list[str]:
    ranks = read_layers(diagram)
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        problems.extend(check_module(
            ranks, module_name(path), path.read_text(encoding="utf-8"),
            path.name == "__init__.py", str(path.relative_to(ROOT)),
        ))
    return problems


def test_every_import_follows_the_documented_layers() -> None:
    assert violations(ARCHITECTURE.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("diagram", "expected"),
    [
        # sources placed above audit: audit's imports of sources go upward.
        ("errors <- core <- bulk <- audit, plan <- sources <- ipam <- cli",
         "audit imports cidrkit.sources"),
        # plan and audit as peers of sources: plan's avoid_from import goes sideways.
        ("errors <- core <- bulk <- sources, audit, plan <- ipam <- cli",
         "plan imports cidrkit.sources, beside it"),
        # A package left out of the diagram is reported, not skipped.
        ("errors <- core <- bulk <- sources <- audit, plan <- cli", "package 'ipam'"),
    ],
)
def test_a_wrong_diagram_is_caught(diagram: str, expected: str) -> None:
    # The checker is only worth its green if it goes red on the code as it is.
    assert any(expected in problem for problem in violations(diagram))


LAYERS = "errors <- core <- bulk <- sources <- audit, plan <- ipam <- cli"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("def f():\n    from cidrkit.audit import engine\n",
         ["x:2: plan imports cidrkit.audit, beside it"]),
        ("TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from ..ipam import store\n",
         ["x:3: plan imports cidrkit.ipam, above it"]),
        ("from cidrkit import cli\n", ["x:1: plan imports cidrkit.cli, above it"]),
        ("from . import spec\nfrom ..core import Prefix\nimport numpy\n", []),
    ],
)
def test_function_level_type_only_and_relative_imports_count(
    code: str, expected: list[str]
) -> None:
    assert check_module(read_layers(LAYERS), "cidrkit.plan.report", code, False, "x") == expected


def test_the_core_may_not_import_numpy_even_lazily() -> None:
    code = "def fast():\n    import numpy as np\n"
    assert check_module(read_layers(LAYERS), "cidrkit.core.ipset", code, False, "x") == [
        "x:2: core may not import numpy"
    ]
