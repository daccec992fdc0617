"""Table definitions the storage layer queries (SQLAlchemy Core).

The schema itself is created by the Alembic migrations in ``migrations/``;
these definitions must match the latest revision. Prefixes are stored three
ways on purpose:

* ``prefix``: canonical text from cidrkit (a ``cidr`` column on PostgreSQL,
  which the exclusion constraint needs; plain text on SQLite);
* ``first_hex``/``last_hex``: the first and last address as 32 hex digits, so
  that text comparison is numeric comparison for both families (SQLite
  integers stop at 64 bits); the SQLite overlap trigger uses them;
* ``length``: so rows become ``Prefix`` values without parsing.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from cidrkit.core import Prefix

HEX_DIGITS = 32  # 128 bits; IPv4 values are zero-padded the same way


def to_hex(value: int) -> str:
    """Fixed-width hex of an address value, ordered like the integer."""
    return f"{value:0{HEX_DIGITS}x}"


class PrefixColumn(TypeDecorator[Prefix]):
    """A ``Prefix`` stored as cidrkit's canonical text (``cidr`` on PostgreSQL).

    Binding takes only ``Prefix`` values: text never reaches PostgreSQL's own
    lax ``cidr`` input parser, so what is stored is what cidrkit accepted.
    """

    impl = sa.String(64)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.CIDR())
        return dialect.type_descriptor(sa.String(64))

    def process_bind_param(self, value: Prefix | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Prefix):
            raise TypeError(f"expected a Prefix, got {type(value).__name__}")
        return str(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Prefix | None:
        return None if value is None else Prefix.parse(str(value))


metadata = sa.MetaData()

spaces = sa.Table(
    "spaces",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# Each connected pair once, lower id first; symmetric and not transitive.
space_connections = sa.Table(
    "space_connections",
    metadata,
    sa.Column("space_a", sa.Integer, sa.ForeignKey("spaces.id"), primary_key=True),
    sa.Column("space_b", sa.Integer, sa.ForeignKey("spaces.id"), primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

pools = sa.Table(
    "pools",
    metadata,
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
    sa.Column("generation", sa.BigInteger, nullable=False, server_default="0"),
    # The core's usable-address model of the pool's blocks (single addresses skip the rest).
    sa.Column("usable_model", sa.String(8), nullable=False, server_default="rfc"),
    sa.Column("space_id", sa.Integer, sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("warn_at", sa.SmallInteger, nullable=True),
    # What the NetBox lists' ``q`` matches (``search``, migration 0006).
    sa.Column("description_folded", sa.Text, nullable=False, server_default=""),
)

pool_prefixes = sa.Table(
    "pool_prefixes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
    sa.Column("prefix", PrefixColumn, nullable=False),
    sa.Column("first_hex", sa.String(HEX_DIGITS), nullable=False),
    sa.Column("last_hex", sa.String(HEX_DIGITS), nullable=False),
    sa.Column("length", sa.SmallInteger, nullable=False),
    # The pool's space, and whether the pool is top-level: top-level prefixes
    # never overlap in one space or across connected spaces (migration 0004).
    sa.Column("space_id", sa.Integer, sa.ForeignKey("spaces.id"), nullable=False),
    sa.Column("top_level", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("legacy_overlap", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("text_form", sa.Text, nullable=False, server_default=""),
)

allocations = sa.Table(
    "allocations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
    sa.Column("prefix", PrefixColumn, nullable=False),
    sa.Column("first_hex", sa.String(HEX_DIGITS), nullable=False),
    sa.Column("last_hex", sa.String(HEX_DIGITS), nullable=False),
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
    # Set on rows written by an import; hidden from readers while that import
    # is still in ``pending_imports`` (see ``store.visible``).
    sa.Column("import_id", sa.Integer, nullable=True),
    sa.Column("text_form", sa.Text, nullable=False, server_default=""),
    sa.Column("description_folded", sa.Text, nullable=False, server_default=""),
    # Ids are never reused, even after a pool and its rows are deleted: the
    # audit log and people's notes refer to them.
    sqlite_autoincrement=True,
)

pending_imports = sa.Table(
    "pending_imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    # Names, not foreign keys: the log outlives the pools it talks about.
    sa.Column("pool_name", sa.String(100), nullable=True),
    sa.Column("allocation_id", sa.Integer, nullable=True),
    sa.Column("detail", sa.JSON, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("pool_name", sa.String(100), nullable=True),
    sa.Column("scope", sa.String(10), nullable=False),
    sa.Column("salt", sa.String(64), nullable=False),
    sa.Column("secret_hash", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    # sha256 of the cookie's secret: a stolen database does not yield live cookies.
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("token_id", sa.Integer, sa.ForeignKey("api_tokens.id"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
)

ip_ranges = sa.Table(
    "ip_ranges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
    # None: a free-standing range of the pool, which blocks prefix allocation.
    sa.Column("allocation_id", sa.Integer, sa.ForeignKey("allocations.id"), nullable=True),
    sa.Column("version", sa.SmallInteger, nullable=False),
    sa.Column("first_hex", sa.String(HEX_DIGITS), nullable=False),
    sa.Column("last_hex", sa.String(HEX_DIGITS), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("text_form", sa.Text, nullable=False, server_default=""),
    sa.Column("description_folded", sa.Text, nullable=False, server_default=""),
    sqlite_autoincrement=True,
)

ip_addresses = sa.Table(
    "ip_addresses",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("pool_id", sa.Integer, sa.ForeignKey("pools.id"), nullable=False),
    # None: taken straight from the pool (it then blocks prefix allocation).
    sa.Column("allocation_id", sa.Integer, sa.ForeignKey("allocations.id"), nullable=True),
    sa.Column("version", sa.SmallInteger, nullable=False),
    sa.Column("addr_hex", sa.String(HEX_DIGITS), nullable=False),
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
    sa.Column("text_form", sa.Text, nullable=False, server_default=""),  # the address alone
    sa.Column("description_folded", sa.Text, nullable=False, server_default=""),
    sqlite_autoincrement=True,
)
