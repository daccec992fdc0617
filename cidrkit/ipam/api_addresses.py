"""HTTP routes of IP ranges and single addresses (under /api/v1, like the rest).

Handlers only translate: HTTP in, ``IpamApp`` calls, JSON out; errors are the
documented ``{"error": {code, message, field}}`` bodies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response

from cidrkit.ipam.addresses import MAX_COUNT, AddressChanges, AddressItem
from cidrkit.ipam.api import Auth, Ipam, PoolName, _errors, reject_unknown_query
from cidrkit.ipam.api_spans import (
    AddressBatchOut,
    AddressIn,
    AddressOut,
    AddressPage,
    AddressPatch,
    AvailableOut,
    RangeIn,
    RangeOut,
    RangePatch,
)
from cidrkit.ipam.errors import InvalidRequest
from cidrkit.ipam.ranges import RangeChanges, RangeSpec
from cidrkit.ipam.reports import MAX_PAGE

router = APIRouter(prefix="/api/v1", responses=_errors(401, 403, 413, 422, 429, 503),
                   dependencies=[Depends(reject_unknown_query)])
RowPath = Annotated[int, Path(ge=1, le=2**62)]
RowQuery = Annotated[int | None, Query(ge=1, le=2**62)]


# -- ranges -------------------------------------------------------------------


@router.get("/pools/{pool}/ranges", response_model=list[RangeOut], tags=["ranges"],
            responses=_errors(404))
def list_ranges(pool: PoolName, token: Auth, ipam: Ipam) -> list[RangeOut]:
    """The pool's ranges in address order (free-standing and inside allocations)."""
    return [RangeOut.of(r) for r in ipam.ranges(token, pool)]


@router.post("/pools/{pool}/ranges", response_model=RangeOut, status_code=201, tags=["ranges"],
             responses=_errors(404, 409, 507))
def create_range(pool: PoolName, body: RangeIn, token: Auth, ipam: Ipam) -> RangeOut:
    """Create a range ``start``..``end``: inside one allocation, or outside all of them
    (it then blocks prefix allocation). Ranges of a pool never overlap."""
    spec = RangeSpec(start=body.start, end=body.end, kind=body.kind,
                     description=body.description, allocation_id=body.allocation_id)
    return RangeOut.of(ipam.create_range(token, pool, spec))


@router.get("/ranges/{range_id}", response_model=RangeOut, tags=["ranges"],
            responses=_errors(404))
def get_range(range_id: RowPath, token: Auth, ipam: Ipam) -> RangeOut:
    """One range by id."""
    return RangeOut.of(ipam.ip_range(token, range_id))


@router.patch("/ranges/{range_id}", response_model=RangeOut, tags=["ranges"],
              responses=_errors(404, 507))
def patch_range(range_id: RowPath, body: RangePatch, token: Auth, ipam: Ipam) -> RangeOut:
    """Change a range's kind or description."""
    changes = RangeChanges(kind=body.kind, description=body.description)
    return RangeOut.of(ipam.update_range(token, range_id, changes))


@router.delete("/ranges/{range_id}", status_code=204, tags=["ranges"],
               responses=_errors(404, 507))
def delete_range(range_id: RowPath, token: Auth, ipam: Ipam) -> Response:
    """Delete a range; its addresses are free again."""
    ipam.delete_range(token, range_id)
    return Response(status_code=204)


# -- single addresses ---------------------------------------------------------


@router.get("/pools/{pool}/addresses", response_model=AddressPage, tags=["addresses"],
            responses=_errors(404))
def list_addresses(
    pool: PoolName,
    token: Auth,
    ipam: Ipam,
    allocation_id: RowQuery = None,
    address: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    state: Annotated[list[str] | None, Query(description="reserved, allocated, released")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> AddressPage:
    """A page of the pool's addresses in address order (all states unless filtered)."""
    items, total = ipam.addresses(token, pool, allocation_id=allocation_id, address=address,
                                  states=state, limit=limit, offset=offset)
    return AddressPage(total=total, offset=offset, addresses=[AddressOut.of(a) for a in items])


@router.get("/pools/{pool}/addresses/available", response_model=AvailableOut,
            tags=["addresses"], responses=_errors(404, 409))
def available_addresses(
    pool: PoolName,
    token: Auth,
    ipam: Ipam,
    allocation_id: RowQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_COUNT)] = 10,
) -> AvailableOut:
    """The addresses "next free" would hand out now, lowest first (nothing is taken)."""
    found = ipam.available_addresses(token, pool, allocation_id=allocation_id, limit=limit)
    return AvailableOut.of(pool, allocation_id, found)


@router.post("/pools/{pool}/addresses", response_model=AddressBatchOut, status_code=201,
             tags=["addresses"],
             responses={200: {"model": AddressBatchOut, "description": "Replayed: the "
                              "idempotency key matched an earlier identical request"},
                        **_errors(404, 409, 507)})
async def allocate_addresses(pool: PoolName, body: AddressIn, token: Auth, ipam: Ipam,
                             response: Response) -> AddressBatchOut:
    """Take the next ``count`` free addresses (all or none), or exactly ``address``, from the
    pool or from ``allocation_id``; network, broadcast, gateway, the pool's cloud-reserved
    addresses and every range are skipped. An ``idempotency_key`` makes a retry safe."""
    if body.address is not None and body.count != 1:
        raise InvalidRequest("count: give an exact address or a count, not both",
                             field="count")
    item = AddressItem(address=body.address, state=body.state, description=body.description,
                       dns_name=body.dns_name, owner=body.owner, tags=body.tags)
    result = await ipam.allocate_addresses(token, pool, [item] * body.count,
                                           body.idempotency_key,
                                           allocation_id=body.allocation_id)
    if result.replayed:
        response.status_code = 200
    return AddressBatchOut(addresses=[AddressOut.of(a) for a in result.addresses],
                           replayed=result.replayed)


@router.get("/addresses/{address_id}", response_model=AddressOut, tags=["addresses"],
            responses=_errors(404))
def get_address(address_id: RowPath, token: Auth, ipam: Ipam) -> AddressOut:
    """One address by id."""
    return AddressOut.of(ipam.address(token, address_id))


@router.patch("/addresses/{address_id}", response_model=AddressOut, tags=["addresses"],
              responses=_errors(404, 409, 507))
async def patch_address(address_id: RowPath, body: AddressPatch, token: Auth,
                        ipam: Ipam) -> AddressOut:
    """Change a live address's state, description, DNS name, owner or tags."""
    changes = AddressChanges(state=body.state, description=body.description,
                             dns_name=body.dns_name, owner=body.owner, tags=body.tags)
    return AddressOut.of(await ipam.update_address(token, address_id, changes))


@router.post("/addresses/{address_id}/release", response_model=AddressOut, tags=["addresses"],
             responses=_errors(404, 507))
async def release_address(address_id: RowPath, token: Auth, ipam: Ipam) -> AddressOut:
    """Release an address; releasing a released one returns it unchanged."""
    return AddressOut.of(await ipam.release_address(token, address_id))
