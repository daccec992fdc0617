"""``/api/ipam/ip-addresses/`` and ``available-ips``: single addresses as NetBox shows them.

NetBox writes an address with the length of the subnet it sits in
(``10.0.3.7/24``); cidrkit stores the address alone, so the length shown is
that of the allocation it was taken from, or of the pool's prefix holding
it. ``available-ips`` of an allocation hands out its next free host address
(skipping what the pool's usable-address model reserves, the gateway and
every range); of a pool's prefix, the pool's own next free address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from cidrkit.core import Addr, Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam.addresses import MAX_COUNT, AddressChanges, AddressItem, IpAddress
from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.errors import NotFound
from cidrkit.ipam.model import Pool, Token
from cidrkit.ipam.netbox import bodies
from cidrkit.ipam.netbox.errors import NetBoxRoute, bad, ipam_of, token_of
from cidrkit.ipam.netbox.objects import carving_pool, parse_id, prefix_by_id
from cidrkit.ipam.netbox.query import COMMON, Query, choice, integer, paged, prefix
from cidrkit.ipam.netbox.reading import Body, api_root, idempotency_key, run_async
from cidrkit.ipam.netbox.shapes import PrefixObject, family, render_tags, timestamp
from cidrkit.ipam.netbox.shapes import choice as choice_field
from cidrkit.ipam.netbox.vrfs import Vrfs
from cidrkit.ipam.span_listing import SpanFilter

Auth = Annotated[Token, Depends(token_of)]
Ipam = Annotated[IpamApp, Depends(ipam_of)]

ADDRESS_FILTERS = frozenset({"id", "address", "parent", "vrf_id", "family", "status",
                             "mask_length", "dns_name", "q"}) | COMMON
STATES = {"active": "allocated", "reserved": "reserved"}
MAX_ROWS = 2**31 - 1

router = APIRouter(prefix="/api/ipam", route_class=NetBoxRoute, tags=["netbox"],
                   include_in_schema=False)


@dataclass(frozen=True, slots=True)
class AddressObject:
    """One NetBox IP address: the row and the length of the block it is written with."""

    record: IpAddress
    length: int
    space: str

    @property
    def text(self) -> str:
        """``address/length`` as NetBox writes it."""
        return f"{self.record.address}/{self.length}"

    @property
    def status(self) -> str:
        """active or reserved."""
        return "reserved" if self.record.state == "reserved" else "active"


def render_address(obj: AddressObject, base: str, *, brief: bool = False,
                   vrf: dict[str, object] | None = None) -> dict[str, object]:
    """The NetBox JSON of an IP address."""
    record = obj.record
    short: dict[str, object] = {
        "id": record.id, "url": f"{base}ipam/ip-addresses/{record.id}/", "display": obj.text,
        "family": family(record.address.version), "address": obj.text,
        "description": record.description,
    }
    if brief:
        return short
    created = timestamp(record.created_at)
    return {
        **short, "vrf": vrf, "tenant": None, "status": choice_field(obj.status), "role": None,
        "assigned_object_type": None, "assigned_object_id": None, "assigned_object": None,
        "nat_inside": None, "nat_outside": [], "dns_name": record.dns_name, "comments": "",
        "tags": render_tags(record.tags), "custom_fields": {}, "created": created,
        "last_updated": created,
        "cidrkit": {"pool": record.pool, "allocation_id": record.allocation_id,
                    "state": record.state, "owner": record.owner},
    }


def block_of(record: IpAddress, pool: Pool, allocation: Prefix | None) -> Prefix:
    """The block an address is written against: its allocation's, or its pool prefix."""
    if allocation is not None:
        return allocation
    return next((p for p in pool.prefixes if p.contains(record.address)), pool.prefixes[0])


def address_by_id(ipam: IpamApp, token: Token, text: str) -> AddressObject:
    """The live address with that id (read scope); 404 naming ``id`` otherwise."""
    value = parse_id(text, "IP address")
    missing = NotFound(f"IP address {value} does not exist", field="id")
    try:
        record = ipam.address(token, value)
        pool = ipam.pool(token, record.pool)
        held = ipam.allocation(token, record.allocation_id).prefix if record.allocation_id else None
    except NotFound:
        raise missing from None
    if record.state == "released":
        raise missing
    return AddressObject(record, block_of(record, pool, held).length, pool.space)


def _address_filter(name: str, text: str) -> Addr:
    # NetBox writes addresses with a length; the filter matches the address part.
    try:
        return Addr.parse(text.partition("/")[0])
    except ParseError as exc:
        raise bad(name, str(exc)) from None


@router.get("/ip-addresses/")
def list_addresses(request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """Live addresses the token may read, filtered, one page at a time."""
    query = Query(request.query_params, ADDRESS_FILTERS)
    vrfs = Vrfs.of(ipam, token, request)
    wanted = SpanFilter(
        ids=frozenset(query.values("id", integer)),
        addresses=frozenset(query.values("address", _address_filter)),
        parents=tuple(query.values("parent", prefix)),
        lengths=frozenset(query.values("mask_length", integer)),
        families=frozenset(int(f) for f in query.values("family", choice(["4", "6"]))),
        statuses=frozenset(query.values("status", choice(["active", "reserved"]))),
        spaces=frozenset(query.values("vrf_id", vrfs.space_of_filter)),
        dns_names=frozenset(query.values("dns_name", lambda _n, t: t)),
        text=(query.one("q", lambda _n, t: t) or "").casefold())
    page, records, spaces = ipam.address_page(token, wanted, limit=query.limit,
                                              offset=query.offset)
    root = api_root(request)
    results: list[object] = []
    for row in page.rows:
        record = records.get(row.id)
        if record is None or record.pool not in spaces:
            continue  # deleted between the page's query and this read (PostgreSQL)
        obj = AddressObject(record, row.length, spaces[record.pool])
        results.append(render_address(obj, root, brief=query.brief, vrf=vrfs.nested(obj.space)))
    return paged(request, query, page.count, results).to_json()


@router.get("/ip-addresses/{address_id}/")
def get_address(address_id: str, request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """One IP address."""
    query = Query(request.query_params, COMMON)
    obj = address_by_id(ipam, token, address_id)
    return render_address(obj, api_root(request), brief=query.brief,
                          vrf=Vrfs.of(ipam, token, request).nested(obj.space))


@router.patch("/ip-addresses/{address_id}/")
def patch_address(address_id: str, request: Request, token: Auth, ipam: Ipam,
                  body: Body) -> dict[str, object]:
    """Change status (active/reserved), description, DNS name or tags."""
    return _edit(address_id, request, token, ipam, body, full=False)


@router.put("/ip-addresses/{address_id}/")
def put_address(address_id: str, request: Request, token: Auth, ipam: Ipam,
                body: Body) -> dict[str, object]:
    """As PATCH, with ``address`` required."""
    return _edit(address_id, request, token, ipam, body, full=True)


def _edit(address_id: str, request: Request, token: Token, ipam: IpamApp, body: Any, *,
          full: bool) -> dict[str, object]:
    Query(request.query_params, frozenset())
    fields = bodies.json_object(body)
    obj = address_by_id(ipam, token, address_id)
    if full and "address" not in fields:
        raise bad("address", "required")
    vrfs = Vrfs.of(ipam, token, request)
    item = _address_fields(fields, "", parent=None, current=obj,
                           check_vrf=lambda v, n: vrfs.check_reference(v, n, obj.space))
    changes = AddressChanges(
        state=item.state if "status" in fields else None,
        description=item.description if "description" in fields else None,
        dns_name=item.dns_name if "dns_name" in fields else None,
        tags=dict(item.tags) if "tags" in fields else None)
    changed = run_async(ipam.update_address, token, obj.record.id, changes)
    return render_address(AddressObject(changed, obj.length, obj.space), api_root(request),
                          vrf=vrfs.nested(obj.space))


@router.delete("/ip-addresses/{address_id}/", status_code=204)
def delete_address(address_id: str, request: Request, token: Auth,
                         ipam: Ipam) -> Response:
    """Release the address."""
    Query(request.query_params, frozenset())
    obj = address_by_id(ipam, token, address_id)
    run_async(ipam.release_address, token, obj.record.id)
    return Response(status_code=204)


def _source(obj: PrefixObject) -> tuple[Pool, int | None]:
    """The pool, and the allocation (None: the pool itself), addresses of ``obj`` come from."""
    if obj.allocation is not None:
        return obj.pool, obj.allocation.id
    return carving_pool(obj), None


@router.get("/prefixes/{prefix_id}/available-ips/")
def available_ips(prefix_id: str, request: Request, token: Auth,
                  ipam: Ipam) -> list[dict[str, object]]:
    """The addresses "next free" would hand out now, lowest first (``limit``, default 50)."""
    query = Query(request.query_params, COMMON - {"brief", "offset"})
    obj = prefix_by_id(ipam, token, prefix_id)
    pool, allocation_id = _source(obj)
    found = ipam.available_addresses(token, pool.name, allocation_id=allocation_id,
                                     limit=min(query.limit, MAX_COUNT))
    vrf = Vrfs.of(ipam, token, request).nested(pool.space)
    return [{"family": a.version, "address": f"{a}/{obj.prefix.length}", "vrf": vrf}
            for a in found]


@router.post("/prefixes/{prefix_id}/available-ips/", status_code=201)
def create_available_ips(prefix_id: str, request: Request, token: Auth, ipam: Ipam,
                         body: Body) -> Any:
    """Take the next free address (object body) or several (list body: all or none)."""
    Query(request.query_params, frozenset())
    obj = prefix_by_id(ipam, token, prefix_id)
    pool, allocation_id = _source(obj)
    batch = isinstance(body, list)
    items = body if batch else [bodies.json_object(body)]
    if not 1 <= len(items) <= MAX_COUNT:
        raise bad("body", f"give 1-{MAX_COUNT} addresses")
    vrfs = Vrfs.of(ipam, token, request)
    wanted = [_address_fields(bodies.json_object(item, f"[{n}]"), f"[{n}]." if batch else "",
                              parent=obj, current=None,
                              check_vrf=lambda v, n: vrfs.check_reference(v, n, pool.space))
              for n, item in enumerate(items)]
    result = run_async(ipam.allocate_addresses, token, pool.name, wanted,
                       idempotency_key(request), allocation_id=allocation_id)
    root = api_root(request)
    vrf = vrfs.nested(pool.space)
    made = [render_address(AddressObject(r, obj.prefix.length, pool.space), root, vrf=vrf)
            for r in result.addresses]
    return JSONResponse(made if batch else made[0], status_code=200 if result.replayed else 201)


def _address_fields(fields: dict[str, Any] | Any, where: str, *, parent: PrefixObject | None,
                    current: AddressObject | None,
                    check_vrf: Callable[[object, str], None]) -> AddressItem:
    """An address request (or edit) from a NetBox body, every field checked."""
    state, description, dns_name = "allocated", "", ""
    tags: dict[str, str] = {}
    for field, value in fields.items():
        name = f"{where}{field}"
        if field == "description":
            description = bodies.description(value, name)
        elif field == "dns_name":
            dns_name = bodies.description(value, name)
        elif field == "tags":
            tags = bodies.tags(value, name)
        elif field == "status":
            given = bodies.status_value(value, name)
            if given not in STATES:
                raise bad(name, f"{given!r}: an address is active or reserved")
            state = STATES[given]
        elif field == "prefix" and parent is not None:
            # Ansible's netbox_ip_address sends the prefix it looked the parent up by.
            if isinstance(value, int) and not isinstance(value, bool):
                if value != parent.id:
                    raise bad(name, f"{value} is not prefix {parent.id}")
            else:
                bodies.same_prefix(value, name, parent.prefix)
        elif field == "address" and current is not None:
            if not isinstance(value, str) or _address_filter(name, value) != current.record.address:
                raise bad(name, f"cidrkit does not move an address; this one is {current.text}")
        elif field == "vrf":
            check_vrf(value, name)
        elif field in bodies.NULL_ONLY | bodies.READ_ONLY | {"comments", "custom_fields"}:
            bodies.check_fixed(field, value, where=where)
        else:
            raise bad(name, "unknown or unsupported field")
    return AddressItem(state=state, description=description,  # type: ignore[arg-type]
                       dns_name=dns_name, tags=tags)
