"""Run the CLI in-process with injected streams, as scripts and users see it."""

from __future__ import annotations

import io
from dataclasses import dataclass

from cidrkit.cli.context import Context
from cidrkit.cli.main import run


@dataclass
class Result:
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


def cli(*argv: str, stdin: str | None = None) -> Result:
    """Run ``cidrkit ARGV...``; ``stdin=None`` behaves like an interactive terminal."""
    source: io.StringIO = _Terminal("") if stdin is None else _Stdin(stdin)
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), Context(source, out, err, {}))
    return Result(code, out.getvalue(), err.getvalue())
