"""The columns ``q`` is matched on (migration 0006) stay true to the rows, on both databases.

Every write path that inserts a row or changes a description writes them;
the migration fills them for rows made before it, and goes down and up again
without losing a row. The reference is recomputed here from each row's own
columns with cidrkit's core and ``str.casefold``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import command

from cidrkit.core import Addr, Prefix, Range
from cidrkit.ipam.addresses import AddressChanges, AddressItem, update_address
from cidrkit.ipam.database import Database, _alembic_config
from cidrkit.ipam.edits import edit_allocation, edit_pool
from cidrkit.ipam.importers import import_allocations
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.prefix_listing import PrefixFilter, prefix_page
from cidrkit.ipam.ranges import RangeChanges, RangeSpec, create_range, update_range
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.span_listing import SpanFilter, address_page, range_page
from cidrkit.ipam.store import get_pool

TRICKY = ["Straße", "İstanbul", "ΣΊΣΥΦΟΣ", "Cafe\u0301", "ﬁle", "\u212a", "DŽ", ""]


def _bits(version: int) -> int:
    return 32 if version == 4 else 128


def stale_rows(conn: sa.Connection) -> list[tuple[str, int, str, str]]:
    """Rows whose stored search columns differ from what their other columns say:
    (table, id, stored, expected)."""
    def text(sql: str) -> Any:
        return conn.execute(sa.text(sql)).all()

    found = []
    for row in text("SELECT id, description, description_folded FROM pools"):
        found.append(("pools", row.id, row.description_folded, row.description.casefold()))
    for row in text("SELECT pp.id, p.version, pp.first_hex, pp.length, pp.text_form "
                    "FROM pool_prefixes pp JOIN pools p ON p.id = pp.pool_id"):
        expected = str(Prefix(_bits(row.version), int(row.first_hex, 16), row.length))
        found.append(("pool_prefixes", row.id, row.text_form, expected))
    for row in text("SELECT a.id, p.version, a.first_hex, a.length, a.text_form, "
                    "a.description, a.description_folded "
                    "FROM allocations a JOIN pools p ON p.id = a.pool_id"):
        expected = str(Prefix(_bits(row.version), int(row.first_hex, 16), row.length))
        found.append(("allocations", row.id, row.text_form, expected))
        found.append(("allocations", row.id, row.description_folded,
                      row.description.casefold()))
    for row in text("SELECT id, version, first_hex, last_hex, text_form, description, "
                    "description_folded FROM ip_ranges"):
        expected = str(Range(_bits(row.version), int(row.first_hex, 16), int(row.last_hex, 16)))
        found.append(("ip_ranges", row.id, row.text_form, expected))
        found.append(("ip_ranges", row.id, row.description_folded, row.description.casefold()))
    for row in text("SELECT id, version, addr_hex, text_form, description, description_folded "
                    "FROM ip_addresses"):
        expected = str(Addr(_bits(row.version), int(row.addr_hex, 16)))
        found.append(("ip_addresses", row.id, row.text_form, expected))
        found.append(("ip_addresses", row.id, row.description_folded,
                      row.description.casefold()))
    return [entry for entry in found if entry[2] != entry[3]]


def _count(db: Database, table: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_every_write_path_keeps_the_search_columns_current(database: Database) -> None:
    service = AllocationService(database)
    create_pool(database, PoolSpec("v4", ["10.0.0.0/16"], description="Straße"), actor="t")
    create_pool(database, PoolSpec("v6", ["::/96", "2001:db8::/48"], description="İ"),
                actor="t")
    create_pool(database, PoolSpec("kid", ["10.0.64.0/18"], parent="v4",
                                   description="ΣΊΣΥΦΟΣ"), actor="t")
    made = service.allocate("v4", [AllocationRequest(length=24, description=d)
                                   for d in TRICKY], actor="t").allocations
    held = service.allocate("v6", [AllocationRequest(prefix=Prefix.parse("::102:300/120"),
                                                     description="DŽ")], actor="t").allocations
    with database.read() as conn:
        pool = get_pool(conn, "v4")
    import_allocations(service, pool, format="inventory", content="10.0.200.0/24\n",
                       filename="Straße.txt", actor="t")
    edit_allocation(database, made[0].id, description="MASSE", tags=None, actor="t")
    edit_allocation(database, made[1].id, description=None, tags={"k": "v"}, actor="t")
    edit_pool(database, "v6", description="Ǆ ﬃ", actor="t")
    span = create_range(database, "v6", RangeSpec("::102:310", "::102:320",
                                                  description="Σ"), actor="t")
    update_range(database, span.id, RangeChanges(description="ẞ"), actor="t")
    update_range(database, span.id, RangeChanges(kind="reserved"), actor="t")
    create_range(database, "v4", RangeSpec("10.0.250.1", "10.0.250.9"), actor="t")
    taken = service.allocate_addresses("v6", [AddressItem(description="İ"), AddressItem()],
                                       actor="t", allocation_id=held[0].id).addresses
    service.allocate_addresses("v4", [AddressItem(address="10.0.251.7", description="x")],
                               actor="t")
    update_address(database, taken[1].id, AddressChanges(description="ﬀ"), actor="t")
    update_address(database, taken[0].id, AddressChanges(dns_name="a.example.com"), actor="t")
    service.release(made[2].id, actor="t")
    assert _count(database, "allocations") == len(TRICKY) + 3  # the child's, the import's
    with database.read() as conn:
        assert stale_rows(conn) == []
        # Not vacuous: the columns hold what ``q`` is matched against.
        texts = set(conn.execute(sa.text("SELECT text_form FROM ip_addresses")).scalars())
        assert texts == {str(a.address) for a in taken} | {"10.0.251.7"}
        assert all(t.startswith("::102:3") for t in texts - {"10.0.251.7"})
        folded = set(conn.execute(sa.text("SELECT description_folded FROM allocations"))
                     .scalars())
        assert {"masse", "strasse.txt:1", "pool kid", "i̇stanbul"} <= folded


def _to(db: Database, revision: str, *, down: bool) -> None:
    with db.engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(_alembic_config(conn), revision)


def _columns(db: Database, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


# Rows as a 0005 database holds them, written without the application (which
# writes the new columns): an IPv4-compatible IPv6 block, whose text PostgreSQL
# and cidrkit write differently, and descriptions that case-fold to more letters.
_BEFORE = [
    "INSERT INTO pools (id, name, version, required_tags, description, created_at, space_id) "
    "VALUES (1, 'old6', 6, '[]', 'Straße', CURRENT_TIMESTAMP, "
    "(SELECT id FROM spaces WHERE name = 'global'))",
    "INSERT INTO pool_prefixes (pool_id, prefix, first_hex, last_hex, length, space_id, "
    "top_level) VALUES (1, '::/96', '00000000000000000000000000000000', "
    "'000000000000000000000000ffffffff', 96, (SELECT id FROM spaces WHERE name = 'global'), "
    "TRUE)",
    "INSERT INTO allocations (id, pool_id, prefix, first_hex, last_hex, length, state, "
    "description, owner, tags, batch_index, created_at) VALUES (7, 1, '::102:300/120', "
    "'00000000000000000000000001020300', '000000000000000000000000010203ff', 120, "
    "'allocated', 'İSTANBUL', '', '{}', 0, CURRENT_TIMESTAMP)",
    "INSERT INTO ip_ranges (pool_id, allocation_id, version, first_hex, last_hex, kind, "
    "description, created_at) VALUES (1, 7, 6, '00000000000000000000000001020310', "
    "'00000000000000000000000001020320', 'dhcp', 'ΣΊΣΥΦΟΣ', CURRENT_TIMESTAMP)",
    "INSERT INTO ip_addresses (pool_id, allocation_id, version, addr_hex, state, "
    "description, dns_name, owner, tags, batch_index, created_at) VALUES (1, 7, 6, "
    "'00000000000000000000000001020304', 'allocated', 'ﬁ', '', '', '{}', 0, "
    "CURRENT_TIMESTAMP)",
]


def _q(db: Database, text: str) -> tuple[int, int, int]:
    """How many prefixes, addresses and ranges ``q=text`` lists."""
    with db.read() as conn:
        return (prefix_page(conn, PrefixFilter(text=text), limit=10, offset=0).count,
                address_page(conn, SpanFilter(text=text), limit=10, offset=0).count,
                range_page(conn, SpanFilter(text=text), limit=10, offset=0).count)


def test_migration_fills_existing_rows_and_goes_down_and_up(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.upgrade("0005")
        with db.write() as conn:
            for statement in _BEFORE:
                conn.execute(sa.text(statement))
        db.upgrade()
        assert "text_form" in _columns(db, "allocations")
        with db.read() as conn:
            assert stale_rows(conn) == []
            assert conn.execute(sa.text("SELECT text_form FROM allocations")).scalar_one() \
                == "::102:300/120"
        assert _q(db, "::102:3") == (1, 1, 1)  # not PostgreSQL's "::1.2.3.0/120"
        assert _q(db, "strasse") == (1, 0, 0)  # the pool's own prefix
        assert _q(db, "i̇stanbul") == (1, 0, 0)
        assert _q(db, "σίσυφοσ") == (0, 0, 1)
        assert _q(db, "fi") == (0, 1, 0)
        assert _q(db, "::102:304/120") == (0, 1, 0)  # an address with its block's length
        _to(db, "0005", down=True)
        for table in ("pools", "pool_prefixes", "allocations", "ip_ranges", "ip_addresses"):
            assert not {"text_form", "description_folded"} & _columns(db, table)
            assert _count(db, table) == 1
        db.upgrade()
        with db.read() as conn:
            assert stale_rows(conn) == []
        assert _q(db, "::102:3") == (1, 1, 1)
        if db.dialect == "postgresql":
            # The fill disables the checks that fire on any UPDATE; they are back on.
            with db.read() as conn:
                states = dict(conn.execute(sa.text(
                    "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname IN "
                    "('pool_prefixes_space_check', 'ip_ranges_check', 'ip_addresses_check')")
                ).all())
            assert states == dict.fromkeys(("pool_prefixes_space_check", "ip_ranges_check",
                                            "ip_addresses_check"), "O")
    finally:
        db.dispose()
