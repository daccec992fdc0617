"""``cidrkit divide``: N equal blocks of a prefix, and the space left over."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import add_json, add_limit, check_limit
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json
from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range
from cidrkit.errors import AllocationError


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
    count: int = args.count
    if count < 1:
        raise AllocationError(f"cannot divide {prefix} into {count} blocks: N must be at least 1")
    length = prefix.length + (count - 1).bit_length()
    if length > prefix.bits:
        raise AllocationError(
            f"cannot divide {prefix} into {count:,} blocks: it has only {prefix.size:,} addresses"
        )
    check_limit(count, args.limit, f"dividing {prefix} into {count:,} blocks")
    blocks = (prefix.subnet(index, length) for index in range(count))
    used_end = prefix.start + (count << (prefix.bits - length)) - 1
    free = (
        list(IPSet([Range(prefix.bits, used_end + 1, prefix.end)]).prefixes())
        if used_end < prefix.end else []
    )
    if args.json:
        write_json(ctx, {
            "cidr": str(prefix), "count": count, "prefix_length": length,
            "blocks": [str(b) for b in blocks], "free": [str(f) for f in free],
        })
        return ExitCode.OK
    write = ctx.stdout.write
    for block in blocks:
        write(f"{block}\n")
    for block in free:
        write(f"# free: {block}\n")
    return ExitCode.OK
