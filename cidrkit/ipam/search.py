"""The NetBox lists' ``q`` filter, matched by the database on columns the application writes.

``q`` matches a row when its case-folded text is part of the row's cidrkit
text (a prefix, an address with the length of its block, a range's ends) or
part of its Unicode case-folded description. Neither side can be computed
in SQL alike on SQLite and PostgreSQL: IPv6 text follows RFC 5952 as cidrkit
writes it (PostgreSQL's ``cidr`` output writes ``::102:304`` as ``::1.2.3.4``,
SQLite has no address type), and ``lower()`` is
ASCII-only on SQLite and locale-dependent on PostgreSQL, where Python's
``str.casefold`` turns ``ß`` into ``ss`` and ``İ`` into ``i̇``. So each row
stores both, written by the application at every insert and description
change (and filled for older rows by migration 0006):

* ``text_form``: ``str()`` of the prefix (pools' prefixes, allocations), the
  address (single addresses; the length is added in the query, since it
  follows the allocation holding the address) or the range;
* ``description_folded``: ``description.casefold()`` (pools, allocations,
  ranges, addresses).

Matching is then an exact substring search, ``instr`` on SQLite and
``strpos`` on PostgreSQL, both comparing characters exactly (``LIKE`` would
need escaping and is case-insensitive for ASCII on SQLite). No index serves
a substring in the middle of a text; the query still reads only the rows the
other filters leave, and the count and the page come from the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def folded(description: str) -> str:
    """The stored, searchable form of a description."""
    return description.casefold()


def folded_description(values: Mapping[str, object]) -> dict[str, str]:
    """The ``description_folded`` column to write beside ``values`` when they set a
    description (nothing otherwise)."""
    description = values.get("description")
    return {} if not isinstance(description, str) else {"description_folded": folded(description)}


def searchable(text: str) -> bool:
    """False for a ``q`` no stored text can contain: NUL and lone surrogates are refused
    in every description, and PostgreSQL cannot even take them as a parameter."""
    return "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text)


class _Position(FunctionElement[int]):
    """1-based position of the second argument inside the first, 0 if absent."""

    type = sa.Integer()
    name = "cidrkit_position"
    inherit_cache = True


@compiles(_Position, "sqlite")
def _sqlite_position(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"instr({compiler.process(element.clauses, **kw)})"


@compiles(_Position, "postgresql")
def _postgresql_position(element: _Position, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


def contains(haystack: Any, needle: str) -> sa.ColumnElement[bool]:
    """True where ``needle`` occurs in ``haystack``, character for character."""
    return _Position(haystack, sa.literal(needle, sa.Text)) > 0


def matches(text: str, text_form: Any, description_folded: Any) -> sa.ColumnElement[bool]:
    """The ``q`` condition: ``text`` (already case-folded) in either stored column."""
    return sa.or_(contains(text_form, text), contains(description_folded, text))
