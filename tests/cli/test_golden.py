"""Golden CLI scenarios: one folder per scenario under tests/cli/golden/.

Each folder holds ``args`` (one argument per line), optional ``stdin`` and
input files, and the expected ``stdout``, ``stderr`` and ``exit_code``. The
command runs with the scenario folder as working directory, so ``args`` can
name files inside it. Set CIDRKIT_UPDATE_GOLDEN=1 to rewrite the expected
files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.runner import cli

GOLDEN = Path(__file__).parent / "golden"
SCENARIOS = sorted(p for p in GOLDEN.iterdir() if (p / "args").is_file())
UPDATE = os.environ.get("CIDRKIT_UPDATE_GOLDEN") == "1"


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_golden(scenario: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    argv = (scenario / "args").read_text(encoding="utf-8").splitlines()
    monkeypatch.chdir(scenario)
    result = cli(*argv, stdin=_read(scenario / "stdin"))
    actual = {"stdout": result.out, "stderr": result.err, "exit_code": f"{result.code}\n"}
    if UPDATE:
        for name, text in actual.items():
            (scenario / name).write_text(text, encoding="utf-8")
    for name, text in actual.items():
        expected = _read(scenario / name)
        assert expected is not None, f"{scenario.name}/{name} is missing"
        assert text == expected, f"{scenario.name}: {name} differs"


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 30
