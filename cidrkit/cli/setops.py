"""Reading lists into sets and printing them, shared by the set commands.

Each command reads its inputs as chunks (``bulkio.gather``), then takes the
core path for small inputs or the numpy path for large ones; both print the
same bytes.
"""

from __future__ import annotations

from cidrkit.cli.bulkio import parse_chunks, write_prefix_array
from cidrkit.cli.inputs import Chunk, Diagnostics, gather, parse_all, sources
from cidrkit.cli.output import json_count, write_json

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from cidrkit.bulk.arrays import IntervalArray, PrefixArray
    from cidrkit.cli.context import Context
    from cidrkit.core.ipset import IPSet


def read_set(args: list[str], ctx: Context, diags: Diagnostics, *, stdin: bool = True) -> IPSet:
    """The union of every item named by ``args`` (literals, files, ``-``), via the core."""
    return core_set(gather(args, ctx, stdin_by_default=stdin), diags)


def core_set(chunks: list[Chunk], diags: Diagnostics) -> IPSet:
    # The core is imported here: plain lists go to the compiled engine without it.
    from cidrkit.core.ipset import IPSet
    from cidrkit.core.parse import parse_item

    return IPSet(parse_all(sources(chunks), parse_item, diags))


def bulk_items(chunks: list[Chunk], diags: Diagnostics) -> list[PrefixArray | IntervalArray]:
    """Chunks parsed by the bulk engine, as the item list its set operations take."""
    prefixes, ranges = parse_chunks(chunks, diags)
    return [prefixes, ranges]


def native_set_operation(
    ctx: Context, op: str, left: list[Chunk], right: list[Chunk], args: argparse.Namespace
) -> bool | None:
    """``exclude`` or ``intersect`` of plain prefix lists in the compiled engine.

    Returns whether the result is non-empty, after printing it as
    ``write_bulk`` would; None (nothing printed) when the engine is off, the
    output is ranges or JSON, or a line is not a plain prefix or address:
    the caller's own path then handles the input and its messages.
    """
    if args.ranges or args.json:
        return None
    from cidrkit.cli.native import byte_writer, load_engine

    engine = load_engine(ctx.env)
    if engine is None:
        return None
    found: bool | None = engine.set_operation_text(
        op, [c.data for c in left], [c.data for c in right], byte_writer(ctx.stdout)
    )
    return found


def add_set_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ranges", action="store_true", help="print FIRST-LAST ranges instead of prefixes"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def write_set(ctx: Context, result: IPSet, args: argparse.Namespace) -> None:
    """A set as sorted canonical prefixes (or ranges), IPv4 first."""
    items = result.ranges() if args.ranges else result.prefixes()
    if args.json:
        write_json(ctx, {
            "ranges" if args.ranges else "prefixes": [str(item) for item in items],
            "addresses": json_count(result.size),
        })
        return
    write = ctx.stdout.write
    for item in items:
        write(f"{item}\n")


def write_bulk(ctx: Context, result: PrefixArray, args: argparse.Namespace) -> None:
    """A bulk result, printed byte for byte as :func:`write_set` prints a set."""
    write_prefix_array(ctx, result, ranges=args.ranges, as_json=args.json)
