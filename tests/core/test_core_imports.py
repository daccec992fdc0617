"""The core stays cheap to import: no numpy, no dataclasses, no typing at run time.

A one-shot command such as ``cidrkit contains`` pays for every module it
loads; these checks keep heavy modules from creeping back onto that path.
They look at which modules load, never at timings.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[2] / "cidrkit" / "core"
# Modules on the path of the calculator commands; the rest (special,
# sizing, pairs, reverse) load only for the commands that use them.
LEAN = ["addr", "alloc", "ipset", "parse", "prefix", "range", "text", "usable", "value"]


def test_importing_the_core_loads_neither_numpy_nor_dataclasses() -> None:
    code = (
        "import sys, cidrkit.core, cidrkit.core.alloc, cidrkit.errors\n"
        "print(sorted(m for m in ('numpy', 'dataclasses', 'inspect') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("name", LEAN)
def test_lean_modules_import_typing_only_for_type_checkers(name: str) -> None:
    tree = ast.parse((CORE / f"{name}.py").read_text())
    for node in tree.body:  # module level only; `if TYPE_CHECKING:` blocks are skipped
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        assert not {"typing", "dataclasses", "numpy"} & set(names), (name, names)
