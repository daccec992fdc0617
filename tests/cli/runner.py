"""Run the CLI in-process with injected streams, as scripts and users see it.

Every test area runs commands through :func:`cli`, so there is one place that
decides what stdin, the environment and the working directory look like.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from cidrkit.cli.context import Context
from cidrkit.cli.main import run

# The repository root: fixtures under examples/ are cited in reports by the
# relative path given on the command line, so golden runs start here.
REPO_ROOT = Path(__file__).resolve().parents[2]


class Result(NamedTuple):
    """What one command line did; unpacks as ``code, out, err``."""

    code: int
    out: str
    err: str


class _Stdin(io.StringIO):
    """A pipe, not a terminal: commands read it when given no arguments."""

    def isatty(self) -> bool:
        return False


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def cli(
    *argv: str,
    stdin: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
) -> Result:
    """Run ``cidrkit ARGV...`` and capture its exit code, stdout and stderr.

    ``stdin=None`` behaves like an interactive terminal; a string is piped in.
    ``env`` is the whole environment the command sees (empty by default, so the
    machine's variables never leak into a test). ``cwd`` runs the command from
    that directory and restores the previous one afterwards.
    """
    source: io.StringIO = _Terminal("") if stdin is None else _Stdin(stdin)
    out, err = io.StringIO(), io.StringIO()
    context = Context(source, out, err, dict(env) if env is not None else {})
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        code = run(list(argv), context)
    return Result(code, out.getvalue(), err.getvalue())
