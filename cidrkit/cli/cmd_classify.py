"""``cidrkit classify``: which IANA special-purpose block an address or prefix is in."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, read_prefixes
from cidrkit.cli.output import write_json, write_table
from cidrkit.core.special import classify


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("items", nargs="*", metavar="ADDR|CIDR", help=INPUT_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.epilog = (
        "From a pinned copy of the IANA IPv4 and IPv6 special-purpose registries,\n"
        "independent of the Python version. IPv4-mapped IPv6 addresses are IPv6."
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    prefixes = read_prefixes(args.items, ctx, diags)
    results = [(p, classify(p)) for p in prefixes]

    def shown(prefix: object) -> str:
        text = str(prefix)
        return text.rsplit("/", 1)[0] if text.endswith(("/32", "/128")) else text

    if args.json:
        write_json(ctx, [
            {"item": shown(p), "class": c.name, "label": c.label, "rfc": c.rfc,
             "global": c.is_global, "block": str(c.prefix) if c.prefix else None}
            for p, c in results
        ])
    else:
        write_table(ctx, [[shown(p), c.name, f"{c.label} ({c.rfc})"] for p, c in results])
    return diags.exit_code(ExitCode.OK)
