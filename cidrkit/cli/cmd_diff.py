"""``cidrkit diff``: compare two address lists as sets; exit 1 when they differ."""

from __future__ import annotations

import argparse

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics
from cidrkit.cli.output import write_json
from cidrkit.cli.setops import read_set


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="a FILE, - for stdin, or one item")
    parser.add_argument("new", metavar="NEW", help="a FILE, - for stdin, or one item")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.epilog = (
        "Compares the address space, not the text: 10.0.0.0/25 + 10.0.0.128/25 equals\n"
        "10.0.0.0/24. Lines start with '-' (only in OLD) or '+' (only in NEW)."
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    old = read_set([args.old], ctx, diags)
    new = read_set([args.new], ctx, diags)
    removed, added = old - new, new - old
    if args.json:
        write_json(ctx, {
            "only_in_old": [str(p) for p in removed.prefixes()],
            "only_in_new": [str(p) for p in added.prefixes()],
            "equal": not removed and not added,
        })
    else:
        for prefix in removed.prefixes():
            ctx.stdout.write(f"-{prefix}\n")
        for prefix in added.prefixes():
            ctx.stdout.write(f"+{prefix}\n")
    return diags.exit_code(ExitCode.FALSE if removed or added else ExitCode.OK)
