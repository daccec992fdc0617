"""Address requests planned inside a group-commit transaction, beside prefix allocations.

The writer thread hands every queued request to ``AllocationService.execute``,
which locks the pools involved once and plans each request in memory; this
module is the address part of that plan. For each ``AddressOp`` it checks
the idempotency key (read for the whole batch in one query per pool), the
allocation asked from (one query for the whole batch), then chooses the
addresses: exact ones checked against the database and against what earlier
requests of the same batch took, the others the lowest free ones of the
container. A pool's ranges and live addresses come from ``HELD`` (read at
most once per generation) and, for addresses taken from the pool itself, its
live blocks from the allocation service's ``PoolSpace``, which already holds
the allocations placed earlier in the batch; the addresses chosen go into
both, so the requests that follow (prefix or address) go around them. All
rows are then written with one INSERT, and their audit entries with the
batch's one audit INSERT.

A request is all or none: its addresses are recorded only once every one of
them was found. The database's unique index and triggers stay the guarantee
behind the plan; if they refuse the transaction, the writer retries each
request alone so only the culprit fails.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from cidrkit.core import Addr, IPSet, Prefix
from cidrkit.ipam.addresses import (
    HELD,
    MAX_COUNT,
    AddressItem,
    AddressResult,
    Container,
    IpAddress,
    address_from,
    address_query,
    check_container,
    exact_address,
    fingerprint,
    lowest_free,
    read_containers,
)
from cidrkit.ipam.allocator import PoolSpace
from cidrkit.ipam.errors import Conflict, InvalidRequest, idempotency_mismatch
from cidrkit.ipam.model import Pool
from cidrkit.ipam.schema import ip_addresses, to_hex
from cidrkit.ipam.search import folded
from cidrkit.ipam.store import PoolKey, audit_row, pool_key


@dataclass(frozen=True, slots=True)
class AddressOp:
    """Take one address per item from ``pool`` (or from ``allocation_id``), all or none."""

    pool: str
    items: tuple[AddressItem, ...]
    actor: str
    allocation_id: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True, slots=True)
class _Planned:
    index: int
    op: AddressOp
    pool: Pool
    container: int | None
    digest: str
    chosen: tuple[Addr, ...]


class AddressPlan:
    """The address requests of one write transaction, from planning to written rows."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.held: dict[int, tuple[Pool, IPSet]] = {}
        self.planned: list[_Planned] = []
        self.containers: dict[int, Container] = {}
        self.keys: dict[tuple[str, str], tuple[str, AddressResult]] = {}
        self.used_allocations: dict[int, int] = {}  # allocation id -> addresses taken

    def prepare(self, ops: Sequence[AddressOp], pools: dict[str, Pool]) -> None:
        """Read, for the whole batch at once, the keys already used and the allocations
        asked from."""
        self.containers = read_containers(
            self.conn, [op.allocation_id for op in ops if op.allocation_id is not None])
        wanted: dict[int, set[str]] = {}
        for op in ops:
            if op.idempotency_key and op.pool in pools:
                wanted.setdefault(pools[op.pool].id, set()).add(op.idempotency_key)
        for pool_id, keys in wanted.items():
            query = (address_query()
                     .where(ip_addresses.c.pool_id == pool_id,
                            ip_addresses.c.idempotency_key.in_(sorted(keys)))
                     .order_by(ip_addresses.c.idempotency_key, ip_addresses.c.batch_index))
            grouped: dict[tuple[str, str], tuple[str, list[IpAddress]]] = {}
            for row in self.conn.execute(query):
                entry = grouped.setdefault((row.pool_name, row.idempotency_key),
                                           (row.request_hash, []))
                entry[1].append(address_from(row))
            for key, (digest, rows) in grouped.items():
                self.keys[key] = (digest, AddressResult(tuple(rows), replayed=True))

    def replay(self, op: AddressOp) -> AddressResult | None:
        """The first request's addresses if ``op``'s key was used before (422 if for a
        different request), else None."""
        if op.idempotency_key is None:
            return None
        found = self.keys.get((op.pool, op.idempotency_key))
        if found is None:
            return None
        if found[0] != fingerprint(op.allocation_id, op.items):
            raise idempotency_mismatch(op.idempotency_key, op.pool)
        return found[1]

    def plan(self, index: int, op: AddressOp, pool: Pool, space: Callable[[Pool], PoolSpace],
             released: set[int]) -> None:
        """Choose ``op``'s addresses and record them as held; raise its error otherwise.

        ``space`` gives the pool's live blocks (with this batch's placements);
        ``released`` the allocations released earlier in this batch.
        """
        if not 1 <= len(op.items) <= MAX_COUNT:
            raise InvalidRequest(f"count: {len(op.items)} is outside 1-{MAX_COUNT}",
                                 field="count")
        if op.allocation_id is None:
            blocks, container = list(pool.prefixes), None
        else:
            blocks = [check_container(pool, op.allocation_id, self.containers, released)]
            container = op.allocation_id
        held = self._held(pool)
        pool_space = space(pool) if container is None else None
        chosen = self._choose(op, pool, blocks, container, held, pool_space)
        self.held[pool.id] = (pool, held.union(IPSet(chosen)))
        if pool_space is not None:
            pool_space.hold([Prefix.from_addr(a) for a in chosen])
        if container is not None:
            self.used_allocations[container] = (self.used_allocations.get(container, 0)
                                                + len(chosen))
        digest = fingerprint(op.allocation_id, op.items)
        self.planned.append(_Planned(index, op, pool, container, digest, tuple(chosen)))

    def _held(self, pool: Pool) -> IPSet:
        entry = self.held.get(pool.id)
        if entry is None:
            entry = (pool, HELD.of(self.conn, pool, locked=True))
            self.held[pool.id] = entry
        return entry[1]

    def _choose(self, op: AddressOp, pool: Pool, blocks: list[Prefix], container: int | None,
                held: IPSet, pool_space: PoolSpace | None) -> list[Addr]:
        """One address per item: exact ones first (checked), then the lowest free ones."""
        chosen: dict[int, Addr] = {}
        single = len(op.items) == 1
        for index, item in enumerate(op.items):
            if item.address is None:
                continue
            where = "address" if single else f"items[{index}].address"
            addr = exact_address(self.conn, pool, item.address, blocks, container, where)
            if addr in chosen.values():
                raise InvalidRequest(f"{where}: {addr} is asked for twice", field=where)
            # Held by a request planned earlier in this transaction (not yet written).
            if held.contains(addr) or (pool_space is not None
                                       and pool_space.taken.contains(addr)):
                raise Conflict(f"{where}: {addr} is already held in pool {pool.name!r}",
                               code="overlap", field=where)
            chosen[index] = addr
        wanted = [i for i in range(len(op.items)) if i not in chosen]
        if wanted:
            taken = pool_space.taken if pool_space is not None else None
            picked = lowest_free(pool, blocks, len(wanted), held,
                                 None if taken is None else _within(taken, blocks[0].bits),
                                 list(chosen.values()))
            if len(picked) < len(wanted):
                whose = (f"allocation {container}" if container is not None
                         else f"pool {pool.name!r}")
                raise Conflict(f"count: {whose} has {len(picked)} free address(es), "
                               f"{len(wanted)} wanted", code="exhausted", field="count")
            chosen.update(zip(wanted, picked, strict=True))
        return [chosen[i] for i in range(len(op.items))]

    def write(self) -> tuple[dict[int, AddressResult], list[dict[str, Any]]]:
        """Insert every planned address (one statement); their results by op index, and
        the audit rows to write with the batch's."""
        rows = [
            {"pool_id": p.pool.id, "allocation_id": p.container, "version": p.pool.version,
             "addr_hex": to_hex(addr.value), "text_form": str(addr), "state": item.state,
             "description": item.description, "description_folded": folded(item.description),
             "dns_name": item.dns_name, "owner": item.owner,
             "tags": dict(item.tags), "idempotency_key": p.op.idempotency_key,
             "batch_index": position, "request_hash": p.digest, "created_at": self.now,
             "released_at": None}
            for p in self.planned
            for position, (item, addr) in enumerate(zip(p.op.items, p.chosen, strict=True))
        ]
        if not rows:
            return {}, []
        ids = iter(self.conn.execute(
            ip_addresses.insert().returning(ip_addresses.c.id, sort_by_parameter_order=True),
            rows).scalars().all())
        results: dict[int, AddressResult] = {}
        audits: list[dict[str, Any]] = []
        for p in self.planned:
            made = tuple(
                IpAddress(id=next(ids), pool=p.pool.name, address=addr, state=item.state,
                          allocation_id=p.container, description=item.description,
                          dns_name=item.dns_name, owner=item.owner, tags=dict(item.tags),
                          idempotency_key=p.op.idempotency_key, created_at=self.now)
                for item, addr in zip(p.op.items, p.chosen, strict=True))
            results[p.index] = AddressResult(made)
            for address in made:
                detail: dict[str, object] = {"address_id": address.id,
                                             "address": str(address.address),
                                             "state": address.state}
                if p.op.idempotency_key:
                    detail["idempotency_key"] = p.op.idempotency_key
                audits.append(audit_row(p.op.actor, "address.create", p.pool.name, p.container,
                                        detail, self.now))
        return results, audits

    def committed_held(self) -> dict[PoolKey, tuple[Pool, int, IPSet]]:
        """Each pool's held addresses once this batch has committed (its generation was
        bumped once by the batch's lock)."""
        return {pool_key(pool): (pool, pool.generation + 1, held)
                for pool, held in self.held.values()}


def _within(taken: IPSet, bits: int) -> Callable[[int, int], IPSet]:
    """The pool's live blocks between two addresses, as ``lowest_free`` asks for them: the
    blocks are in memory already, sorted, so each window takes its slice by bisection
    instead of sweeping every block of a big pool."""
    intervals = taken.intervals
    starts = [(b, start) for b, start, _ in intervals]

    def blocks(low: int, high: int) -> IPSet:
        first = max(bisect_right(starts, (bits, low)) - 1, 0)
        last = bisect_right(starts, (bits, high))
        return IPSet.from_intervals(intervals[first:last])

    return blocks
