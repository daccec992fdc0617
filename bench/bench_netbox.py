"""The NetBox-compatible API under the load NetBox itself fails: 16 clients x 20
requests for a /24 of one /16 (256 fit, 64 must be refused).

For each database (SQLite always; PostgreSQL when CIDRKIT_BENCH_PG_URL or
CIDRKIT_TEST_PG_URL is set), ``--runs`` times on a fresh database and server:

* ``pynetbox``: 16 threads, each with its own unmodified pynetbox client,
  calling ``prefix.available_prefixes.create({"prefix_length": 24})``;
* ``httpx``: the same NetBox route with httpx instead of pynetbox (what the
  client library costs, apart from the route);
* ``/api/v1``: the same 320 requests to cidrkit's own allocation route
  (``POST /api/v1/pools/{pool}/allocations``) with httpx, as its peer.

Printed per run: created, refused (409), other failures, duplicates, wall
time; then the medians and the ratio of the two routes.

Then the cost of a list at 20,000 allocations in one pool (in-process, one
client): ``GET /api/ipam/prefixes/`` pages (unfiltered, a far page, each
filter the database applies, ``q`` on the prefix's text, on the description
and with a far page), median of ``--runs`` requests each,
beside the in-memory computation the route used before the database chose
the page (every pool's objects built, filtered, sorted, sliced; rendering
not counted).

    python bench/bench_netbox.py [--runs 5] [--only carve|lists]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pynetbox
from pynetbox.core.query import AllocationError, RequestError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ipam import fresh_database, load_average, start_server  # noqa: E402

from cidrkit.ipam.api import create_app  # noqa: E402
from cidrkit.ipam.database import Database  # noqa: E402
from cidrkit.ipam.model import AllocationRequest  # noqa: E402
from cidrkit.ipam.netbox.objects import objects_of  # noqa: E402
from cidrkit.ipam.pools import PoolSpec, create_pool  # noqa: E402
from cidrkit.ipam.service import AllocationService  # noqa: E402
from cidrkit.ipam.tokens import create_token  # noqa: E402

CLIENTS, EACH = 16, 20


class Refused(Exception):
    """A 409 from /api/v1 (pynetbox raises AllocationError for its own)."""


def prepare(url: str) -> str:
    db = Database(url)
    create_pool(db, PoolSpec("load", ["10.20.0.0/16"]), actor="bench")
    token = create_token(db, name="bench", pool=None, scope="admin")[1]
    db.dispose()
    return token


def pynetbox_client(base: str, token: str) -> tuple[object, object]:
    nb = pynetbox.api(base, token=token)
    parent = nb.ipam.prefixes.get(prefix="10.20.0.0/16")

    def call() -> str:
        return str(parent.available_prefixes.create({"prefix_length": 24}).prefix)
    return call, None


def netbox_httpx_client(base: str, token: str) -> tuple[object, object]:
    http = httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"},
                        timeout=60)
    found = http.get("/api/ipam/prefixes/", params={"prefix": "10.20.0.0/16"}).json()
    url = f"/api/ipam/prefixes/{found['results'][0]['id']}/available-prefixes/"

    def call() -> str:
        answer = http.post(url, json={"prefix_length": 24})
        if answer.status_code == 409:
            raise Refused
        if answer.status_code != 201:
            raise RuntimeError(answer.status_code)
        return str(answer.json()["prefix"])
    return call, http


def v1_client(base: str, token: str) -> tuple[object, object]:
    http = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                        timeout=60)

    def call() -> str:
        answer = http.post("/api/v1/pools/load/allocations", json={"prefix_length": 24})
        if answer.status_code == 409:
            raise Refused
        if answer.status_code != 201:
            raise RuntimeError(answer.status_code)
        return str(answer.json()["prefix"])
    return call, http


def run(route: str, base: str, token: str) -> tuple[float, list[str], Counter[str]]:
    made: list[str] = []
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()
    gate = threading.Barrier(CLIENTS + 1)
    factory = {"pynetbox": pynetbox_client, "httpx": netbox_httpx_client,
               "/api/v1": v1_client}[route]

    def client() -> None:
        call, _ = factory(base, token)
        gate.wait()
        for _ in range(EACH):
            try:
                prefix = call()  # type: ignore[operator]
            except (AllocationError, Refused):
                with lock:
                    outcomes["409"] += 1
            except (RequestError, RuntimeError, httpx.HTTPError) as exc:
                with lock:
                    outcomes[f"failed {exc!r}"[:60]] += 1
            else:
                with lock:
                    made.append(prefix)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, made, outcomes


LISTED = 20_000
PAGES = {
    "unfiltered page": "?limit=50",
    "far page": f"?limit=50&offset={LISTED - 50}",
    "mask_length + status": "?mask_length=28&status=active&limit=50",
    "within": "?within=10.0.64.0/18&limit=50",
    "prefix= (get)": "?prefix=10.0.1.16/28&limit=0",
    "q= prefix text": "?q=10.0.1&limit=50",
    "q= description": "?q=Rack%207&limit=50",
    "q= far page": f"?q=RACK&limit=50&offset={LISTED - 50}",
}


def lists(kind: str, pg: str | None, runs: int) -> None:
    """Median time of each list page at LISTED allocations, and the in-memory reference."""
    from fastapi.testclient import TestClient

    with fresh_database(kind, pg) as url:
        db = Database(url)
        create_pool(db, PoolSpec("big", ["10.0.0.0/8"]), actor="bench")
        token = create_token(db, name="bench", pool=None, scope="admin")[1]
        service = AllocationService(db)
        for start in range(0, LISTED, 256):
            count = min(256, LISTED - start)
            # Descriptions for ``q``: "rack 7" is in 10 of the 79 racks' (7 and 70-78).
            rack = AllocationRequest(length=28, description=f"Rack {start // 256}")
            service.allocate("big", [rack] * count, actor="bench")
        app = create_app(db, batching=False)
        headers = {"Authorization": f"Token {token}"}
        with TestClient(app) as http:
            for name, query in PAGES.items():
                times = []
                for _ in range(runs):
                    began = time.perf_counter()
                    answer = http.get(f"/api/ipam/prefixes/{query}", headers=headers)
                    times.append(time.perf_counter() - began)
                    assert answer.status_code == 200, answer.text
                print(f"{kind:10} list {name:22} {statistics.median(times) * 1000:8.1f} ms "
                      f"(count {answer.json()['count']})", flush=True)
            ipam = app.state.ipam
            who = ipam.verifier.verify(token)
            times = []
            for _ in range(runs):
                began = time.perf_counter()
                found = objects_of(ipam.pool_contents(who))
                found.sort(key=lambda o: 0)
                found[:50]
                times.append(time.perf_counter() - began)
            print(f"{kind:10} list {'before: in memory':22} "
                  f"{statistics.median(times) * 1000:8.1f} ms (count {len(found)})", flush=True)
        db.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=("carve", "lists"))
    args = parser.parse_args()
    pg = os.environ.get("CIDRKIT_BENCH_PG_URL") or os.environ.get("CIDRKIT_TEST_PG_URL")
    print(f"load average before: {load_average()}")
    if args.only != "carve":
        for kind in ["sqlite", *(["postgresql"] if pg else [])]:
            lists(kind, pg, args.runs)
    for kind in ["sqlite", *(["postgresql"] if pg else [])]:
        if args.only == "lists":
            break
        walls: dict[str, list[float]] = {"pynetbox": [], "httpx": [], "/api/v1": []}
        for _ in range(args.runs):
            for route in walls:
                with fresh_database(kind, pg) as url:
                    token = prepare(url)
                    process, port = start_server(url, [])
                    try:
                        wall, made, outcomes = run(route, f"http://127.0.0.1:{port}", token)
                    finally:
                        process.terminate()
                        process.wait(timeout=30)
                walls[route].append(wall)
                print(f"{kind:10} {route:9} created {len(made):3} refused {outcomes['409']:3} "
                      f"other {sum(outcomes.values()) - outcomes['409']} duplicates "
                      f"{len(made) - len(set(made))} wall {wall:.2f}s")
        median = {route: statistics.median(values) for route, values in walls.items()}
        for route, wall in median.items():
            print(f"{kind:10} median {route:9} {wall:.2f}s ({CLIENTS * EACH / wall:.0f} req/s, "
                  f"{wall / median['/api/v1']:.2f} x /api/v1)")
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
