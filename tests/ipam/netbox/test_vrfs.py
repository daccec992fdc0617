"""cidrkit's spaces are NetBox VRFs: the same prefix may live in two of them, filters
and bodies name them by id, and a block never moves between them."""

from __future__ import annotations

import pynetbox
import pytest
from pynetbox.core.query import RequestError

from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool
from tests.ipam.conftest import Server
from tests.ipam.netbox.conftest import make_pool


@pytest.fixture
def nb(server: Server, admin_token: str) -> pynetbox.api:
    make_pool(server, admin_token, "prod", "10.20.0.0/16")
    return pynetbox.api(server.url, token=admin_token)


def test_spaces_are_vrfs(nb: pynetbox.api, database: Database) -> None:
    blue = nb.ipam.vrfs.create({"name": "blue", "description": "the blue VPC"})
    assert blue.enforce_unique is True
    assert [v.name for v in nb.ipam.vrfs.all()] == ["blue"]  # global is the global table
    create_pool(database, PoolSpec(name="blue-pool", prefixes=["10.20.0.0/16"], space="blue"),
                actor="test")

    both = nb.ipam.prefixes.filter(prefix="10.20.0.0/16")
    assert [(p.vrf.name if p.vrf else None) for p in both] == [None, "blue"]
    [global_one] = nb.ipam.prefixes.filter(prefix="10.20.0.0/16", vrf_id="null")
    [blue_one] = nb.ipam.prefixes.filter(prefix="10.20.0.0/16", vrf_id=blue.id)
    assert global_one.vrf is None
    assert blue_one.vrf.id == blue.id

    made = blue_one.available_prefixes.create({"prefix_length": 24, "vrf": blue.id})
    assert made.vrf.id == blue.id
    assert str(made) == "10.20.0.0/24"
    # The same /24 is still free in the global table: another routing domain.
    assert str(global_one.available_prefixes.create({"prefix_length": 24})) == "10.20.0.0/24"

    with pytest.raises(RequestError) as moved:
        blue_one.available_prefixes.create({"prefix_length": 24, "vrf": None})
    assert moved.value.req.status_code == 400
    assert "vrf" in moved.value.req.json()
    with pytest.raises(RequestError) as unknown:
        list(nb.ipam.prefixes.filter(vrf_id=99999))
    assert unknown.value.req.status_code == 400
    assert "vrf_id" in unknown.value.req.json()
    with pytest.raises(RequestError) as in_use:
        blue.delete()
    assert in_use.value.req.status_code == 409


def test_a_vrf_body_is_checked(nb: pynetbox.api) -> None:
    for body, field in [({"description": "x"}, "name"), ({"name": "red", "rd": "65000:1"}, "rd"),
                        ({"name": "red", "tenant": 3}, "tenant"),
                        ({"name": "red", "colour": "red"}, "colour")]:
        with pytest.raises(RequestError) as refused:
            nb.ipam.vrfs.create(body)
        assert refused.value.req.status_code == 400
        assert field in refused.value.req.json()
    assert list(nb.ipam.vrfs.all()) == []
