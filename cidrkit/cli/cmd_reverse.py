"""``cidrkit reverse``: the reverse DNS zones (in-addr.arpa, ip6.arpa) of prefixes."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import INPUT_HELP
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.inputs import Diagnostics, read_prefixes
from cidrkit.cli.output import write_json
from cidrkit.core.reverse import reverse_zones, rfc2317_zone


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cidrs", nargs="*", metavar="CIDR", help=INPUT_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.epilog = (
        "Prefixes on a label boundary (/8, /16, /24 for IPv4; any multiple of 4 for\n"
        "IPv6) have one zone; others list the zones that cover them. IPv4 prefixes\n"
        "longer than /24 also print their RFC 2317 delegation name."
    )


def run(args: argparse.Namespace, ctx: Context) -> int:
    diags = Diagnostics(ctx)
    prefixes = read_prefixes(args.cidrs, ctx, diags)
    results = [(p, reverse_zones(p), rfc2317_zone(p)) for p in prefixes]
    if args.json:
        write_json(ctx, [
            {"cidr": str(p), "zones": zones, "rfc2317_zone": classless}
            for p, zones, classless in results
        ])
    else:
        for prefix, zones, classless in results:
            for zone in zones:
                ctx.stdout.write(f"{prefix}\t{zone}\n")
            if classless:
                ctx.stdout.write(f"{prefix}\t{classless}\t(RFC 2317)\n")
    return diags.exit_code(ExitCode.OK)
