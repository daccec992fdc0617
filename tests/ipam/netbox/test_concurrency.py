"""The test NetBox itself fails (netbox#2519, #3475, #10282): 16 pynetbox clients x 20
``available_prefixes.create({"prefix_length": 24})`` on one /16 hand out each of the
256 /24s exactly once, refuse the other 64 with 409 (pynetbox's AllocationError),
and never answer 5xx; on SQLite and PostgreSQL."""

from __future__ import annotations

import httpx

from cidrkit.core import IPSet, Prefix
from tests.ipam.conftest import Server
from tests.ipam.netbox.conftest import make_pool
from tests.ipam.netbox.pynetbox_load import carve_in_parallel


def test_sixteen_pynetbox_clients_never_get_the_same_block(server: Server,
                                                          admin_token: str) -> None:
    make_pool(server, admin_token, "load", "10.20.0.0/16")
    result = carve_in_parallel(server.url, admin_token, "10.20.0.0/16", clients=16,
                               requests_each=20, length=24)
    assert result.failures == []
    assert dict(result.refused) == {409: 64}
    assert len(result.created) == 256
    assert len(set(result.created)) == 256
    blocks = [Prefix.parse(p) for p in result.created]
    assert IPSet(blocks) == IPSet([Prefix.parse("10.20.0.0/16")])
    listed = httpx.get(f"{server.url}/api/ipam/prefixes/",
                       params={"within": "10.20.0.0/16", "limit": 0},
                       headers={"Authorization": f"Token {admin_token}"}).json()
    assert listed["count"] == 256
    assert sorted(p["prefix"] for p in listed["results"]) == sorted(result.created)
