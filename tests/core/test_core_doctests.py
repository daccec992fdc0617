"""The examples in the core's docstrings are run, so the documentation stays true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import cidrkit.core

MODULES = sorted(
    ["cidrkit", "cidrkit.errors"]
    + [f"cidrkit.core.{m.name}" for m in pkgutil.iter_modules(cidrkit.core.__path__)]
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"


def test_core_documentation_examples() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "core.md"
    if not doc.exists():
        pytest.skip(f"{doc.name} is not in this checkout")
    result = doctest.testfile(str(doc), module_relative=False)
    assert result.failed == 0, f"{result.failed} failing examples in docs/core.md"
