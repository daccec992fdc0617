"""``/api/ipam/prefixes/``: list and filter, read, edit, delete, and carve.

``available-prefixes`` is where cidrkit is stronger than NetBox: a POST goes
through the same allocator and database guarantee as ``/api/v1`` (no two
clients ever get the same block), a list body is one atomic batch (all
blocks or none), and an ``Idempotency-Key`` header makes a retry return the
blocks of the first attempt instead of new ones.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from cidrkit.core import Prefix
from cidrkit.ipam.app import IpamApp, to_request
from cidrkit.ipam.model import AllocationRequest, Token
from cidrkit.ipam.netbox import bodies
from cidrkit.ipam.netbox.errors import NetBoxRoute, bad, ipam_of, token_of
from cidrkit.ipam.netbox.ids import allocation_prefix_id
from cidrkit.ipam.netbox.objects import carving_pool, innermost_pool, prefix_by_id
from cidrkit.ipam.netbox.query import COMMON, Query, choice, integer, paged, prefix
from cidrkit.ipam.netbox.reading import Body, api_root, idempotency_key, run_async
from cidrkit.ipam.netbox.shapes import PrefixObject, render_available, render_prefix
from cidrkit.ipam.netbox.vrfs import Vrfs
from cidrkit.ipam.prefix_listing import STATUSES, PrefixFilter
from cidrkit.ipam.reports import MAX_PAGE

Auth = Annotated[Token, Depends(token_of)]
Ipam = Annotated[IpamApp, Depends(ipam_of)]

PREFIX_FILTERS = frozenset({"id", "prefix", "vrf_id", "within", "within_include",
                            "mask_length", "family", "status", "q"}) | COMMON
MAX_BATCH = 256  # the largest batch /api/v1 takes
STATES = {"active": "allocated", "reserved": "reserved"}

router = APIRouter(prefix="/api/ipam", route_class=NetBoxRoute, tags=["netbox"],
                   include_in_schema=False)


@router.get("/prefixes/")
def list_prefixes(request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """Prefixes the token may read, filtered, one page at a time."""
    query = Query(request.query_params, PREFIX_FILTERS)
    vrfs = Vrfs.of(ipam, token, request)
    wanted = PrefixFilter(
        ids=frozenset(query.values("id", integer)),
        prefixes=frozenset(query.values("prefix", prefix)),
        spaces=frozenset(query.values("vrf_id", vrfs.space_of_filter)),
        lengths=frozenset(query.values("mask_length", integer)),
        families=frozenset(int(f) for f in query.values("family", choice(["4", "6"]))),
        statuses=frozenset(query.values("status", choice(list(STATUSES)))),
        within=query.one("within", prefix),
        within_include=query.one("within_include", prefix),
        text=(query.one("q", lambda _n, t: t) or "").casefold())
    page, pools, held = ipam.prefix_page(token, wanted, limit=query.limit, offset=query.offset)
    root = api_root(request)
    results: list[object] = []
    for row in page.rows:
        pool = pools.get(row.pool_id)
        allocation = None if row.allocation_id is None else held.get(row.allocation_id)
        if pool is None or (row.allocation_id is not None and allocation is None):
            continue  # deleted between the page's query and this read (PostgreSQL)
        obj = PrefixObject(row.id, row.prefix, pool, allocation)
        results.append(render_prefix(obj, root, brief=query.brief,
                                     vrf=vrfs.nested(pool.space)))
    return paged(request, query, page.count, results).to_json()


@router.post("/prefixes/", status_code=201)
def create_prefix(request: Request, token: Auth, ipam: Ipam, body: Body,
                  response: Response) -> dict[str, object]:
    """Take an exact prefix inside a pool (an allocation of the innermost pool holding it)."""
    Query(request.query_params, frozenset())
    fields = bodies.json_object(body)
    if "prefix" not in fields:
        raise bad("prefix", "required")
    wanted = prefix("prefix", fields["prefix"]) if isinstance(fields["prefix"], str) else None
    if wanted is None:
        raise bad("prefix", "expected a prefix such as '10.0.0.0/24'")
    vrfs = Vrfs.of(ipam, token, request)
    space = vrfs.space_of_vrf(fields.get("vrf"), "vrf")
    pool = innermost_pool((h for h in ipam.pool_contents(token) if h.pool.space == space), wanted)
    if pool is None:
        raise bad("prefix", f"{wanted} lies in no pool of {vrfs.label(space)} this token may "
                            "read; create pools with POST /api/v1/pools")
    item = _allocation_item(fields, "", parent=None, exact=True,
                            check_vrf=lambda v, n: vrfs.check_reference(v, n, space))
    result = run_async(ipam.allocate, token, pool.name, [item], idempotency_key(request),
                       batch=False)
    if result.replayed:
        response.status_code = 200
    made = result.allocations[0]
    obj = PrefixObject(allocation_prefix_id(made.id), made.prefix, pool, made)
    return render_prefix(obj, api_root(request), vrf=vrfs.nested(pool.space))


@router.get("/prefixes/{prefix_id}/")
def get_prefix(prefix_id: str, request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """One prefix."""
    query = Query(request.query_params, COMMON)
    obj = prefix_by_id(ipam, token, prefix_id)
    vrf = Vrfs.of(ipam, token, request).nested(obj.pool.space)
    return render_prefix(obj, api_root(request), brief=query.brief, vrf=vrf)


@router.patch("/prefixes/{prefix_id}/")
def patch_prefix(prefix_id: str, request: Request, token: Auth, ipam: Ipam,
                 body: Body) -> dict[str, object]:
    """Change the description or tags; every other field must keep its value."""
    return _edit(prefix_id, request, token, ipam, body, full=False)


@router.put("/prefixes/{prefix_id}/")
def put_prefix(prefix_id: str, request: Request, token: Auth, ipam: Ipam,
               body: Body) -> dict[str, object]:
    """As PATCH, with ``prefix`` required (what Terraform sends after a create)."""
    return _edit(prefix_id, request, token, ipam, body, full=True)


def _edit(prefix_id: str, request: Request, token: Token, ipam: IpamApp, body: Any, *,
          full: bool) -> dict[str, object]:
    Query(request.query_params, frozenset())
    obj = prefix_by_id(ipam, token, prefix_id)
    if full and "prefix" not in bodies.json_object(body):
        raise bad("prefix", "required")
    vrfs = Vrfs.of(ipam, token, request)
    edit = bodies.edit_of(body, prefix=obj.prefix, status=obj.status,
                          check_vrf=lambda v, n: vrfs.check_reference(v, n, obj.pool.space),
                          container=obj.allocation is None)
    if obj.allocation is None:
        if edit.description is not None:
            pool = ipam.edit_pool(token, obj.pool.name, description=edit.description)
            obj = PrefixObject(obj.id, obj.prefix, pool)
    elif edit.description is not None or edit.tags is not None:
        changed = ipam.edit_allocation(token, obj.allocation.id, description=edit.description,
                                       tags=edit.tags)
        obj = PrefixObject(obj.id, obj.prefix, obj.pool, changed)
    return render_prefix(obj, api_root(request), vrf=vrfs.nested(obj.pool.space))


@router.delete("/prefixes/{prefix_id}/", status_code=204)
def delete_prefix(prefix_id: str, request: Request, token: Auth, ipam: Ipam) -> Response:
    """Release an allocation, or delete a (single-prefix) pool that holds nothing."""
    Query(request.query_params, frozenset())
    obj = prefix_by_id(ipam, token, prefix_id)
    if obj.allocation is not None:
        run_async(ipam.release, token, obj.allocation.id)
    elif len(obj.pool.prefixes) > 1:
        raise bad("id", f"prefix {obj.id} is one of the {len(obj.pool.prefixes)} prefixes of "
                        f"pool {obj.pool.name!r}; delete the pool with "
                        f"DELETE /api/v1/pools/{obj.pool.name}")
    else:
        ipam.delete_pool(token, obj.pool.name)
    return Response(status_code=204)


@router.get("/prefixes/{prefix_id}/available-prefixes/")
def available_prefixes(prefix_id: str, request: Request, token: Auth,
                       ipam: Ipam) -> list[dict[str, object]]:
    """The free blocks of a pool's prefix, largest aligned blocks in address order."""
    Query(request.query_params, COMMON - {"brief"})
    obj = prefix_by_id(ipam, token, prefix_id)
    if obj.allocation is not None:
        return []  # an allocation is handed out whole: nothing inside it is free to carve
    blocks: list[Prefix] = []
    offset, total = 0, None
    while total is None or offset < total:
        page = ipam.free(token, obj.pool.name, length=None, offset=offset, limit=MAX_PAGE)
        total = page.total
        blocks.extend(b for b in page.blocks if obj.prefix.contains(b))
        offset += MAX_PAGE
    vrf = Vrfs.of(ipam, token, request).nested(obj.pool.space)
    return [render_available(b, vrf) for b in blocks]


@router.post("/prefixes/{prefix_id}/available-prefixes/", status_code=201)
def create_available_prefixes(prefix_id: str, request: Request, token: Auth, ipam: Ipam,
                              body: Body) -> Any:
    """Allocate one block (object body) or several at once (list body: all or none)."""
    Query(request.query_params, frozenset())
    obj = prefix_by_id(ipam, token, prefix_id)
    pool = carving_pool(obj)
    items = body if isinstance(body, list) else [bodies.json_object(body)]
    if not items:
        raise bad("body", "an empty list allocates nothing")
    if len(items) > MAX_BATCH:
        raise bad("body", f"more than {MAX_BATCH} prefixes in one request")
    batch = isinstance(body, list)
    vrfs = Vrfs.of(ipam, token, request)
    requests = [
        _allocation_item(bodies.json_object(item, f"[{n}]"), f"[{n}]." if batch else "",
                         parent=obj,
                         check_vrf=lambda v, n: vrfs.check_reference(v, n, pool.space))
        for n, item in enumerate(items)
    ]
    result = run_async(ipam.allocate, token, pool.name, requests, idempotency_key(request),
                       batch=batch)
    root = api_root(request)
    vrf = vrfs.nested(pool.space)
    made = [render_prefix(PrefixObject(allocation_prefix_id(a.id), a.prefix, pool, a), root,
                          vrf=vrf)
            for a in result.allocations]
    status = 200 if result.replayed else 201
    return JSONResponse(made if batch else made[0], status_code=status)


def _allocation_item(fields: dict[str, Any] | Any, where: str, *, parent: PrefixObject | None,
                     check_vrf: Callable[[object, str], None],
                     exact: bool = False) -> AllocationRequest:
    """One allocation request from a NetBox prefix body, every field checked."""
    length: int | None = None
    description = ""
    tags: dict[str, str] = {}
    state = "allocated"
    for field, value in fields.items():
        name = f"{where}{field}"
        if field == "prefix_length" and not exact:
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad(name, "expected an integer")
            if not 0 <= value <= 128:
                shown = str(value) if abs(value) < 10**6 else "that number"
                raise bad(name, f"{shown} is not a prefix length (0-128)")
            length = value
        elif field == "prefix" and exact:
            continue
        elif field == "parent" and parent is not None:
            # Ansible's netbox_prefix sends the parent it looked the prefix up by.
            bodies.same_prefix(value, name, parent.prefix)
        elif field == "description":
            description = bodies.description(value, name)
        elif field == "tags":
            tags = bodies.tags(value, name)
        elif field == "status":
            given = bodies.status_value(value, name)
            if given not in STATES:
                raise bad(name, f"{given!r}: an allocation is active or reserved (pools are "
                                "the containers)")
            state = STATES[given]
        elif field == "vrf":
            check_vrf(value, name)
        elif field in bodies.NULL_ONLY | bodies.FALSE_ONLY | bodies.READ_ONLY | {
                "comments", "custom_fields"}:
            bodies.check_fixed(field, value, where=where)
        else:
            raise bad(name, "unknown or unsupported field")
    if exact:
        return to_request(prefix_length=None, prefix=fields["prefix"], state=state,
                          description=description, tags=tags, where=where)
    return to_request(prefix_length=length, prefix=None, state=state, description=description,
                      tags=tags, where=where)
