"""``cidrkit ipam``: allocate, release, list and import against a running IPAM service;
single addresses and IP ranges too (``ipam_addresses``).

The service is ``--url`` or ``$CIDRKIT_URL``; the token ``--token`` or
``$CIDRKIT_TOKEN``. Exit 1 when the pool is exhausted, the prefix is taken or
the pool/allocation does not exist, or when an import skipped entries that
collide or do not parse; 2 for bad input or a refused token.
"""

from __future__ import annotations

import argparse
from typing import Any

from cidrkit.cli import ipam_addresses
from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode, NegativeAnswer
from cidrkit.cli.output import write_json, write_table
from cidrkit.errors import CidrkitError


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    allocate = actions.add_parser("allocate", help="allocate the next free block (or a prefix)")
    allocate.add_argument("--pool", required=True)
    what = allocate.add_mutually_exclusive_group()
    what.add_argument("--prefix-length", type=int, metavar="N", help="size of the block")
    what.add_argument("--prefix", help="an exact prefix to take")
    allocate.add_argument("--strategy", choices=("best_fit", "first_fit"), default="best_fit")
    allocate.add_argument("--reserve", action="store_true", help="mark as reserved")
    allocate.add_argument("--idempotency-key", metavar="KEY",
                          help="a retry with the same key returns the same block")
    allocate.add_argument("--description", default="")
    allocate.add_argument("--owner", default="")
    allocate.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")
    release = actions.add_parser("release", help="release an allocation by id")
    release.add_argument("allocation_id", type=int, metavar="ID")
    listing = actions.add_parser("list", help="a pool's allocations (or all pools)")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--pool", help="the pool (omit to list pools)")
    which.add_argument("--space", metavar="SPACE",
                       help="list the pools of this space (routing domain) only")
    listing.add_argument("--state", action="append", choices=("allocated", "reserved", "released"))
    listing.add_argument("--limit", type=int, default=1000)
    listing.add_argument("--offset", type=int, default=0)
    free = actions.add_parser("free", help="a pool's free blocks")
    free.add_argument("--pool", required=True)
    free.add_argument("--length", type=int, metavar="N", help="split into /N blocks")
    free.add_argument("--limit", type=int, default=1000)
    free.add_argument("--offset", type=int, default=0)
    importing = actions.add_parser(
        "import", help="allocate the blocks of a plan lock file or an inventory file",
        description="Allocate, as exact prefixes, the blocks of a plan lock file or of any "
        "inventory 'cidrkit audit' reads. Blocks outside the pool, or inside a block imported "
        "with them, are left out; importing the same file again changes nothing. Exit 1 when "
        "some entry collides with an allocation or does not parse.")
    importing.add_argument("file", metavar="FILE", help="the file ('-' reads stdin)")
    importing.add_argument("--pool", required=True)
    importing.add_argument("--format", choices=("auto", "lock", "inventory"), default="auto",
                           help="auto: a lock file when named *.lock or carrying the lock's "
                           "marker, else an inventory")
    importing.add_argument("--under", action="append", default=[], metavar="PATH",
                           help="only the lock's blocks at or below this plan path (repeatable)")
    importing.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE",
                           help="a tag for every new allocation (repeatable)")
    from cidrkit.cli.ipam_spaces import configure_spaces

    spaces = actions.add_parser("spaces", help="routing domains: list, create, connect, export")
    spans = ipam_addresses.configure(actions)
    for sub in (allocate, release, listing, free, importing, *configure_spaces(spaces), *spans):
        sub.add_argument("--url", help="service URL (default $CIDRKIT_URL)")
        sub.add_argument("--token", help="API token (default $CIDRKIT_TOKEN)")
        sub.add_argument("--json", action="store_true", help="print the API's JSON")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from cidrkit.ipam.client import ClientError, IpamClient

    url = args.url or ctx.env.get("CIDRKIT_URL")
    token = args.token or ctx.env.get("CIDRKIT_TOKEN")
    if not url or not token:
        raise CidrkitError("set CIDRKIT_URL and CIDRKIT_TOKEN (or pass --url and --token)")
    client = IpamClient(url, token)
    try:
        return _dispatch(args, ctx, client)
    except ClientError as exc:
        if exc.status not in (404, 409):
            raise  # bad input, a refused token, an unreachable server: exit 2
        # Not found, exhausted, taken: an answer ("no"), exit 1, not an input error.
        raise NegativeAnswer(f"error: {exc}") from None


def _tags(items: list[str]) -> dict[str, str]:
    tags = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CidrkitError(f"--tag {item!r}: expected KEY=VALUE")
        tags[key] = value
    return tags


def _dispatch(args: argparse.Namespace, ctx: Context, client: Any) -> int:
    if args.action == "spaces":
        from cidrkit.cli.ipam_spaces import run_spaces

        return run_spaces(args, ctx, client)
    if args.action in ipam_addresses.ACTIONS:
        return ipam_addresses.dispatch(args, ctx, client, _tags(getattr(args, "tag", [])))
    if args.action == "import":
        return _import(args, ctx, client)
    if args.action == "allocate":
        tags = _tags(args.tag)
        result = client.allocate(
            args.pool, prefix_length=args.prefix_length, prefix=args.prefix,
            strategy=args.strategy, state="reserved" if args.reserve else None,
            idempotency_key=args.idempotency_key, description=args.description,
            owner=args.owner, tags=tags,
        )
        _show_allocations(ctx, [result], args.json, single=True)
        return ExitCode.OK
    if args.action == "release":
        _show_allocations(ctx, [client.release(args.allocation_id)], args.json, single=True)
        return ExitCode.OK
    if args.action == "list" and args.pool is None:
        pools = client.pools(space=args.space)
        if args.json:
            write_json(ctx, pools)
        else:
            write_table(ctx, [[p["name"], p["space"], " ".join(p["prefixes"]),
                               str(p["utilisation"]["allocations"]),
                               f"{p['utilisation']['percent']:.1f}%"] for p in pools],
                        header=["POOL", "SPACE", "PREFIXES", "ALLOCATIONS", "USED"])
        return ExitCode.OK
    if args.action == "list":
        page = client.allocations(args.pool, states=args.state, limit=args.limit,
                                  offset=args.offset)
        if args.json:
            write_json(ctx, page)
        else:
            _show_allocations(ctx, page["allocations"], False, single=False)
        return ExitCode.OK
    page = client.free(args.pool, length=args.length, limit=args.limit, offset=args.offset)
    if args.json:
        write_json(ctx, page)
    else:
        ctx.stdout.writelines(f"{block}\n" for block in page["blocks"])
        shown = int(page["offset"]) + len(page["blocks"])
        if shown < int(page["total"]):
            ctx.warn(f"showing {len(page['blocks'])} of {page['total']} free blocks; "
                     f"use --offset {shown} for more")
    return ExitCode.OK


def _show_allocations(ctx: Context, items: list[Any], as_json: bool, *, single: bool) -> None:
    if as_json:
        write_json(ctx, items[0] if single else items)
        return
    if single:
        ctx.stdout.write(f"{items[0]['prefix']}\n")
        ctx.stderr.write(f"cidrkit: allocation {items[0]['id']} in pool {items[0]['pool']} "
                         f"({items[0]['state']})\n")
        return
    write_table(ctx, [[str(a["id"]), a["prefix"], a["state"], a["owner"], a["description"]]
                      for a in items], header=["ID", "PREFIX", "STATE", "OWNER", "DESCRIPTION"])


def _import(args: argparse.Namespace, ctx: Context, client: Any) -> int:
    from cidrkit.ipam.model import PROBLEM_KINDS

    if args.file == "-":
        content, filename = ctx.stdin.read(), "stdin"
    else:
        try:
            with open(args.file, encoding="utf-8") as handle:
                content = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CidrkitError(f"{args.file}: cannot read: {exc}") from None
        filename = args.file
    report = client.import_file(args.pool, content=content, filename=filename,
                                format=args.format, under=args.under, tags=_tags(args.tag))
    problems = [s for s in report["skipped"] if s["kind"] in PROBLEM_KINDS]
    if args.json:
        write_json(ctx, report)
    else:
        rows = [[str(a["id"]), a["prefix"], status, a["description"]]
                for status in ("imported", "existing") for a in report[status]]
        if rows:
            write_table(ctx, rows, header=["ID", "PREFIX", "STATUS", "DESCRIPTION"])
        for entry in problems:
            ctx.warn(f"{entry['origin']}: {entry['value']} not imported: {entry['reason']}")
    left_out: dict[str, int] = {}
    for entry in report["skipped"]:
        left_out[entry["kind"]] = left_out.get(entry["kind"], 0) + 1
    detail = ", ".join(f"{n} {kind}" for kind, n in sorted(left_out.items()))
    ctx.stderr.write(
        f"cidrkit: {report['format']} {filename} into pool {args.pool}: "
        f"{len(report['imported'])} imported, {len(report['existing'])} already there, "
        f"{len(report['skipped'])} skipped{f' ({detail})' if detail else ''}\n"
    )
    return ExitCode.FALSE if problems else ExitCode.OK
