"""Finding NetBox prefixes among cidrkit's pools and allocations.

Everything here reads through the application layer (``IpamApp``), so
scopes are checked there: a token sees the prefixes of the pools it may
read, and an id it may not read is "not found", exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable

from cidrkit.core import Prefix
from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.app_pools import PoolContents
from cidrkit.ipam.errors import NotFound
from cidrkit.ipam.model import Pool, Token
from cidrkit.ipam.netbox.errors import bad
from cidrkit.ipam.netbox.ids import (
    AllocationRef,
    allocation_prefix_id,
    parse_prefix_id,
    pool_prefix_id,
)
from cidrkit.ipam.netbox.shapes import PrefixObject


def objects_of(pools: Iterable[PoolContents]) -> list[PrefixObject]:
    """Every prefix of ``pools`` in NetBox's order (by prefix, containers first).

    An allocation that is a child pool's space is left out: the child pool's
    own container prefix stands for it.
    """
    found: list[PrefixObject] = []
    for contents in pools:
        pool = contents.pool
        for index, prefix in enumerate(pool.prefixes):
            prefix_id = pool_prefix_id(pool.id, index)
            if prefix_id is not None:
                found.append(PrefixObject(prefix_id, prefix, pool))
        for allocation in contents.allocations:
            if allocation.prefix not in contents.carved:
                found.append(PrefixObject(allocation_prefix_id(allocation.id), allocation.prefix,
                                          pool, allocation))
    found.sort(key=lambda o: (o.prefix, o.allocation is not None, o.id))
    return found


def parse_id(text: str, kind: str = "prefix") -> int:
    """A path id; anything but a positive decimal names nothing (404 naming ``id``)."""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise NotFound(f"id: {text!r} is not a {kind} id", field="id")
    return int(text)


def prefix_by_id(ipam: IpamApp, token: Token, text: str) -> PrefixObject:
    """The prefix with NetBox id ``text`` (read scope); 404 naming ``id`` otherwise."""
    value = parse_id(text)
    missing = NotFound(f"prefix {value} does not exist", field="id")
    ref = parse_prefix_id(value)
    if ref is None:
        raise missing
    try:
        if isinstance(ref, AllocationRef):
            allocation = ipam.allocation(token, ref.allocation_id)
            if not allocation.live or allocation.prefix in ipam.carved_from(token,
                                                                             allocation.pool):
                raise missing
            return PrefixObject(value, allocation.prefix, ipam.pool(token, allocation.pool),
                                allocation)
        pool = ipam.pool_by_id(token, ref.pool_id)
    except NotFound:
        raise missing from None
    if ref.index >= len(pool.prefixes):
        raise missing
    return PrefixObject(value, pool.prefixes[ref.index], pool)


def carving_pool(obj: PrefixObject) -> Pool:
    """The pool whose free space ``obj`` offers (``available-prefixes``, ``available-ips``).

    Only a pool's prefix offers space: cidrkit hands blocks out of pools, and
    a pool of several prefixes places blocks across all of them, so only a
    single-prefix pool can promise the block lands inside this one.
    """
    if obj.allocation is not None:
        raise bad("id", f"prefix {obj.id} ({obj.prefix}) is an allocation of pool "
                        f"{obj.pool.name!r}, not a pool: cidrkit hands out space only from "
                        "pools (make it a child pool with POST /api/v1/pools)")
    if len(obj.pool.prefixes) > 1:
        raise bad("id", f"prefix {obj.id} ({obj.prefix}) is one of the "
                        f"{len(obj.pool.prefixes)} prefixes of pool {obj.pool.name!r}, which "
                        "places blocks across all of them; allocate with "
                        f"POST /api/v1/pools/{obj.pool.name}/allocations")
    return obj.pool


def innermost_pool(pools: Iterable[PoolContents], prefix: Prefix) -> Pool | None:
    """The innermost of ``pools`` one of whose prefixes holds ``prefix``."""
    best: tuple[int, Pool] | None = None
    for contents in pools:
        for own in contents.pool.prefixes:
            if own.contains(prefix) and (best is None or own.length > best[0]):
                best = (own.length, contents.pool)
    return best[1] if best else None
