"""A bounded load generator for the concurrency and crash tests (loopback only)."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

import httpx


@dataclass
class LoadResult:
    """What the clients saw: status counts, acknowledged allocations, keys in flight."""

    statuses: Counter[int] = field(default_factory=Counter)
    # idempotency key -> prefix (or the addresses, comma-separated)
    acknowledged: dict[str, str] = field(default_factory=dict)
    in_flight: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def run_clients(
    url: str,
    token: str,
    pool: str,
    *,
    clients: int,
    requests_each: int,
    length: int,
    key_prefix: str = "load",
    stop: threading.Event | None = None,
    addresses: int = 0,
) -> LoadResult:
    """``clients`` threads each sending ``requests_each`` allocate requests with unique keys
    (of a /``length``, or with ``addresses`` > 0 for that many single addresses)."""
    result = LoadResult()
    headers = {"Authorization": f"Bearer {token}"}

    def client(number: int) -> None:
        with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
            for i in range(requests_each):
                if stop is not None and stop.is_set():
                    return
                key = f"{key_prefix}-{number}-{i}"
                with result.lock:
                    result.in_flight.add(key)
                try:
                    if addresses:
                        response = http.post(f"/api/v1/pools/{pool}/addresses",
                                             json={"count": addresses, "idempotency_key": key})
                    else:
                        response = http.post(
                            f"/api/v1/pools/{pool}/allocations",
                            json={"prefix_length": length, "idempotency_key": key},
                        )
                except httpx.HTTPError as exc:
                    with result.lock:
                        result.errors.append(f"{key}: {type(exc).__name__}")
                    return  # the server is gone; the key stays in flight
                with result.lock:
                    result.in_flight.discard(key)
                    result.statuses[response.status_code] += 1
                    if response.status_code in (200, 201) and addresses:
                        result.acknowledged[key] = ",".join(
                            a["address"] for a in response.json()["addresses"])
                    elif response.status_code in (200, 201):
                        result.acknowledged[key] = response.json()["prefix"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result
