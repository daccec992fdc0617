"""One page of the prefixes a NetBox client lists, chosen and counted by the database.

The NetBox view numbers pools' prefixes and allocations in one id sequence
(``netbox.ids``) and lists them in NetBox's order: by VRF (the global table
first), then by prefix, a pool's own prefix before an allocation of the same
block, then by id. Building every object of every pool to show fifty of
them cost seconds at tens of thousands of allocations, so the filters,
the order, the count and the page are one SQL query over a UNION of the two
kinds of rows: a pool's n-th prefix (numbered with ``ROW_NUMBER()`` in address
order, as ``netbox.ids`` numbers it) and each live, published allocation that
is not a child pool's space (the child's own prefix stands for it).

``q`` matches the prefix's canonical cidrkit text and the Unicode case-folded
description through the columns the application stores for it (``search``),
so it is one more condition of the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Prefix
from cidrkit.core.text import family_bits
from cidrkit.ipam.schema import allocations, pool_prefixes, pools, spaces, to_hex
from cidrkit.ipam.search import matches, searchable
from cidrkit.ipam.store import visible

POOL_SLOTS = 1024  # as netbox.ids: a pool's first 1,024 prefixes get ids
MAX_ID = 2**31 - 1
STATUSES = ("container", "active", "reserved")


@dataclass(frozen=True, slots=True)
class PrefixFilter:
    """What a prefix list asks for; an empty collection means "any"."""

    ids: frozenset[int] = frozenset()
    prefixes: frozenset[Prefix] = frozenset()
    spaces: frozenset[str] = frozenset()
    lengths: frozenset[int] = frozenset()
    families: frozenset[int] = frozenset()
    statuses: frozenset[str] = frozenset()
    within: Prefix | None = None
    within_include: Prefix | None = None
    text: str = ""  # ``q``, case-folded
    pool: str | None = None  # a pool-bound token sees its pool only


@dataclass(frozen=True, slots=True)
class ListedPrefix:
    """One row of the page: its NetBox id, pool, allocation (None for a pool's prefix)."""

    id: int
    pool_id: int
    allocation_id: int | None
    prefix: Prefix
    status: str
    description: str


@dataclass(frozen=True, slots=True)
class PrefixPage:
    """The rows of one page and how many match in all."""

    count: int
    rows: list[ListedPrefix] = field(default_factory=list)


def _candidates() -> sa.Subquery:
    """Every listable prefix with the columns the filters and the order need."""
    number = (sa.func.row_number().over(partition_by=pool_prefixes.c.pool_id,
                                        order_by=pool_prefixes.c.first_hex) - 1)
    numbered = sa.select(pool_prefixes.c.pool_id, pool_prefixes.c.first_hex,
                         pool_prefixes.c.last_hex, pool_prefixes.c.length,
                         pool_prefixes.c.text_form, number.label("slot")).subquery()
    container_id = 2 * (numbered.c.pool_id * POOL_SLOTS + numbered.c.slot) + 1
    containers = (
        sa.select(sa.literal(0).label("kind"), container_id.label("id"),
                  numbered.c.pool_id, sa.null().label("allocation_id"),
                  numbered.c.first_hex, numbered.c.last_hex, numbered.c.length,
                  sa.literal("container").label("status"), pools.c.description,
                  numbered.c.text_form, pools.c.description_folded)
        .join(pools, pools.c.id == numbered.c.pool_id)
        .where(numbered.c.slot < POOL_SLOTS, container_id <= MAX_ID))
    status = sa.case((allocations.c.state == "reserved", "reserved"), else_="active")
    blocks = (
        sa.select(sa.literal(1).label("kind"), (2 * allocations.c.id).label("id"),
                  allocations.c.pool_id, allocations.c.id.label("allocation_id"),
                  allocations.c.first_hex, allocations.c.last_hex, allocations.c.length,
                  status.label("status"), allocations.c.description, allocations.c.text_form,
                  allocations.c.description_folded)
        .where(allocations.c.state != "released", allocations.c.child_pool_id.is_(None),
               visible()))
    return sa.union_all(containers, blocks).subquery("listed")


def _conditions(rows: sa.Subquery, wanted: PrefixFilter) -> list[sa.ColumnElement[bool]]:
    found: list[sa.ColumnElement[bool]] = []
    if wanted.pool is not None:
        found.append(pools.c.name == wanted.pool)
    if wanted.ids:
        found.append(rows.c.id.in_(sorted(wanted.ids)))
    if wanted.prefixes:
        found.append(sa.or_(*(sa.and_(pools.c.version == p.version,
                                      rows.c.first_hex == to_hex(p.start),
                                      rows.c.length == p.length)
                              for p in sorted(wanted.prefixes))))
    if wanted.spaces:
        found.append(spaces.c.name.in_(sorted(wanted.spaces)))
    if wanted.lengths:
        found.append(rows.c.length.in_(sorted(wanted.lengths)))
    if wanted.families:
        found.append(pools.c.version.in_(sorted(wanted.families)))
    if wanted.statuses:
        found.append(rows.c.status.in_(sorted(wanted.statuses)))
    for outer, strict in ((wanted.within, True), (wanted.within_include, False)):
        if outer is not None:
            longer = rows.c.length > outer.length if strict else rows.c.length >= outer.length
            found.append(sa.and_(pools.c.version == outer.version,
                                 rows.c.first_hex >= to_hex(outer.start),
                                 rows.c.last_hex <= to_hex(outer.end), longer))
    if wanted.text:
        found.append(matches(wanted.text, rows.c.text_form, rows.c.description_folded))
    return found


def prefix_page(conn: Connection, wanted: PrefixFilter, *, limit: int,
                offset: int) -> PrefixPage:
    """The ``limit`` rows from ``offset`` matching ``wanted`` in NetBox's order, and the
    number of rows matching."""
    rows = _candidates()
    source = (rows.join(pools, pools.c.id == rows.c.pool_id)
              .join(spaces, spaces.c.id == pools.c.space_id))
    where = sa.and_(sa.true(), *_conditions(rows, wanted))
    # NetBox orders by VRF (the global table, vrf null, first), then by prefix.
    vrf_order = sa.case((spaces.c.name == "global", 0), else_=spaces.c.id)
    order = (vrf_order, pools.c.version, rows.c.first_hex, rows.c.length, rows.c.kind, rows.c.id)
    columns = (rows.c.id, rows.c.pool_id, rows.c.allocation_id, pools.c.version,
               rows.c.first_hex, rows.c.length, rows.c.status, rows.c.description)
    query = sa.select(*columns).select_from(source).where(where).order_by(*order)
    if not searchable(wanted.text):
        return PrefixPage(0)
    count = conn.execute(sa.select(sa.func.count()).select_from(source).where(where))
    page = conn.execute(query.limit(limit).offset(offset))
    return PrefixPage(int(count.scalar_one()), [_listed(r) for r in page])


def _prefix(row: Any) -> Prefix:
    return Prefix(family_bits(row.version), int(row.first_hex, 16), row.length)


def _listed(row: Any) -> ListedPrefix:
    return ListedPrefix(row.id, row.pool_id, row.allocation_id, _prefix(row), row.status,
                        row.description)
