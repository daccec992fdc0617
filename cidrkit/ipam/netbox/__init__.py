"""A NetBox-compatible subset of the REST API, under ``/api/``.

pynetbox, the Terraform NetBox provider and the Ansible ``netbox.netbox``
collection speak NetBox's API; this package answers the part of it an IPAM
needs, over cidrkit's pools and allocations (see docs/ipam.md, "Coming from
NetBox"). It only translates: every read and write goes through the
application layer (``cidrkit.ipam.app.IpamApp``).

The routes are left out of ``/openapi.json``: that document describes
cidrkit's own API, and NetBox clients never read it (their reference is
NetBox's API and docs/ipam.md).
"""

from __future__ import annotations

from fastapi import FastAPI

from cidrkit.ipam.netbox import addresses, prefixes, ranges, root, vrfs


def install(app: FastAPI) -> None:
    """Add the NetBox routes to ``app``."""
    app.include_router(root.router)
    app.include_router(prefixes.router)
    app.include_router(addresses.router)
    app.include_router(vrfs.router)
    app.include_router(ranges.router)
