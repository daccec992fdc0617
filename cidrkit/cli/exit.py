"""Exit codes: the contract scripts rely on."""

from enum import IntEnum


class ExitCode(IntEnum):
    """0 success/true, 1 false/not found/differences/findings, 2 bad input or usage."""

    OK = 0
    FALSE = 1
    BAD_INPUT = 2
