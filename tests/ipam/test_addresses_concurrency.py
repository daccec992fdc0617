"""Many clients taking single addresses from a real server: never one address twice.

16 clients x 20 requests for the next free address of a /24 (253 assignable
under the rfc model: network, gateway and broadcast held back): exactly 253
succeed, the other 67 are 409, no 5xx, no address twice; on SQLite and
PostgreSQL. A second test races address requests against prefix
allocations and range creation in the same pool: no prefix ever covers a
pool address or a range.
"""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from cidrkit.core import Addr, IPSet, Prefix, Range
from cidrkit.ipam.database import Database
from tests.ipam.conftest import start_server


def _race(url: str, token: str, clients: int, work: Any) -> tuple[Counter[int], list[Any]]:
    """Run ``work(http, client_number)`` in ``clients`` threads; statuses and bodies."""
    statuses: Counter[int] = Counter()
    bodies: list[Any] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(number: int) -> None:
        with httpx.Client(base_url=url, timeout=120,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            start.wait()
            for response in work(http, number):
                with lock:
                    statuses[response.status_code] += 1
                    if response.status_code in (200, 201):
                        bodies.append(response.json())

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses, bodies


def test_sixteen_clients_never_share_an_address(database: Database, admin_token: str,
                                                tmp_path: Path) -> None:
    server = start_server(database.url, tmp_path / "server.log")
    try:
        headers = {"Authorization": f"Bearer {admin_token}"}
        assert httpx.post(f"{server.url}/api/v1/pools", headers=headers, json={
            "name": "hosts", "prefixes": ["192.0.2.0/24"]}).status_code == 201

        def work(http: httpx.Client, number: int) -> Any:
            for i in range(20):
                yield http.post("/api/v1/pools/hosts/addresses",
                                json={"idempotency_key": f"c{number}-{i}"})

        statuses, bodies = _race(server.url, admin_token, 16, work)
        assert dict(statuses) == {201: 253, 409: 67}
        handed = [a["address"] for body in bodies for a in body["addresses"]]
        assert len(handed) == len(set(handed)) == 253
        expected = {f"192.0.2.{i}" for i in range(2, 255)}
        assert set(handed) == expected
        listed = httpx.get(f"{server.url}/api/v1/pools/hosts/addresses", headers=headers,
                           params={"limit": 1000}).json()
        assert sorted(a["address"] for a in listed["addresses"]) == sorted(handed)
    finally:
        server.stop()


def test_addresses_ranges_and_prefixes_race_without_collisions(
        database: Database, admin_token: str, tmp_path: Path) -> None:
    server = start_server(database.url, tmp_path / "server.log")
    try:
        headers = {"Authorization": f"Bearer {admin_token}"}
        assert httpx.post(f"{server.url}/api/v1/pools", headers=headers, json={
            "name": "mixed", "prefixes": ["10.9.0.0/22"]}).status_code == 201

        def work(http: httpx.Client, number: int) -> Any:
            for i in range(12):
                kind = (number + i) % 3
                if kind == 0:
                    yield http.post("/api/v1/pools/mixed/addresses", json={"count": 3})
                elif kind == 1:
                    yield http.post("/api/v1/pools/mixed/allocations",
                                    json={"prefix_length": 28})
                else:
                    low = (number * 12 + i) * 4
                    start = f"10.9.{low // 256}.{low % 256}"
                    end = f"10.9.{low // 256}.{low % 256 + 3}"
                    yield http.post("/api/v1/pools/mixed/ranges",
                                    json={"start": start, "end": end, "kind": "reserved"})

        statuses, _ = _race(server.url, admin_token, 16, work)
        assert set(statuses) <= {200, 201, 409}, statuses
        assert statuses[201] > 0
        owned = {a["id"]: Prefix.parse(a["prefix"]) for a in httpx.get(
            f"{server.url}/api/v1/pools/mixed/allocations", headers=headers,
            params={"limit": 1000, "state": "allocated"}).json()["allocations"]}
        blocks = list(owned.values())
        ranges = []
        for r in httpx.get(f"{server.url}/api/v1/pools/mixed/ranges", headers=headers).json():
            span = Range.parse(f"{r['start']}-{r['end']}")
            if r["allocation_id"] is None:
                ranges.append(span)
            else:  # a range inside an allocation is that allocation's business
                assert owned[r["allocation_id"]].contains(span)
        addresses = [Addr.parse(a["address"]) for a in httpx.get(
            f"{server.url}/api/v1/pools/mixed/addresses", headers=headers,
            params={"limit": 1000}).json()["addresses"]]
        pieces: list[Addr | Prefix | Range] = [*blocks, *ranges, *addresses]
        # Pairwise disjoint: the union is as large as the sizes added up.
        sizes = sum(p.size for p in blocks) + sum(r.size for r in ranges) + len(addresses)
        assert IPSet(pieces).size == sizes
        assert len(addresses) == len(set(addresses))
    finally:
        server.stop()
