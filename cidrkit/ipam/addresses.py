"""Single addresses held in a pool, or in one allocation of it: the rows, and what is free.

Taking addresses is a write of the group-commit writer (``address_plan``,
run by ``service.AllocationService``), like prefix allocation; this module
holds the parts it shares with the readers: the free addresses of a
container (the pool's blocks less its live allocations, or one allocation's
block), less every range and every live address, under the pool's
usable-address model and gateway convention (``hostspace``); the check of an
exact address; releasing and editing an address. The database's partial
unique index on a pool's live addresses, and its triggers, make a second
holder of one address impossible even for a writer that bypasses this module.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from cidrkit.core import Addr, IPSet, Prefix, Range
from cidrkit.errors import ParseError
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, InvalidRequest, NotFound
from cidrkit.ipam.heldspace import HeldSpace
from cidrkit.ipam.holdings import addr_of, pool_transaction
from cidrkit.ipam.hostspace import assignable_space, lowest, usable_space
from cidrkit.ipam.model import Pool
from cidrkit.ipam.schema import allocations, audit_log, ip_addresses, ip_ranges, pools, to_hex
from cidrkit.ipam.search import folded_description
from cidrkit.ipam.store import audit_row, utc, visible

AddressState = Literal["reserved", "allocated", "released"]
MAX_COUNT = 256
HELD = HeldSpace()  # each pool's ranges and live addresses, between requests


@dataclass(frozen=True, slots=True)
class IpAddress:
    """One address held in a pool; ``allocation_id`` is the allocation it came from."""

    id: int
    pool: str
    address: Addr
    state: AddressState
    allocation_id: int | None = None
    description: str = ""
    dns_name: str = ""
    owner: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None
    created_at: datetime | None = None
    released_at: datetime | None = None

    @property
    def live(self) -> bool:
        """True while the address is held (allocated or reserved)."""
        return self.state != "released"


@dataclass(frozen=True, slots=True)
class AddressItem:
    """One address wanted: the next free one, or exactly ``address`` (text, parsed here)."""

    address: str | None = None
    state: Literal["reserved", "allocated"] = "allocated"
    description: str = ""
    dns_name: str = ""
    owner: str = ""
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AddressResult:
    """The addresses of one request; ``replayed`` when its idempotency key matched."""

    addresses: tuple[IpAddress, ...]
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class AddressChanges:
    """Fields of a live address that may change (None: unchanged)."""

    state: Literal["reserved", "allocated"] | None = None
    description: str | None = None
    dns_name: str | None = None
    owner: str | None = None
    tags: dict[str, str] | None = None


def fingerprint(allocation_id: int | None, items: Sequence[AddressItem]) -> str:
    """A digest of what was asked, to tell a retry from a reused idempotency key."""
    canonical = [allocation_id, [[i.address, i.state, i.description, i.dns_name, i.owner,
                                  sorted(i.tags.items())] for i in items]]
    return hashlib.sha256(json.dumps(canonical).encode()).hexdigest()


# -- reads --------------------------------------------------------------------

_COLUMNS = (*ip_addresses.c, pools.c.name.label("pool_name"),
            pools.c.version.label("pool_version"))


def address_query() -> sa.Select[Any]:
    """SELECT of address rows joined with their pool's name and IP version."""
    return sa.select(*_COLUMNS).join(pools, ip_addresses.c.pool_id == pools.c.id)


def address_from(row: Row[Any]) -> IpAddress:
    """An ``IpAddress`` from a row of ``address_query()``."""
    return IpAddress(
        id=row.id, pool=row.pool_name, address=addr_of(row.pool_version, row.addr_hex),
        state=row.state, allocation_id=row.allocation_id, description=row.description,
        dns_name=row.dns_name, owner=row.owner, tags=dict(row.tags or {}),
        idempotency_key=row.idempotency_key, created_at=utc(row.created_at),
        released_at=utc(row.released_at))


def addresses_by_ids(conn: Connection, ids: Sequence[int]) -> dict[int, IpAddress]:
    """Address rows keyed by id (missing ids are simply absent)."""
    if not ids:
        return {}
    rows = conn.execute(address_query().where(ip_addresses.c.id.in_(sorted(set(ids)))))
    return {row.id: address_from(row) for row in rows}


def get_address(conn: Connection, address_id: int) -> IpAddress:
    """The address row with that id; ``NotFound`` if there is none."""
    row = conn.execute(address_query().where(ip_addresses.c.id == address_id)).first()
    if row is None:
        raise NotFound(f"address {address_id} does not exist", field="address_id")
    return address_from(row)


def list_addresses(
    conn: Connection, pool: Pool, *, allocation_id: int | None = None,
    address: Addr | None = None, states: Sequence[str] | None = None,
    limit: int = 100, offset: int = 0,
) -> tuple[list[IpAddress], int]:
    """One page of the pool's addresses in address order, and the total count.

    ``allocation_id`` keeps those taken from that allocation; ``address`` those
    of that one address (its live holder and its past ones).
    """
    condition = ip_addresses.c.pool_id == pool.id
    if allocation_id is not None:
        condition = sa.and_(condition, ip_addresses.c.allocation_id == allocation_id)
    if address is not None:
        condition = sa.and_(condition, ip_addresses.c.addr_hex == to_hex(address.value))
    if states:
        condition = sa.and_(condition, ip_addresses.c.state.in_(list(states)))
    total = conn.execute(sa.select(sa.func.count()).select_from(ip_addresses).where(condition))
    query = (address_query().where(condition).order_by(ip_addresses.c.addr_hex, ip_addresses.c.id)
             .limit(limit).offset(offset))
    return [address_from(r) for r in conn.execute(query)], int(total.scalar_one())


def available_addresses(conn: Connection, pool: Pool, allocation_id: int | None,
                        limit: int) -> list[Addr]:
    """The first ``limit`` addresses "next free" would hand out, lowest first."""
    blocks, container = container_of(conn, pool, allocation_id)
    allocated = None if container is not None else partial(_allocated, conn, pool)
    return lowest_free(pool, blocks, limit, HELD.of(conn, pool, locked=False), allocated)


def container_of(conn: Connection, pool: Pool,
                 allocation_id: int | None) -> tuple[list[Prefix], int | None]:
    """The blocks addresses come from: the pool's, or one live allocation's."""
    if allocation_id is None:
        return list(pool.prefixes), None
    found = read_containers(conn, [allocation_id])
    return [check_container(pool, allocation_id, found)], allocation_id


@dataclass(frozen=True, slots=True)
class Container:
    """An allocation addresses may be asked from: its pool, block, state, child pool."""

    pool_id: int
    prefix: Prefix
    live: bool
    child_pool: bool


def read_containers(conn: Connection, ids: Sequence[int]) -> dict[int, Container]:
    """The (visible) allocations with those ids, in one query."""
    if not ids:
        return {}
    query = sa.select(allocations.c.id, allocations.c.pool_id, allocations.c.prefix,
                      allocations.c.state, allocations.c.child_pool_id).where(
        allocations.c.id.in_(sorted(set(ids))), visible())
    return {row.id: Container(row.pool_id, row.prefix, row.state != "released",
                              row.child_pool_id is not None) for row in conn.execute(query)}


def check_container(pool: Pool, allocation_id: int, found: dict[int, Container],
                    released: Collection[int] = ()) -> Prefix:
    """The block of allocation ``allocation_id`` if addresses may be taken from it: in
    ``pool``, live (and not released earlier in the same transaction), no child pool's
    space."""
    container = found.get(allocation_id)
    if container is None or container.pool_id != pool.id:
        raise NotFound(f"allocation_id: allocation {allocation_id} is not in pool "
                       f"{pool.name!r}", field="allocation_id")
    if not container.live or allocation_id in released:
        raise Conflict(f"allocation_id: allocation {allocation_id} ({container.prefix}) is "
                       "released", code="released", field="allocation_id")
    if container.child_pool:
        raise Conflict(f"allocation_id: allocation {allocation_id} ({container.prefix}) is the "
                       "space of a child pool; take addresses from that pool", code="in_use",
                       field="allocation_id")
    return container.prefix


# The first window "next free" reads; each further one is four times larger, so
# a request reads about as many rows as lie below the addresses it gets, never
# every row of a big pool.
FIRST_WINDOW = 256


def lowest_free(pool: Pool, blocks: list[Prefix], count: int, held: IPSet,
                allocated: Callable[[int, int], IPSet] | None,
                skip: Sequence[Addr] = ()) -> list[Addr]:
    """The ``count`` lowest addresses "next free" may hand out (fewer if there are fewer).

    Assignable addresses of ``blocks`` (``hostspace``) less ``held`` (the pool's
    ranges and live addresses, ``heldspace``), less ``skip``, less what
    ``allocated(low, high)`` says the pool's live allocations hold between two
    addresses (None when the container is one allocation). The space is read
    window by window from the lowest address, so a big pool is never read whole.
    """
    if not blocks or count <= 0:
        return []
    bits = blocks[0].bits
    assignable = assignable_space(blocks, pool.usable_model).difference(IPSet(skip))
    low, end = min(b.start for b in blocks), max(b.end for b in blocks)
    found: list[Addr] = []
    width = FIRST_WINDOW
    while low <= end and len(found) < count:
        high = min(low + width - 1, end)
        window = assignable.intersection(IPSet([Range(bits, low, high)]))
        if window:
            free = window.difference(held)
            if allocated is not None and free:
                free = free.difference(allocated(low, high))
            found.extend(lowest(free, count - len(found)))
        low, width = high + 1, width * 4
    return found


def _allocated(conn: Connection, pool: Pool, low: int, high: int) -> IPSet:
    """The pool's live allocations touching ``low``..``high``. They are disjoint, so those
    are the ones starting inside the window plus at most the one starting last before
    it: two index range scans."""
    low_hex, high_hex = to_hex(low), to_hex(high)
    live = sa.and_(allocations.c.pool_id == pool.id, allocations.c.state != "released")
    inside = sa.select(allocations.c.first_hex, allocations.c.last_hex).where(
        live, allocations.c.first_hex >= low_hex, allocations.c.first_hex <= high_hex)
    before = (sa.select(allocations.c.first_hex, allocations.c.last_hex)
              .where(live, allocations.c.first_hex < low_hex)
              .order_by(allocations.c.first_hex.desc()).limit(1))
    spans: list[Range] = []
    for query in (inside, before):
        for first_hex, last_hex in conn.execute(query):
            if last_hex >= low_hex:
                spans.append(Range.between(addr_of(pool.version, first_hex),
                                           addr_of(pool.version, last_hex)))
    return IPSet(spans)


# -- writes -------------------------------------------------------------------


def exact_address(conn: Connection, pool: Pool, text: str, blocks: list[Prefix],
                  container: int | None, where: str) -> Addr:
    """The address ``text`` if it may be taken from the container: inside it, allowed by
    the usable-address model (the gateway may be named), and held by nothing."""
    try:
        addr = Addr.parse(text)
    except ParseError as exc:
        raise InvalidRequest(f"{where}: {exc}", field=where) from None
    inside = next((b for b in blocks if b.contains(addr)), None)
    if inside is None:
        whose = f"allocation {container}" if container is not None else f"pool {pool.name!r}"
        raise InvalidRequest(f"{where}: {addr} is not inside {whose} "
                             f"({', '.join(str(b) for b in blocks)})", field=where)
    if not usable_space([inside], pool.usable_model).contains(addr):
        raise InvalidRequest(f"{where}: {addr} is reserved in {inside} under the pool's "
                             f"{pool.usable_model!r} usable-address model", field=where)
    holder = _holder(conn, pool, addr, container)
    if holder is not None:
        raise Conflict(f"{where}: {addr} {holder}", code="overlap", field=where)
    return addr


def _holder(conn: Connection, pool: Pool, addr: Addr, container: int | None) -> str | None:
    """What holds ``addr`` in the pool, in words, or None if nothing does."""
    value = to_hex(addr.value)
    row = conn.execute(sa.select(ip_addresses.c.id).where(
        ip_addresses.c.pool_id == pool.id, ip_addresses.c.state != "released",
        ip_addresses.c.addr_hex == value)).first()
    if row is not None:
        return f"is already held (address #{row.id}) in pool {pool.name!r}"
    found = conn.execute(sa.select(ip_ranges.c.id, ip_ranges.c.kind).where(
        ip_ranges.c.pool_id == pool.id, ip_ranges.c.first_hex <= value,
        ip_ranges.c.last_hex >= value)).first()
    if found is not None:
        return f"is inside range #{found.id} ({found.kind}) of pool {pool.name!r}"
    if container is None:
        block = conn.execute(sa.select(allocations.c.id, allocations.c.prefix).where(
            allocations.c.pool_id == pool.id, allocations.c.state != "released",
            allocations.c.first_hex <= value, allocations.c.last_hex >= value)).first()
        if block is not None:
            return (f"is inside allocation #{block.id} ({block.prefix}); take it from that "
                    "allocation (allocation_id)")
    return None


def release_address(db: Database, address_id: int, *, actor: str) -> IpAddress:
    """Release an address (releasing a released one returns it unchanged)."""
    with db.read() as conn:
        pool_name = get_address(conn, address_id).pool
    now = datetime.now(UTC)
    with pool_transaction(db, pool_name) as (conn, pool):
        current = get_address(conn, address_id)
        if not current.live:
            return current
        conn.execute(ip_addresses.update().where(ip_addresses.c.id == address_id)
                     .values(state="released", released_at=now))
        detail: dict[str, object] = {"address_id": address_id, "address": str(current.address)}
        conn.execute(audit_log.insert(), [audit_row(actor, "address.release", pool.name,
                                                    current.allocation_id, detail, now)])
        return get_address(conn, address_id)


def update_address(db: Database, address_id: int, changes: AddressChanges, *,
                   actor: str) -> IpAddress:
    """Change a live address's state (allocated/reserved), description, DNS name, owner, tags."""
    with db.read() as conn:
        pool_name = get_address(conn, address_id).pool
    now = datetime.now(UTC)
    with pool_transaction(db, pool_name) as (conn, pool):
        current = get_address(conn, address_id)
        if not current.live:
            raise Conflict(f"address {address_id} ({current.address}) is released; "
                           "allocate it again instead", code="released", field="address_id")
        proposed: dict[str, object] = {
            "state": changes.state, "description": changes.description,
            "dns_name": changes.dns_name, "owner": changes.owner,
            "tags": None if changes.tags is None else dict(changes.tags)}
        values = {name: value for name, value in proposed.items()
                  if value is not None and value != getattr(current, name)}
        if not values:
            return current
        conn.execute(ip_addresses.update().where(ip_addresses.c.id == address_id)
                     .values(**values, **folded_description(values)))
        detail = {"address_id": address_id, "address": str(current.address), **values}
        conn.execute(audit_log.insert(), [audit_row(actor, "address.update", pool.name,
                                                    current.allocation_id, detail, now)])
        return get_address(conn, address_id)
