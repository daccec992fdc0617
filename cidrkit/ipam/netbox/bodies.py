"""Request bodies of the NetBox view, checked field by field.

NetBox's serializers drop fields they do not know; here a field is either
understood, or refused with a 400 that names it. Relations cidrkit has no
notion of (tenant, site, VLAN, role, scope) are accepted only as null, the
flags NetBox clients always send (``is_pool``, ``mark_utilized``) only as
false, and fields that would move a block (``prefix``, ``vrf``, ``status``
between container and the rest) only with the value the object already has.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cidrkit.core import Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam.netbox.errors import bad

NULL_ONLY = frozenset({"tenant", "site", "vlan", "role", "scope_type", "scope_id", "scope",
                       "nat_inside", "assigned_object_type", "assigned_object_id", "dns_name"})
FALSE_ONLY = frozenset({"is_pool", "mark_utilized"})
READ_ONLY = frozenset({"id", "url", "display", "display_url", "family", "created",
                       "last_updated", "children", "_depth", "cidrkit"})
MAX_DESCRIPTION = 1000
MAX_TAGS = 64


@dataclass(frozen=True, slots=True)
class Edit:
    """What a PATCH/PUT changes: None means unchanged."""

    description: str | None = None
    tags: dict[str, str] | None = None


def json_object(body: object, where: str = "body") -> Mapping[str, Any]:
    """``body`` as a JSON object, or a 400 naming ``where``."""
    if not isinstance(body, dict):
        raise bad(where, f"expected a JSON object, got {type(body).__name__}")
    return body


def check_fixed(field: str, value: object, *, where: str = "") -> None:
    """Refuse a relation cidrkit does not have unless it is null/false/empty."""
    name = f"{where}{field}"
    if field in NULL_ONLY and value is not None:
        raise bad(name, "cidrkit has no such relation; only null is accepted")
    if field in FALSE_ONLY and value not in (None, False):
        raise bad(name, "only false is accepted (cidrkit pools are containers; "
                        "utilisation is computed, never marked)")
    if field == "comments" and value not in (None, ""):
        raise bad(name, "cidrkit keeps no comments; use description")
    if field == "custom_fields" and value not in (None, {}):
        raise bad(name, "cidrkit has no custom fields; only {} is accepted")
    if field in READ_ONLY:
        raise bad(name, "read-only field")


def description(value: object, name: str) -> str:
    """A description: text of at most 1000 characters, without NUL."""
    if not isinstance(value, str):
        raise bad(name, "expected a string")
    if len(value) > MAX_DESCRIPTION:
        raise bad(name, f"longer than {MAX_DESCRIPTION} characters")
    _storable(value, name)
    return value


def tags(value: object, name: str) -> dict[str, str]:
    """NetBox tags as cidrkit tags: each ``{"name": "key=value"}`` (or ``slug``, or a
    bare string) is the tag ``key`` with ``value`` (empty without ``=``)."""
    if not isinstance(value, list):
        raise bad(name, "expected a list of tags")
    if len(value) > MAX_TAGS:
        raise bad(name, f"more than {MAX_TAGS} tags")
    result: dict[str, str] = {}
    for index, item in enumerate(value):
        where = f"{name}[{index}]"
        if isinstance(item, dict):
            text = item.get("name", item.get("slug"))
            unknown = set(item) - {"name", "slug", "display", "color"}
            if unknown:
                raise bad(f"{where}.{sorted(unknown)[0]}", "not a tag field (name, slug)")
        else:
            text = item
        if not isinstance(text, str) or not text:
            raise bad(where, "a tag is a name such as 'team=payments' (cidrkit tags have "
                             "no ids)")
        key, _, tag_value = text.partition("=")
        if not key or len(key) > 100 or len(tag_value) > 500:
            raise bad(where, f"{text!r}: tag keys are 1-100 characters, values up to 500")
        if key in result:
            raise bad(where, f"tag {key!r} given twice")
        _storable(text, where)
        result[key] = tag_value
    return result


def _storable(text: str, name: str) -> None:
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        raise bad(name, "contains a NUL or an unpaired surrogate")


def status_value(value: object, name: str) -> str:
    """A status as NetBox clients send it: ``"active"`` or ``{"value": "active"}``."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if not isinstance(value, str):
        raise bad(name, "expected a status such as 'active'")
    return value


def vrf_value(value: object, name: str) -> int | None:
    """A VRF reference: null, an id, or ``{"id": ...}``."""
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(name, "expected a VRF id or null")
    return value


def same_prefix(value: object, name: str, current: Prefix) -> None:
    """Refuse a prefix other than ``current`` (cidrkit never moves a block)."""
    if not isinstance(value, str):
        raise bad(name, "expected a prefix such as '10.0.0.0/24'")
    try:
        given = Prefix.parse(value)
    except ParseError as exc:
        raise bad(name, str(exc)) from None
    if given != current:
        raise bad(name, f"{given} is not {current}: cidrkit does not move a block; "
                        "allocate a new one and delete this one")


def edit_of(body: object, *, prefix: Prefix, status: str,
            check_vrf: Callable[[object, str], None], container: bool) -> Edit:
    """The changes a PATCH/PUT body asks of a prefix, every other field checked."""
    fields = json_object(body)
    found_description: str | None = None
    found_tags: dict[str, str] | None = None
    checks: dict[str, Callable[[object], None]] = {
        "prefix": lambda v: same_prefix(v, "prefix", prefix),
        "status": lambda v: _same_status(v, status),
        "vrf": lambda v: check_vrf(v, "vrf"),
    }
    for field, value in fields.items():
        if field == "description":
            found_description = description(value, field)
        elif field == "tags":
            found_tags = tags(value, field)
            if container and found_tags:
                raise bad(field, "a pool carries no tags; tag its allocations")
        elif field in checks:
            checks[field](value)
        elif field in NULL_ONLY | FALSE_ONLY | READ_ONLY | {"comments", "custom_fields"}:
            check_fixed(field, value)
        else:
            raise bad(field, "unknown or unsupported field")
    return Edit(found_description, found_tags)


def _same_status(value: object, current: str) -> None:
    given = status_value(value, "status")
    if given != current:
        raise bad("status", f"{given!r}: the status of a {current} prefix cannot be changed "
                            "here (a pool is a container; an allocation's state is set when "
                            "it is allocated)")
