"""Capacity: warning thresholds and the fragmentation report, against a brute-force
oracle over a small universe, and over HTTP on SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.core import Prefix
from cidrkit.ipam.api import create_app
from cidrkit.ipam.capacity import fragmentation, utilisation_warnings
from cidrkit.ipam.database import Database
from cidrkit.ipam.model import Pool, PoolRules, Utilisation
from cidrkit.ipam.reports import utilisation
from cidrkit.ipam.tokens import create_token

BASE, WIDTH = 0x0A000000, 6  # 10.0.0.0/26: 64 addresses, small enough to enumerate
POOL = Pool(1, "p", 4, (Prefix(32, BASE, 32 - WIDTH),), PoolRules())


@st.composite
def used_blocks(draw: st.DrawFn) -> list[Prefix]:
    """Disjoint aligned blocks inside the pool."""
    taken: set[int] = set()
    blocks = []
    for _ in range(draw(st.integers(0, 10))):
        length = draw(st.integers(32 - WIDTH, 32))
        size = 1 << (32 - length)
        start = BASE + draw(st.integers(0, (1 << WIDTH) // size - 1)) * size
        if taken.isdisjoint(range(start, start + size)):
            taken.update(range(start, start + size))
            blocks.append(Prefix(32, start, length))
    return sorted(blocks)


def oracle(used: list[Prefix]) -> tuple[int, list[int]]:
    """Free addresses, and the lengths of the canonical aligned decomposition of the
    free space (greedy from the lowest address: the biggest aligned free block there)."""
    free = set(range(BASE, BASE + (1 << WIDTH)))
    for block in used:
        free -= set(range(block.start, block.end + 1))
    lengths, address = [], BASE
    while address < BASE + (1 << WIDTH):
        if address not in free:
            address += 1
            continue
        size = 1
        while (address % (size * 2) == 0 and size * 2 <= 1 << WIDTH
               and all(a in free for a in range(address, address + size * 2))):
            size *= 2
        lengths.append(32 - size.bit_length() + 1)
        address += size
    return len(free), lengths


@settings(max_examples=300, deadline=None)
@given(used_blocks())
def test_fragmentation_matches_brute_force(used: list[Prefix]) -> None:
    report = fragmentation(POOL, used)
    free, lengths = oracle(used)
    assert report.free_addresses == free
    assert report.by_length == dict(sorted(Counter(lengths).items()))
    assert report.blocks == len(lengths)
    if lengths:
        assert report.largest is not None and report.largest.length == min(lengths)
        assert report.largest_share == pytest.approx(100 * report.largest.size / free)
    else:
        assert report.largest is None and report.largest_share == 0.0


def _usage(total: int, allocated: int) -> Utilisation:
    return Utilisation("p", 4, total, allocated, 0, total - allocated, 1)


@pytest.mark.parametrize(("warn_at", "allocated", "expected"), [
    (None, 255, []),
    (80, 204, []),                       # 79.7%
    (80, 205, ["pool 'p' is 80.1% used, at or above its warning threshold of 80%"]),
    (100, 256, ["pool 'p' is 100.0% used, at or above its warning threshold of 100%",
                "pool 'p' has no free addresses left"]),
    (None, 256, ["pool 'p' has no free addresses left"]),
])
def test_warnings(warn_at: int | None, allocated: int, expected: list[str]) -> None:
    pool = Pool(1, "p", 4, (Prefix.parse("10.0.0.0/24"),), PoolRules(), warn_at=warn_at)
    assert utilisation_warnings(pool, _usage(256, allocated)) == expected


def test_ipv6_fragmentation_stays_arithmetic() -> None:
    pool = Pool(1, "v6", 6, (Prefix.parse("::/0"),), PoolRules())
    report = fragmentation(pool, [Prefix.parse("2001:db8::/64")])
    assert report.largest == Prefix.parse("8000::/1")
    assert report.free_addresses == 2**128 - 2**64
    assert report.by_length == {n: 1 for n in range(1, 65)}
    assert utilisation(pool, [(Prefix.parse("2001:db8::/64"), "allocated")]).free == 2**128 - 2**64


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as http:
        yield http


def test_warnings_and_fragmentation_over_http(client: TestClient, database: Database) -> None:
    secret = create_token(database, name="a", pool=None, scope="admin")[1]
    admin = {"Authorization": f"Bearer {secret}"}
    made = client.post("/api/v1/pools", headers=admin,
                       json={"name": "prod", "prefixes": ["10.0.0.0/24"], "warn_at": 50})
    assert (made.json()["warn_at"], made.json()["warnings"]) == (50, [])
    for prefix in ("10.0.0.0/26", "10.0.0.128/26"):
        client.post("/api/v1/pools/prod/allocations", headers=admin, json={"prefix": prefix})
    pool = client.get("/api/v1/pools/prod", headers=admin).json()
    assert pool["warnings"] == ["pool 'prod' is 50.0% used, at or above its warning "
                                "threshold of 50%"]
    listed = client.get("/api/v1/pools", headers=admin).json()
    assert listed[0]["warnings"] == pool["warnings"]
    report = client.get("/api/v1/pools/prod/fragmentation", headers=admin).json()
    assert report == {"pool": "prod", "free": "128", "free_blocks": 2,
                      "largest_free_block": "10.0.0.64/26", "largest_share": 50.0,
                      "free_blocks_by_length": {"26": 2}}
    other = create_token(database, name="o", pool="other", scope="admin")[1]
    denied = client.get("/api/v1/pools/prod/fragmentation",
                        headers={"Authorization": f"Bearer {other}"})
    assert denied.status_code == 403
