"""Every command, fed hostile argv, files and stdin: a documented exit, no traceback, no hang.

The property of the error boundary: whatever a user types or points a command
at, the run ends within a deadline with exit 0, 1 or 2 and a bounded stderr
free of tracebacks. Exit 70 (a bug) fails it. The normal suite runs a modest
number of examples per command; ``make fuzz`` runs many more
(``CIDRKIT_FUZZ_EXAMPLES``).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.cli.fuzzing import (
    ARGUMENT_ONLY,
    FUZZED_COMMANDS,
    Case,
    cases,
    problems_with,
    run_command,
    text_safe,
)

EXAMPLES = int(os.environ.get("CIDRKIT_FUZZ_EXAMPLES", "15"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize="CIDRKIT_FUZZ_EXAMPLES" not in os.environ,
)


@pytest.mark.parametrize("name", FUZZED_COMMANDS)
def test_every_command_ends_cleanly_on_hostile_input(name: str) -> None:
    @FUZZ_SETTINGS
    @given(case=cases(name))
    def check(case: Case) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            case.write(workdir)
            outcome = run_command(case.argv, case.stdin, workdir)
        problems = problems_with(outcome)
        assert not problems, (
            f"cidrkit {text_safe(case.argv[0:])} (files {sorted(case.files)}): "
            f"{'; '.join(problems)}\n{outcome.err[-2000:]}"
        )

    check()


@pytest.mark.parametrize("name", sorted(ARGUMENT_ONLY))
def test_long_running_commands_reject_bad_arguments_cleanly(name: str) -> None:
    # A server runs until stopped, so only argument errors can be checked in a run.
    @FUZZ_SETTINGS
    @given(case=cases(name))
    def check(case: Case) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            outcome = run_command([*case.argv, "--no-such-option"], case.stdin, Path(tmp))
        assert outcome.code == 2, outcome.err
        assert not problems_with(outcome), outcome.err

    check()
