"""The examples in the core's docstrings are run, so the documentation stays true.

A module with no examples does not pass by running nothing: every module must
have at least one, unless it is listed below with the reason it has none.
"""

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

WITHOUT_EXAMPLES = {
    "cidrkit.core.value": "the private base classes of the value types, shown through them",
}


def test_the_exemptions_name_real_modules() -> None:
    assert set(WITHOUT_EXAMPLES) <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} doctest failures in {name}"
    if name in WITHOUT_EXAMPLES:
        assert result.attempted == 0, f"{name} has examples now: drop its exemption"
    else:
        assert result.attempted > 0, f"{name} has no examples to run; add one"


def test_core_documentation_examples() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "core.md"
    if not doc.exists():
        pytest.skip(f"{doc.name} is not in this checkout")
    result = doctest.testfile(str(doc), module_relative=False)
    assert result.failed == 0, f"{result.failed} failing examples in docs/core.md"
    assert result.attempted > 0, "docs/core.md has no examples to run"
