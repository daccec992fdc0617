"""The streams and environment a command runs with, injected so tests run in-process."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Context:
    """Where a command reads and writes. Data goes to stdout, diagnostics to stderr."""

    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    env: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def system(cls) -> Context:
        return cls(sys.stdin, sys.stdout, sys.stderr, os.environ)

    def is_terminal(self, stream: TextIO) -> bool:
        isatty = getattr(stream, "isatty", None)
        return bool(isatty and isatty())

    def warn(self, message: str) -> None:
        """A diagnostic that does not change the exit code."""
        self.stderr.write(f"cidrkit: warning: {message}\n")
