"""``cidrkit ipam`` address and range actions against a real server: output, exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cidrkit.ipam.database import Database
from tests.cli.runner import cli
from tests.ipam.conftest import Server, start_server


@pytest.fixture
def env(sqlite_db: Database, tmp_path: Path) -> Iterator[dict[str, str]]:
    from cidrkit.ipam.pools import PoolSpec, create_pool
    from cidrkit.ipam.tokens import create_token

    create_pool(sqlite_db, PoolSpec("lan", ["192.0.2.0/28"], usable_model="aws"), actor="t")
    token = create_token(sqlite_db, name="ci", pool="lan", scope="write")[1]
    server: Server = start_server(sqlite_db.url, tmp_path / "server.log")
    yield {"CIDRKIT_URL": server.url, "CIDRKIT_TOKEN": token}
    server.stop()


def test_addresses_and_ranges_from_the_command_line(env: dict[str, str]) -> None:
    code, out, err = cli("ipam", "add-range", "--pool", "lan", "192.0.2.4", "192.0.2.6",
                         "--kind", "reserved", "--description", "printers", env=env)
    assert (code, out.splitlines(), err) == (0, [
        "ID  RANGE                SIZE  KIND      ALLOCATION  DESCRIPTION",
        "1   192.0.2.4-192.0.2.6  3     reserved              printers"], "")
    # AWS holds .0-.3 and .15; the range .4-.6.
    code, out, err = cli("ipam", "take-address", "--pool", "lan", "--count", "2",
                         "--idempotency-key", "vm-1", "--dns-name", "vm1.example", env=env)
    assert (code, out, err) == (0, "192.0.2.7\n192.0.2.8\n",
                                "cidrkit: address 1, 2 in pool lan\n")
    again = cli("ipam", "take-address", "--pool", "lan", "--count", "2",
                "--idempotency-key", "vm-1", "--dns-name", "vm1.example", "--json", env=env)
    assert json.loads(again[1])["replayed"] is True
    code, out, _ = cli("ipam", "addresses", "--pool", "lan", env=env)
    assert out.splitlines() == [
        "ID  ADDRESS    STATE      ALLOCATION  DNS NAME     DESCRIPTION",
        "1   192.0.2.7  allocated              vm1.example",
        "2   192.0.2.8  allocated              vm1.example"]
    code, _, err = cli("ipam", "take-address", "--pool", "lan", "--count", "7", env=env)
    assert (code, err) == (1, "cidrkit: error: count: pool 'lan' has 6 free address(es), "
                              "7 wanted\n")
    code, _, err = cli("ipam", "take-address", "--pool", "lan", "--address", "192.0.2.5",
                       env=env)
    assert (code, err) == (1, "cidrkit: error: address: 192.0.2.5 is inside range #1 "
                              "(reserved) of pool 'lan'\n")
    code, _, err = cli("ipam", "take-address", "--pool", "lan", "--address", "192.0.2.1",
                       env=env)
    assert (code, err) == (2, "cidrkit: error: address: 192.0.2.1 is reserved in "
                              "192.0.2.0/28 under the pool's 'aws' usable-address model\n")
    code, _, err = cli("ipam", "add-range", "--pool", "lan", "192.0.2.9", "192.0.2.300",
                       env=env)
    assert code == 2 and err.startswith("cidrkit: error: end: ")
    assert cli("ipam", "release-address", "1", env=env)[1] == "192.0.2.7\n"
    assert cli("ipam", "delete-range", "1", env=env)[2] == "cidrkit: range 1 deleted\n"
    assert cli("ipam", "ranges", "--pool", "lan", "--json", env=env)[1] == "[]\n"
    code, _, err = cli("ipam", "delete-range", "1", env=env)
    assert (code, err) == (1, "cidrkit: error: range 1 does not exist\n")
