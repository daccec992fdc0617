"""``cidrkit ipam`` actions for single addresses and IP ranges (a thin client, like the rest).

take-address / release-address / addresses, and add-range / delete-range /
ranges: each parses its options, calls the service and renders its answer;
the service decides everything.
"""

from __future__ import annotations

import argparse
from typing import Any

from cidrkit.cli.context import Context
from cidrkit.cli.exit import ExitCode
from cidrkit.cli.output import write_json, write_table

ACTIONS = ("take-address", "release-address", "addresses", "add-range", "delete-range",
           "ranges")


def configure(actions: Any) -> list[argparse.ArgumentParser]:
    """Add the address and range actions; return their parsers (for the shared options)."""
    take = actions.add_parser(
        "take-address", help="take the next free address(es) of a pool or allocation",
        description="Take the next free addresses of a pool, or of one of its allocations "
        "(--allocation), skipping the network, broadcast and gateway addresses, those the "
        "pool's usable-address model reserves, and every range; or exactly --address. "
        "All or none.")
    take.add_argument("--pool", required=True)
    what = take.add_mutually_exclusive_group()
    what.add_argument("--count", type=int, default=1, metavar="N",
                      help="how many addresses (default 1)")
    what.add_argument("--address", help="an exact address to take")
    take.add_argument("--allocation", type=int, metavar="ID",
                      help="take from this allocation instead of the pool")
    take.add_argument("--reserve", action="store_true", help="mark as reserved")
    take.add_argument("--idempotency-key", metavar="KEY",
                      help="a retry with the same key returns the same addresses")
    take.add_argument("--dns-name", default="")
    take.add_argument("--description", default="")
    take.add_argument("--owner", default="")
    take.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")
    release = actions.add_parser("release-address", help="release a single address by id")
    release.add_argument("address_id", type=int, metavar="ID")
    listing = actions.add_parser("addresses", help="a pool's single addresses")
    listing.add_argument("--pool", required=True)
    listing.add_argument("--allocation", type=int, metavar="ID",
                         help="only those taken from this allocation")
    listing.add_argument("--state", action="append",
                         choices=("allocated", "reserved", "released"))
    listing.add_argument("--limit", type=int, default=1000)
    listing.add_argument("--offset", type=int, default=0)
    add = actions.add_parser(
        "add-range", help="add an IP range (dhcp, reserved, populated) to a pool",
        description="Add the range START-END to a pool: inside one allocation, or outside all "
        "of them, where it blocks prefix allocation. Ranges never overlap.")
    add.add_argument("--pool", required=True)
    add.add_argument("start", metavar="START")
    add.add_argument("end", metavar="END")
    add.add_argument("--kind", choices=("dhcp", "reserved", "populated"), default="dhcp")
    add.add_argument("--description", default="")
    add.add_argument("--allocation", type=int, metavar="ID",
                     help="the allocation the range must lie in")
    delete = actions.add_parser("delete-range", help="delete an IP range by id")
    delete.add_argument("range_id", type=int, metavar="ID")
    ranges = actions.add_parser("ranges", help="a pool's IP ranges")
    ranges.add_argument("--pool", required=True)
    return [take, release, listing, add, delete, ranges]


def dispatch(args: argparse.Namespace, ctx: Context, client: Any,
             tags: dict[str, str]) -> int:
    """Run one address or range action; the service's errors propagate to the caller."""
    if args.action == "take-address":
        result = client.take_addresses(
            args.pool, count=args.count if args.address is None else None, address=args.address,
            allocation_id=args.allocation, state="reserved" if args.reserve else None,
            idempotency_key=args.idempotency_key, dns_name=args.dns_name,
            description=args.description, owner=args.owner, tags=tags)
        if args.json:
            write_json(ctx, result)
            return ExitCode.OK
        held = result["addresses"]
        ctx.stdout.writelines(f"{a['address']}\n" for a in held)
        ids = ", ".join(str(a["id"]) for a in held)
        replayed = " (replayed)" if result["replayed"] else ""
        ctx.stderr.write(f"cidrkit: address {ids} in pool {args.pool}{replayed}\n")
        return ExitCode.OK
    if args.action == "release-address":
        released = client.release_address(args.address_id)
        if args.json:
            write_json(ctx, released)
        else:
            ctx.stdout.write(f"{released['address']}\n")
        return ExitCode.OK
    if args.action == "addresses":
        page = client.addresses(args.pool, allocation_id=args.allocation, states=args.state,
                                limit=args.limit, offset=args.offset)
        if args.json:
            write_json(ctx, page)
        else:
            write_table(ctx, [[str(a["id"]), a["address"], a["state"],
                               str(a["allocation_id"] or ""), a["dns_name"], a["description"]]
                              for a in page["addresses"]],
                        header=["ID", "ADDRESS", "STATE", "ALLOCATION", "DNS NAME",
                                "DESCRIPTION"])
        return ExitCode.OK
    if args.action == "add-range":
        made = client.add_range(args.pool, start=args.start, end=args.end, kind=args.kind,
                                description=args.description, allocation_id=args.allocation)
        _show_ranges(ctx, [made], args.json, single=True)
        return ExitCode.OK
    if args.action == "delete-range":
        client.delete_range(args.range_id)
        ctx.stderr.write(f"cidrkit: range {args.range_id} deleted\n")
        return ExitCode.OK
    _show_ranges(ctx, client.ranges(args.pool), args.json, single=False)
    return ExitCode.OK


def _show_ranges(ctx: Context, items: list[Any], as_json: bool, *, single: bool) -> None:
    if as_json:
        write_json(ctx, items[0] if single else items)
        return
    write_table(ctx, [[str(r["id"]), f"{r['start']}-{r['end']}", r["size"], r["kind"],
                       str(r["allocation_id"] or ""), r["description"]] for r in items],
                header=["ID", "RANGE", "SIZE", "KIND", "ALLOCATION", "DESCRIPTION"])
