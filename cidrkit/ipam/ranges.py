"""IP ranges inside pools: DHCP scopes, reserved spans, populated spans.

A range is ``start..end`` inside one pool. Where it lies decides what it is:

* inside no allocation, it belongs to the pool and blocks prefix allocation
  there (it counts as used, and the free-block lists go around it);
* inside one live allocation, it belongs to that allocation (a DHCP scope
  of a subnet), and only single-address allocation in that subnet skips it;
* across an allocation's edge, it is refused: half of it would be the
  allocation holder's space and half the pool's.

Ranges of a pool never overlap each other and never cover a live single
address. Every rule is checked here under the pool's lock with a clear
message, and again by the database (see migration 0005).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, get_args

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from cidrkit.core import Addr, IPSet, Range
from cidrkit.errors import ParseError
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, InvalidRequest, NotFound
from cidrkit.ipam.holdings import addr_of, pool_transaction
from cidrkit.ipam.model import Pool
from cidrkit.ipam.schema import allocations, audit_log, ip_addresses, ip_ranges, pools, to_hex
from cidrkit.ipam.search import folded, folded_description
from cidrkit.ipam.store import audit_row, utc

RangeKind = Literal["dhcp", "reserved", "populated"]
RANGE_KINDS: tuple[str, ...] = get_args(RangeKind)


@dataclass(frozen=True, slots=True)
class IpRange:
    """A span of a pool; ``allocation_id`` is the allocation it lies in (None: the pool's)."""

    id: int
    pool: str
    span: Range
    kind: RangeKind
    description: str = ""
    allocation_id: int | None = None
    created_at: datetime | None = None

    @property
    def start(self) -> Addr:
        return self.span.first

    @property
    def end(self) -> Addr:
        return self.span.last


@dataclass(frozen=True, slots=True)
class RangeSpec:
    """A range to create: its two ends as text (parsed strictly here), kind, description.

    ``allocation_id`` insists on the allocation the range must lie in; without
    it the range goes to the allocation that contains it, or to the pool.
    """

    start: str
    end: str
    kind: str = "dhcp"
    description: str = ""
    allocation_id: int | None = None


@dataclass(frozen=True, slots=True)
class RangeChanges:
    """Fields of a range that may change after creation (None: unchanged)."""

    kind: str | None = None
    description: str | None = None


def parse_span(start: str, end: str) -> Range:
    """The range ``start..end``; ``InvalidRequest`` naming ``start`` or ``end``."""
    ends: list[Addr] = []
    for name, text in (("start", start), ("end", end)):
        try:
            ends.append(Addr.parse(text))
        except ParseError as exc:
            raise InvalidRequest(f"{name}: {exc}", field=name) from None
    first, last = ends
    if first.version != last.version:
        raise InvalidRequest(f"end: {last} is IPv{last.version} but start {first} is "
                             f"IPv{first.version}", field="end")
    if last.value < first.value:
        raise InvalidRequest(f"end: {last} is before start {first} "
                             f"(did you mean {last}-{first}?)", field="end")
    return Range.between(first, last)


def check_kind(kind: str, field: str = "kind") -> RangeKind:
    """``kind`` if it is a range kind; ``InvalidRequest`` listing them otherwise."""
    if kind not in RANGE_KINDS:
        raise InvalidRequest(f"{field}: {kind[:40]!r} is not one of {', '.join(RANGE_KINDS)}",
                             field=field)
    return kind  # type: ignore[return-value]


# -- reads --------------------------------------------------------------------

_COLUMNS = (*ip_ranges.c, pools.c.name.label("pool_name"), pools.c.version.label("pool_version"))


def _query() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).join(pools, ip_ranges.c.pool_id == pools.c.id)


def _range_from(row: Row[Any]) -> IpRange:
    first = addr_of(row.pool_version, row.first_hex)
    last = addr_of(row.pool_version, row.last_hex)
    return IpRange(id=row.id, pool=row.pool_name, span=Range.between(first, last),
                   kind=row.kind, description=row.description,
                   allocation_id=row.allocation_id, created_at=utc(row.created_at))


def list_ranges(conn: Connection, pool: Pool) -> list[IpRange]:
    """The pool's ranges (free-standing and inside allocations), in address order."""
    query = _query().where(ip_ranges.c.pool_id == pool.id).order_by(ip_ranges.c.first_hex)
    return [_range_from(row) for row in conn.execute(query)]


def ranges_by_ids(conn: Connection, ids: Sequence[int]) -> dict[int, IpRange]:
    """Ranges keyed by id (missing ids are simply absent)."""
    if not ids:
        return {}
    rows = conn.execute(_query().where(ip_ranges.c.id.in_(sorted(set(ids)))))
    return {row.id: _range_from(row) for row in rows}


def get_range(conn: Connection, range_id: int) -> IpRange:
    """The range with that id; ``NotFound`` if there is none."""
    row = conn.execute(_query().where(ip_ranges.c.id == range_id)).first()
    if row is None:
        raise NotFound(f"range {range_id} does not exist", field="range_id")
    return _range_from(row)


def ranges_overlapping(conn: Connection, pool: Pool, span: Range) -> list[IpRange]:
    """The pool's ranges sharing an address with ``span``."""
    query = _query().where(ip_ranges.c.pool_id == pool.id,
                           ip_ranges.c.first_hex <= to_hex(span.end),
                           ip_ranges.c.last_hex >= to_hex(span.start))
    return [_range_from(row) for row in conn.execute(query.order_by(ip_ranges.c.first_hex))]


# -- writes -------------------------------------------------------------------


def create_range(db: Database, pool_name: str, spec: RangeSpec, *, actor: str) -> IpRange:
    """Create a range in ``pool_name`` under the pool's lock, with its audit entry.

    Raises ``InvalidRequest`` (bad ends, kind, outside the pool or the named
    allocation), ``Conflict`` (overlaps a range, covers a live address,
    crosses an allocation's edge, lies in a child pool's space), ``NotFound``.
    """
    span = parse_span(spec.start, spec.end)
    kind = check_kind(spec.kind)
    now = datetime.now(UTC)
    with pool_transaction(db, pool_name) as (conn, pool):
        _check_inside_pool(pool, span)
        allocation_id = _container(conn, pool, span, spec.allocation_id)
        for other in ranges_overlapping(conn, pool, span):
            raise Conflict(f"start: {span} overlaps range #{other.id} ({other.span}, "
                           f"{other.kind}) of pool {pool.name!r}", code="overlap", field="start")
        held = conn.execute(
            sa.select(ip_addresses.c.id, ip_addresses.c.addr_hex).where(
                ip_addresses.c.pool_id == pool.id, ip_addresses.c.state != "released",
                ip_addresses.c.addr_hex >= to_hex(span.start),
                ip_addresses.c.addr_hex <= to_hex(span.end))
            .order_by(ip_addresses.c.addr_hex).limit(1)).first()
        if held is not None:
            raise Conflict(f"start: {span} covers address #{held.id} "
                           f"({addr_of(pool.version, held.addr_hex)}), held in pool "
                           f"{pool.name!r}; release it first", code="overlap", field="start")
        new_id = conn.execute(ip_ranges.insert().returning(ip_ranges.c.id), {
            "pool_id": pool.id, "allocation_id": allocation_id, "version": pool.version,
            "first_hex": to_hex(span.start), "last_hex": to_hex(span.end), "kind": kind,
            "description": spec.description, "created_at": now, "text_form": str(span),
            "description_folded": folded(spec.description),
        }).scalar_one()
        detail: dict[str, object] = {"range_id": new_id, "range": str(span), "kind": kind}
        if allocation_id is not None:
            detail["inside_allocation"] = allocation_id
        conn.execute(audit_log.insert(), [audit_row(actor, "range.create", pool.name,
                                                    allocation_id, detail, now)])
        return IpRange(id=new_id, pool=pool.name, span=span, kind=kind,
                       description=spec.description, allocation_id=allocation_id,
                       created_at=now)


def update_range(db: Database, range_id: int, changes: RangeChanges, *, actor: str) -> IpRange:
    """Change a range's kind or description (its ends never move: delete and re-create)."""
    if changes.kind is not None:
        check_kind(changes.kind)
    with db.read() as conn:
        pool_name = get_range(conn, range_id).pool
    now = datetime.now(UTC)
    with pool_transaction(db, pool_name) as (conn, pool):
        current = get_range(conn, range_id)
        values: dict[str, object] = {}
        if changes.kind is not None and changes.kind != current.kind:
            values["kind"] = changes.kind
        if changes.description is not None and changes.description != current.description:
            values["description"] = changes.description
        if not values:
            return current
        conn.execute(ip_ranges.update().where(ip_ranges.c.id == range_id)
                     .values(**values, **folded_description(values)))
        detail = {"range_id": range_id, "range": str(current.span), **values}
        conn.execute(audit_log.insert(), [audit_row(actor, "range.update", pool.name,
                                                    current.allocation_id, detail, now)])
        return get_range(conn, range_id)


def delete_range(db: Database, range_id: int, *, actor: str) -> IpRange:
    """Delete a range (its space becomes free again) and return what it was."""
    with db.read() as conn:
        pool_name = get_range(conn, range_id).pool
    now = datetime.now(UTC)
    with pool_transaction(db, pool_name) as (conn, pool):
        current = get_range(conn, range_id)
        conn.execute(ip_ranges.delete().where(ip_ranges.c.id == range_id))
        detail: dict[str, object] = {"range_id": range_id, "range": str(current.span),
                                     "kind": current.kind}
        conn.execute(audit_log.insert(), [audit_row(actor, "range.delete", pool.name,
                                                    current.allocation_id, detail, now)])
        return current


def _check_inside_pool(pool: Pool, span: Range) -> None:
    if span.version != pool.version or not IPSet(pool.prefixes).contains(span):
        inside = ", ".join(str(p) for p in pool.prefixes)
        raise InvalidRequest(f"start: {span} is not inside pool {pool.name!r} ({inside})",
                             field="start")


def _container(conn: Connection, pool: Pool, span: Range, wanted: int | None) -> int | None:
    """The live allocation ``span`` lies in (None: none, it is the pool's own range)."""
    query = sa.select(allocations.c.id, allocations.c.prefix, allocations.c.child_pool_id).where(
        allocations.c.pool_id == pool.id, allocations.c.state != "released",
        allocations.c.first_hex <= to_hex(span.end), allocations.c.last_hex >= to_hex(span.start))
    touching = conn.execute(query.order_by(allocations.c.first_hex)).all()
    holder = touching[0] if len(touching) == 1 and touching[0].prefix.contains(span) else None
    if wanted is not None and (holder is None or holder.id != wanted):
        raise InvalidRequest(f"allocation_id: {span} is not inside live allocation {wanted} "
                             f"of pool {pool.name!r}", field="allocation_id")
    if holder is None and touching:
        names = ", ".join(f"#{row.id} ({row.prefix})" for row in touching[:3])
        raise Conflict(f"start: {span} crosses the edge of allocation {names}; a range lies "
                       "wholly inside one allocation or outside all of them",
                       code="overlap", field="start")
    if holder is not None and holder.child_pool_id is not None:
        raise Conflict(f"start: {span} lies in allocation #{holder.id} ({holder.prefix}), the "
                       "space of a child pool; create the range in that pool",
                       code="in_use", field="start")
    return None if holder is None else int(holder.id)
