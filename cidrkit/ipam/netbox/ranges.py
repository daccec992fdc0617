"""``/api/ipam/ip-ranges/``: cidrkit's ranges as NetBox IP ranges.

A range's kind maps onto NetBox's fields: ``reserved`` is status
``reserved``; ``populated`` is status ``active`` with ``mark_populated``
(NetBox 4.3's flag for spans managed elsewhere, such as a DHCP server's
leases); ``dhcp`` is status ``active``. The kind is also in ``cidrkit.kind``.
Addresses are written with the length of the block they lie in, as NetBox
does; a length given on input is only display and is not checked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from cidrkit.core import Addr, Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.errors import IpamError, NotFound
from cidrkit.ipam.model import Token
from cidrkit.ipam.netbox import bodies
from cidrkit.ipam.netbox.errors import NetBoxRoute, bad, ipam_of, token_of
from cidrkit.ipam.netbox.objects import innermost_pool, parse_id
from cidrkit.ipam.netbox.query import COMMON, Query, choice, integer, paged, prefix
from cidrkit.ipam.netbox.reading import Body, api_root
from cidrkit.ipam.netbox.shapes import choice as choice_field
from cidrkit.ipam.netbox.shapes import family, timestamp
from cidrkit.ipam.netbox.vrfs import Vrfs
from cidrkit.ipam.ranges import IpRange, RangeChanges, RangeSpec
from cidrkit.ipam.span_listing import SpanFilter

Auth = Annotated[Token, Depends(token_of)]
Ipam = Annotated[IpamApp, Depends(ipam_of)]
RANGE_FILTERS = frozenset({"id", "vrf_id", "family", "status", "parent", "q"}) | COMMON

router = APIRouter(prefix="/api/ipam", route_class=NetBoxRoute, tags=["netbox"],
                   include_in_schema=False)


@dataclass(frozen=True, slots=True)
class RangeObject:
    """A range, the length its ends are written with, and its pool's space."""

    record: IpRange
    length: int
    space: str

    @property
    def status(self) -> str:
        """reserved, or active (dhcp and populated)."""
        return "reserved" if self.record.kind == "reserved" else "active"


def render_range(obj: RangeObject, base: str, *, brief: bool = False,
                 vrf: dict[str, object] | None = None) -> dict[str, object]:
    """The NetBox JSON of an IP range."""
    span = obj.record.span
    start, end = f"{span.first}/{obj.length}", f"{span.last}/{obj.length}"
    short: dict[str, object] = {
        "id": obj.record.id, "url": f"{base}ipam/ip-ranges/{obj.record.id}/",
        "display": f"{start}-{end}", "family": family(span.version), "start_address": start,
        "end_address": end, "description": obj.record.description,
    }
    if brief:
        return short
    created = timestamp(obj.record.created_at)
    return {**short, "size": span.size, "vrf": vrf, "tenant": None,
            "status": choice_field(obj.status), "role": None, "comments": "", "tags": [],
            "custom_fields": {}, "mark_populated": obj.record.kind == "populated",
            "mark_utilized": False, "created": created, "last_updated": created,
            "cidrkit": {"pool": obj.record.pool, "kind": obj.record.kind,
                        "allocation_id": obj.record.allocation_id}}


def _length(record: IpRange, prefixes: tuple[Prefix, ...], holders: dict[int, Prefix]) -> int:
    if record.allocation_id is not None and record.allocation_id in holders:
        return holders[record.allocation_id].length
    return next((p.length for p in prefixes if p.contains(record.span)), prefixes[0].length)


def range_by_id(ipam: IpamApp, token: Token, text: str) -> RangeObject:
    """The range with that id (read scope); 404 naming ``id`` otherwise."""
    value = parse_id(text, "IP range")
    try:
        record = ipam.ip_range(token, value)
        contents = ipam.contents_of(token, record.pool)
    except NotFound:
        raise NotFound(f"IP range {value} does not exist", field="id") from None
    holders = {a.id: a.prefix for a in contents.allocations}
    return RangeObject(record, _length(record, contents.pool.prefixes, holders),
                       contents.pool.space)


@contextmanager
def netbox_fields() -> Iterator[None]:
    """Name the range's ends as NetBox does in errors from the application layer."""
    try:
        yield
    except IpamError as exc:
        old = exc.field
        if old in ("start", "end"):
            exc.field = f"{old}_address"
            if exc.message.startswith(f"{old}:"):
                exc.message = f"{exc.field}{exc.message[len(old):]}"
        raise


def _address(value: object, name: str) -> Addr:
    if not isinstance(value, str):
        raise bad(name, "expected an address such as '10.0.0.10/24'")
    try:
        return Addr.parse(value.partition("/")[0])
    except ParseError as exc:
        raise bad(name, str(exc)) from None


@router.get("/ip-ranges/")
def list_ranges(request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """Ranges the token may read, filtered, one page at a time."""
    query = Query(request.query_params, RANGE_FILTERS)
    vrfs = Vrfs.of(ipam, token, request)
    wanted = SpanFilter(
        ids=frozenset(query.values("id", integer)),
        families=frozenset(int(f) for f in query.values("family", choice(["4", "6"]))),
        statuses=frozenset(query.values("status", choice(["active", "reserved"]))),
        parents=tuple(query.values("parent", prefix)),
        spaces=frozenset(query.values("vrf_id", vrfs.space_of_filter)),
        text=(query.one("q", lambda _n, t: t) or "").casefold())
    page, records, spaces = ipam.range_page(token, wanted, limit=query.limit,
                                            offset=query.offset)
    root = api_root(request)
    results: list[object] = []
    for row in page.rows:
        record = records.get(row.id)
        if record is None or record.pool not in spaces:
            continue  # deleted between the page's query and this read (PostgreSQL)
        obj = RangeObject(record, row.length, spaces[record.pool])
        results.append(render_range(obj, root, brief=query.brief, vrf=vrfs.nested(obj.space)))
    return paged(request, query, page.count, results).to_json()


@router.get("/ip-ranges/{range_id}/")
def get_range(range_id: str, request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """One IP range."""
    query = Query(request.query_params, COMMON)
    obj = range_by_id(ipam, token, range_id)
    return render_range(obj, api_root(request), brief=query.brief,
                        vrf=Vrfs.of(ipam, token, request).nested(obj.space))


def _kind(fields: Mapping[str, Any], current: str) -> str:
    status = bodies.status_value(fields["status"], "status") if "status" in fields else None
    populated = fields.get("mark_populated")
    if status not in (None, "active", "reserved"):
        raise bad("status", f"{status!r}: a range is active or reserved")
    if populated not in (None, True, False):
        raise bad("mark_populated", "expected true or false")
    if status == "reserved":
        if populated:
            raise bad("mark_populated", "a reserved range is not populated")
        return "reserved"
    if populated is True:
        return "populated"
    if status == "active" or populated is False:
        return "dhcp" if current in ("reserved", "populated") else current
    return current


def _check_fields(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    for field, value in fields.items():
        if field in allowed:
            continue
        if field in bodies.NULL_ONLY | bodies.FALSE_ONLY | bodies.READ_ONLY | {
                "comments", "custom_fields", "tags"}:
            if field == "tags" and value in (None, []):
                continue
            if field == "tags":
                raise bad(field, "cidrkit ranges carry no tags")
            bodies.check_fixed(field, value)
        else:
            raise bad(field, "unknown or unsupported field")


@router.post("/ip-ranges/", status_code=201)
def create_range(request: Request, token: Auth, ipam: Ipam, body: Body) -> dict[str, object]:
    """Create a range in the innermost pool holding it (in the VRF given, else global)."""
    Query(request.query_params, frozenset())
    fields = bodies.json_object(body)
    _check_fields(fields, frozenset({"start_address", "end_address", "status", "description",
                                     "mark_populated", "vrf"}))
    for name in ("start_address", "end_address"):
        if name not in fields:
            raise bad(name, "required")
    first = _address(fields["start_address"], "start_address")
    last = _address(fields["end_address"], "end_address")
    vrfs = Vrfs.of(ipam, token, request)
    space = vrfs.space_of_vrf(fields.get("vrf"), "vrf")
    found = [h for h in ipam.pool_contents(token) if h.pool.space == space]
    pool = innermost_pool(found, Prefix.from_addr(first))
    if pool is None:
        raise bad("start_address", f"{first} lies in no pool of {vrfs.label(space)} this "
                                   "token may read")
    spec = RangeSpec(start=str(first), end=str(last), kind=_kind(fields, "dhcp"),
                     description=bodies.description(fields.get("description", ""),
                                                    "description"))
    with netbox_fields():
        made = ipam.create_range(token, pool.name, spec)
    obj = range_by_id(ipam, token, str(made.id))
    return render_range(obj, api_root(request), vrf=vrfs.nested(obj.space))


@router.patch("/ip-ranges/{range_id}/")
def patch_range(range_id: str, request: Request, token: Auth, ipam: Ipam,
                body: Body) -> dict[str, object]:
    """Change the description, status (active/reserved) or ``mark_populated``."""
    Query(request.query_params, frozenset())
    fields = bodies.json_object(body)
    obj = range_by_id(ipam, token, range_id)
    _check_fields(fields, frozenset({"start_address", "end_address", "status", "description",
                                     "mark_populated", "vrf"}))
    vrfs = Vrfs.of(ipam, token, request)
    for name, current in (("start_address", obj.record.span.first),
                          ("end_address", obj.record.span.last)):
        if name in fields and _address(fields[name], name) != current:
            raise bad(name, f"cidrkit does not move a range; this one starts at "
                            f"{obj.record.span.first} and ends at {obj.record.span.last}")
    if "vrf" in fields:
        vrfs.check_reference(fields["vrf"], "vrf", obj.space)
    description = (bodies.description(fields["description"], "description")
                   if "description" in fields else None)
    kind = _kind(fields, obj.record.kind)
    changes = RangeChanges(kind=kind if kind != obj.record.kind else None,
                           description=description)
    with netbox_fields():
        ipam.update_range(token, obj.record.id, changes)
    changed = range_by_id(ipam, token, range_id)
    return render_range(changed, api_root(request), vrf=vrfs.nested(changed.space))


@router.delete("/ip-ranges/{range_id}/", status_code=204)
def delete_range(range_id: str, request: Request, token: Auth, ipam: Ipam) -> Response:
    """Delete the range; its addresses are free again."""
    Query(request.query_params, frozenset())
    obj = range_by_id(ipam, token, range_id)
    ipam.delete_range(token, obj.record.id)
    return Response(status_code=204)
