"""``cidrkit split``: every block of a given length (or host count) in a prefix."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import add_cloud, add_json, add_limit, check_limit, model_of
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json
from cidrkit.core.prefix import Prefix
from cidrkit.core.sizing import length_for_hosts
from cidrkit.errors import AllocationError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cidr", metavar="CIDR", help="the prefix to split")
    size = parser.add_mutually_exclusive_group(required=True)
    size.add_argument("--prefix", type=_length, metavar="P", help="block length, e.g. 24 or /24")
    size.add_argument("--hosts", type=int, metavar="H", help="usable hosts each block must hold")
    add_cloud(parser)
    add_limit(parser)
    add_json(parser)


def _length(text: str) -> int:
    return int(text.removeprefix("/"))


def run(args: argparse.Namespace, ctx: Context) -> int:
    prefix = Prefix.parse(args.cidr)
    model = model_of(args)
    if args.hosts is not None:
        length = length_for_hosts(prefix.bits, args.hosts, model)
        if length < prefix.length:
            raise AllocationError(
                f"{args.hosts:,} hosts need a /{length} ({model}), larger than {prefix}"
            )
    else:
        length = args.prefix
    count = prefix.subnet_count(length)
    check_limit(count, args.limit, f"splitting {prefix} into /{length}")
    blocks = prefix.subnets(length)
    if args.json:
        write_json(ctx, {
            "cidr": str(prefix), "prefix_length": length, "model": model,
            "usable_each": str(Prefix(prefix.bits, prefix.value, length).usable(model)),
            "blocks": [str(b) for b in blocks],
        })
        return ExitCode.OK
    write = ctx.stdout.write
    for block in blocks:
        write(f"{block}\n")
    return ExitCode.OK
