"""``cidrkit grep``: print lines of text that mention an address inside given CIDRs."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import ExitStack
from itertools import islice
from typing import TYPE_CHECKING, Any, TextIO

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.errors import InputError, InputErrors, ParseError, quote

if TYPE_CHECKING:
    from types import ModuleType

    from cidrkit import _engine
    from cidrkit.bulk.textgrep import CidrGrep

    Grep = _engine.Grep

CHUNK_LINES = 65_536


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Print the lines that contain an IPv4 or IPv6 address inside any PATTERN\n"
        "(prefixes, ranges or addresses; several may be joined with commas), like\n"
        "grepcidr. Leading arguments that parse as patterns are patterns; the rest\n"
        "are files (stdin when there are none). Exit 0 when a line was printed (or\n"
        "counted), 1 when nothing matched, 2 on bad patterns or unreadable files."
    )
    parser.add_argument("args", nargs="*", metavar="PATTERN|FILE")
    parser.add_argument(
        "-e",
        dest="patterns",
        action="append",
        default=[],
        metavar="PATTERN",
        help="a pattern (repeatable); then every argument is a file",
    )
    parser.add_argument(
        "-f",
        dest="pattern_files",
        action="append",
        default=[],
        metavar="FILE",
        help="read patterns from FILE, one per line (repeatable)",
    )
    parser.add_argument(
        "-v", dest="invert", action="store_true", help="print the lines that do not match"
    )
    parser.add_argument(
        "-c", dest="count", action="store_true", help="print only a count of matching lines"
    )
    parser.add_argument(
        "-o",
        dest="only",
        action="store_true",
        help="print only the matching addresses, one per line",
    )
    parser.add_argument(
        "-n", dest="numbers", action="store_true", help="prefix lines with their line number"
    )
    # grep spells this -h, which here is --help.
    parser.add_argument(
        "--json", action="store_true",
        help="print JSON lines: one object per selected line (file, line, text, addresses), "
        "or per file with -c (file, count)",
    )
    names = parser.add_mutually_exclusive_group()
    names.add_argument(
        "-H",
        dest="with_names",
        action="store_true",
        default=None,
        help="prefix lines with the file name (default with several files)",
    )
    names.add_argument(
        "--no-filename",
        dest="with_names",
        action="store_false",
        help="never prefix lines with the file name",
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.cli.native import load_engine

    texts, files = _pattern_texts(args)
    # JSON lines are written by the Python path.
    engine = None if args.json else load_engine(ctx.env)
    # Plain patterns go straight to the engine, without loading numpy.
    native = _plain_patterns_native(engine, texts) if engine is not None else None
    if native is None:
        matcher = _matcher(texts)
        native = matcher.native(engine) if engine is not None else None
    files = files or ["-"]
    with_names = len(files) > 1 if args.with_names is None else args.with_names
    selected_any = False
    bad_files: list[InputError] = []
    for name in files:
        try:
            if native is not None:
                selected = _grep_one_native(native, name, ctx, args, with_names)
            else:
                selected = _grep_one(matcher, name, ctx, args, with_names)
            selected_any |= selected > 0
        except InputError as err:
            # One unreadable file does not stop the others (as grep does);
            # the run still ends with exit 2.
            bad_files.append(err)
    if bad_files:
        raise bad_files[0] if len(bad_files) == 1 else InputErrors(list(bad_files))
    return ExitCode.OK if selected_any else ExitCode.FALSE


def _pattern_texts(args: argparse.Namespace) -> tuple[list[tuple[str, str]], list[str]]:
    """Read the patterns (-e, -f, then leading arguments): (text, origin) pairs and the files."""
    texts: list[tuple[str, str]] = [(p, "argument") for p in args.patterns]
    for path in args.pattern_files:
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                texts += [(line.rstrip("\r\n"), f"{path}:{n}") for n, line in enumerate(handle, 1)]
        except OSError as err:
            raise InputError(f"{path}: cannot read patterns: {err.strerror}") from None
    rest = list(args.args)
    if not texts:
        while rest and _is_pattern(rest[0]):
            texts += [(part, "argument") for part in rest.pop(0).split(",")]
    if not texts and rest and rest[0] != "-" and not os.path.isfile(rest[0]):
        # Neither a pattern nor a file: say what is wrong with it as a pattern.
        _raise_bad_pattern(rest[0])
    if not texts:
        raise InputError("no pattern: give CIDRs, ranges or addresses first, or -e/-f")
    return texts, rest


def _matcher(texts: list[tuple[str, str]]) -> CidrGrep:
    """Parse the patterns with the bulk reader (which words every error) into a matcher."""
    from cidrkit.bulk.textgrep import CidrGrep
    from cidrkit.bulk.textparse import parse_prefix_text

    data = "\n".join(text for text, _ in texts).encode()
    parsed = parse_prefix_text(data, "pattern", line_numbers=list(range(len(texts))))
    if parsed.problems:
        first = parsed.problems[0]
        index = int((first.where or "pattern:0").rsplit(":", 1)[1])
        origin = texts[index][1]
        where = None if origin == "argument" else origin
        raise ParseError(first.text, first.reason, hint=first.hint, where=where)
    return CidrGrep([parsed.prefixes, parsed.ranges])


def _plain_patterns_native(engine: ModuleType, texts: list[tuple[str, str]]) -> Grep | None:
    """The engine's matcher when every pattern is one plain item, else None.

    Anything else (blank or comment lines, surrounding blanks, errors) is
    left to ``_matcher``, so what is skipped and how errors read stay its own.
    """
    from cidrkit.core.parse import parse_item

    v4, v6 = bytearray(), bytearray()
    for text, _ in texts:
        if not text or text != text.strip() or text.startswith("#"):
            return None
        try:
            item = parse_item(text)
        except ParseError:
            return None
        if item.bits == 32:
            v4 += item.start.to_bytes(4, "little") + item.end.to_bytes(4, "little")
        else:
            for value in (item.start >> 64, item.start, item.end >> 64, item.end):
                v6 += (value & 0xFFFF_FFFF_FFFF_FFFF).to_bytes(8, "little")
    grep: Grep = engine.Grep(bytes(v4), bytes(v6))
    return grep


def _raise_bad_pattern(arg: str) -> None:
    from cidrkit.core.parse import parse_item

    if os.path.isdir(arg):
        raise InputError(f"{quote(arg)} is neither a pattern nor a file: it is a directory")
    for part in arg.split(","):
        try:
            parse_item(part.strip())
        except ParseError as err:
            raise InputError(
                f"{quote(arg)} is neither a pattern nor an existing file: {err.message}"
            ) from None


def _is_pattern(arg: str) -> bool:
    from cidrkit.core.parse import parse_item

    try:
        for part in arg.split(","):
            parse_item(part.strip())
    except ParseError:
        return False
    return True


def _grep_one(
    matcher: CidrGrep, name: str, ctx: Context, args: argparse.Namespace, with_names: bool
) -> int:
    """Grep one input; return the number of selected lines."""
    label = "(standard input)" if name == "-" else name
    selected_total = 0
    write = ctx.stdout.write
    with ExitStack() as stack:
        if name == "-":
            stream: TextIO = ctx.stdin
        else:
            try:
                stream = stack.enter_context(open(name, encoding="utf-8", errors="replace"))
            except OSError as err:
                raise InputError(f"{name}: cannot read: {err.strerror}") from None
        first_line = 1
        for chunk in _chunks(stream):
            result = matcher.scan(chunk)
            chosen = ~result.selected if args.invert else result.selected
            selected_total += int(chosen.sum())
            if not args.count:
                for k in chosen.nonzero()[0].tolist():
                    if args.json:
                        write(_json_line({"file": label, "line": first_line + k,
                                          "text": chunk[k], "addresses": result.found[k]}))
                        continue
                    head = (f"{label}:" if with_names else "") + (
                        f"{first_line + k}:" if args.numbers else ""
                    )
                    if args.only:
                        for address in result.found[k]:
                            write(f"{head}{address}\n")
                    else:
                        write(f"{head}{chunk[k]}\n")
            first_line += len(chunk)
    if args.count and args.json:
        write(_json_line({"file": label, "count": selected_total}))
    elif args.count:
        write((f"{label}:" if with_names else "") + f"{selected_total}\n")
    return selected_total


def _grep_one_native(
    native: Grep, name: str, ctx: Context, args: argparse.Namespace, with_names: bool
) -> int:
    """Grep one input with the compiled engine; the same bytes as ``_grep_one``."""
    from cidrkit.cli.native import byte_sink, is_output_error

    label = "(standard input)" if name == "-" else name
    options = {
        "invert": args.invert,
        "count_only": args.count,
        "only_matching": args.only,
        "line_numbers": args.numbers,
        "label": (f"{label}:" if with_names else "").encode("utf-8", "surrogateescape"),
    }
    options.update(byte_sink(ctx.stdout))
    try:
        if name != "-":
            with open(name, "rb") as handle:
                # Text mode: universal newlines, invalid UTF-8 shown as U+FFFD.
                _, selected = native.run(fd=handle.fileno(), **options)
        else:
            selected = _grep_stdin_native(native, ctx, options)
    except OSError as err:
        if is_output_error(err):
            # As the Python path: a closed pipe ends quietly, other write errors go up.
            raise
        raise InputError(f"{name}: cannot read: {err.strerror or err}") from None
    if args.count:
        ctx.stdout.write((f"{label}:" if with_names else "") + f"{selected}\n")
    return selected


def _grep_stdin_native(native: Grep, ctx: Context, options: dict[str, Any]) -> int:
    """Standard input splits lines at ``\\n`` only, as Python's ``sys.stdin`` does."""
    import sys

    if ctx.stdin is sys.stdin:
        # Undecodable bytes pass through unchanged when stdin escapes them.
        lossy = sys.stdin.errors != "surrogateescape"
        _, selected = native.run(
            fd=sys.stdin.fileno(), universal_newlines=False, lossy=lossy, **options
        )
    else:
        data = ctx.stdin.read().encode("utf-8", "surrogateescape")
        _, selected = native.run(data=data, universal_newlines=False, lossy=False, **options)
    return selected


def _json_line(record: dict[str, object]) -> str:
    import json

    return json.dumps(record, ensure_ascii=False) + "\n"


def _chunks(stream: TextIO) -> Iterator[list[str]]:
    lines = (line.rstrip("\r\n") for line in stream)
    while chunk := list(islice(lines, CHUNK_LINES)):
        yield chunk
