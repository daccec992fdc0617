"""cidrkit's pools and allocations as NetBox objects (what the clients read).

A pool's prefixes are ``container`` prefixes; an allocation is a child
prefix, ``active`` when allocated and ``reserved`` when reserved. A child
pool shows as its own container prefixes (the allocation that gives it its
space in the parent is not shown twice). cidrkit's own facts that NetBox has
no field for (pool name, owner, state, ids) are in a ``cidrkit`` object,
which NetBox clients ignore and send back to nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cidrkit.core import Prefix
from cidrkit.ipam.model import Allocation, Pool

Status = Literal["container", "active", "reserved"]
STATUS_LABELS: dict[str, str] = {"container": "Container", "active": "Active",
                                 "reserved": "Reserved", "deprecated": "Deprecated"}
TAG_COLOR = "9e9e9e"


@dataclass(frozen=True, slots=True)
class PrefixObject:
    """One NetBox prefix: a pool's prefix (``allocation`` None) or an allocation."""

    id: int
    prefix: Prefix
    pool: Pool
    allocation: Allocation | None = None

    @property
    def status(self) -> Status:
        """container, active or reserved."""
        if self.allocation is None:
            return "container"
        return "reserved" if self.allocation.state == "reserved" else "active"

    @property
    def description(self) -> str:
        """The allocation's description, or the pool's."""
        return self.allocation.description if self.allocation else self.pool.description

    @property
    def tags(self) -> dict[str, str]:
        """The allocation's tags (pools have none)."""
        return dict(self.allocation.tags) if self.allocation else {}

    @property
    def created(self) -> datetime | None:
        """When the pool or allocation was created."""
        return self.allocation.created_at if self.allocation else self.pool.created_at


def family(version: int) -> dict[str, object]:
    """NetBox's ``family`` choice."""
    return {"value": version, "label": f"IPv{version}"}


def choice(value: str) -> dict[str, str]:
    """A NetBox choice field ``{value, label}``."""
    return {"value": value, "label": STATUS_LABELS.get(value, value.title())}


def tag_name(key: str, value: str) -> str:
    """How a cidrkit tag reads as a NetBox tag name: ``key`` or ``key=value``."""
    return f"{key}={value}" if value else key


def render_tags(tags: dict[str, str]) -> list[dict[str, object]]:
    """cidrkit tags as NetBox nested tags (no ids: cidrkit tags are not objects)."""
    rendered: list[dict[str, object]] = []
    for key, value in sorted(tags.items()):
        name = tag_name(key, value)
        rendered.append({"name": name, "slug": _slug(name), "display": name, "color": TAG_COLOR})
    return rendered


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower())


def timestamp(value: datetime | None) -> str | None:
    """ISO 8601 as NetBox writes it."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def render_prefix(obj: PrefixObject, base: str, *, brief: bool = False,
                  vrf: dict[str, object] | None = None) -> dict[str, object]:
    """The NetBox JSON of a prefix; ``base`` is the API root URL (ending in ``/api/``)."""
    url = f"{base}ipam/prefixes/{obj.id}/"
    short: dict[str, object] = {
        "id": obj.id,
        "url": url,
        "display": str(obj.prefix),
        "family": family(obj.prefix.version),
        "prefix": str(obj.prefix),
        "description": obj.description,
    }
    if brief:
        return short
    extra: dict[str, object] = {"pool": obj.pool.name, "pool_id": obj.pool.id}
    if obj.allocation is not None:
        extra |= {"allocation_id": obj.allocation.id, "state": obj.allocation.state,
                  "owner": obj.allocation.owner}
    created = timestamp(obj.created)
    return {
        **short,
        "vrf": vrf,
        "scope_type": None,
        "scope_id": None,
        "scope": None,
        "tenant": None,
        "vlan": None,
        "status": choice(obj.status),
        "role": None,
        "is_pool": False,
        "mark_utilized": False,
        "comments": "",
        "tags": render_tags(obj.tags),
        "custom_fields": {},
        "created": created,
        "last_updated": created,
        "cidrkit": extra,
    }


def render_available(block: Prefix, vrf: dict[str, object] | None) -> dict[str, object]:
    """One entry of ``available-prefixes`` (NetBox: family as a number, prefix, vrf)."""
    return {"family": block.version, "prefix": str(block), "vrf": vrf}
