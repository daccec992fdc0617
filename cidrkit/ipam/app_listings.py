"""The NetBox view's lists: one page of prefixes, IP addresses or IP ranges.

The database chooses, orders, counts and cuts each page (``prefix_listing``,
``span_listing``); these methods narrow it to what the token may read and
fetch the rows the page names.
"""

from __future__ import annotations

from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.ipam import addresses as address_store
from cidrkit.ipam import ranges as range_store
from cidrkit.ipam import store
from cidrkit.ipam.addresses import IpAddress
from cidrkit.ipam.app_access import AppAccess
from cidrkit.ipam.model import Allocation, Pool, Token
from cidrkit.ipam.prefix_listing import PrefixFilter, PrefixPage, prefix_page
from cidrkit.ipam.ranges import IpRange
from cidrkit.ipam.schema import pools as pools_table
from cidrkit.ipam.schema import spaces as spaces_table
from cidrkit.ipam.span_listing import SpanFilter, SpanPage, address_page, range_page


class ListingReads(AppAccess):
    """Pages of prefixes, addresses and ranges for the NetBox-compatible lists."""

    def prefix_page(self, token: Token, wanted: PrefixFilter, *, limit: int, offset: int,
                    ) -> tuple[PrefixPage, dict[int, Pool], dict[int, Allocation]]:
        """One page of the prefixes (pools' and allocations') the token may read, chosen,
        ordered and counted by the database; with the pools and allocations it names."""
        with self.db.read() as conn:
            page = prefix_page(conn, replace(wanted, pool=token.pool), limit=limit,
                               offset=offset)
            ids = sorted({row.pool_id for row in page.rows})
            found = store.load_pools(conn, pools_table.c.id.in_(ids)) if ids else []
            held = store.allocations_by_ids(
                conn, [r.allocation_id for r in page.rows if r.allocation_id is not None])
        return page, {p.id: p for p in found}, held

    def address_page(self, token: Token, wanted: SpanFilter, *, limit: int, offset: int,
                     ) -> tuple[SpanPage, dict[int, IpAddress], dict[str, str]]:
        """One page of the live addresses the token may read, chosen, ordered and counted
        by the database; with their rows and the space of each pool named."""
        with self.db.read() as conn:
            page = address_page(conn, replace(wanted, pool=token.pool), limit=limit,
                                offset=offset)
            rows = address_store.addresses_by_ids(conn, [r.id for r in page.rows])
            return page, rows, _spaces_of(conn, {r.pool for r in rows.values()})

    def range_page(self, token: Token, wanted: SpanFilter, *, limit: int, offset: int,
                   ) -> tuple[SpanPage, dict[int, IpRange], dict[str, str]]:
        """One page of the ranges the token may read (as ``address_page``)."""
        with self.db.read() as conn:
            page = range_page(conn, replace(wanted, pool=token.pool), limit=limit,
                              offset=offset)
            rows = range_store.ranges_by_ids(conn, [r.id for r in page.rows])
            return page, rows, _spaces_of(conn, {r.pool for r in rows.values()})


def _spaces_of(conn: Connection, names: set[str]) -> dict[str, str]:
    """The space of each pool named."""
    if not names:
        return {}
    query = (sa.select(pools_table.c.name, spaces_table.c.name)
             .join(spaces_table, spaces_table.c.id == pools_table.c.space_id)
             .where(pools_table.c.name.in_(sorted(names))))
    return {pool: space for pool, space in conn.execute(query)}
