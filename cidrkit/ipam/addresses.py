"""Single addresses handed out of a pool, or of one allocation of it.

``allocate_addresses`` takes the pool's lock, works out the free addresses
of the container (the pool's blocks less its live allocations, or one
allocation's block), less every range and every live address, under the
pool's usable-address model and gateway convention (``hostspace``), and
inserts one row per address. The database's partial unique index on a
pool's live addresses, and its triggers, make a second holder of one
address impossible even for a writer that bypasses this module.

Idempotency keys work as for prefix allocations: the same key with the same
request returns the addresses the first request got; the same key with a
different request is a 409. A request for several addresses is all or none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
from cidrkit.ipam.store import audit_row, get_allocation, utc

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


def _query() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).join(pools, ip_addresses.c.pool_id == pools.c.id)


def _address_from(row: Row[Any]) -> IpAddress:
    return IpAddress(
        id=row.id, pool=row.pool_name, address=addr_of(row.pool_version, row.addr_hex),
        state=row.state, allocation_id=row.allocation_id, description=row.description,
        dns_name=row.dns_name, owner=row.owner, tags=dict(row.tags or {}),
        idempotency_key=row.idempotency_key, created_at=utc(row.created_at),
        released_at=utc(row.released_at))


def get_address(conn: Connection, address_id: int) -> IpAddress:
    """The address row with that id; ``NotFound`` if there is none."""
    row = conn.execute(_query().where(ip_addresses.c.id == address_id)).first()
    if row is None:
        raise NotFound(f"address {address_id} does not exist", field="address_id")
    return _address_from(row)


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
    query = (_query().where(condition).order_by(ip_addresses.c.addr_hex, ip_addresses.c.id)
             .limit(limit).offset(offset))
    return [_address_from(r) for r in conn.execute(query)], int(total.scalar_one())


def available_addresses(conn: Connection, pool: Pool, allocation_id: int | None,
                        limit: int) -> list[Addr]:
    """The first ``limit`` addresses "next free" would hand out, lowest first."""
    blocks, container = _container(conn, pool, allocation_id)
    return lowest_free(conn, pool, blocks, container, limit, HELD.of(conn, pool, locked=False))


def _container(conn: Connection, pool: Pool,
               allocation_id: int | None) -> tuple[list[Prefix], int | None]:
    """The blocks addresses come from: the pool's, or one live allocation's."""
    if allocation_id is None:
        return list(pool.prefixes), None
    try:
        found = get_allocation(conn, allocation_id)
    except NotFound:
        found = None
    if found is None or found.pool != pool.name:
        raise NotFound(f"allocation_id: allocation {allocation_id} is not in pool "
                       f"{pool.name!r}", field="allocation_id")
    if not found.live:
        raise Conflict(f"allocation_id: allocation {allocation_id} ({found.prefix}) is released",
                       code="released", field="allocation_id")
    child = conn.execute(sa.select(allocations.c.child_pool_id).where(
        allocations.c.id == allocation_id)).scalar_one()
    if child is not None:
        raise Conflict(f"allocation_id: allocation {allocation_id} ({found.prefix}) is the space "
                       "of a child pool; take addresses from that pool", code="in_use",
                       field="allocation_id")
    return [found.prefix], allocation_id


# The first window "next free" reads; each further one is four times larger, so
# a request reads about as many rows as lie below the addresses it gets, never
# every row of a big pool.
FIRST_WINDOW = 256


def lowest_free(conn: Connection, pool: Pool, blocks: list[Prefix], container: int | None,
                count: int, held: IPSet, skip: Sequence[Addr] = ()) -> list[Addr]:
    """The ``count`` lowest addresses "next free" may hand out (fewer if there are fewer).

    Assignable addresses of ``blocks`` (``hostspace``) less ``held`` (the pool's
    ranges and live addresses, ``heldspace``), less the pool's live allocations
    when the container is the pool itself (read window by window from the
    lowest address), less ``skip``.
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
            if container is None and free:
                free = free.difference(_allocated(conn, pool, low, high))
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


def allocate_addresses(
    db: Database, pool_name: str, items: Sequence[AddressItem], *, actor: str,
    allocation_id: int | None = None, idempotency_key: str | None = None,
) -> AddressResult:
    """Hand out one address per item from the pool (or from ``allocation_id``), all or none.

    Raises ``InvalidRequest`` naming ``items[i].address`` (or ``address`` for a
    single item), ``Conflict`` (``exhausted``: not enough free addresses;
    ``overlap``: an exact address is held, in a range or in an allocation;
    ``idempotency_mismatch``), ``NotFound``.
    """
    if not 1 <= len(items) <= MAX_COUNT:
        raise InvalidRequest(f"count: {len(items)} is outside 1-{MAX_COUNT}", field="count")
    digest = fingerprint(allocation_id, items)
    now = datetime.now(UTC)
    with pool_transaction(db, pool_name) as (conn, pool):
        if idempotency_key is not None:
            previous = _replay(conn, pool, idempotency_key, digest)
            if previous is not None:
                return previous
        blocks, container = _container(conn, pool, allocation_id)
        held = HELD.of(conn, pool, locked=True)
        chosen = _choose(conn, pool, items, blocks, container, held)
        rows = [
            {"pool_id": pool.id, "allocation_id": container, "version": pool.version,
             "addr_hex": to_hex(addr.value), "state": item.state,
             "description": item.description, "dns_name": item.dns_name, "owner": item.owner,
             "tags": dict(item.tags), "idempotency_key": idempotency_key, "batch_index": index,
             "request_hash": digest, "created_at": now, "released_at": None}
            for index, (item, addr) in enumerate(zip(items, chosen, strict=True))
        ]
        ids = conn.execute(
            ip_addresses.insert().returning(ip_addresses.c.id, sort_by_parameter_order=True),
            rows).scalars().all()
        made = tuple(
            IpAddress(id=new_id, pool=pool.name, address=addr, state=item.state,
                      allocation_id=container, description=item.description,
                      dns_name=item.dns_name, owner=item.owner, tags=dict(item.tags),
                      idempotency_key=idempotency_key, created_at=now)
            for new_id, item, addr in zip(ids, items, chosen, strict=True))
        audits = []
        for address in made:
            detail: dict[str, object] = {"address_id": address.id,
                                         "address": str(address.address),
                                         "state": address.state}
            if idempotency_key:
                detail["idempotency_key"] = idempotency_key
            audits.append(audit_row(actor, "address.create", pool.name, container, detail, now))
        conn.execute(audit_log.insert(), audits)
    # Committed: the next request on this pool (generation bumped once) starts from here.
    HELD.remember(db.engine, pool, pool.generation + 1, held.union(IPSet(chosen)))
    return AddressResult(made)


def _replay(conn: Connection, pool: Pool, key: str, digest: str) -> AddressResult | None:
    query = (_query().where(ip_addresses.c.pool_id == pool.id,
                            ip_addresses.c.idempotency_key == key)
             .order_by(ip_addresses.c.batch_index))
    rows = conn.execute(query).all()
    if not rows:
        return None
    if rows[0].request_hash != digest:
        raise Conflict(f"idempotency_key: {key!r} was already used in pool {pool.name!r} for a "
                       "different request", code="idempotency_mismatch", field="idempotency_key")
    return AddressResult(tuple(_address_from(r) for r in rows), replayed=True)


def _choose(conn: Connection, pool: Pool, items: Sequence[AddressItem], blocks: list[Prefix],
            container: int | None, held: IPSet) -> list[Addr]:
    """One address per item: exact ones first (checked), then the lowest free ones."""
    chosen: dict[int, Addr] = {}
    single = len(items) == 1
    for index, item in enumerate(items):
        if item.address is not None:
            where = "address" if single else f"items[{index}].address"
            addr = _exact(conn, pool, item.address, blocks, container, where)
            if addr in chosen.values():
                raise InvalidRequest(f"{where}: {addr} is asked for twice", field=where)
            chosen[index] = addr
    wanted = [i for i in range(len(items)) if i not in chosen]
    picked = lowest_free(conn, pool, blocks, container, len(wanted), held,
                         list(chosen.values()))
    if len(picked) < len(wanted):
        where = f"allocation {container}" if container is not None else f"pool {pool.name!r}"
        raise Conflict(f"count: {where} has {len(picked)} free address(es), "
                       f"{len(wanted)} wanted", code="exhausted", field="count")
    chosen.update(zip(wanted, picked, strict=True))
    return [chosen[i] for i in range(len(items))]


def _exact(conn: Connection, pool: Pool, text: str, blocks: list[Prefix],
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
                     .values(**values))
        detail = {"address_id": address_id, "address": str(current.address), **values}
        conn.execute(audit_log.insert(), [audit_row(actor, "address.update", pool.name,
                                                    current.allocation_id, detail, now)])
        return get_address(conn, address_id)
