"""Run the CLI in-process from the repository root, capturing both streams."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cidrkit.cli.context import Context
from cidrkit.cli.main import run

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def at_root() -> Iterator[None]:
    """Paths in reports are as given, so golden runs use paths relative to the repo root."""
    before = os.getcwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def cli(*argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of one command line, run from the repository root."""
    out, err = io.StringIO(), io.StringIO()
    with at_root():
        code = run(list(argv), Context(io.StringIO(), out, err, {}))
    return code, out.getvalue(), err.getvalue()
