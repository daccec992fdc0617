"""``cidrkit vlsm``: size subnets from host counts and place them without waste."""

from __future__ import annotations

import argparse

from cidrkit.cli.common import MAX_DIGITS, add_cloud, add_json, model_of
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json, write_table
from cidrkit.core.prefix import Prefix
from cidrkit.core.sizing import Request, vlsm
from cidrkit.errors import ParseError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cidr", metavar="CIDR", help="the prefix to place subnets in")
    parser.add_argument(
        "requests", nargs="+", metavar="HOSTS",
        help="host counts, optionally named: 50 or web=50",
    )
    add_cloud(parser)
    add_json(parser)
    parser.epilog = (
        "Each request gets the smallest block whose usable count holds it; blocks are\n"
        "placed largest first, so nothing is lost to alignment."
    )


def parse_request(text: str, index: int) -> Request:
    name, sep, count = text.rpartition("=")
    name = name.strip() if sep else f"#{index + 1}"
    if not name:
        raise ParseError(text, "empty name before '='; write NAME=COUNT or just COUNT")
    if not (count.isascii() and count.isdigit()) or len(count) > MAX_DIGITS or int(count) < 1:
        raise ParseError(text, "a request is a host count (at least 1), optionally NAME=COUNT")
    return Request(name, int(count))


def parse_requests(texts: list[str]) -> list[Request]:
    """Every request, with names unique: they label the result rows."""
    requests = [parse_request(text, i) for i, text in enumerate(texts)]
    seen: dict[str, str] = {}
    for text, request in zip(texts, requests, strict=True):
        if request.name in seen:
            raise ParseError(
                text, f"the name {request.name!r} is already used by {seen[request.name]!r}"
            )
        seen[request.name] = text
    return requests


def run(args: argparse.Namespace, ctx: Context) -> int:
    prefix = Prefix.parse(args.cidr)
    model = model_of(args)
    requests = parse_requests(args.requests)
    placements, free = vlsm(prefix, requests, model)
    if args.json:
        write_json(ctx, {
            "cidr": str(prefix), "model": model,
            "subnets": [
                {"name": p.request.name, "hosts": p.request.hosts, "cidr": str(p.prefix),
                 "usable": str(p.usable)}
                for p in placements
            ],
            "free": [str(block) for block in free.prefixes()],
        })
        return ExitCode.OK
    rows = [
        [p.request.name, f"{p.request.hosts:,}", str(p.prefix), f"{p.usable:,}"]
        for p in placements
    ]
    write_table(ctx, rows, header=["name", "hosts", "cidr", "usable"])
    for block in free.prefixes():
        ctx.stdout.write(f"# free: {block}\n")
    return ExitCode.OK
