"""``cidrkit merge``: the minimal sorted list of prefixes covering every input."""

from __future__ import annotations

from cidrkit.cli.bulkio import is_large
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Chunk, Diagnostics, gather
from cidrkit.cli.setops import add_set_output, bulk_items, core_set, write_bulk, write_set

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from cidrkit.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    from cidrkit.cli.common import INPUT_HELP

    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    add_set_output(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    chunks = gather(args.items, ctx)
    if is_large(chunks) and not (args.ranges or args.json) and _merged_natively(chunks, ctx):
        return ExitCode.OK
    if is_large(chunks):
        from cidrkit.bulk.setops import merge

        write_bulk(ctx, merge(*bulk_items(chunks, diags)), args)
    else:
        write_set(ctx, core_set(chunks, diags), args)
    return diags.exit_code(ExitCode.OK)


def _merged_natively(chunks: list[Chunk], ctx: Context) -> bool:
    """Merge plain prefix lists in the compiled engine; False leaves the input to Python.

    The engine declines any input with a line that is not a plain prefix or
    address (comments, ranges, errors): the Python path reports those.
    """
    from cidrkit.cli.native import byte_writer, load_engine

    engine = load_engine(ctx.env)
    if engine is None:
        return False
    merged: bool = engine.merge_text([chunk.data for chunk in chunks], byte_writer(ctx.stdout))
    return merged
