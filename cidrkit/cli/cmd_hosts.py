"""``cidrkit hosts``: the usable host addresses of a prefix, one per line."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import add_cloud, add_json, add_limit, check_limit, model_of
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json
from cidrkit.core.addr import Addr
from cidrkit.core.prefix import Prefix


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cidr", metavar="CIDR", help="the prefix whose hosts to list")
    add_cloud(parser)
    add_limit(parser)
    add_json(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    prefix = Prefix.parse(args.cidr)
    model = model_of(args)
    count = prefix.usable(model)
    check_limit(count, args.limit, f"hosts of {prefix} ({model})")
    bounds = prefix.usable_bounds(model)
    addresses = (
        (Addr(prefix.bits, v) for v in range(bounds[0].value, bounds[1].value + 1))
        if bounds else iter(())
    )
    if args.json:
        write_json(ctx, {"cidr": str(prefix), "model": model, "hosts": [str(a) for a in addresses]})
    else:
        write = ctx.stdout.write
        for addr in addresses:
            write(f"{addr}\n")
    return ExitCode.OK
