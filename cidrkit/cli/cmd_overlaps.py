"""``cidrkit overlaps``: do two items overlap? With more, list every overlapping pair."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP, add_json
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, read_items
from cidrkit.cli.output import write_json
from cidrkit.core.pairs import overlapping_pairs, relation
from cidrkit.core.parse import item_key

_SAYS = {
    "equal": "{a} and {b} are the same block",
    "a_contains_b": "{a} contains {b}",
    "b_contains_a": "{a} is inside {b}",
    "partial": "{a} and {b} partly overlap",
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing; exit code only")
    add_json(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    items = read_items(args.items, ctx, diags)
    if len(items) < 2 and not diags.errors:
        ctx.stderr.write("cidrkit: error: overlaps needs at least two items\n")
        return ExitCode.BAD_INPUT
    pairs = []
    for i, j in overlapping_pairs(items):
        a, b = sorted((items[i], items[j]), key=item_key)
        pairs.append((a, b, relation(a, b)))
    pairs.sort(key=lambda pair: (item_key(pair[0]), item_key(pair[1])))
    if args.json:
        write_json(ctx, {
            "pairs": [{"a": str(a), "b": str(b), "relation": rel} for a, b, rel in pairs],
            "overlapping": bool(pairs),
        })
    elif not args.quiet:
        for a, b, rel in pairs:
            ctx.stdout.write(_SAYS[rel or "partial"].format(a=a, b=b) + "\n")
        if not pairs and len(items) == 2:
            ctx.stdout.write(f"{items[0]} and {items[1]} do not overlap\n")
    return diags.exit_code(ExitCode.OK if pairs else ExitCode.FALSE)
