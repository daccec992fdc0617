"""Fixtures for planner tests: an in-process CLI and plan-building helpers."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from cidrkit.cli.context import Context
from cidrkit.cli.main import run


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Run ``cidrkit ARGV...`` in-process and capture its streams."""

    def invoke(*argv: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        code = run(list(argv), Context(io.StringIO(""), out, err, {}))
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke
