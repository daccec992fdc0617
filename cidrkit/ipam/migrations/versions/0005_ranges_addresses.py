"""IP ranges and single addresses inside pools, and each pool's usable-address model.

* ``pools.usable_model``: which addresses of a block hosts may get (the
  core's models: rfc, aws, azure, gcp, none); single-address allocation skips
  the others. Existing pools get ``rfc``.
* ``ip_ranges``: a start..end span of a pool, either free-standing (it then
  blocks prefix allocation, like an allocation does) or inside one live
  allocation (``allocation_id``). Ranges of a pool never overlap each other,
  never cross an allocation's edge and never cover a live single address.
* ``ip_addresses``: single addresses handed out of a pool or of one of its
  allocations. A live address is held once per pool (a partial unique
  index), is never inside a range, and a free-standing one is never inside
  a live allocation; idempotency keys work as for allocations.

As for allocations, the database enforces all of this itself, behind the
service's pool lock: PostgreSQL with an exclusion constraint (ranges of a
pool, over a range type of the fixed-width hex columns) and trigger
functions for the rules that span tables; SQLite with triggers that find a
collision with one index probe. An allocation may not cover a free-standing
range or address, and may not be released while ranges or addresses live
inside it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# -- SQLite -----------------------------------------------------------------
# Ranges of a pool are disjoint, so only the one starting last at or before
# a span's end can overlap it (the same probe as the allocation trigger).

_SQLITE_RANGE_CHECK = """
SELECT RAISE(ABORT, 'cidrkit: overlapping range in pool') WHERE EXISTS (
    SELECT 1 FROM (
        SELECT last_hex FROM ip_ranges
        WHERE pool_id = NEW.pool_id AND first_hex <= NEW.last_hex AND id IS NOT NEW.id
        ORDER BY first_hex DESC LIMIT 1
    ) AS candidate WHERE candidate.last_hex >= NEW.first_hex
);
SELECT RAISE(ABORT, 'cidrkit: range overlaps an allocation it is not inside')
WHERE NEW.allocation_id IS NULL AND EXISTS (
    SELECT 1 FROM (
        SELECT last_hex FROM allocations
        WHERE pool_id = NEW.pool_id AND state <> 'released' AND first_hex <= NEW.last_hex
        ORDER BY first_hex DESC LIMIT 1
    ) AS candidate WHERE candidate.last_hex >= NEW.first_hex
);
SELECT RAISE(ABORT, 'cidrkit: range is not inside its live allocation')
WHERE NEW.allocation_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM allocations
    WHERE id = NEW.allocation_id AND pool_id = NEW.pool_id AND state <> 'released'
      AND first_hex <= NEW.first_hex AND last_hex >= NEW.last_hex
);
SELECT RAISE(ABORT, 'cidrkit: range covers a live address') WHERE EXISTS (
    SELECT 1 FROM ip_addresses
    WHERE pool_id = NEW.pool_id AND state <> 'released'
      AND addr_hex >= NEW.first_hex AND addr_hex <= NEW.last_hex
);
"""

_SQLITE_ADDRESS_CHECK = """
SELECT RAISE(ABORT, 'cidrkit: address inside a range') WHERE NEW.state <> 'released' AND EXISTS (
    SELECT 1 FROM (
        SELECT last_hex FROM ip_ranges
        WHERE pool_id = NEW.pool_id AND first_hex <= NEW.addr_hex
        ORDER BY first_hex DESC LIMIT 1
    ) AS candidate WHERE candidate.last_hex >= NEW.addr_hex
);
SELECT RAISE(ABORT, 'cidrkit: address inside a live allocation')
WHERE NEW.state <> 'released' AND NEW.allocation_id IS NULL AND EXISTS (
    SELECT 1 FROM (
        SELECT last_hex FROM allocations
        WHERE pool_id = NEW.pool_id AND state <> 'released' AND first_hex <= NEW.addr_hex
        ORDER BY first_hex DESC LIMIT 1
    ) AS candidate WHERE candidate.last_hex >= NEW.addr_hex
);
SELECT RAISE(ABORT, 'cidrkit: address is not inside its live allocation')
WHERE NEW.state <> 'released' AND NEW.allocation_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM allocations
    WHERE id = NEW.allocation_id AND pool_id = NEW.pool_id AND state <> 'released'
      AND first_hex <= NEW.addr_hex AND last_hex >= NEW.addr_hex
);
"""

_SQLITE_ALLOCATION_CHECK = """
SELECT RAISE(ABORT, 'cidrkit: allocation covers a range or address of the pool')
WHERE NEW.state <> 'released' AND (EXISTS (
    SELECT 1 FROM ip_ranges
    WHERE pool_id = NEW.pool_id AND allocation_id IS NOT NEW.id
      AND first_hex <= NEW.last_hex AND last_hex >= NEW.first_hex
) OR EXISTS (
    SELECT 1 FROM ip_addresses
    WHERE pool_id = NEW.pool_id AND state <> 'released' AND allocation_id IS NOT NEW.id
      AND addr_hex >= NEW.first_hex AND addr_hex <= NEW.last_hex
));
SELECT RAISE(ABORT, 'cidrkit: allocation still holds ranges or addresses')
WHERE NEW.state = 'released' AND (
    EXISTS (SELECT 1 FROM ip_ranges WHERE allocation_id = NEW.id)
    OR EXISTS (SELECT 1 FROM ip_addresses WHERE allocation_id = NEW.id AND state <> 'released')
);
"""

# -- PostgreSQL -------------------------------------------------------------
# Hex columns compare as numbers only in byte order, hence COLLATE "C". The
# range and address functions lock the pool row first, so even a writer that
# bypasses the service is serialised per pool before it checks.

_PG_RANGE_FUNCTION = """
CREATE FUNCTION cidrkit_check_range() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM pools WHERE id = NEW.pool_id FOR UPDATE;
    IF NEW.allocation_id IS NULL AND EXISTS (
        SELECT 1 FROM allocations
        WHERE pool_id = NEW.pool_id AND state <> 'released'
          AND first_hex COLLATE "C" <= NEW.last_hex AND last_hex COLLATE "C" >= NEW.first_hex
    ) THEN
        RAISE EXCEPTION 'cidrkit: range overlaps an allocation it is not inside'
            USING ERRCODE = 'exclusion_violation';
    END IF;
    IF NEW.allocation_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM allocations
        WHERE id = NEW.allocation_id AND pool_id = NEW.pool_id AND state <> 'released'
          AND first_hex COLLATE "C" <= NEW.first_hex AND last_hex COLLATE "C" >= NEW.last_hex
    ) THEN
        RAISE EXCEPTION 'cidrkit: range is not inside its live allocation'
            USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (
        SELECT 1 FROM ip_addresses
        WHERE pool_id = NEW.pool_id AND state <> 'released'
          AND addr_hex COLLATE "C" >= NEW.first_hex AND addr_hex COLLATE "C" <= NEW.last_hex
    ) THEN
        RAISE EXCEPTION 'cidrkit: range covers a live address'
            USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END $$
"""

_PG_ADDRESS_FUNCTION = """
CREATE FUNCTION cidrkit_check_address() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state = 'released' THEN
        RETURN NEW;
    END IF;
    PERFORM 1 FROM pools WHERE id = NEW.pool_id FOR UPDATE;
    IF EXISTS (
        SELECT 1 FROM ip_ranges
        WHERE pool_id = NEW.pool_id
          AND first_hex COLLATE "C" <= NEW.addr_hex AND last_hex COLLATE "C" >= NEW.addr_hex
    ) THEN
        RAISE EXCEPTION 'cidrkit: address inside a range' USING ERRCODE = 'exclusion_violation';
    END IF;
    IF NEW.allocation_id IS NULL AND EXISTS (
        SELECT 1 FROM allocations
        WHERE pool_id = NEW.pool_id AND state <> 'released'
          AND first_hex COLLATE "C" <= NEW.addr_hex AND last_hex COLLATE "C" >= NEW.addr_hex
    ) THEN
        RAISE EXCEPTION 'cidrkit: address inside a live allocation'
            USING ERRCODE = 'exclusion_violation';
    END IF;
    IF NEW.allocation_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM allocations
        WHERE id = NEW.allocation_id AND pool_id = NEW.pool_id AND state <> 'released'
          AND first_hex COLLATE "C" <= NEW.addr_hex AND last_hex COLLATE "C" >= NEW.addr_hex
    ) THEN
        RAISE EXCEPTION 'cidrkit: address is not inside its live allocation'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$
"""

_PG_ALLOCATION_FUNCTION = """
CREATE FUNCTION cidrkit_check_allocation_contents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state <> 'released' AND (EXISTS (
        SELECT 1 FROM ip_ranges
        WHERE pool_id = NEW.pool_id AND allocation_id IS DISTINCT FROM NEW.id
          AND first_hex COLLATE "C" <= NEW.last_hex AND last_hex COLLATE "C" >= NEW.first_hex
    ) OR EXISTS (
        SELECT 1 FROM ip_addresses
        WHERE pool_id = NEW.pool_id AND state <> 'released'
          AND allocation_id IS DISTINCT FROM NEW.id
          AND addr_hex COLLATE "C" >= NEW.first_hex AND addr_hex COLLATE "C" <= NEW.last_hex
    )) THEN
        RAISE EXCEPTION 'cidrkit: allocation covers a range or address of the pool'
            USING ERRCODE = 'exclusion_violation';
    END IF;
    IF NEW.state = 'released' AND (
        EXISTS (SELECT 1 FROM ip_ranges WHERE allocation_id = NEW.id)
        OR EXISTS (SELECT 1 FROM ip_addresses
                   WHERE allocation_id = NEW.id AND state <> 'released')
    ) THEN
        RAISE EXCEPTION 'cidrkit: allocation still holds ranges or addresses'
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # A plain ADD COLUMN with a default (SQLite adds it in place; a batch
    # rebuild of pools is not needed).
    op.add_column("pools", sa.Column("usable_model", sa.String(8), nullable=False,
                                     server_default="rfc"))
    op.create_table(
        "ip_ranges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("allocation_id", sa.Integer, sa.ForeignKey("allocations.id"), nullable=True),
        sa.Column("version", sa.SmallInteger, nullable=False),
        sa.Column("first_hex", sa.String(32), nullable=False),
        sa.Column("last_hex", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('dhcp', 'reserved', 'populated')",
                           name="ip_ranges_kind_check"),
        sa.CheckConstraint("first_hex <= last_hex", name="ip_ranges_order_check"),
        sqlite_autoincrement=True,
    )
    op.create_index("ip_ranges_by_start", "ip_ranges", ["pool_id", "first_hex"])
    op.create_index("ip_ranges_by_allocation", "ip_ranges", ["allocation_id"])
    op.create_table(
        "ip_addresses",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("allocation_id", sa.Integer, sa.ForeignKey("allocations.id"), nullable=True),
        sa.Column("version", sa.SmallInteger, nullable=False),
        sa.Column("addr_hex", sa.String(32), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("dns_name", sa.String(255), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("batch_index", sa.Integer, nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('reserved', 'allocated', 'released')",
                           name="ip_addresses_state_check"),
        sa.UniqueConstraint("pool_id", "idempotency_key", "batch_index",
                            name="ip_addresses_idempotency_unique"),
        sqlite_autoincrement=True,
    )
    # The guarantee itself: one live holder per address of a pool.
    op.create_index("ip_addresses_live_unique", "ip_addresses", ["pool_id", "addr_hex"],
                    unique=True,
                    sqlite_where=sa.text("state <> 'released'"),
                    postgresql_where=sa.text("state <> 'released'"))
    op.create_index("ip_addresses_by_allocation", "ip_addresses", ["allocation_id"])
    if dialect == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_postgresql() -> None:
    op.execute('CREATE TYPE cidrkit_hexrange AS RANGE (SUBTYPE = text, COLLATION = "C")')
    op.execute(
        "ALTER TABLE ip_ranges ADD CONSTRAINT ip_ranges_no_overlap EXCLUDE USING gist "
        "(pool_id WITH =, cidrkit_hexrange(first_hex, last_hex, '[]') WITH &&)"
    )
    for function in (_PG_RANGE_FUNCTION, _PG_ADDRESS_FUNCTION, _PG_ALLOCATION_FUNCTION):
        op.execute(function)
    op.execute("CREATE TRIGGER ip_ranges_check BEFORE INSERT OR UPDATE ON ip_ranges "
               "FOR EACH ROW EXECUTE FUNCTION cidrkit_check_range()")
    op.execute("CREATE TRIGGER ip_addresses_check BEFORE INSERT OR UPDATE ON ip_addresses "
               "FOR EACH ROW EXECUTE FUNCTION cidrkit_check_address()")
    op.execute("CREATE TRIGGER allocations_contents_check "
               "BEFORE INSERT OR UPDATE OF state, first_hex, last_hex, pool_id ON allocations "
               "FOR EACH ROW EXECUTE FUNCTION cidrkit_check_allocation_contents()")


def _upgrade_sqlite() -> None:
    for table, check, columns in (
        ("ip_ranges", _SQLITE_RANGE_CHECK, "pool_id, allocation_id, first_hex, last_hex"),
        ("ip_addresses", _SQLITE_ADDRESS_CHECK, "pool_id, allocation_id, addr_hex, state"),
        ("allocations", _SQLITE_ALLOCATION_CHECK, "state, first_hex, last_hex, pool_id"),
    ):
        name = "allocations_contents" if table == "allocations" else table
        op.execute(f"CREATE TRIGGER {name}_check_insert BEFORE INSERT ON {table} "
                   f"BEGIN {check} END")
        op.execute(f"CREATE TRIGGER {name}_check_update BEFORE UPDATE OF {columns} ON {table} "
                   f"BEGIN {check} END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS allocations_contents_check ON allocations")
        op.execute("DROP FUNCTION IF EXISTS cidrkit_check_allocation_contents()")
    else:
        op.execute("DROP TRIGGER IF EXISTS allocations_contents_check_insert")
        op.execute("DROP TRIGGER IF EXISTS allocations_contents_check_update")
    op.drop_table("ip_addresses")
    op.drop_table("ip_ranges")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cidrkit_check_range()")
        op.execute("DROP FUNCTION IF EXISTS cidrkit_check_address()")
        op.execute("DROP TYPE IF EXISTS cidrkit_hexrange")
    op.drop_column("pools", "usable_model")
