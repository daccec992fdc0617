"""kill -9 the server under load, restart it: acknowledged allocations survive,
nothing overlaps, and retrying in-flight requests with their idempotency keys
yields one allocation per key, never two."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from cidrkit.core import IPSet, Prefix
from cidrkit.ipam.database import Database
from tests.ipam.conftest import Server, start_server
from tests.ipam.load import LoadResult, run_clients


def test_kill_9_during_load_loses_nothing_acknowledged(
    database: Database, admin_token: str, tmp_path: Path
) -> None:
    server, result = _kill_under_load(database, admin_token, tmp_path / "server.log", "crash",
                                      "10.32.0.0/12", "allocations", 100, length=26)
    headers = {"Authorization": f"Bearer {admin_token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            stored = http.get("/api/v1/pools/crash/allocations",
                              params={"limit": 1000, "state": "allocated"}).json()
            by_key = {a["idempotency_key"]: a["prefix"] for a in stored["allocations"]}
            assert len(by_key) == stored["total"]
            # Every acknowledged allocation is still there, unchanged.
            for key, prefix in result.acknowledged.items():
                assert by_key.get(key) == prefix, key
            # Retrying what was in flight: the committed prefix, or a new clean one.
            for key in sorted(result.in_flight):
                retry = http.post("/api/v1/pools/crash/allocations",
                                  json={"prefix_length": 26, "idempotency_key": key})
                assert retry.status_code in (200, 201), retry.text
                if key in by_key:
                    assert retry.status_code == 200
                    assert retry.json()["prefix"] == by_key[key]
                else:
                    assert retry.status_code == 201
            final = http.get("/api/v1/pools/crash/allocations",
                             params={"limit": 1000}).json()["allocations"]
        keys = [a["idempotency_key"] for a in final]
        assert len(keys) == len(set(keys)), "a key produced two allocations"
        prefixes = [Prefix.parse(a["prefix"]) for a in final]
        assert IPSet(prefixes).size == sum(p.size for p in prefixes)
    finally:
        server.stop()


def test_kill_9_while_taking_addresses_loses_nothing_acknowledged(
    database: Database, admin_token: str, tmp_path: Path
) -> None:
    """Address requests share the writer's transactions: the same guarantee."""
    server, result = _kill_under_load(database, admin_token, tmp_path / "server.log", "hosts",
                                      "10.48.0.0/16", "addresses", 200, length=32, addresses=2)
    headers = {"Authorization": f"Bearer {admin_token}"}
    try:
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
            def stored() -> dict[str, list[str]]:
                rows = http.get("/api/v1/pools/hosts/addresses",
                                params={"limit": 1000, "state": "allocated"}).json()
                assert rows["total"] == len(rows["addresses"])
                found: dict[str, list[str]] = {}
                for row in rows["addresses"]:
                    found.setdefault(row["idempotency_key"], []).append(row["address"])
                return found

            before = stored()
            for key, taken in result.acknowledged.items():
                assert sorted(before.get(key, [])) == sorted(taken.split(",")), key
            for key in sorted(result.in_flight):
                retry = http.post("/api/v1/pools/hosts/addresses",
                                  json={"count": 2, "idempotency_key": key})
                assert retry.status_code == (200 if key in before else 201), retry.text
                got = [a["address"] for a in retry.json()["addresses"]]
                if key in before:
                    assert sorted(got) == sorted(before[key])
            after = stored()
        every = [a for taken in after.values() for a in taken]
        assert len(every) == len(set(every)), "an address was handed out twice"
        assert all(len(taken) == 2 for taken in after.values()), "a request got half"
    finally:
        server.stop()


def _kill_under_load(database: Database, admin_token: str, log: Path, pool: str,
                     prefix: str, listing: str, enough: int, length: int,
                     addresses: int = 0) -> tuple[Server, LoadResult]:
    """Create ``pool``, run 8 clients on it, kill -9 the server once ``listing``
    holds ``enough`` rows, and restart it: the new server and what the clients saw."""
    server = start_server(database.url, log)
    headers = {"Authorization": f"Bearer {admin_token}"}
    created = httpx.post(f"{server.url}/api/v1/pools", headers=headers,
                         json={"name": pool, "prefixes": [prefix]})
    assert created.status_code == 201

    holder: list[LoadResult] = []
    load = threading.Thread(target=lambda: holder.append(run_clients(
        server.url, admin_token, pool, clients=8, requests_each=150, length=length,
        addresses=addresses)))
    load.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listed = httpx.get(f"{server.url}/api/v1/pools/{pool}/{listing}",
                           params={"limit": 1}, headers=headers).json()
        if listed["total"] >= enough:
            break
        time.sleep(0.05)
    server.kill()
    load.join(timeout=120)
    result = holder[0]
    assert result.acknowledged, "the load run acknowledged nothing before the kill"
    assert result.statuses.keys() <= {200, 201}
    assert result.in_flight, "no request was in flight at the kill"
    return start_server(database.url, log), result
