"""``cidrkit audit``: read every inventory, report every overlap with where both sides came from."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode

FORMATS = ("table", "json", "jsonl", "markdown", "sarif")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="inventory files or folders (formats are recognised from content)")
    parser.add_argument("--discover", metavar="PROVIDER",
                        help="first discover PROVIDER into a temporary folder and audit it too: "
                             "'aws', or with discover's options: 'aws --organization'; exit 3 "
                             "if discovery was partial")
    parser.add_argument("--connections", metavar="FILE",
                        help="YAML file saying which scopes are connected; conflicts between "
                             "connected scopes are blocking, others latent")
    parser.add_argument("--pool", nargs="+", action="extend", default=[], metavar="CIDR",
                        help="free space to propose new homes in, for blocking conflicts")
    parser.add_argument("--format", choices=FORMATS, default="table",
                        help="output format (default: table); jsonl writes one finding per "
                             "line with files listed once")
    parser.add_argument("--json", action="store_const", const="json", dest="format",
                        help="same as --format json")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    parser.add_argument("--json-version", type=int, choices=(1, 2), default=1, metavar="{1,2}",
                        help="JSON schema: 1 (default) writes both sides of every conflict in "
                             "full; 2 lists each file and allocation once and refers to them")
    parser.add_argument("--limit", type=_positive, metavar="N",
                        help="at most N entries per list of findings, and per pair of scopes "
                             "in table and markdown; counts still cover everything")
    parser.add_argument("--all", action="store_true", dest="expand",
                        help="table: list every conflict instead of grouping large pairs of "
                             "scopes by covering block")


def _positive(text: str) -> int:
    """``--limit``'s value: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.discover:
        from cidrkit.cli.cmd_discover import audit_discovered

        return audit_discovered(args, ctx, audit_paths)
    if not args.paths:
        from cidrkit.errors import ArgumentError

        raise ArgumentError("audit needs a PATH or --discover PROVIDER")
    return audit_paths(args, ctx, args.paths)


def audit_paths(args: argparse.Namespace, ctx: Context, paths: list[str]) -> int:
    from cidrkit.audit.compactjson import iter_report_compact
    from cidrkit.audit.connections import parse_connections
    from cidrkit.audit.engine import audit
    from cidrkit.audit.export import iter_report_json, iter_report_sarif
    from cidrkit.audit.jsonlines import iter_report_lines
    from cidrkit.audit.render import iter_text, render_markdown
    from cidrkit.core import Prefix
    from cidrkit.errors import ArgumentError, InputError, InputErrors, ParseError
    from cidrkit.sources import read_inventory

    if args.json_version != 1 and args.format != "json":
        raise ArgumentError("--json-version applies to --format json only")
    missing = [p for p in paths if not os.path.exists(p)]
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
    report = audit(read_inventory(paths, columnar=True), connections, pools)
    # JSON and SARIF are written piece by piece: a report of hundreds of
    # thousands of conflicts never sits in memory whole.
    pieces: Iterable[str]
    if args.format == "json" and args.json_version == 2:
        pieces = iter_report_compact(report, args.limit)
    elif args.format == "json":
        pieces = iter_report_json(report, args.limit)
    elif args.format == "jsonl":
        pieces = iter_report_lines(report, args.limit)
    elif args.format == "sarif":
        pieces = iter_report_sarif(report, args.limit)
    elif args.format == "markdown":
        pieces = [render_markdown(report, limit=args.limit)]
    else:
        pieces = iter_text(report, expand=args.expand, limit=args.limit)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.writelines(pieces)
    else:
        ctx.stdout.writelines(pieces)
    inv = report.inventory
    if report.conflicts or report.nesting:
        return ExitCode.FALSE
    # Input that was not read, or nothing read at all, is never a clean result.
    if inv.malformed or inv.skipped or not inv.record_count:
        return ExitCode.BAD_INPUT
    return ExitCode.OK
