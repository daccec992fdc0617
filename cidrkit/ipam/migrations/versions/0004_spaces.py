"""Spaces (routing domains), their connections, and per-pool capacity thresholds.

* ``spaces``: every pool belongs to one; ``global`` exists from here on and
  receives every existing pool.
* ``space_connections``: symmetric pairs (stored once, lower id first) of
  spaces routable to each other. Not transitive: A-B and B-C do not connect
  A and C, exactly as the auditor's connections file judges "blocking".
* ``pool_prefixes`` learns its pool's space and whether the pool is
  top-level: top-level pool prefixes never overlap in one space or across
  connected spaces. A child pool's prefixes lie inside its parent (a live
  allocation of the parent), so they are not part of that rule.
* ``pools.warn_at``: a utilisation percentage from which the pool is
  reported as running full.

Enforcement, in the database itself:

* PostgreSQL: an exclusion constraint (space, prefix with ``&&``) for one
  space, which no race can pass; and a trigger for connected spaces, which a
  constraint cannot express (the pair of spaces lives in another table). The
  trigger first takes a transaction-level advisory lock that every check of
  this rule takes (prefix inserts and new connections alike), so two
  transactions cannot both see "no overlap" and then commit colliding rows;
  under READ COMMITTED each statement after the lock sees what the previous
  holder committed.
* SQLite: triggers on ``pool_prefixes`` and ``space_connections``, like the
  allocation overlap trigger; ``BEGIN IMMEDIATE`` already serialises writers.

Existing overlaps cannot be refused after the fact, so they are reported,
not fatal: the migration marks each top-level prefix involved
(``legacy_overlap``) and logs the pairs; ``cidrkit db upgrade`` and the API
list them. The exclusion constraint skips marked rows (it could not be
created otherwise), while the trigger checks every new prefix against all
rows, marked or not, so no new overlap can be added.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# pg_advisory_xact_lock key of the space overlap rule ("cidr" in ASCII).
SPACE_LOCK_KEY = 0x63696472

_log = logging.getLogger("cidrkit.ipam.migrations")

_SQLITE_CONNECTED = """
    (p.space_id = NEW.space_id OR EXISTS (
        SELECT 1 FROM space_connections c
        WHERE c.space_a = min(p.space_id, NEW.space_id)
          AND c.space_b = max(p.space_id, NEW.space_id)))
"""

_SQLITE_PREFIX_CHECK = f"""
SELECT RAISE(ABORT, 'cidrkit: pool prefix outside its pool''s space')
WHERE NEW.space_id IS NULL
   OR NEW.space_id IS NOT (SELECT space_id FROM pools WHERE id = NEW.pool_id);
SELECT RAISE(ABORT, 'cidrkit: pool prefix overlaps a pool in the same or a connected space')
WHERE NEW.top_level AND EXISTS (
    SELECT 1 FROM pool_prefixes p JOIN pools o ON o.id = p.pool_id
    WHERE p.top_level AND p.id IS NOT NEW.id
      AND o.version = (SELECT version FROM pools WHERE id = NEW.pool_id)
      AND p.first_hex <= NEW.last_hex AND p.last_hex >= NEW.first_hex
      AND {_SQLITE_CONNECTED}
);
"""

_SQLITE_CONNECTION_CHECK = """
SELECT RAISE(ABORT, 'cidrkit: a space is not connected to itself')
WHERE NEW.space_a >= NEW.space_b;
SELECT RAISE(ABORT, 'cidrkit: connected spaces would overlap')
WHERE EXISTS (
    SELECT 1 FROM pool_prefixes a JOIN pools pa ON pa.id = a.pool_id,
                  pool_prefixes b JOIN pools pb ON pb.id = b.pool_id
    WHERE a.top_level AND b.top_level
      AND a.space_id = NEW.space_a AND b.space_id = NEW.space_b
      AND pa.version = pb.version
      AND a.first_hex <= b.last_hex AND a.last_hex >= b.first_hex
);
"""

_PG_PREFIX_FUNCTION = f"""
CREATE FUNCTION cidrkit_pool_prefix_space_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hit record;
BEGIN
    IF NEW.space_id IS DISTINCT FROM (SELECT space_id FROM pools WHERE id = NEW.pool_id) THEN
        RAISE EXCEPTION 'cidrkit: pool prefix outside its pool''s space'
            USING ERRCODE = '23514';
    END IF;
    IF NOT NEW.top_level THEN
        RETURN NEW;
    END IF;
    PERFORM pg_advisory_xact_lock({SPACE_LOCK_KEY});
    SELECT p.prefix, o.name INTO hit
    FROM pool_prefixes p JOIN pools o ON o.id = p.pool_id
    WHERE p.top_level AND p.id <> NEW.id AND p.prefix && NEW.prefix
      AND (p.space_id = NEW.space_id OR EXISTS (
          SELECT 1 FROM space_connections c
          WHERE c.space_a = LEAST(p.space_id, NEW.space_id)
            AND c.space_b = GREATEST(p.space_id, NEW.space_id)))
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'cidrkit: % overlaps % of pool %', NEW.prefix, hit.prefix, hit.name
            USING ERRCODE = '23P01';
    END IF;
    RETURN NEW;
END $$
"""

_PG_CONNECTION_FUNCTION = f"""
CREATE FUNCTION cidrkit_space_connection_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({SPACE_LOCK_KEY});
    IF EXISTS (
        SELECT 1 FROM pool_prefixes a, pool_prefixes b
        WHERE a.top_level AND b.top_level AND a.space_id = NEW.space_a
          AND b.space_id = NEW.space_b AND a.prefix && b.prefix
    ) THEN
        RAISE EXCEPTION 'cidrkit: connected spaces would overlap' USING ERRCODE = '23P01';
    END IF;
    RETURN NEW;
END $$
"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "spaces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "space_connections",
        sa.Column("space_a", sa.Integer, sa.ForeignKey("spaces.id"), primary_key=True),
        sa.Column("space_b", sa.Integer, sa.ForeignKey("spaces.id"), primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("space_a < space_b", name="space_connections_ordered"),
    )
    spaces = sa.table("spaces", sa.column("id", sa.Integer), sa.column("name", sa.String),
                      sa.column("description", sa.Text),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    bind = op.get_bind()
    global_id = bind.execute(
        spaces.insert().returning(spaces.c.id),
        {"name": "global", "description": "the default space", "created_at": datetime.now(UTC)},
    ).scalar_one()
    _add_space_column("pools", dialect)
    op.add_column("pools", sa.Column("warn_at", sa.SmallInteger, nullable=True))
    _add_space_column("pool_prefixes", dialect)
    op.add_column("pool_prefixes", sa.Column("top_level", sa.Boolean, nullable=False,
                                             server_default=sa.false()))
    op.add_column("pool_prefixes", sa.Column("legacy_overlap", sa.Boolean, nullable=False,
                                             server_default=sa.false()))
    op.execute(sa.text("UPDATE pools SET space_id = :g").bindparams(g=global_id))
    op.execute(sa.text(
        "UPDATE pool_prefixes SET space_id = :g, top_level = (SELECT pools.parent_id IS NULL "
        "FROM pools WHERE pools.id = pool_prefixes.pool_id)").bindparams(g=global_id))
    _mark_existing_overlaps(bind)
    op.create_index("pool_prefixes_top_level_by_space", "pool_prefixes",
                    ["space_id", "first_hex"],
                    sqlite_where=sa.text("top_level"), postgresql_where=sa.text("top_level"))
    if dialect == "postgresql":
        op.alter_column("pools", "space_id", nullable=False)
        op.alter_column("pool_prefixes", "space_id", nullable=False)
        op.create_check_constraint("pools_warn_at_percent", "pools",
                                   "warn_at BETWEEN 1 AND 100")
        op.execute(
            "ALTER TABLE pool_prefixes ADD CONSTRAINT pool_prefixes_space_no_overlap "
            "EXCLUDE USING gist (space_id WITH =, prefix inet_ops WITH &&) "
            "WHERE (top_level AND NOT legacy_overlap)"
        )
        op.execute(_PG_PREFIX_FUNCTION)
        op.execute(
            "CREATE TRIGGER pool_prefixes_space_check BEFORE INSERT OR UPDATE ON pool_prefixes "
            "FOR EACH ROW EXECUTE FUNCTION cidrkit_pool_prefix_space_check()"
        )
        op.execute(_PG_CONNECTION_FUNCTION)
        op.execute(
            "CREATE TRIGGER space_connections_check BEFORE INSERT OR UPDATE "
            "ON space_connections FOR EACH ROW EXECUTE FUNCTION cidrkit_space_connection_check()"
        )
        return
    op.execute(
        "CREATE TRIGGER pools_space_required BEFORE INSERT ON pools "
        "BEGIN SELECT RAISE(ABORT, 'cidrkit: a pool needs a space') WHERE NEW.space_id IS NULL; "
        "SELECT RAISE(ABORT, 'cidrkit: warn_at is a percentage (1-100)') "
        "WHERE NEW.warn_at IS NOT NULL AND NEW.warn_at NOT BETWEEN 1 AND 100; END"
    )
    op.execute("CREATE TRIGGER pool_prefixes_space_insert BEFORE INSERT ON pool_prefixes "
               f"BEGIN {_SQLITE_PREFIX_CHECK} END")
    op.execute("CREATE TRIGGER pool_prefixes_space_update BEFORE UPDATE OF space_id, top_level, "
               f"first_hex, last_hex, pool_id ON pool_prefixes BEGIN {_SQLITE_PREFIX_CHECK} END")
    op.execute("CREATE TRIGGER space_connections_insert BEFORE INSERT ON space_connections "
               f"BEGIN {_SQLITE_CONNECTION_CHECK} END")


def _add_space_column(table: str, dialect: str) -> None:
    # SQLite adds a column referencing another table only in place, with a NULL
    # default (Alembic would rebuild the table, losing its triggers); the
    # triggers below refuse NULL instead, and PostgreSQL gets NOT NULL.
    if dialect == "sqlite":
        op.execute(f"ALTER TABLE {table} ADD COLUMN space_id INTEGER REFERENCES spaces (id)")
    else:
        op.add_column(table, sa.Column("space_id", sa.Integer, sa.ForeignKey("spaces.id"),
                                       nullable=True))


def _mark_existing_overlaps(bind: sa.engine.Connection) -> None:
    """Mark and log top-level prefixes that already overlap (all are in ``global`` now)."""
    pairs = bind.execute(sa.text(
        "SELECT a.id, pa.name, a.prefix, b.id, pb.name, b.prefix "
        "FROM pool_prefixes a JOIN pools pa ON pa.id = a.pool_id, "
        "pool_prefixes b JOIN pools pb ON pb.id = b.pool_id "
        "WHERE a.top_level AND b.top_level AND a.id < b.id AND pa.version = pb.version "
        "AND a.first_hex <= b.last_hex AND a.last_hex >= b.first_hex "
        "ORDER BY a.id, b.id"
    )).all()
    marked: set[int] = set()
    for a_id, a_pool, a_prefix, b_id, b_pool, b_prefix in pairs:
        _log.warning("existing overlap kept: pool %s %s overlaps pool %s %s (space global)",
                     a_pool, a_prefix, b_pool, b_prefix)
        marked.update((a_id, b_id))
    if marked:
        bind.execute(sa.text("UPDATE pool_prefixes SET legacy_overlap = true WHERE id IN "
                             "(" + ", ".join(str(int(i)) for i in sorted(marked)) + ")"))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS space_connections_check ON space_connections")
        op.execute("DROP FUNCTION IF EXISTS cidrkit_space_connection_check()")
        op.execute("DROP TRIGGER IF EXISTS pool_prefixes_space_check ON pool_prefixes")
        op.execute("DROP FUNCTION IF EXISTS cidrkit_pool_prefix_space_check()")
        op.execute("ALTER TABLE pool_prefixes DROP CONSTRAINT IF EXISTS "
                   "pool_prefixes_space_no_overlap")
        op.drop_constraint("pools_warn_at_percent", "pools")
    else:
        for trigger in ("space_connections_insert", "pool_prefixes_space_update",
                        "pool_prefixes_space_insert", "pools_space_required"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.drop_index("pool_prefixes_top_level_by_space", "pool_prefixes")
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild would lose other triggers.
    for table, column in (("pool_prefixes", "legacy_overlap"), ("pool_prefixes", "top_level"),
                          ("pool_prefixes", "space_id"), ("pools", "warn_at"),
                          ("pools", "space_id")):
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column(column)
    op.drop_table("space_connections")
    op.drop_table("spaces")
