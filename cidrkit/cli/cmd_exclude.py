"""``cidrkit exclude``: the addresses of A that are not in B, as prefixes."""

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
        "--minus", nargs="+", required=True, metavar="B", help="what to remove (items or FILEs)"
    )
    add_set_output(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    keep = gather(args.items, ctx)
    remove = gather(args.minus, ctx, stdin_by_default=False)
    large = is_large(keep, remove)
    if large and native_set_operation(ctx, "exclude", keep, remove, args) is not None:
        return ExitCode.OK
    if large:
        from cidrkit.bulk.setops import exclude

        write_bulk(ctx, exclude(bulk_items(keep, diags), bulk_items(remove, diags)), args)
    else:
        write_set(ctx, core_set(keep, diags) - core_set(remove, diags), args)
    return diags.exit_code(ExitCode.OK)
