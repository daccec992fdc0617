"""One page of the IP addresses or IP ranges a NetBox client lists, chosen by the database.

As for prefixes (``prefix_listing``), the filters, NetBox's order (by VRF,
the global table first, then by address, then id), the count and the page
are one query instead of every row of every pool built in memory. NetBox
writes an address, and a range's ends, with the length of the block they
lie in: the allocation they were taken from (live, published), else the
pool's prefix holding them; the query finds that block too, since
``mask_length`` filters on it.

``q`` is one more condition of the query, on the columns the application
stores for it (``search``); an address's text gets its length in the query.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Addr, Prefix
from cidrkit.ipam.schema import (
    allocations,
    ip_addresses,
    ip_ranges,
    pending_imports,
    pool_prefixes,
    pools,
    spaces,
    to_hex,
)
from cidrkit.ipam.search import matches, searchable


@dataclass(frozen=True, slots=True)
class SpanFilter:
    """What an address or range list asks for; an empty collection means "any".

    ``addresses``, ``lengths`` and ``dns_names`` apply to addresses only.
    """

    ids: frozenset[int] = frozenset()
    addresses: frozenset[Addr] = frozenset()
    parents: tuple[Prefix, ...] = ()
    lengths: frozenset[int] = frozenset()
    families: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    spaces: frozenset[str] = frozenset()
    dns_names: frozenset[str] = frozenset()
    text: str = ""  # ``q``, case-folded
    pool: str | None = None  # a pool-bound token sees its pool only


@dataclass(frozen=True, slots=True)
class ListedSpan:
    """One row of the page: the row's id and the length it is written with."""

    id: int
    length: int


@dataclass(frozen=True, slots=True)
class SpanPage:
    """The rows of one page and how many match in all."""

    count: int
    rows: list[ListedSpan]


def _holding_prefix(pool_id: Any, first: Any, last: Any) -> sa.ScalarSelect[Any]:
    """The length of the pool's prefix holding ``first``..``last`` (prefixes are
    disjoint, so at most one does)."""
    return (sa.select(pool_prefixes.c.length)
            .where(pool_prefixes.c.pool_id == pool_id, pool_prefixes.c.first_hex <= first,
                   pool_prefixes.c.last_hex >= last)
            .limit(1).scalar_subquery())


def _first_prefix(pool_id: Any) -> sa.ScalarSelect[Any]:
    """The length of the pool's lowest prefix (what a row outside all of them shows)."""
    return (sa.select(pool_prefixes.c.length).where(pool_prefixes.c.pool_id == pool_id)
            .order_by(pool_prefixes.c.first_hex).limit(1).scalar_subquery())


def _holder() -> Any:
    """Live, published allocations: the blocks addresses and ranges are written with."""
    return allocations.alias("holder")


def _common(wanted: SpanFilter, row_id: Any, version: Any, first: Any, last: Any,
            status: Any) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if wanted.pool is not None:
        found.append(pools.c.name == wanted.pool)
    if wanted.ids:
        found.append(row_id.in_(sorted(wanted.ids)))
    if wanted.families:
        found.append(version.in_(sorted(wanted.families)))
    if wanted.statuses:
        found.append(status.in_(sorted(wanted.statuses)))
    if wanted.spaces:
        found.append(spaces.c.name.in_(sorted(wanted.spaces)))
    if wanted.parents:
        found.append(sa.or_(*(sa.and_(version == p.version, first >= to_hex(p.start),
                                      last <= to_hex(p.end)) for p in wanted.parents)))
    return found


def _vrf_order() -> sa.ColumnElement[Any]:
    # NetBox orders by VRF, the global table (vrf null) first.
    return sa.case((spaces.c.name == "global", 0), else_=spaces.c.id)


def address_page(conn: Connection, wanted: SpanFilter, *, limit: int, offset: int) -> SpanPage:
    """The live addresses matching ``wanted``: ``limit`` from ``offset``, and the count."""
    holder = _holder()
    addr = ip_addresses.c.addr_hex
    length = sa.func.coalesce(holder.c.length,
                              _holding_prefix(ip_addresses.c.pool_id, addr, addr),
                              _first_prefix(ip_addresses.c.pool_id))
    status = sa.case((ip_addresses.c.state == "reserved", "reserved"), else_="active")
    source = (ip_addresses.join(pools, pools.c.id == ip_addresses.c.pool_id)
              .join(spaces, spaces.c.id == pools.c.space_id)
              .outerjoin(holder, sa.and_(holder.c.id == ip_addresses.c.allocation_id,
                                         holder.c.state != "released",
                                         _visible(holder))))
    where = [ip_addresses.c.state != "released",
             *_common(wanted, ip_addresses.c.id, pools.c.version, addr, addr, status)]
    if wanted.addresses:
        where.append(sa.or_(*(sa.and_(pools.c.version == a.version, addr == to_hex(a.value))
                              for a in sorted(wanted.addresses))))
    if wanted.lengths:
        where.append(length.in_(sorted(wanted.lengths)))
    if wanted.dns_names:
        where.append(ip_addresses.c.dns_name.in_(sorted(wanted.dns_names)))
    if wanted.text:
        text_form = ip_addresses.c.text_form.concat("/").concat(sa.cast(length, sa.Text))
        where.append(matches(wanted.text, text_form, ip_addresses.c.description_folded))
    query = (sa.select(ip_addresses.c.id, length.label("length"))
             .select_from(source).where(*where)
             .order_by(_vrf_order(), pools.c.version, addr, ip_addresses.c.id))
    return _page(conn, query, wanted.text, limit=limit, offset=offset)


def range_page(conn: Connection, wanted: SpanFilter, *, limit: int, offset: int) -> SpanPage:
    """The ranges matching ``wanted``: ``limit`` from ``offset``, and the count."""
    holder = _holder()
    first, last = ip_ranges.c.first_hex, ip_ranges.c.last_hex
    length = sa.func.coalesce(holder.c.length, _holding_prefix(ip_ranges.c.pool_id, first, last),
                              _first_prefix(ip_ranges.c.pool_id))
    status = sa.case((ip_ranges.c.kind == "reserved", "reserved"), else_="active")
    source = (ip_ranges.join(pools, pools.c.id == ip_ranges.c.pool_id)
              .join(spaces, spaces.c.id == pools.c.space_id)
              .outerjoin(holder, sa.and_(holder.c.id == ip_ranges.c.allocation_id,
                                         holder.c.state != "released", _visible(holder))))
    where = _common(wanted, ip_ranges.c.id, pools.c.version, first, last, status)
    if wanted.text:
        where.append(matches(wanted.text, ip_ranges.c.text_form, ip_ranges.c.description_folded))
    query = (sa.select(ip_ranges.c.id, length.label("length"))
             .select_from(source).where(sa.true(), *where)
             .order_by(_vrf_order(), pools.c.version, first, ip_ranges.c.id))
    return _page(conn, query, wanted.text, limit=limit, offset=offset)


def _visible(holder: Any) -> sa.ColumnElement[bool]:
    """``store.visible`` for an alias of the allocations table."""
    return sa.or_(holder.c.import_id.is_(None),
                  holder.c.import_id.not_in(sa.select(pending_imports.c.id)))


def _page(conn: Connection, query: sa.Select[Any], text: str, *, limit: int,
          offset: int) -> SpanPage:
    if not searchable(text):
        return SpanPage(0, [])
    count = conn.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = conn.execute(query.limit(limit).offset(offset))
    return SpanPage(int(count.scalar_one()), [ListedSpan(r.id, r.length) for r in rows])
