"""``cidrkit free``: the free blocks of a parent prefix, given the space in use."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import add_limit, check_limit
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics
from cidrkit.cli.setops import add_set_output, read_set, write_set
from cidrkit.core.addr import Addr
from cidrkit.core.alloc import free_space
from cidrkit.core.parse import parse_item
from cidrkit.core.prefix import Prefix


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("parent", metavar="PARENT", help="the prefix or range to look in")
    parser.add_argument(
        "--used", nargs="*", default=[], metavar="USED",
        help="space in use: items, FILEs (one per line) or - for stdin",
    )
    add_limit(parser)
    add_set_output(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    parsed = parse_item(args.parent)
    parent = Prefix.from_addr(parsed) if isinstance(parsed, Addr) else parsed
    diags = Diagnostics(ctx)
    used = read_set(args.used, ctx, diags, stdin=False) if args.used else None
    free = free_space(parent, used or [])
    if not args.ranges:
        check_limit(sum(1 for _ in free.prefixes()), args.limit, f"free blocks of {parent}")
    write_set(ctx, free, args)
    return diags.exit_code(ExitCode.OK)
