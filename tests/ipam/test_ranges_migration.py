"""Migration 0005 on both databases: an existing database gains ranges, addresses and
usable models without losing a row, and goes back down cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from cidrkit.ipam.addresses import AddressItem
from cidrkit.ipam.database import Database, _alembic_config
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.ranges import RangeSpec, create_range
from cidrkit.ipam.service import AllocationService


def _to(db: Database, revision: str, *, down: bool) -> None:
    with db.engine.begin() as conn:
        (command.downgrade if down else command.upgrade)(_alembic_config(conn), revision)


def _tables(db: Database) -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_existing_pools_and_allocations_survive_up_and_down(db_url: str) -> None:
    db = Database(db_url)
    try:
        db.upgrade("0003")
        assert "ip_ranges" not in _tables(db)
        with db.write() as conn:
            conn.execute(sa.text(
                "INSERT INTO pools (name, version, required_tags, description, created_at) "
                "VALUES ('old', 4, '[]', '', CURRENT_TIMESTAMP)"))
        db.upgrade()
        assert {"ip_ranges", "ip_addresses"} <= _tables(db)
        with db.read() as conn:
            assert conn.execute(sa.text("SELECT usable_model FROM pools")).scalar_one() == "rfc"
        create_pool(db, PoolSpec("p", ["192.0.2.0/24"], usable_model="aws"), actor="t")
        AllocationService(db).allocate("p", [AllocationRequest(prefix=None, length=26)],
                                       actor="t")
        create_range(db, "p", RangeSpec("192.0.2.200", "192.0.2.210"), actor="t")
        taken = AllocationService(db).allocate_addresses("p", [AddressItem()], actor="t").addresses
        # The model applies to the pool's block: AWS holds .0-.3 and .255, .0/26 is allocated.
        assert str(taken[0].address) == "192.0.2.64"
        _to(db, "0004", down=True)
        assert "ip_ranges" not in _tables(db) and "ip_addresses" not in _tables(db)
        with db.read() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM allocations")).scalar_one() == 1
            columns = {c["name"] for c in sa.inspect(conn).get_columns("pools")}
        assert "usable_model" not in columns
        db.upgrade()
        with db.read() as conn:
            models = conn.execute(sa.text("SELECT name, usable_model FROM pools ORDER BY name"))
            assert models.all() == [("old", "rfc"), ("p", "rfc")]
    finally:
        db.dispose()
