"""Single-address allocation beside prefix allocation, 16 concurrent clients on loopback.

For each database (SQLite always; PostgreSQL when CIDRKIT_BENCH_PG_URL or
CIDRKIT_TEST_PG_URL is set), on one ``cidrkit serve`` as shipped:

* ``prefix /28``: ``POST /pools/bench/allocations``;
* ``next address``: ``POST /pools/hosts/addresses`` with ``{}``;
* ``next address, key``: the same with a fresh idempotency key each time;
* ``4 addresses``: ``{"count": 4}``, counted as one request.

Both routes go through the group-commit writer and the lean route in front
of the framework. Each run makes ``--requests`` requests spread over the clients with
keep-alive connections; the median of ``--runs`` runs is printed with p50/p99
latency and the ratio to the prefix route. The address pool is a /16, so the
free space never runs out; every run starts from an empty database.

    python bench/bench_addresses.py [--runs 3] [--requests 1600] [--clients 16]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ipam import (
    Run,
    fresh_database,
    in_threads,
    load_average,
    prepare,
    start_server,
    summarise,
)

from cidrkit.ipam.database import Database
from cidrkit.ipam.pools import PoolSpec, create_pool

MODES = {
    "prefix /28": ("/api/v1/pools/bench/allocations", lambda: {"prefix_length": 28}),
    "next address": ("/api/v1/pools/hosts/addresses", dict),
    "next address, key": ("/api/v1/pools/hosts/addresses",
                          lambda: {"idempotency_key": uuid.uuid4().hex}),
    "4 addresses": ("/api/v1/pools/hosts/addresses", lambda: {"count": 4}),
}


def requests_run(port: int, token: str, clients: int, each: int, path: str,
                 body: Callable[[], dict[str, object]]) -> Run:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def work(_number: int) -> Callable[[], None]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def call() -> None:
            conn.request("POST", path, json.dumps(body()).encode(), headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"{path}: unexpected status {response.status}")

        return call

    return in_threads(clients, each, work)


def measure(kind: str, pg_base: str | None, mode: str, args: argparse.Namespace) -> list[Run]:
    path, body = MODES[mode]
    each = args.requests // args.clients
    runs = []
    for _ in range(args.runs):
        with fresh_database(kind, pg_base) as url:
            token = prepare(url)
            db = Database(url)
            create_pool(db, PoolSpec("hosts", ["172.16.0.0/16"]), actor="bench")
            db.dispose()
            process, port = start_server(url, [])
            try:
                requests_run(port, token, args.clients, 2, path, body)  # warm up
                runs.append(requests_run(port, token, args.clients, each, path, body))
            finally:
                process.terminate()
                process.wait(timeout=30)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    pg_base = os.environ.get("CIDRKIT_BENCH_PG_URL") or os.environ.get("CIDRKIT_TEST_PG_URL")
    kinds = ["sqlite"] + (["postgresql"] if pg_base else [])
    if args.only:
        kinds = [args.only]
    print(f"{os.cpu_count()} CPUs; {load_average()}; {args.requests} requests, "
          f"{args.clients} clients, median of {args.runs} runs", flush=True)
    for kind in kinds:
        baseline = None
        for mode in MODES:
            rate, p50, p99 = summarise(measure(kind, pg_base, mode, args))
            baseline = baseline or rate
            print(f"{kind:10} {mode:18} {rate:7.0f} req/s  p50 {p50:6.1f} ms  "
                  f"p99 {p99:7.1f} ms  {rate / baseline:5.2f}x prefix", flush=True)
    print(load_average())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
