"""Server-side web sessions, TRUNCATE refused on the audit log, allocation ids never reused.

* ``web_sessions``: the web page's cookie holds a random session id whose
  hash is stored here, with an expiry; logging out ends it. The API token
  itself never reaches the browser.
* PostgreSQL: ``TRUNCATE audit_log`` is refused like UPDATE and DELETE.
* SQLite: ``allocations`` is rebuilt with AUTOINCREMENT, so deleting a pool
  (and its rows) never lets a later allocation take an id already handed
  out; the sequence starts above every id the audit log has seen.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_OVERLAP_CHECK = """
SELECT RAISE(ABORT, 'cidrkit: overlapping allocation in pool')
WHERE NEW.state <> 'released' AND EXISTS (
    SELECT 1 FROM (
        SELECT last_hex FROM allocations
        WHERE pool_id = NEW.pool_id AND state <> 'released'
          AND first_hex <= NEW.last_hex AND id IS NOT NEW.id
        ORDER BY first_hex DESC LIMIT 1
    ) AS candidate WHERE candidate.last_hex >= NEW.first_hex
);
"""

_ALLOCATION_COLUMNS = (
    "id, pool_id, prefix, first_hex, last_hex, length, state, description, owner, tags, "
    "idempotency_key, batch_index, request_hash, child_pool_id, created_at, released_at"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.Integer, sa.ForeignKey("api_tokens.id"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
    )
    if dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION cidrkit_audit_append_only()"
        )
        return
    _rebuild_sqlite_allocations()


def _rebuild_sqlite_allocations() -> None:
    op.create_table(
        "allocations_next",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("prefix", sa.String(64), nullable=False),
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
        sqlite_autoincrement=True,
    )
    op.execute(f"INSERT INTO allocations_next ({_ALLOCATION_COLUMNS}) "
               f"SELECT {_ALLOCATION_COLUMNS} FROM allocations")
    op.execute("DROP TABLE allocations")
    op.execute("ALTER TABLE allocations_next RENAME TO allocations")
    # Ids of allocations deleted before this migration live on in the audit log.
    op.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'allocations', "
        "max(coalesce((SELECT max(id) FROM allocations), 0), "
        "coalesce((SELECT max(allocation_id) FROM audit_log), 0)) "
        "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'allocations')"
    )
    op.execute(
        "UPDATE sqlite_sequence SET seq = max(seq, "
        "coalesce((SELECT max(allocation_id) FROM audit_log), 0)) WHERE name = 'allocations'"
    )
    op.create_index(
        "allocations_live_by_start",
        "allocations",
        ["pool_id", "first_hex"],
        sqlite_where=sa.text("state <> 'released'"),
    )
    op.create_index("allocations_by_pool", "allocations", ["pool_id", "id"])
    op.execute(
        "CREATE TRIGGER allocations_no_overlap_insert BEFORE INSERT ON allocations "
        f"BEGIN {_SQLITE_OVERLAP_CHECK} END"
    )
    op.execute(
        "CREATE TRIGGER allocations_no_overlap_update "
        "BEFORE UPDATE OF state, first_hex, last_hex, pool_id ON allocations "
        f"BEGIN {_SQLITE_OVERLAP_CHECK} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.drop_table("web_sessions")

