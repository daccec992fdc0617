"""The streams and environment a command runs with, injected so tests run in-process."""

from __future__ import annotations

import os
import sys

# A plain constant rather than typing.TYPE_CHECKING: type checkers honour the
# name, and a one-shot command never pays for importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import TextIO


class Context:
    """Where a command reads and writes. Data goes to stdout, diagnostics to stderr.

    A plain class, not a dataclass: ``dataclasses`` imports ``inspect``,
    which alone costs a noticeable share of a command's start-up time.
    """

    __slots__ = ("env", "stderr", "stdin", "stdout")

    def __init__(
        self,
        stdin: TextIO,
        stdout: TextIO,
        stderr: TextIO,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.env: Mapping[str, str] = env if env is not None else {}

    @classmethod
    def system(cls) -> Context:
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)

    def is_terminal(self, stream: TextIO) -> bool:
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())

    def warn(self, message: str) -> None:
        """A diagnostic that does not change the exit code."""
        self.stderr.write(f"cidrkit: warning: {message}\n")
