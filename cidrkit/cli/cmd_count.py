"""``cidrkit count``: exact address counts, computed arithmetically."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP, add_cloud, add_json, model_of
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, read_items
from cidrkit.cli.output import json_count, write_json, write_table
from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="ITEM", help=INPUT_HELP)
    add_cloud(parser)
    add_json(parser)


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    items = read_items(args.items, ctx, diags)
    model = model_of(args)
    union = IPSet(items)
    rows = []
    for item in items:
        usable = item.usable(model) if isinstance(item, Prefix) else None
        rows.append((str(item), item.size, usable))
    if args.json:
        write_json(ctx, {
            "items": [
                {"item": text, "total": json_count(total),
                 "usable": json_count(usable) if usable is not None else None}
                for text, total, usable in rows
            ],
            "model": model,
            "union_total": json_count(union.size),
            "union_ipv4": json_count(union.family(4).size),
            "union_ipv6": json_count(union.family(6).size),
        })
        return diags.exit_code(ExitCode.OK)
    table = [
        [text, f"{total:,}", f"{usable:,} usable" if usable is not None else ""]
        for text, total, usable in rows
    ]
    if len(items) > 1:
        table.append(["union (duplicates counted once)", f"{union.size:,}", ""])
    write_table(ctx, table)
    return diags.exit_code(ExitCode.OK)
