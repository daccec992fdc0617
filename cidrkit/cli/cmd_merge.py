"""``cidrkit merge``: the minimal sorted list of prefixes covering every input."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics
from cidrkit.cli.setops import add_set_output, read_set, write_set


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    add_set_output(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    write_set(ctx, read_set(args.items, ctx, diags), args)
    return diags.exit_code(ExitCode.OK)
