"""Turn command-line arguments, files and stdin into parsed values.

An argument is, in this order: ``-`` (read stdin), the path of an existing
file (read it), or a literal address, prefix or range. Files hold one item
per line; blank lines and ``#`` comments are ignored. A bad line is
reported as ``FILE:LINE:COLUMN: error: …`` and reading goes on, so one run
reports every problem; the command then exits 2.
"""

from __future__ import annotations

import os

from cidrkit.errors import QUOTE_LIMIT, InputError, ParseError, quote

# The core is imported where items are parsed, not here: the list commands
# hand plain lists to the compiled engine and never need it.
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import TypeVar

    from cidrkit.cli.context import Context
    from cidrkit.core.parse import Item
    from cidrkit.core.prefix import Prefix

    T = TypeVar("T")

STDIN_NAME = "<stdin>"


class Source:
    """One input text and where it came from (None for a command-line argument)."""

    __slots__ = ("file", "line", "text")

    def __init__(self, text: str, file: str | None = None, line: int | None = None) -> None:
        self.text = text
        self.file = file
        self.line = line

    @property
    def where(self) -> str | None:
        if self.file is None:
            return None
        return f"{self.file}:{self.line}"


class Diagnostics:
    """Problems found while reading input; reported on stderr as they happen.

    At most ``MAX_ERRORS_PER_INPUT`` are printed per input (file, stdin or
    the command line); the rest are counted and summarised by
    :meth:`exit_code`, so a binary file gives a screenful, not a flood.
    """

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.errors = 0
        self.messages: list[str] = []
        self._per_input: dict[str | None, int] = {}

    def error(self, message: str, input_name: str | None = None) -> None:
        self.errors += 1
        seen = self._per_input[input_name] = self._per_input.get(input_name, 0) + 1
        if seen <= MAX_ERRORS_PER_INPUT:
            self.messages.append(message)
            self.ctx.stderr.write(message + "\n")

    def parse_error(self, source: Source, err: ParseError) -> None:
        """Report a bad input with its location, or a caret under a bad argument."""
        if source.file is not None:
            column = f":{err.column}" if err.column else ""
            self.error(f"{source.file}:{source.line}{column}: error: {err.message}", source.file)
            return
        shown = self._per_input.get(None, 0) < MAX_ERRORS_PER_INPUT
        self.error(f"cidrkit: error: {err.message}{_not_a_file(source.text)}")
        if shown and err.column and len(err.text) <= QUOTE_LIMIT:
            self.ctx.stderr.write(f"  {err.text}\n  {' ' * (err.column - 1)}^\n")

    def exit_code(self, result: int) -> int:
        """2 if any input was bad, else the command's own result.

        Called once, at the end: it also reports the errors left unprinted.
        """
        for name, count in self._per_input.items():
            if count > MAX_ERRORS_PER_INPUT:
                where = f" in {name}" if name else " in the arguments"
                more = count - MAX_ERRORS_PER_INPUT
                self.ctx.stderr.write(
                    f"cidrkit: \u2026 and {more:,} more error{'s' * (more != 1)}{where}\n"
                )
        self._per_input.clear()
        return 2 if self.errors else result


MAX_ERRORS_PER_INPUT = 20


def _not_a_file(arg: str) -> str:
    """For a command-line argument that did not parse: say it is no file either.

    An argument is an address, a prefix, a range or a file name; when it
    reads as a file name and is none of them, both readings failed and the
    message says so. Text that reads as an address gets no such note.
    """
    if os.path.isdir(arg):
        return f"; {quote(arg)} is a directory, not a file of addresses"
    address_part = arg.split("/", 1)[0].split("%", 1)[0].lower()
    reads_as_name = any("g" <= c <= "z" for c in address_part) or not any(
        c.isdigit() or c == ":" for c in address_part
    )
    return "; no file of that name exists either" if reads_as_name else ""


def strip_comment(line: str) -> str:
    return line.split("#", 1)[0].strip()


def iter_lines(name: str, lines: Iterator[str]) -> Iterator[Source]:
    """Meaningful lines of a file as Sources (1-based line numbers)."""
    for number, raw in enumerate(lines, start=1):
        text = strip_comment(raw.lstrip("\ufeff") if number == 1 else raw)
        if text:
            yield Source(text, name, number)


class Chunk:
    """The text of one input: a file, stdin, or literal arguments (``name`` None)."""

    __slots__ = ("data", "name")

    def __init__(self, name: str | None, data: bytes) -> None:
        self.name = name
        self.data = data.removeprefix(b"\xef\xbb\xbf")


def gather(args: list[str], ctx: Context, *, stdin_by_default: bool = True) -> list[Chunk]:
    """Read every input named by ``args`` (literals, files, ``-``), in order, unparsed.

    With no arguments, stdin is read when ``stdin_by_default`` and it is not
    a terminal. Consecutive literal arguments share one chunk.
    """
    if not args:
        if stdin_by_default and not ctx.is_terminal(ctx.stdin):
            return [_stdin_chunk(ctx)]
        raise InputError(
            "no input: give addresses or prefixes as arguments, a FILE, or - for stdin"
        )
    chunks: list[Chunk] = []
    literals: list[str] = []
    for arg in args:
        if arg != "-" and not _is_file(arg):
            literals.append(arg)
            continue
        if literals:
            chunks.append(_literal_chunk(literals))
            literals = []
        chunks.append(_stdin_chunk(ctx) if arg == "-" else _file_chunk(arg))
    if literals:
        chunks.append(_literal_chunk(literals))
    return chunks


def _literal_chunk(literals: list[str]) -> Chunk:
    # Arguments the OS could not decode arrive with lone surrogates
    # (surrogateescape); turning them back into their bytes lets decode()
    # report "not UTF-8" as it does for a file.
    return Chunk(None, "\n".join(literals).encode("utf-8", "surrogateescape"))


def _file_chunk(path: str) -> Chunk:
    try:
        with open(path, "rb") as handle:
            return Chunk(path, handle.read())
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None


def _stdin_chunk(ctx: Context) -> Chunk:
    binary = getattr(ctx.stdin, "buffer", None)
    data = binary.read() if binary is not None else ctx.stdin.read().encode()
    return Chunk(STDIN_NAME, data)


def decode(chunk: Chunk) -> str:
    """A chunk's text; InputError naming it when it is not UTF-8."""
    try:
        return chunk.data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError(
            f"{chunk.name or 'a command-line argument'}: not UTF-8 text ({err.reason})"
        ) from None


def sources(chunks: list[Chunk]) -> Iterator[Source]:
    """The chunks line by line (literal arguments unlocated)."""
    for chunk in chunks:
        # Split on newlines only, so line numbers match what editors and the
        # bulk parser count (str.splitlines also breaks at \x0b, \u2028, ...).
        lines = decode(chunk).split("\n")
        if chunk.name is None:
            yield from (Source(line) for line in lines)
        else:
            yield from iter_lines(chunk.name, iter(lines))


def iter_sources(
    args: list[str], ctx: Context, *, stdin_by_default: bool = True
) -> Iterator[Source]:
    """Every input item named by ``args``: literals, files, or ``-`` for stdin."""
    return sources(gather(args, ctx, stdin_by_default=stdin_by_default))


def _is_file(arg: str) -> bool:
    # Addresses never contain a path separator except '/', and a prefix like
    # 10.0.0.0/8 is never an existing file in practice; check the disk last.
    return os.path.isfile(arg)


def parse_all(
    sources: Iterator[Source], parse: Callable[[str], T], diags: Diagnostics
) -> list[T]:
    """Parse every source, reporting bad ones and keeping the good ones in order."""
    values: list[T] = []
    for source in sources:
        try:
            values.append(parse(source.text))
        except ParseError as err:
            diags.parse_error(source, err)
    return values


def read_items(args: list[str], ctx: Context, diags: Diagnostics) -> list[Item]:
    """Addresses, prefixes and ranges from arguments, files and stdin."""
    from cidrkit.core.parse import parse_item

    return parse_all(iter_sources(args, ctx), parse_item, diags)


def read_prefixes(args: list[str], ctx: Context, diags: Diagnostics) -> list[Prefix]:
    """Prefixes (a bare address counts as /32 or /128) from arguments, files and stdin."""
    from cidrkit.core.prefix import Prefix

    return parse_all(iter_sources(args, ctx), Prefix.parse, diags)


def as_prefix(item: Item) -> Prefix | None:
    """The item as a single prefix when it is one (an address is a /32 or /128)."""
    from cidrkit.core.addr import Addr
    from cidrkit.core.prefix import Prefix

    if isinstance(item, Prefix):
        return item
    if isinstance(item, Addr):
        return Prefix.from_addr(item)
    covers = item.to_prefixes()
    return covers[0] if len(covers) == 1 else None
