"""``cidrkit ipam``: allocate, release and list against a running IPAM service.

The service is ``--url`` or ``$CIDRKIT_URL``; the token ``--token`` or
``$CIDRKIT_TOKEN``. Exit 1 when the pool is exhausted, the prefix is taken or
the pool/allocation does not exist; 2 for bad input or a refused token.
"""

from __future__ import annotations

import argparse
from typing import Any

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
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
    listing.add_argument("--pool", help="the pool (omit to list pools)")
    listing.add_argument("--state", action="append", choices=("allocated", "reserved", "released"))
    listing.add_argument("--limit", type=int, default=1000)
    listing.add_argument("--offset", type=int, default=0)
    free = actions.add_parser("free", help="a pool's free blocks")
    free.add_argument("--pool", required=True)
    free.add_argument("--length", type=int, metavar="N", help="split into /N blocks")
    free.add_argument("--limit", type=int, default=1000)
    free.add_argument("--offset", type=int, default=0)
    for sub in (allocate, release, listing, free):
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
        ctx.stderr.write(f"cidrkit: error: {exc}\n")
        return ExitCode.FALSE if exc.status in (404, 409) else ExitCode.BAD_INPUT


def _dispatch(args: argparse.Namespace, ctx: Context, client: Any) -> int:
    if args.action == "allocate":
        tags = {}
        for item in args.tag:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CidrkitError(f"--tag {item!r}: expected KEY=VALUE")
            tags[key] = value
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
        pools = client.pools()
        if args.json:
            write_json(ctx, pools)
        else:
            write_table(ctx, [[p["name"], " ".join(p["prefixes"]), str(p["utilisation"]
                               ["allocations"]), f"{p['utilisation']['percent']:.1f}%"]
                              for p in pools], header=["POOL", "PREFIXES", "ALLOCATIONS", "USED"])
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
