"""Planner tests ask for the in-process CLI as a fixture; tests/cli/runner.py runs it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cli.runner import Result
from tests.cli.runner import cli as run_cli


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run ``cidrkit ARGV...`` in-process and capture its exit code and streams."""
    return run_cli
