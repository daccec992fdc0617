"""Creating and deleting pools, each in one write transaction with its audit entry.

A child pool takes its space from its parent: its prefixes become live
allocations of the parent (marked with ``child_pool_id``), so the parent can
never hand that space out again, and deleting the child gives it back.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cidrkit.core import Prefix
from cidrkit.core.text import family_bits
from cidrkit.core.usable import MODEL_NAMES
from cidrkit.errors import ParseError
from cidrkit.ipam.allocator import PoolSpace
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, InvalidRequest
from cidrkit.ipam.hostspace import is_usable_model
from cidrkit.ipam.model import AllocationRequest, Pool, PoolRules
from cidrkit.ipam.occupancy import forget_ranges_and_addresses
from cidrkit.ipam.schema import allocations, audit_log, pool_prefixes, pools
from cidrkit.ipam.search import folded
from cidrkit.ipam.spaces import DEFAULT_SPACE, check_new_prefixes
from cidrkit.ipam.store import audit_row, bump_generation, get_pool, live_blocks, prefix_row

# Always used with fullmatch: with match() and ``$`` a trailing newline would pass.
POOL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
POOL_NAME_RULE = ("letters, digits, '.', '_', '-'; starting with a letter or digit; "
                  "at most 100")


def is_pool_name(text: str) -> bool:
    """True if ``text`` is a valid pool name, as a whole (no trailing newline)."""
    return POOL_NAME.fullmatch(text) is not None


@dataclass(frozen=True, slots=True)
class PoolSpec:
    """What a new pool should be.

    Give ``prefixes`` (text, parsed strictly here), or with a ``parent`` a
    ``prefix_length`` to take the parent's next free block of that size.
    """

    name: str
    prefixes: Sequence[str] = ()
    parent: str | None = None
    prefix_length: int | None = None
    rules: PoolRules = field(default_factory=PoolRules)
    description: str = ""
    usable_model: str = "rfc"
    space: str | None = None  # None: the parent's space, else ``global``
    warn_at: int | None = None  # utilisation percent from which to warn


def parse_prefixes(texts: Sequence[str], field_name: str = "prefixes") -> list[Prefix]:
    """Parse pool prefixes strictly: one family, pairwise disjoint.

    Errors name the element (``prefixes[1]``) and quote cidrkit's parse message.
    """
    parsed: list[Prefix] = []
    for index, text in enumerate(texts):
        where = f"{field_name}[{index}]"
        try:
            prefix = Prefix.parse(text)
        except ParseError as exc:
            raise InvalidRequest(f"{where}: {exc}", field=where) from None
        if parsed and prefix.version != parsed[0].version:
            raise InvalidRequest(
                f"{where}: {prefix} is IPv{prefix.version} but {parsed[0]} is "
                f"IPv{parsed[0].version}; a pool holds one family",
                field=where,
            )
        for other_index, other in enumerate(parsed):
            if other.overlaps(prefix):
                raise InvalidRequest(
                    f"{where}: {prefix} overlaps {field_name}[{other_index}] {other}", field=where
                )
        parsed.append(prefix)
    return parsed


def check_rules(rules: PoolRules, version: int) -> None:
    """Raise ``InvalidRequest`` for lengths outside the family or out of order."""
    width = family_bits(version)
    named = {
        "min_length": rules.min_length,
        "default_length": rules.default_length,
        "max_length": rules.max_length,
    }
    for name, value in named.items():
        if value is not None and not 0 <= value <= width:
            raise InvalidRequest(
                f"{name}: {value} is not a prefix length of IPv{version} (0-{width})", field=name
            )
    ordered = [(n, v) for n, v in named.items() if v is not None]
    for (low_name, low), (high_name, high) in itertools.pairwise(ordered):
        if low > high:
            raise InvalidRequest(
                f"{high_name}: {high} is shorter than {low_name} {low}", field=high_name
            )


def create_pool(db: Database, spec: PoolSpec, *, actor: str) -> Pool:
    """Create a pool (and take its space from the parent, if any).

    Raises ``InvalidRequest`` naming the bad field, ``Conflict`` (code
    ``exists``) for a taken name, (``exhausted``/``overlap``) when the parent
    has no room, ``NotFound`` for an unknown parent.
    """
    if not is_pool_name(spec.name):
        raise InvalidRequest(f"name: {spec.name!r} is not a pool name ({POOL_NAME_RULE})",
                             field="name")
    prefixes = parse_prefixes(spec.prefixes)
    if spec.parent is None and not prefixes:
        raise InvalidRequest("prefixes: a pool without a parent needs prefixes", field="prefixes")
    if prefixes and spec.prefix_length is not None:
        raise InvalidRequest(
            "prefix_length: give either prefixes or prefix_length, not both", field="prefix_length"
        )
    if spec.prefix_length is not None and spec.parent is None:
        raise InvalidRequest("prefix_length: only a child pool takes a length", field="parent")
    if not is_usable_model(spec.usable_model):
        raise InvalidRequest(f"usable_model: {spec.usable_model[:40]!r} is not one of "
                             f"{', '.join(MODEL_NAMES)}", field="usable_model")
    if spec.rules.required_tags and any(not t for t in spec.rules.required_tags):
        raise InvalidRequest("required_tags: tag names cannot be empty", field="required_tags")
    if spec.warn_at is not None and not 1 <= spec.warn_at <= 100:
        raise InvalidRequest(f"warn_at: {spec.warn_at} is not a percentage (1-100)",
                             field="warn_at")
    now = datetime.now(UTC)
    with db.write() as conn:
        if conn.execute(sa.select(pools.c.id).where(pools.c.name == spec.name)).first():
            raise Conflict(f"name: pool {spec.name!r} already exists", code="exists", field="name")
        parent = None
        if spec.parent is not None:
            parent = get_pool(conn, spec.parent, lock=db.dialect == "postgresql")
            if spec.space is not None and spec.space != parent.space:
                raise InvalidRequest(
                    f"space: a child pool lives in its parent's space {parent.space!r}, "
                    f"not {spec.space!r}", field="space")
            prefixes = _carve_from_parent(conn, parent, prefixes, spec.prefix_length)
            space_id = conn.execute(
                sa.select(pools.c.space_id).where(pools.c.id == parent.id)).scalar_one()
        else:
            space_id = check_new_prefixes(conn, spec.space or DEFAULT_SPACE, prefixes)
        version = prefixes[0].version
        check_rules(spec.rules, version)
        pool_id = conn.execute(
            pools.insert().returning(pools.c.id),
            {
                "name": spec.name,
                "version": version,
                "parent_id": parent.id if parent else None,
                "min_length": spec.rules.min_length,
                "max_length": spec.rules.max_length,
                "default_length": spec.rules.default_length,
                "required_tags": list(spec.rules.required_tags),
                "description": spec.description,
                "description_folded": folded(spec.description),
                "created_at": now,
                "usable_model": spec.usable_model,
                "space_id": space_id,
                "warn_at": spec.warn_at,
            },
        ).scalar_one()
        conn.execute(
            pool_prefixes.insert(),
            [{"pool_id": pool_id, **prefix_row(p), "space_id": space_id,
              "top_level": parent is None} for p in prefixes],
        )
        audits = []
        if parent is not None:
            rows = [
                {
                    "pool_id": parent.id,
                    **prefix_row(p),
                    "state": "allocated",
                    "description": f"pool {spec.name}",
                    "description_folded": folded(f"pool {spec.name}"),
                    "owner": actor,
                    "tags": {},
                    "idempotency_key": None,
                    "batch_index": 0,
                    "request_hash": None,
                    "child_pool_id": pool_id,
                    "created_at": now,
                    "released_at": None,
                }
                for p in prefixes
            ]
            ids = conn.execute(
                allocations.insert().returning(allocations.c.id, sort_by_parameter_order=True),
                rows,
            ).scalars().all()
            bump_generation(conn, [parent.id])
            for prefix, new_id in zip(prefixes, ids, strict=True):
                detail: dict[str, object] = {"prefix": str(prefix), "child_pool": spec.name}
                audits.append(
                    audit_row(actor, "allocation.create", parent.name, new_id, detail, now)
                )
        detail = {"prefixes": [str(p) for p in prefixes], "parent": spec.parent}
        space = parent.space if parent else spec.space or DEFAULT_SPACE
        if space != DEFAULT_SPACE:
            detail["space"] = space
        audits.append(audit_row(actor, "pool.create", spec.name, None, detail, now))
        conn.execute(audit_log.insert(), audits)
        return get_pool(conn, spec.name)


def _carve_from_parent(
    conn: Connection, parent: Pool, prefixes: list[Prefix], length: int | None
) -> list[Prefix]:
    space = PoolSpace(parent, live_blocks(conn, parent))
    if length is not None:
        return [space.place(AllocationRequest(length=length), "")]
    if not prefixes:
        raise InvalidRequest(
            "prefix_length: a child pool needs prefixes or a prefix_length", field="prefix_length"
        )
    # Required tags are about the parent's ordinary allocations, not about child
    # pools, so only containment, length rules and overlap are checked here.
    for index, prefix in enumerate(prefixes):
        space.take(prefix, f"prefixes[{index}]")
    return prefixes


def delete_pool(db: Database, name: str, *, actor: str) -> None:
    """Delete a pool with no live allocations; give its space back to its parent.

    Raises ``NotFound`` or ``Conflict`` (code ``in_use``) naming how many live
    allocations remain.
    """
    now = datetime.now(UTC)
    with db.write() as conn:
        pool = get_pool(conn, name, lock=db.dialect == "postgresql")
        live = conn.execute(
            sa.select(sa.func.count())
            .select_from(allocations)
            .where(allocations.c.pool_id == pool.id, allocations.c.state != "released")
        ).scalar_one()
        if live:
            raise Conflict(
                f"pool {name!r} still has {live} live allocation(s); release them first",
                code="in_use",
                field="pool",
            )
        forget_ranges_and_addresses(conn, pool)
        audits = []
        carved = conn.execute(
            sa.select(allocations.c.id, allocations.c.prefix, pools.c.name, pools.c.id)
            .join(pools, allocations.c.pool_id == pools.c.id)
            .where(allocations.c.child_pool_id == pool.id)
        ).all()
        bump_generation(conn, [row[3] for row in carved])
        for allocation_id, prefix, parent_name, _ in carved:
            detail: dict[str, object] = {"prefix": str(prefix), "child_pool": name}
            audits.append(
                audit_row(actor, "allocation.release", parent_name, allocation_id, detail, now)
            )
        conn.execute(
            allocations.update()
            .where(allocations.c.child_pool_id == pool.id)
            .values(state="released", released_at=now, child_pool_id=None)
        )
        conn.execute(allocations.delete().where(allocations.c.pool_id == pool.id))
        conn.execute(pool_prefixes.delete().where(pool_prefixes.c.pool_id == pool.id))
        conn.execute(pools.delete().where(pools.c.id == pool.id))
        detail = {"prefixes": [str(p) for p in pool.prefixes]}
        audits.append(audit_row(actor, "pool.delete", name, None, detail, now))
        conn.execute(audit_log.insert(), audits)
