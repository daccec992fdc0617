"""``cidrkit range``: turn FIRST-LAST ranges into the minimal list of prefixes."""

from __future__ import annotations

import argparse

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, iter_sources, parse_all
from cidrkit.cli.output import write_json
from cidrkit.core.range import Range


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "ranges", nargs="*", metavar="FIRST-LAST",
        help="ranges such as 10.0.0.1-10.0.0.9; a FILE (one per line) or - for stdin",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    texts: list[str] = args.ranges
    # `cidrkit range 10.0.0.1 10.0.0.9` reads as one range, as people type it.
    if len(texts) == 2 and not any(c in t for t in texts for c in "-/\u2013"):
        texts = [f"{texts[0]}-{texts[1]}"]
    ranges = parse_all(iter_sources(texts, ctx), Range.parse, diags)
    if args.json:
        write_json(ctx, [
            {"range": str(r), "prefixes": [str(p) for p in r.to_prefixes()]} for r in ranges
        ])
    else:
        for item in ranges:
            for prefix in item.to_prefixes():
                ctx.stdout.write(f"{prefix}\n")
    return diags.exit_code(ExitCode.OK)
