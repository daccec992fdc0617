"""IP ranges through the NetBox API: created inside the right pool, mapped kinds,
skipped by available-ips, refused where they would break a rule."""

from __future__ import annotations

import pynetbox
import pytest
from pynetbox.core.query import AllocationError, RequestError

from tests.ipam.conftest import Server
from tests.ipam.netbox.conftest import make_pool


@pytest.fixture
def nb(server: Server, admin_token: str) -> pynetbox.api:
    make_pool(server, admin_token, "prod", "10.20.0.0/16")
    return pynetbox.api(server.url, token=admin_token)


def test_a_dhcp_range_inside_a_subnet(nb: pynetbox.api) -> None:
    parent = nb.ipam.prefixes.get(prefix="10.20.0.0/16")
    subnet = parent.available_prefixes.create({"prefix_length": 24})
    dhcp = nb.ipam.ip_ranges.create({"start_address": "10.20.0.2/24",
                                     "end_address": "10.20.0.100/24", "description": "dhcp"})
    assert dhcp.start_address == "10.20.0.2/24"
    assert dhcp.size == 99
    assert dhcp.status.value == "active"
    assert dhcp.cidrkit["kind"] == "dhcp"
    assert str(subnet.available_ips.create()) == "10.20.0.101/24"

    dhcp.mark_populated = True
    assert dhcp.save() is True
    assert nb.ipam.ip_ranges.get(dhcp.id).cidrkit["kind"] == "populated"
    dhcp.status = "reserved"
    dhcp.mark_populated = False
    assert dhcp.save() is True
    assert nb.ipam.ip_ranges.get(dhcp.id).status.value == "reserved"
    assert [r.id for r in nb.ipam.ip_ranges.filter(parent="10.20.0.0/24")] == [dhcp.id]
    assert dhcp.delete() is True
    assert list(nb.ipam.ip_ranges.all()) == []


def test_range_refusals_name_the_field(nb: pynetbox.api) -> None:
    nb.ipam.ip_ranges.create({"start_address": "10.20.1.0/24", "end_address": "10.20.1.9/24"})
    cases = [
        ({"start_address": "10.20.1.5/24", "end_address": "10.20.1.20/24"}, 409,
         "start_address"),
        ({"start_address": "10.99.0.1/24", "end_address": "10.99.0.9/24"}, 400,
         "start_address"),
        ({"start_address": "10.20.2.9", "end_address": "10.20.2.1"}, 400, "end_address"),
        ({"start_address": "10.20.2.1"}, 400, "end_address"),
        ({"start_address": "10.20.2.1", "end_address": "10.20.2.9", "role": 4}, 400, "role"),
        ({"start_address": "nonsense", "end_address": "10.20.2.9"}, 400, "start_address"),
    ]
    for body, status, field in cases:
        # pynetbox raises AllocationError for every 409 answer to a POST.
        with pytest.raises((RequestError, AllocationError)) as refused:
            nb.ipam.ip_ranges.create(body)
        assert refused.value.req.status_code == status, body
        answer = refused.value.req.json()
        assert field in answer or answer.get("field") == field, (body, answer)
