"""What the NetBox lists' ``q`` filter matches, stored so the database can match it.

* ``text_form`` on ``pool_prefixes``, ``allocations`` and ``ip_ranges``: the
  prefix or range as cidrkit writes it; on ``ip_addresses``: the address
  alone (the list adds the length of the block holding it).
* ``description_folded`` on ``pools``, ``allocations``, ``ip_ranges`` and
  ``ip_addresses``: the description after Python's ``str.casefold``.

Neither can be computed in SQL alike on SQLite and PostgreSQL (see
``cidrkit.ipam.search``), so the application writes them and this migration
fills them for the rows that exist, a chunk of rows per statement, formatting
with cidrkit's core as the application does. Going down drops the columns.

On PostgreSQL the triggers that check a row on any UPDATE are disabled while
the fill runs: it changes no address, so they have nothing to check, and
the space check would refuse the overlaps migration 0004 kept on purpose.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from cidrkit.core import Addr, Prefix, Range

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CHUNK = 5000

# PostgreSQL triggers that fire on an UPDATE of any column.
_CHECKS_ON_ANY_UPDATE = {"pool_prefixes": "pool_prefixes_space_check",
                         "ip_ranges": "ip_ranges_check", "ip_addresses": "ip_addresses_check"}

_TEXT_FORM = ("pool_prefixes", "allocations", "ip_ranges", "ip_addresses")
_FOLDED = ("pools", "allocations", "ip_ranges", "ip_addresses")


def _bits(version: int) -> int:
    return 32 if version == 4 else 128


def _prefix_text(row: Any) -> str:
    return str(Prefix(_bits(row.version), int(row.first_hex, 16), row.length))


def _range_text(row: Any) -> str:
    return str(Range(_bits(row.version), int(row.first_hex, 16), int(row.last_hex, 16)))


def _address_text(row: Any) -> str:
    return str(Addr(_bits(row.version), int(row.addr_hex, 16)))


# Per table: the query reading what the stored columns are made of, and how.
_SOURCES: dict[str, tuple[str, Callable[[Any], str] | None]] = {
    "pools": ("SELECT id, description FROM pools", None),
    "pool_prefixes": ("SELECT pool_prefixes.id, pools.version, pool_prefixes.first_hex, "
                      "pool_prefixes.length FROM pool_prefixes "
                      "JOIN pools ON pools.id = pool_prefixes.pool_id", _prefix_text),
    "allocations": ("SELECT allocations.id, pools.version, allocations.first_hex, "
                    "allocations.length, allocations.description FROM allocations "
                    "JOIN pools ON pools.id = allocations.pool_id", _prefix_text),
    "ip_ranges": ("SELECT id, version, first_hex, last_hex, description FROM ip_ranges",
                  _range_text),
    "ip_addresses": ("SELECT id, version, addr_hex, description FROM ip_addresses",
                     _address_text),
}


def _fill(conn: sa.Connection, table: str) -> None:
    query, text_of = _SOURCES[table]
    columns = [name for name, wanted in (("text_form", text_of is not None),
                                         ("description_folded", table in _FOLDED)) if wanted]
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    update = sa.text(f"UPDATE {table} SET {assignments} WHERE id = :row_id")
    after = 0
    while True:
        # Keyset pages: each statement reads and writes a bounded number of rows.
        rows = conn.execute(sa.text(f"{query} WHERE {table}.id > :after "
                                    f"ORDER BY {table}.id LIMIT {CHUNK}"),
                            {"after": after}).all()
        if not rows:
            return
        values = []
        for row in rows:
            value: dict[str, Any] = {"row_id": row.id}
            if text_of is not None:
                value["text_form"] = text_of(row)
            if table in _FOLDED:
                value["description_folded"] = row.description.casefold()
            values.append(value)
        conn.execute(update, values)
        after = rows[-1].id


def upgrade() -> None:
    for table in _TEXT_FORM:
        op.add_column(table, sa.Column("text_form", sa.Text, nullable=False, server_default=""))
    for table in _FOLDED:
        op.add_column(table, sa.Column("description_folded", sa.Text, nullable=False,
                                       server_default=""))
    conn = op.get_bind()
    postgres = conn.dialect.name == "postgresql"
    for table in _SOURCES:
        check = _CHECKS_ON_ANY_UPDATE.get(table) if postgres else None
        if check:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {check}")
        _fill(conn, table)
        if check:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {check}")


def downgrade() -> None:
    for table in _FOLDED:
        op.drop_column(table, "description_folded")
    for table in _TEXT_FORM:
        op.drop_column(table, "text_form")
