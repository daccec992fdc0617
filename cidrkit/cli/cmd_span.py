"""``cidrkit span``: the smallest single prefix covering every item (per family)."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, read_items
from cidrkit.cli.output import write_json
from cidrkit.core.range import span_of


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.epilog = "Mixed lists give one covering prefix per family, IPv4 first."


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    items = read_items(args.items, ctx, diags)
    spans = [
        span_of([item for item in items if item.bits == bits])
        for bits in (32, 128)
        if any(item.bits == bits for item in items)
    ]
    if args.json:
        write_json(ctx, {"spans": [str(p) for p in spans]})
    else:
        for prefix in spans:
            ctx.stdout.write(f"{prefix}\n")
    return diags.exit_code(ExitCode.OK)
