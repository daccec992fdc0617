"""``cidrkit exclude``: the addresses of A that are not in B, as prefixes."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics
from cidrkit.cli.setops import add_set_output, read_set, write_set


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="A", help=INPUT_HELP)
    parser.add_argument(
        "--minus", nargs="+", required=True, metavar="B", help="what to remove (items or FILEs)"
    )
    add_set_output(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    keep = read_set(args.items, ctx, diags)
    remove = read_set(args.minus, ctx, diags, stdin=False)
    write_set(ctx, keep - remove, args)
    return diags.exit_code(ExitCode.OK)
