"""The examples in the core's docstrings are run, so the documentation stays true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

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
