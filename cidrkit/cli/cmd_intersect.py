"""``cidrkit intersect``: the addresses that A and B have in common."""

from __future__ import annotations

from cidrkit.cli.bulkio import is_large
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, gather
from cidrkit.cli.setops import (
    add_set_output,
    bulk_items,
    core_set,
    native_set_operation,
    write_bulk,
    write_set,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import argparse

    from cidrkit.cli.context import Context


def configure(parser: argparse.ArgumentParser) -> None:
    from cidrkit.cli.common import INPUT_HELP

    parser.add_argument("items", nargs="*", metavar="A", help=INPUT_HELP)
    parser.add_argument(
        "--with", dest="other", nargs="+", required=True, metavar="B",
        help="the other list (items or FILEs)",
    )
    add_set_output(parser)
    parser.epilog = "Exit code 1 when the intersection is empty."


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    left = gather(args.items, ctx)
    right = gather(args.other, ctx, stdin_by_default=False)
    large = is_large(left, right)
    native = native_set_operation(ctx, "intersect", left, right, args) if large else None
    if native is not None:
        return ExitCode.OK if native else ExitCode.FALSE
    if large:
        from cidrkit.bulk.setops import intersect

        result = intersect(bulk_items(left, diags), bulk_items(right, diags))
        write_bulk(ctx, result, args)
        found = len(result) > 0
    else:
        common = core_set(left, diags) & core_set(right, diags)
        write_set(ctx, common, args)
        found = bool(common)
    return diags.exit_code(ExitCode.OK if found else ExitCode.FALSE)
