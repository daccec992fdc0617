"""Spaces (routing domains): storage, connections, and the no-overlap rule between pools.

Every pool belongs to a space (``global`` unless told otherwise; a child
pool lives in its parent's). Top-level pools never overlap within a space,
nor across two spaces declared *connected*. A connection joins exactly two
spaces and is not transitive: with A-B and B-C connected, A and C may reuse
the same addresses, because traffic between them is not routed. This is the
auditor's rule too (``cidrkit audit --connections``): a conflict is
*blocking* only between scopes that share a connection, and
:func:`connections_document` writes the IPAM's spaces in that file's format.

The database enforces the rule (migration 0004); the checks here run first,
in the same write transaction, to say which pool and prefix collide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Prefix
from cidrkit.core.pairs import overlapping_pairs
from cidrkit.core.text import family_bits
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, InvalidRequest, NotFound
from cidrkit.ipam.model import Space
from cidrkit.ipam.schema import audit_log, pool_prefixes, pools, space_connections, spaces
from cidrkit.ipam.store import audit_row, utc

DEFAULT_SPACE = "global"
SPACE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
SPACE_NAME_RULE = ("letters, digits, '.', '_', '-'; starting with a letter or digit; "
                   "at most 100")
# The advisory lock every check of the rule takes on PostgreSQL (the triggers
# of migration 0004 take the same one): "cidr" in ASCII.
SPACE_LOCK_KEY = 0x63696472


def is_space_name(text: str) -> bool:
    """True if ``text`` is a valid space name, as a whole."""
    return SPACE_NAME.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class PoolPrefix:
    """One prefix of a top-level pool, with the pool's name and space."""

    pool: str
    space: str
    prefix: Prefix


@dataclass(frozen=True, slots=True)
class Overlap:
    """Two top-level pool prefixes that overlap in one space or connected spaces.

    Only databases migrated with overlaps already in them hold any; they are
    reported, and no new one can be added.
    """

    a: PoolPrefix
    b: PoolPrefix

    def describe(self) -> str:
        """One line naming both pools, prefixes and spaces."""
        where = (f"space {self.a.space}" if self.a.space == self.b.space
                 else f"connected spaces {self.a.space} and {self.b.space}")
        return (f"pool {self.a.pool} {self.a.prefix} overlaps pool {self.b.pool} "
                f"{self.b.prefix} ({where})")


@dataclass(frozen=True, slots=True)
class SpaceDetail:
    """A space with the pools in it and the overlaps (kept from before spaces) it holds."""

    space: Space
    pools: tuple[str, ...]
    overlaps: tuple[Overlap, ...]


# -- reading -------------------------------------------------------------------


def _connections(conn: Connection) -> list[tuple[str, str]]:
    a, b = spaces.alias("a"), spaces.alias("b")
    query = (sa.select(a.c.name, b.c.name)
             .select_from(space_connections)
             .join(a, a.c.id == space_connections.c.space_a)
             .join(b, b.c.id == space_connections.c.space_b))
    return [(x, y) for x, y in conn.execute(query)]


def list_spaces(conn: Connection) -> list[Space]:
    """Every space, by name, each with the names of the spaces connected to it."""
    neighbours: dict[str, set[str]] = {}
    for x, y in _connections(conn):
        neighbours.setdefault(x, set()).add(y)
        neighbours.setdefault(y, set()).add(x)
    rows = conn.execute(sa.select(spaces).order_by(spaces.c.name)).all()
    return [Space(id=row.id, name=row.name, description=row.description,
                  connected=tuple(sorted(neighbours.get(row.name, ()))),
                  created_at=utc(row.created_at)) for row in rows]


def get_space(conn: Connection, name: str, *, field: str = "space") -> Space:
    """The space called ``name``; ``NotFound`` naming ``field`` if there is none."""
    for space in list_spaces(conn):
        if space.name == name:
            return space
    raise NotFound(f"space {name!r} does not exist", field=field)


def space_of_pool(conn: Connection, pool: str) -> Space:
    """The space the pool called ``pool`` belongs to."""
    name = conn.execute(
        sa.select(spaces.c.name).join(pools, pools.c.space_id == spaces.c.id)
        .where(pools.c.name == pool)).scalar_one_or_none()
    if name is None:
        raise NotFound(f"pool {pool!r} does not exist", field="pool")
    return get_space(conn, name)


def pool_names(conn: Connection, space: str) -> list[str]:
    """Names of the pools in ``space`` (top-level and children), sorted."""
    query = (sa.select(pools.c.name).join(spaces, pools.c.space_id == spaces.c.id)
             .where(spaces.c.name == space).order_by(pools.c.name))
    return list(conn.execute(query).scalars())


def top_level_prefixes(conn: Connection, space_ids: Iterable[int] | None = None,
                       ) -> list[PoolPrefix]:
    """Prefixes of top-level pools (of the given spaces, or all), in address order."""
    query = (sa.select(pools.c.name, spaces.c.name, pools.c.version, pool_prefixes.c.first_hex,
                       pool_prefixes.c.length)
             .select_from(pool_prefixes)
             .join(pools, pools.c.id == pool_prefixes.c.pool_id)
             .join(spaces, spaces.c.id == pool_prefixes.c.space_id)
             .where(pool_prefixes.c.top_level))
    if space_ids is not None:
        query = query.where(pool_prefixes.c.space_id.in_(sorted(set(space_ids))))
    found = [PoolPrefix(pool, space, Prefix(family_bits(version), int(first, 16), length))
             for pool, space, version, first, length in conn.execute(query)]
    return sorted(found, key=lambda p: (p.prefix, p.pool))


def blocking_overlaps(prefixes: Sequence[PoolPrefix],
                      connected: Iterable[tuple[str, str]]) -> list[Overlap]:
    """Pairs of ``prefixes`` that overlap in one space or in two connected spaces.

    This is the rule itself, on plain values: the checks below and the
    agreement test with the auditor call it.
    """
    pairs = {frozenset(pair) for pair in connected}
    found = []
    for i, j in overlapping_pairs([p.prefix for p in prefixes]):
        a, b = prefixes[i], prefixes[j]
        if a.space == b.space or frozenset((a.space, b.space)) in pairs:
            first, second = sorted((a, b), key=lambda p: (p.prefix, p.pool))
            found.append(Overlap(first, second))
    return sorted(found, key=lambda o: (o.a.prefix, o.a.pool, o.b.prefix, o.b.pool))


def existing_overlaps(conn: Connection) -> list[Overlap]:
    """Overlaps present in the database (kept from before spaces existed)."""
    return blocking_overlaps(top_level_prefixes(conn), _connections(conn))


def overlap_report(db: Database) -> list[str]:
    """One warning line per overlap kept in the database (none in a database that
    never held overlapping pools)."""
    with db.read() as conn:
        return [f"{o.describe()}; kept, but no new overlap will be accepted"
                for o in existing_overlaps(conn)]


def space_detail(conn: Connection, name: str) -> SpaceDetail:
    """The space ``name`` with its pools and the overlaps touching it."""
    space = get_space(conn, name)
    touching = tuple(o for o in existing_overlaps(conn) if name in (o.a.space, o.b.space))
    return SpaceDetail(space, tuple(pool_names(conn, name)), touching)


# -- the rule, checked inside write transactions ----------------------------------


def lock_rule(conn: Connection) -> None:
    """Serialise checks of the rule with every other writer (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already did)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(SPACE_LOCK_KEY)))


def _space_id(conn: Connection, name: str, field: str) -> int:
    found = conn.execute(sa.select(spaces.c.id).where(spaces.c.name == name)).scalar()
    if found is None:
        raise NotFound(f"space {name!r} does not exist", field=field)
    return int(found)


def _reachable(conn: Connection, space_id: int) -> list[int]:
    """The space and the spaces directly connected to it."""
    rows = conn.execute(sa.select(space_connections.c.space_a, space_connections.c.space_b)
                        .where(sa.or_(space_connections.c.space_a == space_id,
                                      space_connections.c.space_b == space_id)))
    return sorted({space_id, *(x for row in rows for x in row)})


def check_new_prefixes(conn: Connection, space: str, prefixes: Sequence[Prefix],
                       field: str = "prefixes") -> int:
    """Raise ``Conflict`` (``overlap``) if a new top-level pool's ``prefixes`` would
    overlap a pool in ``space`` or a space connected to it; return the space's id.

    Call inside the write transaction that inserts them; takes the rule's lock.
    """
    lock_rule(conn)
    space_id = _space_id(conn, space, "space")
    existing = top_level_prefixes(conn, _reachable(conn, space_id))
    for index, prefix in enumerate(prefixes):
        for other in existing:
            if other.prefix.overlaps(prefix):
                where = (f"in space {space!r}" if other.space == space
                         else f"in space {other.space!r}, connected to {space!r}")
                raise Conflict(
                    f"{field}[{index}]: {prefix} overlaps {other.prefix} of pool "
                    f"{other.pool!r} {where}", code="overlap", field=f"{field}[{index}]")
    return space_id


# -- writes -------------------------------------------------------------------------


def _check_name(name: str, field: str) -> None:
    if not is_space_name(name):
        raise InvalidRequest(f"{field}: {name[:40]!r} is not a space name ({SPACE_NAME_RULE})",
                             field=field)


def _audit(conn: Connection, actor: str, action: str, detail: dict[str, object],
           now: datetime) -> None:
    conn.execute(audit_log.insert(), [audit_row(actor, action, None, None, detail, now)])


def create_space(db: Database, name: str, *, description: str = "", actor: str) -> Space:
    """Create an empty space; ``Conflict`` (``exists``) if the name is taken."""
    _check_name(name, "name")
    now = datetime.now(UTC)
    with db.write() as conn:
        # "Global" and "global" would be one scope to the auditor (NetBox's Global).
        taken = name.lower() == DEFAULT_SPACE
        if taken or conn.execute(sa.select(spaces.c.id).where(spaces.c.name == name)).first():
            raise Conflict(f"name: space {name!r} already exists", code="exists", field="name")
        conn.execute(spaces.insert(), {"name": name, "description": description,
                                       "created_at": now})
        _audit(conn, actor, "space.create", {"space": name}, now)
        return get_space(conn, name)


def delete_space(db: Database, name: str, *, actor: str) -> None:
    """Delete a space without pools (and its connections); never ``global``."""
    if name == DEFAULT_SPACE:
        raise Conflict(f"space {name!r} is the default space and cannot be deleted",
                       code="in_use", field="space")
    now = datetime.now(UTC)
    with db.write() as conn:
        space_id = _space_id(conn, name, "space")
        held = pool_names(conn, name)
        if held:
            raise Conflict(f"space {name!r} still holds {len(held)} pool(s) "
                           f"({', '.join(held[:5])}); delete them first",
                           code="in_use", field="space")
        conn.execute(space_connections.delete().where(
            sa.or_(space_connections.c.space_a == space_id,
                   space_connections.c.space_b == space_id)))
        conn.execute(spaces.delete().where(spaces.c.id == space_id))
        _audit(conn, actor, "space.delete", {"space": name}, now)


def _ordered(conn: Connection, a: str, b: str) -> tuple[int, int]:
    if a == b:
        raise InvalidRequest(f"other: a space is not connected to itself ({a!r})",
                             field="other")
    first, second = _space_id(conn, a, "space"), _space_id(conn, b, "other")
    return min(first, second), max(first, second)


def connect_spaces(db: Database, a: str, b: str, *, description: str = "",
                   actor: str) -> tuple[Space, bool]:
    """Connect two spaces; return space ``a`` and whether the connection is new.

    Refused with ``Conflict`` (``overlap``) naming both pools and prefixes when
    a top-level pool of one overlaps one of the other. Connecting spaces that
    are already connected changes nothing.
    """
    now = datetime.now(UTC)
    with db.write() as conn:
        lock_rule(conn)
        low, high = _ordered(conn, a, b)
        known = conn.execute(sa.select(space_connections.c.space_a).where(
            space_connections.c.space_a == low, space_connections.c.space_b == high)).first()
        if known:
            return get_space(conn, a), False
        both = top_level_prefixes(conn, (low, high))
        crossing = [o for o in blocking_overlaps(both, [(a, b)]) if o.a.space != o.b.space]
        if crossing:
            first = crossing[0]
            more = f" (and {len(crossing) - 1} more)" if len(crossing) > 1 else ""
            raise Conflict(
                f"cannot connect {a!r} and {b!r}: pool {first.a.pool!r} {first.a.prefix} "
                f"(space {first.a.space!r}) overlaps pool {first.b.pool!r} {first.b.prefix} "
                f"(space {first.b.space!r}){more}", code="overlap", field="other")
        conn.execute(space_connections.insert(), {"space_a": low, "space_b": high,
                                                  "description": description,
                                                  "created_at": now})
        _audit(conn, actor, "space.connect", {"spaces": sorted((a, b))}, now)
        return get_space(conn, a), True


def disconnect_spaces(db: Database, a: str, b: str, *, actor: str) -> bool:
    """Remove the connection between two spaces; False if there was none."""
    now = datetime.now(UTC)
    with db.write() as conn:
        low, high = _ordered(conn, a, b)
        gone = conn.execute(space_connections.delete().where(
            space_connections.c.space_a == low, space_connections.c.space_b == high)).rowcount
        if gone:
            _audit(conn, actor, "space.disconnect", {"spaces": sorted((a, b))}, now)
        return bool(gone)


# -- the auditor's view ---------------------------------------------------------------


def audit_scope(space: str) -> str:
    """The auditor's scope id for a space: the space as a NetBox VRF (``global``
    is NetBox's Global, no VRF)."""
    return "netbox:Global" if space == DEFAULT_SPACE else f"netbox:{space}"


def connections_document(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Connected pairs of spaces in the auditor's ``--connections`` file format.

    One connection per connected pair (members are scope ids, see
    :func:`audit_scope`), so the auditor's "share a connection" is exactly
    "directly connected" here, never a wider mesh.
    """
    entries = [{"name": f"{x} - {y}", "via": "cidrkit-space",
                "members": [audit_scope(x), audit_scope(y)]}
               for x, y in sorted({tuple(sorted(p)) for p in pairs})]
    return {"version": 1, "connections": entries}


def inventory_document(prefixes: Sequence[PoolPrefix]) -> dict[str, Any]:
    """Top-level pool prefixes as a NetBox prefix export (VRF = space), which the
    auditor reads with one scope per space."""
    results = [{"prefix": str(p.prefix), "status": {"value": "container"},
                "vrf": None if p.space == DEFAULT_SPACE else {"name": p.space},
                "description": f"cidrkit pool {p.pool}"}
               for p in prefixes]
    return {"count": len(results), "next": None, "previous": None, "results": results}


def auditor_documents(conn: Connection) -> tuple[dict[str, Any], dict[str, Any]]:
    """The database's connections file and pool inventory, for ``cidrkit audit``."""
    return connections_document(_connections(conn)), inventory_document(top_level_prefixes(conn))
