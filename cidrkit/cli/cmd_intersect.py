"""``cidrkit intersect``: the addresses that A and B have in common."""

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
        "--with", dest="other", nargs="+", required=True, metavar="B",
        help="the other list (items or FILEs)",
    )
    add_set_output(parser)
    parser.epilog = "Exit code 1 when the intersection is empty."


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    left = read_set(args.items, ctx, diags)
    right = read_set(args.other, ctx, diags, stdin=False)
    common = left & right
    write_set(ctx, common, args)
    return diags.exit_code(ExitCode.OK if common else ExitCode.FALSE)
