"""``cidrkit contains``: is each item inside a prefix or range? Exit 0 only if all are."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP, add_json
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, read_items
from cidrkit.cli.output import write_json
from cidrkit.core.addr import Addr
from cidrkit.core.parse import parse_item
from cidrkit.core.prefix import Prefix
from cidrkit.errors import InputError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("container", metavar="CIDR", help="the prefix or range to look in")
    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing; exit code only")
    add_json(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    parsed = parse_item(args.container)
    container = Prefix.from_addr(parsed) if isinstance(parsed, Addr) else parsed
    diags = Diagnostics(ctx)
    items = read_items(args.items, ctx, diags)
    if not items and not diags.errors:
        # "Every item is inside" is vacuously true and "false" would be a lie:
        # with nothing to check, the input itself is wrong.
        raise InputError("no items to check: the input held no address, prefix or range")
    results = [(item, container.contains(item)) for item in items]
    every = bool(results) and all(inside for _, inside in results)
    if args.json:
        write_json(ctx, {
            "container": str(container),
            "items": [{"item": str(item), "contained": inside} for item, inside in results],
            "all_contained": every,
        })
    elif not args.quiet:
        for item, inside in results:
            verb = "is in" if inside else "is not in"
            ctx.stdout.write(f"{item} {verb} {container}\n")
    return diags.exit_code(ExitCode.OK if every else ExitCode.FALSE)
