"""``/api/`` and ``/api/status/``: what NetBox clients ask before anything else.

pynetbox reads the ``API-Version`` header of ``GET /api/`` (its
``nb.version``), and the Ansible collection compares it with the releases it
knows; ``/api/status/`` names the NetBox release whose API this subset
follows, and cidrkit's own version beside it.
"""

from __future__ import annotations

import platform
from importlib import metadata
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from cidrkit.ipam.model import Token
from cidrkit.ipam.netbox.errors import NetBoxRoute, token_of
from cidrkit.ipam.netbox.query import Query

# The NetBox REST API release whose shapes this subset follows.
API_VERSION = "4.1"
NETBOX_VERSION = f"{API_VERSION}.0"

router = APIRouter(prefix="/api", route_class=NetBoxRoute, tags=["netbox"],
                   include_in_schema=False)


@router.get("/")
def api_root(request: Request, response: Response) -> dict[str, str]:
    """The API's sections (only ``ipam`` and ``status`` exist here), and its version."""
    Query(request.query_params, frozenset({"format"}))
    response.headers["API-Version"] = API_VERSION
    base = f"{request.base_url}api/"
    return {"ipam": f"{base}ipam/", "status": f"{base}status/"}


@router.get("/status/")
def status(request: Request, response: Response,
           _token: Annotated[Token, Depends(token_of)]) -> dict[str, object]:
    """NetBox's status document, with cidrkit's version beside it."""
    Query(request.query_params, frozenset({"format"}))
    response.headers["API-Version"] = API_VERSION
    try:
        own = metadata.version("cidrkit")
    except metadata.PackageNotFoundError:  # run from a source tree
        own = "unknown"
    return {
        "netbox-version": NETBOX_VERSION,
        "cidrkit-version": own,
        "python-version": platform.python_version(),
        "django-version": None,
        "installed-apps": {},
        "plugins": {},
        "rq-workers-running": 0,
    }
