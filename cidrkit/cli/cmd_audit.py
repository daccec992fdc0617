"""``cidrkit audit``: read every inventory, report every overlap with where both sides came from."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode

FORMATS = ("table", "json", "markdown", "sarif")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="inventory files or folders (formats are recognised from content)")
    parser.add_argument("--connections", metavar="FILE",
                        help="YAML file saying which scopes are connected; conflicts between "
                             "connected scopes are blocking, others latent")
    parser.add_argument("--pool", nargs="+", action="extend", default=[], metavar="CIDR",
                        help="free space to propose new homes in, for blocking conflicts")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table)")
    parser.add_argument("--json", action="store_const", const="json", dest="format",
                        help="same as --format json")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.audit.connections import parse_connections
    from cidrkit.audit.engine import audit
    from cidrkit.audit.export import iter_report_json, iter_report_sarif
    from cidrkit.audit.render import render_markdown, render_text
    from cidrkit.core import Prefix
    from cidrkit.errors import InputError, InputErrors, ParseError
    from cidrkit.sources import read_inventory

    missing = [p for p in args.paths if not os.path.exists(p)]
    if missing:
        raise InputErrors([InputError(f"{path}: no such file or folder") for path in missing])
    pools = []
    for text in args.pool:
        try:
            pools.append(Prefix.parse(text))
        except ParseError as err:
            raise err.located("--pool") from None
    connections = None
    if args.connections:
        try:
            with open(args.connections, encoding="utf-8-sig") as handle:
                connections = parse_connections(handle.read(), args.connections)
        except OSError as err:
            raise InputError(f"{args.connections}: cannot read: {err.strerror}") from None
    report = audit(read_inventory(args.paths, columnar=True), connections, pools)
    # JSON and SARIF are written piece by piece: a report of hundreds of
    # thousands of conflicts never sits in memory whole.
    pieces: Iterable[str]
    if args.format == "json":
        pieces = iter_report_json(report)
    elif args.format == "sarif":
        pieces = iter_report_sarif(report)
    elif args.format == "markdown":
        pieces = [render_markdown(report)]
    else:
        pieces = [render_text(report)]
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.writelines(pieces)
    else:
        ctx.stdout.writelines(pieces)
    inv = report.inventory
    if report.conflicts or report.nesting:
        return ExitCode.FALSE
    if inv.malformed or inv.skipped:
        return ExitCode.BAD_INPUT
    return ExitCode.OK
