"""pynetbox, unmodified from PyPI, runs the flow its documentation shows against
a real cidrkit server, and meets cidrkit's refusals as its own exceptions."""

from __future__ import annotations

import httpx
import pynetbox
import pytest
from pynetbox.core.query import AllocationError, RequestError

from tests.ipam.conftest import Server
from tests.ipam.netbox.conftest import make_pool


@pytest.fixture
def nb(server: Server, admin_token: str) -> pynetbox.api:
    make_pool(server, admin_token, "prod", "10.20.0.0/16")
    return pynetbox.api(server.url, token=admin_token)


def v1(server: Server, token: str, path: str) -> dict[str, object]:
    answer = httpx.get(f"{server.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_version_and_status(nb: pynetbox.api) -> None:
    assert nb.version == "4.1"
    status = nb.status()
    assert status["netbox-version"] == "4.1.0"
    assert status["cidrkit-version"]


def test_the_documented_flow(nb: pynetbox.api, server: Server, admin_token: str) -> None:
    parent = nb.ipam.prefixes.get(prefix="10.20.0.0/16")
    assert parent is not None
    assert parent.status.value == "container"
    assert parent.family.value == 4

    child = parent.available_prefixes.create({"prefix_length": 24})
    assert str(child) == "10.20.0.0/24"
    assert child.status.value == "active"
    allocation_id = child.cidrkit["allocation_id"]
    assert v1(server, admin_token, f"/allocations/{allocation_id}")["prefix"] == "10.20.0.0/24"

    pair = parent.available_prefixes.create([{"prefix_length": 25},
                                             {"prefix_length": 26, "description": "b"}])
    assert [str(p) for p in pair] == ["10.20.1.0/25", "10.20.1.128/26"]
    assert pair[1].description == "b"

    address = child.available_ips.create()
    assert str(address) == "10.20.0.2/24"
    assert address.status.value == "active"
    assert [str(a) for a in nb.ipam.ip_addresses.filter(parent="10.20.0.0/24")] == [
        "10.20.0.2/24"]
    two = child.available_ips.create([{"description": "a"}, {"status": "reserved"}])
    assert [str(a) for a in two] == ["10.20.0.3/24", "10.20.0.4/24"]
    assert two[1].status.value == "reserved"
    address.dns_name = "web-1.example.net"
    assert address.save() is True
    assert nb.ipam.ip_addresses.get(address.id).dns_name == "web-1.example.net"
    for held in [address, *two]:
        assert held.delete() is True
    assert list(nb.ipam.ip_addresses.filter(parent="10.20.0.0/24")) == []

    child.description = "web tier"
    assert child.save() is True
    again = nb.ipam.prefixes.get(child.id)
    assert again.description == "web tier"
    assert v1(server, admin_token, f"/allocations/{allocation_id}")["description"] == "web tier"

    listed = nb.ipam.prefixes.filter(within="10.20.0.0/16")
    assert sorted(str(p) for p in listed) == ["10.20.0.0/24", "10.20.1.0/25", "10.20.1.128/26"]

    assert child.delete() is True
    assert nb.ipam.prefixes.get(child.id) is None
    assert v1(server, admin_token, f"/allocations/{allocation_id}")["state"] == "released"
    free = [a.prefix for a in parent.available_prefixes.list()]
    assert "10.20.0.0/24" in free


def test_errors_arrive_as_pynetbox_exceptions(nb: pynetbox.api) -> None:
    parent = nb.ipam.prefixes.get(prefix="10.20.0.0/16")
    with pytest.raises(RequestError) as bad_length:
        parent.available_prefixes.create({"prefix_length": 8})
    assert bad_length.value.req.status_code == 400
    assert "prefix_length" in bad_length.value.req.json()

    parent.available_prefixes.create({"prefix_length": 16})
    with pytest.raises(AllocationError) as full:
        parent.available_prefixes.create({"prefix_length": 24})
    assert full.value.req.status_code == 409
    assert "no free /24" in full.value.req.json()["detail"]

    with pytest.raises(RequestError) as unknown:
        nb.ipam.prefixes.get(prefix="10.20.0.0/16", site="nowhere")
    assert unknown.value.req.status_code == 400
    assert "site" in unknown.value.req.json()


def test_a_wrong_token_is_refused(server: Server, admin_token: str) -> None:
    make_pool(server, admin_token, "prod", "10.20.0.0/16")
    stranger = pynetbox.api(server.url, token="ckt_1_not-the-secret")
    with pytest.raises(RequestError) as refused:
        stranger.ipam.prefixes.get(prefix="10.20.0.0/16")
    assert refused.value.req.status_code == 401
