"""Initial IPAM schema: pools, allocations, audit log, API tokens.

The no-overlap guarantee is enforced by the database itself, as a backstop
behind the service's own locking:

* PostgreSQL: ``cidr`` columns and an exclusion constraint over live
  allocations (``pool_id WITH =, prefix inet_ops WITH &&``), which needs
  the btree_gist extension for the ``=`` on an integer inside a GiST index;
* SQLite: a trigger that aborts an insert (or a revival) overlapping a live
  allocation of the same pool, found with one index probe.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE_OVERLAP_CHECK = """
SELECT RAISE(ABORT, 'cidrkit: overlapping allocation in pool')
WHERE NEW.state <> 'released' AND EXISTS (
    SELECT 1 FROM (
        -- Live blocks of a pool are disjoint, so only the live block starting
        -- last at or before NEW's end can overlap NEW.
        SELECT last_hex FROM allocations
        WHERE pool_id = NEW.pool_id AND state <> 'released'
          AND first_hex <= NEW.last_hex AND id IS NOT NEW.id
        ORDER BY first_hex DESC LIMIT 1
    ) AS candidate WHERE candidate.last_hex >= NEW.first_hex
);
"""


def _prefix_type() -> sa.types.TypeEngine[str]:
    return sa.String(64).with_variant(postgresql.CIDR(), "postgresql")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "pools",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("version", sa.SmallInteger, nullable=False),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=True),
        sa.Column("min_length", sa.SmallInteger, nullable=True),
        sa.Column("max_length", sa.SmallInteger, nullable=True),
        sa.Column("default_length", sa.SmallInteger, nullable=True),
        sa.Column("required_tags", sa.JSON, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        # Bumped by every transaction that changes the pool's live blocks, so a
        # server can reuse what it loaded last time if nobody else wrote since.
        sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
        sa.CheckConstraint("version IN (4, 6)", name="pools_version_check"),
    )
    op.create_table(
        "pool_prefixes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("prefix", _prefix_type(), nullable=False),
        sa.Column("first_hex", sa.String(32), nullable=False),
        sa.Column("last_hex", sa.String(32), nullable=False),
        sa.Column("length", sa.SmallInteger, nullable=False),
        sa.UniqueConstraint("pool_id", "prefix", name="pool_prefixes_unique"),
    )
    op.create_table(
        "allocations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("prefix", _prefix_type(), nullable=False),
        sa.Column("first_hex", sa.String(32), nullable=False),
        sa.Column("last_hex", sa.String(32), nullable=False),
        sa.Column("length", sa.SmallInteger, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("batch_index", sa.Integer, nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=True),
        sa.Column("child_pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('reserved', 'allocated', 'released')", name="allocations_state_check"
        ),
        sa.UniqueConstraint(
            "pool_id", "idempotency_key", "batch_index", name="allocations_idempotency_unique"
        ),
    )
    op.create_index(
        "allocations_live_by_start",
        "allocations",
        ["pool_id", "first_hex"],
        sqlite_where=sa.text("state <> 'released'"),
        postgresql_where=sa.text("state <> 'released'"),
    )
    op.create_index("allocations_by_pool", "allocations", ["pool_id", "id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("pool_name", sa.String(100), nullable=True),
        sa.Column("allocation_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
    )
    op.create_index("audit_log_by_pool", "audit_log", ["pool_name", "id"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("pool_name", sa.String(100), nullable=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("secret_hash", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("scope IN ('read', 'write', 'admin')", name="api_tokens_scope_check"),
    )
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE allocations ADD CONSTRAINT allocations_no_overlap "
            "EXCLUDE USING gist (pool_id WITH =, prefix inet_ops WITH &&) "
            "WHERE (state <> 'released')"
        )
        # The audit log is append-only: refuse UPDATE and DELETE in the database too.
        op.execute(
            "CREATE FUNCTION cidrkit_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'cidrkit: the audit log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION cidrkit_audit_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER allocations_no_overlap_insert BEFORE INSERT ON allocations "
            f"BEGIN {SQLITE_OVERLAP_CHECK} END"
        )
        op.execute(
            "CREATE TRIGGER allocations_no_overlap_update "
            "BEFORE UPDATE OF state, first_hex, last_hex, pool_id ON allocations "
            f"BEGIN {SQLITE_OVERLAP_CHECK} END"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'cidrkit: the audit log is append-only'); END"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'cidrkit: the audit log is append-only'); END"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS cidrkit_audit_append_only()")
    for table in ("api_tokens", "audit_log", "allocations", "pool_prefixes", "pools"):
        op.drop_table(table)
