"""Reading lists into IPSets and printing sets, shared by the set commands."""

from __future__ import annotations

import argparse

from cidrkit.cli.context import Context
from cidrkit.cli.inputs import Diagnostics, iter_sources, parse_all
from cidrkit.cli.output import json_count, write_json
from cidrkit.core.ipset import IPSet
from cidrkit.core.parse import parse_item


def read_set(args: list[str], ctx: Context, diags: Diagnostics, *, stdin: bool = True) -> IPSet:
    """The union of every item named by ``args`` (literals, files, ``-``)."""
    return IPSet(parse_all(iter_sources(args, ctx, stdin_by_default=stdin), parse_item, diags))


def add_set_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ranges", action="store_true", help="print FIRST-LAST ranges instead of prefixes"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def write_set(ctx: Context, result: IPSet, args: argparse.Namespace) -> None:
    """A set as sorted canonical prefixes (or ranges), IPv4 first."""
    items = result.ranges() if args.ranges else result.prefixes()
    if args.json:
        write_json(ctx, {
            "ranges" if args.ranges else "prefixes": [str(item) for item in items],
            "addresses": json_count(result.size),
        })
        return
    write = ctx.stdout.write
    for item in items:
        write(f"{item}\n")
