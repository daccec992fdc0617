"""The HTTP API of spaces (routing domains) and capacity, under /api/v1.

Handlers only translate, like those in ``api.py``: the rules live in
``spaces.py`` and ``capacity.py``, reached through ``IpamApp``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response

from cidrkit.ipam.api import POOL_NAME_PATTERN, Auth, Ipam, _errors, reject_unknown_query
from cidrkit.ipam.api_models import FragmentationOut, SpaceIn, SpaceOut
from cidrkit.ipam.errors import NotFound
from cidrkit.ipam.spaces import SPACE_NAME

SPACE_NAME_PATTERN = f"^{SPACE_NAME.pattern}$"
SpaceName = Annotated[str, Path(pattern=SPACE_NAME_PATTERN, description="Space name")]
PoolName = Annotated[str, Path(pattern=POOL_NAME_PATTERN, description="Pool name")]

router = APIRouter(prefix="/api/v1", responses=_errors(401, 403, 413, 422, 429, 503),
                   dependencies=[Depends(reject_unknown_query)])


@router.get("/spaces", response_model=list[SpaceOut], tags=["spaces"])
def list_spaces(token: Auth, ipam: Ipam) -> list[SpaceOut]:
    """Every space and the spaces connected to it (any valid token)."""
    return [SpaceOut.of(s) for s in ipam.spaces(token)]


@router.post("/spaces", response_model=SpaceOut, status_code=201, tags=["spaces"],
             responses=_errors(409, 507))
def post_space(body: SpaceIn, token: Auth, ipam: Ipam) -> SpaceOut:
    """Create a space. Needs admin on all pools."""
    return SpaceOut.of(ipam.create_space(token, body.name, body.description))


@router.get("/spaces/{space}", response_model=SpaceOut, tags=["spaces"],
            responses=_errors(404))
def get_space(space: SpaceName, token: Auth, ipam: Ipam) -> SpaceOut:
    """One space with its pools (those the token may read) and any overlaps kept in it
    from before spaces existed."""
    detail = ipam.space(token, space)
    return SpaceOut.of(detail.space, detail)


@router.delete("/spaces/{space}", status_code=204, tags=["spaces"],
               responses=_errors(404, 409, 507))
def remove_space(space: SpaceName, token: Auth, ipam: Ipam) -> Response:
    """Delete a space holding no pools (never ``global``). Needs admin on all pools."""
    ipam.delete_space(token, space)
    return Response(status_code=204)


@router.put("/spaces/{space}/connections/{other}", response_model=SpaceOut, tags=["spaces"],
            responses={201: {"model": SpaceOut, "description": "Connected"},
                       **_errors(404, 409, 507)})
def connect(space: SpaceName, other: SpaceName, token: Auth, ipam: Ipam,
            response: Response) -> SpaceOut:
    """Connect two spaces (201; 200 if they already were). Refused (409) when a pool
    of one overlaps a pool of the other, naming both. Needs admin on all pools."""
    found, new = ipam.connect_spaces(token, space, other)
    response.status_code = 201 if new else 200
    return SpaceOut.of(found)


@router.delete("/spaces/{space}/connections/{other}", status_code=204, tags=["spaces"],
               responses=_errors(404, 507))
def disconnect(space: SpaceName, other: SpaceName, token: Auth, ipam: Ipam) -> Response:
    """Remove the connection between two spaces (404 if they are not connected)."""
    if not ipam.disconnect_spaces(token, space, other):
        raise NotFound(f"spaces {space!r} and {other!r} are not connected", field="other")
    return Response(status_code=204)


@router.get("/export/connections", tags=["spaces"])
def export_connections(token: Auth, ipam: Ipam) -> dict[str, Any]:
    """The connected spaces as an auditor connections file (``cidrkit audit
    --connections``), one connection per connected pair; scopes are
    ``netbox:<space>`` (``netbox:Global`` for ``global``). Needs read on all pools."""
    return ipam.spaces_export(token)[0]


@router.get("/export/inventory", tags=["spaces"])
def export_inventory(token: Auth, ipam: Ipam) -> dict[str, Any]:
    """Top-level pool prefixes as a NetBox prefix export (VRF = space), which
    ``cidrkit audit`` reads. Needs read on all pools."""
    return ipam.spaces_export(token)[1]


@router.get("/pools/{pool}/fragmentation", response_model=FragmentationOut, tags=["reports"],
            responses=_errors(404))
def pool_fragmentation(pool: PoolName, token: Auth, ipam: Ipam) -> FragmentationOut:
    """The pool's free space as minimal blocks: the largest, and how many of each length."""
    return FragmentationOut.of(ipam.fragmentation(token, pool))
