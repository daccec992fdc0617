"""``cidrkit ipam spaces`` against a real server, and ``cidrkit audit`` reading what
``spaces export`` wrote: the auditor calls blocking what the IPAM refuses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token
from tests.cli.runner import cli
from tests.ipam.conftest import start_server


@pytest.fixture
def env(database: Database, tmp_path: Path) -> Iterator[dict[str, str]]:
    token = create_token(database, name="ops", pool=None, scope="admin")[1]
    server = start_server(database.url, tmp_path / "server.log")
    yield {"CIDRKIT_URL": server.url, "CIDRKIT_TOKEN": token}
    server.stop()


def test_spaces_commands_and_the_audit_agree(env: dict[str, str], database: Database,
                                            tmp_path: Path) -> None:
    for name in ("aws", "dc", "lab"):
        assert cli("ipam", "spaces", "create", name, env=env)[0] == 0
    create_pool(database, PoolSpec("vpcs", ["10.0.0.0/16"], space="aws"), actor="t")
    create_pool(database, PoolSpec("racks", ["10.0.5.0/24"], space="dc"), actor="t")
    create_pool(database, PoolSpec("lab", ["10.0.0.0/16"], space="lab"), actor="t")
    code, _, err = cli("ipam", "spaces", "connect", "aws", "dc", env=env)
    assert (code, err) == (1, "cidrkit: error: cannot connect 'aws' and 'dc': pool 'vpcs' "
                              "10.0.0.0/16 (space 'aws') overlaps pool 'racks' 10.0.5.0/24 "
                              "(space 'dc')\n")
    code, out, _ = cli("ipam", "spaces", "export", env=env)
    assert (code, out) == (0, "version: 1\nconnections: []\n")
    database.dispose()
    from cidrkit.ipam.pools import delete_pool

    delete_pool(database, "racks", actor="t")
    create_pool(database, PoolSpec("racks", ["10.1.0.0/24"], space="dc"), actor="t")
    code, out, _ = cli("ipam", "spaces", "connect", "aws", "dc", env=env)
    assert (code, out) == (0, "aws\n  connected to: dc\n")
    code, out, _ = cli("ipam", "spaces", "list", env=env)
    assert out.splitlines() == ["SPACE   CONNECTED TO  DESCRIPTION",
                                "aws     dc",
                                "dc      aws",
                                "global                the default space",
                                "lab"]
    code, out, _ = cli("ipam", "spaces", "show", "aws", env=env)
    assert out == "aws\n  connected to: dc\n  pools: vpcs\n"
    connections, inventory = tmp_path / "connections.yaml", tmp_path / "prefixes.json"
    code, _, err = cli("ipam", "spaces", "export", "--connections", str(connections),
                       "--inventory", str(inventory), env=env)
    assert (code, err) == (0, "cidrkit: 1 connection(s), 3 pool prefix(es)\n")
    assert connections.read_text() == (
        'version: 1\nconnections:\n  - name: "aws - dc"\n    via: "cidrkit-space"\n'
        '    members:\n      - "netbox:aws"\n      - "netbox:dc"\n')
    code, out, err = cli("audit", str(inventory), "--connections", str(connections),
                         "--format", "json")
    report = json.loads(out)
    # aws and lab hold the same /16 but are not connected: latent, as the IPAM allowed it.
    assert [(c["severity"], c["a"]["scope"], c["b"]["scope"]) for c in report["conflicts"]] == [
        ("latent", "netbox:aws", "netbox:lab")]


def test_spaces_commands_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    code, _, err = cli("ipam", "spaces", "create", "no good", env=env)
    assert code == 2 and "'no good' is not a space name" in err
    code, _, err = cli("ipam", "spaces", "connect", "global", "nowhere", env=env)
    assert (code, err) == (1, "cidrkit: error: space 'nowhere' does not exist\n")
    code, _, err = cli("ipam", "spaces", "delete", "global", env=env)
    assert code == 1 and "default space" in err
    target = tmp_path / "missing" / "c.yaml"
    code, _, err = cli("ipam", "spaces", "export", "--connections", str(target), env=env)
    assert (code, err) == (2, f"cidrkit: error: {target}: cannot write: No such file or "
                              "directory\n")
    code, _, err = cli("ipam", "spaces", "frobnicate", env=env)
    assert code == 2 and "invalid choice" in err


def test_ipam_list_shows_each_pools_space_and_filters_by_space(
        env: dict[str, str], database: Database) -> None:
    assert cli("ipam", "spaces", "create", "aws", env=env)[0] == 0
    create_pool(database, PoolSpec("core", ["192.0.2.0/24"]), actor="t")
    create_pool(database, PoolSpec("vpcs", ["10.0.0.0/16"], space="aws"), actor="t")
    code, out, err = cli("ipam", "list", env=env)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "POOL  SPACE   PREFIXES      ALLOCATIONS  USED",
        "core  global  192.0.2.0/24  0            0.0%",
        "vpcs  aws     10.0.0.0/16   0            0.0%"]
    code, out, _ = cli("ipam", "list", "--space", "aws", env=env)
    assert out.splitlines()[1:] == ["vpcs  aws    10.0.0.0/16  0            0.0%"]
    code, out, _ = cli("ipam", "list", "--space", "aws", "--json", env=env)
    assert [(p["name"], p["space"]) for p in json.loads(out)] == [("vpcs", "aws")]
    code, out, _ = cli("ipam", "list", "--json", env=env)
    assert [(p["name"], p["space"]) for p in json.loads(out)] == [("core", "global"),
                                                                 ("vpcs", "aws")]
    # An empty space lists nothing; a space that does not exist is an error (404: exit 1).
    assert cli("ipam", "spaces", "create", "lab", env=env)[0] == 0
    assert cli("ipam", "list", "--space", "lab", "--json", env=env)[:2] == (0, "[]\n")
    code, out, err = cli("ipam", "list", "--space", "nope", env=env)
    assert (code, out, err) == (1, "", "cidrkit: error: space 'nope' does not exist\n")
    code, _, err = cli("ipam", "list", "--space", "", env=env)
    assert code == 2 and "space" in err
    code, _, err = cli("ipam", "list", "--space", "aws", "--pool", "vpcs", env=env)
    assert code == 2 and "not allowed with argument" in err


def test_the_pools_route_filters_by_space(env: dict[str, str], database: Database) -> None:
    import httpx

    create_pool(database, PoolSpec("core", ["192.0.2.0/24"]), actor="t")
    headers = {"Authorization": f"Bearer {env['CIDRKIT_TOKEN']}"}
    url = f"{env['CIDRKIT_URL']}/api/v1/pools"
    assert [p["name"] for p in httpx.get(url, params={"space": "global"},
                                         headers=headers).json()] == ["core"]
    for value, status in (("nope", 404), ("", 422), ("x" * 101, 422)):
        answer = httpx.get(url, params={"space": value}, headers=headers)
        assert answer.status_code == status, value
        assert answer.json()["error"]["field"] == "space", value
    twice = httpx.get(f"{url}?space=global&space=global", headers=headers)
    assert twice.status_code == 422 and twice.json()["error"]["field"] == "space"
