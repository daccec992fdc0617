"""``cidrkit divide``: N equal blocks of a prefix, and the space left over."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import add_json, add_limit, check_limit
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json
from cidrkit.core.alloc import divide
from cidrkit.core.prefix import Prefix


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cidr", metavar="CIDR", help="the prefix to divide")
    parser.add_argument("count", metavar="N", type=int, help="how many equal blocks")
    add_limit(parser)
    add_json(parser)
    parser.epilog = (
        "Blocks are the largest equal size that N of fit; the space they leave is printed\n"
        "after them as '# free:' comment lines (or under \"free\" in JSON)."
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    prefix = Prefix.parse(args.cidr)
    division = divide(prefix, args.count)
    check_limit(division.count, args.limit, f"dividing {prefix} into {division.count:,} blocks")
    if args.json:
        write_json(ctx, {
            "cidr": str(prefix), "count": division.count, "prefix_length": division.length,
            "blocks": [str(b) for b in division.blocks()],
            "free": [str(f) for f in division.leftover()],
        })
        return ExitCode.OK
    write = ctx.stdout.write
    for block in division.blocks():
        write(f"{block}\n")
    for block in division.leftover():
        write(f"# free: {block}\n")
    return ExitCode.OK
