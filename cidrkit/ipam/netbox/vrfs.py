"""``/api/ipam/vrfs/``: cidrkit's spaces (routing domains) as NetBox VRFs.

The space ``global`` is NetBox's global table: its prefixes have ``vrf:
null`` and ``vrf_id=null`` selects them; it is not listed as a VRF. Every
other space is a VRF whose id is the space's. cidrkit enforces uniqueness
in every space (``enforce_unique`` is always true) and across connected
spaces, which a ``cidrkit.connected`` list names.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.errors import NotFound
from cidrkit.ipam.model import Space, Token
from cidrkit.ipam.netbox import bodies
from cidrkit.ipam.netbox.errors import NetBoxRoute, bad, ipam_of, token_of
from cidrkit.ipam.netbox.objects import parse_id
from cidrkit.ipam.netbox.query import COMMON, Query, integer, paginate
from cidrkit.ipam.netbox.reading import Body
from cidrkit.ipam.netbox.shapes import timestamp
from cidrkit.ipam.spaces import DEFAULT_SPACE

Auth = Annotated[Token, Depends(token_of)]
Ipam = Annotated[IpamApp, Depends(ipam_of)]
VRF_FILTERS = frozenset({"id", "name", "q"}) | COMMON

router = APIRouter(prefix="/api/ipam", route_class=NetBoxRoute, tags=["netbox"],
                   include_in_schema=False)


class Vrfs:
    """The spaces of one request, to show and to resolve VRF references.

    They are read at most once per request, and only when a VRF other than
    the global table is involved: the busiest route (carving a prefix of a
    global pool) then costs no extra read.
    """

    def __init__(self, ipam: IpamApp, token: Token, base: str) -> None:
        self._ipam = ipam
        self._token = token
        self._spaces: dict[str, Space] | None = None
        self.base = base

    @classmethod
    def of(cls, ipam: IpamApp, token: Token, request: Request) -> Vrfs:
        """The spaces as ``token`` sees them, for links under this request's URL."""
        return cls(ipam, token, f"{request.base_url}api/")

    @property
    def by_name(self) -> dict[str, Space]:
        """Every space by name."""
        if self._spaces is None:
            self._spaces = {s.name: s for s in self._ipam.spaces(self._token)}
        return self._spaces

    def id_of(self, space: str) -> int | None:
        """The VRF id of a space (None: the global table)."""
        return None if space == DEFAULT_SPACE else self.by_name[space].id

    def nested(self, space: str) -> dict[str, object] | None:
        """The nested VRF of a space, as prefixes and addresses show it."""
        if space == DEFAULT_SPACE:
            return None
        found = self.by_name[space]
        return {"id": found.id, "url": f"{self.base}ipam/vrfs/{found.id}/", "display": found.name,
                "name": found.name, "rd": None, "description": found.description}

    def space_of_filter(self, name: str, text: str) -> str:
        """The space a ``vrf_id`` filter value names (``null``: the global table)."""
        if text == "null":
            return DEFAULT_SPACE
        value = integer(name, text)
        for space in self.by_name.values():
            if space.id == value and space.name != DEFAULT_SPACE:
                return space.name
        raise bad(name, f"{text} is not a VRF id (use null for the global table)")

    def space_of_vrf(self, value: object, name: str) -> str:
        """The space a ``vrf`` body value names (null or absent: the global table)."""
        wanted = bodies.vrf_value(value, name)
        if wanted is None:
            return DEFAULT_SPACE
        for space in self.by_name.values():
            if space.id == wanted and space.name != DEFAULT_SPACE:
                return space.name
        raise bad(name, f"{wanted} is not a VRF id")

    def check_reference(self, value: object, name: str, space: str) -> None:
        """Refuse a ``vrf`` body value other than the one ``space`` has."""
        if bodies.vrf_value(value, name) != self.id_of(space):
            raise bad(name, f"the block is in {self.label(space)}; cidrkit does not move "
                            "blocks between VRFs (routing domains)")

    @staticmethod
    def label(space: str) -> str:
        """How messages name a space."""
        return "the global table" if space == DEFAULT_SPACE else f"VRF {space!r}"

    def render(self, space: Space, *, brief: bool = False) -> dict[str, object]:
        """The NetBox JSON of a VRF."""
        short: dict[str, object] = {"id": space.id, "url": f"{self.base}ipam/vrfs/{space.id}/",
                                    "display": space.name, "name": space.name, "rd": None,
                                    "description": space.description}
        if brief:
            return short
        created = timestamp(space.created_at)
        return {**short, "tenant": None, "enforce_unique": True, "comments": "",
                "import_targets": [], "export_targets": [], "tags": [], "custom_fields": {},
                "created": created, "last_updated": created,
                "cidrkit": {"connected": list(space.connected)}}


def _vrf(vrfs: Vrfs, text: str) -> Space:
    value = parse_id(text, "VRF")
    for space in vrfs.by_name.values():
        if space.id == value and space.name != DEFAULT_SPACE:
            return space
    raise NotFound(f"VRF {value} does not exist", field="id")


@router.get("/vrfs/")
def list_vrfs(request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """Every space but the global table, by name."""
    query = Query(request.query_params, VRF_FILTERS)
    ids = set(query.values("id", integer))
    names = set(query.values("name", lambda _n, t: t))
    text = (query.one("q", lambda _n, t: t) or "").casefold()
    vrfs = Vrfs.of(ipam, token, request)
    found = sorted((s for s in vrfs.by_name.values()
                    if s.name != DEFAULT_SPACE and (not ids or s.id in ids)
                    and (not names or s.name in names)
                    and (not text or text in s.name.casefold()
                         or text in s.description.casefold())),
                   key=lambda s: s.name)
    return paginate(request, query, found, lambda s: vrfs.render(s, brief=query.brief)).to_json()


@router.get("/vrfs/{vrf_id}/")
def get_vrf(vrf_id: str, request: Request, token: Auth, ipam: Ipam) -> dict[str, object]:
    """One VRF."""
    query = Query(request.query_params, COMMON)
    vrfs = Vrfs.of(ipam, token, request)
    return vrfs.render(_vrf(vrfs, vrf_id), brief=query.brief)


@router.post("/vrfs/", status_code=201)
def create_vrf(request: Request, token: Auth, ipam: Ipam, body: Body) -> dict[str, object]:
    """Create a space (admin on all pools); ``name`` and ``description`` only."""
    Query(request.query_params, frozenset())
    fields = bodies.json_object(body)
    name, description = fields.get("name"), ""
    if not isinstance(name, str):
        raise bad("name", "required: a space name such as 'prod-vpc'")
    for field, value in fields.items():
        if field == "description":
            description = bodies.description(value, field)
        elif field == "enforce_unique":
            if value is not True:
                raise bad(field, "cidrkit enforces unique space in every VRF; only true")
        elif field == "rd":
            if value is not None:
                raise bad(field, "cidrkit spaces carry no route distinguisher; only null")
        elif field in ("import_targets", "export_targets", "tags"):
            if value not in (None, []):
                raise bad(field, "not supported; only []")
        elif field != "name" and field in bodies.NULL_ONLY | bodies.READ_ONLY | {
                "comments", "custom_fields"}:
            bodies.check_fixed(field, value)
        elif field != "name":
            raise bad(field, "unknown or unsupported field")
    created = ipam.create_space(token, name, description)
    return Vrfs.of(ipam, token, request).render(created)


@router.delete("/vrfs/{vrf_id}/", status_code=204)
def delete_vrf(vrf_id: str, request: Request, token: Auth, ipam: Ipam) -> Response:
    """Delete a space that holds no pools (admin on all pools)."""
    Query(request.query_params, frozenset())
    space = _vrf(Vrfs.of(ipam, token, request), vrf_id)
    ipam.delete_space(token, space.name)
    return Response(status_code=204)
