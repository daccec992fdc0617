"""The one exception tree of cidrkit.

This module imports nothing else from cidrkit, so every layer can raise and
catch these without import cycles.

Every error quotes the offending input, says what is wrong with it and, where
the input came from a file, where (``file:line[:column]`` or a JSON pointer).
"""

from __future__ import annotations

# Echoed input is cut to about this many characters: a 2 MB line must not
# come back as a 2 MB error message.
QUOTE_LIMIT = 80


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` quoted for a message, cut to ``limit`` characters with an ellipsis.

    ``repr`` keeps control characters, NULs and lone surrogates printable.
    """
    if len(text) > limit:
        return repr(text[: limit - 1]) + "\u2026"
    return repr(text)


# A report lists at most this many problems of one input, then a count.
MAX_REPORTED = 20


class CidrkitError(Exception):
    """Base class of every error cidrkit raises on purpose."""

    def report_lines(self) -> list[str]:
        """The lines a command line prints for this error, without newlines."""
        return [f"cidrkit: error: {self}"]


def cap_lines(lines: list[str], what: str = "errors") -> list[str]:
    """The first ``MAX_REPORTED`` lines, then ``… and N more`` for the rest."""
    if len(lines) <= MAX_REPORTED:
        return lines
    return [*lines[:MAX_REPORTED], f"\u2026 and {len(lines) - MAX_REPORTED:,} more {what}"]


class ParseError(CidrkitError, ValueError):
    """Text that is not a valid address, prefix or range.

    ``text`` is the input as given, ``reason`` says what is wrong, ``column`` is
    the 1-based position of the first bad character (``None`` when the whole
    text is at fault) and ``hint`` an obvious fix, if there is one.
    ``where`` is filled in by whoever read the text from a file
    (``plan.yaml:14``), so the message can point at its source.

    >>> from cidrkit.core import Prefix
    >>> try:
    ...     Prefix.parse("192.0.2.5/24")
    ... except ParseError as err:
    ...     print(err.located("plan.yaml:3"))
    plan.yaml:3: '192.0.2.5/24': host bits set; did you mean 192.0.2.0/24?
    """

    def __init__(
        self,
        text: str,
        reason: str,
        *,
        column: int | None = None,
        hint: str | None = None,
        where: str | None = None,
    ) -> None:
        self.text = text
        self.reason = reason
        self.column = column
        self.hint = hint
        self.where = where
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one-line message: where, the quoted input, and what is wrong."""
        head = f"{self.where}: " if self.where else ""
        msg = f"{head}{quote(self.text)}: {self.reason}"
        if self.hint:
            msg += f"; {self.hint}"
        return msg

    @property
    def problem(self) -> str:
        """The quoted input and what is wrong, without location or hint.

        For reports that print the hint on a line of its own.
        """
        return f"{quote(self.text)}: {self.reason}"

    def located(self, where: str) -> ParseError:
        """Return a copy of this error that says where the text came from."""
        return ParseError(
            self.text, self.reason, column=self.column, hint=self.hint, where=where
        )

    def __str__(self) -> str:
        return self.message


class FamilyError(CidrkitError, ValueError):
    """An operation was given IPv4 and IPv6 values where one family is required."""


class ArgumentError(CidrkitError, ValueError):
    """A value outside what an operation accepts: a length out of range, a count below 1.

    Also a ``ValueError``, so callers that caught the core's ``ValueError``
    keep working; the CLI reports it as bad input.
    """


class LimitError(CidrkitError):
    """An answer would be too large to produce (e.g. enumerating a /64).

    ``count`` is how many items it would have been, computed arithmetically.
    """

    def __init__(self, message: str, count: int | None = None) -> None:
        self.count = count
        super().__init__(message)


class AllocationError(CidrkitError):
    """No free space of the requested size (or the request cannot fit)."""


class InputError(CidrkitError):
    """A file or stream could not be read or has the wrong shape as a whole."""


class InputErrors(InputError):
    """Several inputs that could not be read, reported one per line (at most 20)."""

    def __init__(self, errors: list[CidrkitError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(err) for err in errors))

    def report_lines(self) -> list[str]:
        return cap_lines([line for err in self.errors for line in err.report_lines()])
