"""Imports written in short transactions: pending imports and the rows they own.

An import inserts its rows in chunks, each in a transaction of its own, so
other pools' writers wait for one chunk at most rather than for the whole
import. The rows occupy their space from the first chunk (the overlap
trigger and exclusion constraint see them: they are live allocations), but
readers ignore any row whose ``import_id`` names an import still listed in
``pending_imports``. Publishing is deleting that one row; an import that
fails, or was cut short by a crash, has its rows removed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_imports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("pool_id", name="pending_imports_one_per_pool"),
        sqlite_autoincrement=True,
    )
    # No foreign key: the import's row is deleted when it is published, the
    # column stays as the allocation's provenance. SQLite adds a nullable
    # column in place, without rebuilding the table.
    op.add_column("allocations", sa.Column("import_id", sa.Integer, nullable=True))
    op.create_index("allocations_by_import", "allocations", ["import_id"],
                    sqlite_where=sa.text("import_id IS NOT NULL"),
                    postgresql_where=sa.text("import_id IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("allocations_by_import", "allocations")
    op.execute("DELETE FROM allocations WHERE import_id IN (SELECT id FROM pending_imports)")
    # A plain DROP COLUMN (SQLite 3.35+): a batch rebuild would lose the
    # table's triggers.
    op.drop_column("allocations", "import_id")
    op.drop_table("pending_imports")
