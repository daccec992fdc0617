"""``cidrkit lookup`` on text lines through the compiled engine.

The same bytes as the Python path (``cmd_lookup``), faster: the table is
built once and saved beside the TABLE file (``.NAME.cidrkit-lpm``, keyed by
the table's content and the options it was read with), so later runs map
it and start at once; input is read in blocks straight from the file, and
each block is annotated and written as bytes.
"""

from __future__ import annotations

import argparse
import os
import sys

from cidrkit.cli.cmd_lookup import Progress
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.native import (
    byte_sink,
    cached_table_path,
    is_output_error,
    saved_table_path,
    table_key,
    table_stamp,
)
from cidrkit.errors import MAX_REPORTED, InputError

# Not typing.TYPE_CHECKING: a one-shot command does not pay for importing typing.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any


def run_native(engine: ModuleType, args: argparse.Namespace, ctx: Context) -> int:
    table = _table(engine, args, ctx)
    # The table's problems, as the Python path prints them (capped).
    problems = table.problems().decode("utf-8", "surrogateescape")
    ctx.stderr.write(problems)
    errors = problems.count("\n")
    sink: dict[str, object] = byte_sink(ctx.stdout) if not args.stats else {"write": _discard}
    for name in args.inputs or ["-"]:
        errors += _annotate(table, name, ctx, args, sink)
    if args.stats:
        ctx.stdout.write(table.stats_text().decode("utf-8", "surrogateescape"))
    return ExitCode.BAD_INPUT if errors else ExitCode.OK


def _discard(data: bytes) -> None:
    return None


def _table(engine: ModuleType, args: argparse.Namespace, ctx: Context) -> Any:
    """The saved table when it matches TABLE, else a new one, saved for the next run.

    A saved table matches by the file's stamp (size, times, inode: the table
    is not even read) or else by its content. It is saved beside TABLE, or
    in the user's cache when TABLE's folder cannot take it; when neither
    can, each run builds it again.
    """
    options = [args.table_format, args.table, args.prefix_column or "", *(args.label or [])]
    places = [saved_table_path(args.table), cached_table_path(engine, args.table, options, ctx.env)]
    stamp = table_stamp(engine, args.table, options)
    if stamp is not None:
        for place in places:
            table = engine.LookupTable.open(place, stamp=stamp)
            if table is not None:
                return table
    from cidrkit.cli.lookup_table import load_table

    try:
        with open(args.table, "rb") as handle:
            data = handle.read()
    except OSError:
        load_table(args)  # raises the error the Python path words
        raise
    key = table_key(engine, data, options)
    for place in places:
        table = engine.LookupTable.open(place, key=key)
        if table is not None:
            return table
    from cidrkit.cli.lookup_table import read_native_table

    # Read and built in the engine, which saves it; the Python reader
    # takes the tables the engine declines.
    table = read_native_table(engine, args, data, key, stamp or bytes(16), places)
    if table is not None:
        return table
    from cidrkit.bulk.nativelookup import native_table

    table = native_table(engine, load_table(args), key, stamp or bytes(16))
    for place in places:
        try:
            os.makedirs(os.path.dirname(place) or ".", exist_ok=True)
            table.save(place)
            break
        except OSError:
            continue
    return table


def _annotate(
    table: Any, name: str, ctx: Context, args: argparse.Namespace, sink: dict[str, object]
) -> int:
    """Annotate one input; return how many of its records held no address."""
    source = "<stdin>" if name == "-" else name
    problems = 0

    def report(found: list[tuple[int, str]]) -> None:
        nonlocal problems
        shown = found[: max(0, MAX_REPORTED - problems)]
        problems += len(found)
        if not shown:
            return
        # The messages come from the Python parser, which is the reference.
        from cidrkit.bulk.annotate import describe
        from cidrkit.bulk.textparse import parse_address_text

        words = "\n".join(word for _, word in shown).encode("utf-8", "surrogateescape")
        parsed = parse_address_text(words, source, line_numbers=[n for n, _ in shown])
        for problem in parsed.problems:
            ctx.stderr.write(describe(problem) + "\n")

    options: dict[str, Any] = {
        "matched_only": args.matched_only, "count_hits": args.stats, **sink
    }
    try:
        if name == "-":
            progress = Progress(ctx, name, None)
            if progress.active:
                options["progress"] = progress.update
            if ctx.stdin is sys.stdin:
                # sys.stdin splits lines at \n only; escaped bytes pass through.
                lossy = sys.stdin.errors != "surrogateescape"
                table.annotate(
                    report,
                    fd=sys.stdin.fileno(),
                    universal_newlines=False,
                    lossy=lossy,
                    **options,
                )
            else:
                data = ctx.stdin.read().encode("utf-8", "surrogateescape")
                table.annotate(
                    report, data=data, universal_newlines=False, lossy=False, **options
                )
        else:
            with open(name, "rb") as handle:
                progress = Progress(ctx, name, os.fstat(handle.fileno()).st_size)
                if progress.active:
                    options["progress"] = progress.update
                table.annotate(report, fd=handle.fileno(), **options)
    except OSError as err:
        if is_output_error(err):
            # As the Python path: a closed pipe ends quietly, other write errors go up.
            raise
        raise InputError(f"{name}: cannot read: {err.strerror or err}") from None
    progress.done()
    if problems > MAX_REPORTED:
        more = problems - MAX_REPORTED
        ctx.stderr.write(f"cidrkit: \u2026 and {more:,} more errors in {name}\n")
    return problems
