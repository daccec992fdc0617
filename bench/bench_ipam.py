"""IPAM allocation throughput and latency with 16 concurrent clients on loopback.

For each database (SQLite always; PostgreSQL when CIDRKIT_BENCH_PG_URL or
CIDRKIT_TEST_PG_URL is set) it measures:

* ``serve``: ``cidrkit serve`` as shipped (group commit: requests that arrive
  while a transaction runs share the next one);
* ``serve --max-batch 1``: the same server, one transaction per request;
* ``library row-lock loop``: no HTTP at all, 16 threads each running one
  transaction per allocation that locks the pool row (the plain approach).

Each run makes ``--requests`` allocations of a /28 from a /8 (never
exhausted), spread over 16 clients with keep-alive connections; the median of
``--runs`` runs is printed, with p50/p99 latency and the ratio to the
row-lock loop. Server, database and clients share the machine; the load
average before and after is printed, since other work changes every figure.

    python bench/bench_ipam.py [--runs 3] [--requests 1600] [--clients 16]

``--import-lines N`` measures instead how long importing an inventory of N
lines takes through the API, and how long allocations into *another* pool
wait meanwhile (at most one chunk's commit: the import's rows go in short
transactions and are published at once);
``--body-limit`` how fast a 200 MB body without a token is refused and how
much the server's memory grows.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cidrkit.ipam.database import Database  # noqa: E402
from cidrkit.ipam.model import AllocationRequest  # noqa: E402
from cidrkit.ipam.pools import PoolSpec, create_pool  # noqa: E402
from cidrkit.ipam.service import AllocateOp, AllocationService  # noqa: E402
from cidrkit.ipam.tokens import create_token  # noqa: E402

Run = tuple[float, list[float]]  # (wall seconds, latencies in seconds)


@contextmanager
def fresh_database(kind: str, pg_base: str | None) -> Iterator[str]:
    """A URL of an empty, migrated database (a temp file, or a throwaway PG schema)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'ipam.sqlite3'}"
            Database(url).upgrade()
            yield url
        return
    import sqlalchemy as sa

    assert pg_base is not None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(pg_base.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    sep = "&" if "?" in pg_base else "?"
    url = f"{pg_base}{sep}options=-csearch_path%3D{schema},public"
    try:
        Database(url).upgrade()
        yield url
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def prepare(url: str) -> str:
    """Create the pool and an admin token; return the token."""
    db = Database(url)
    create_pool(db, PoolSpec("bench", ["10.0.0.0/8"]), actor="bench")
    token = create_token(db, name="bench", pool=None, scope="admin")[1]
    db.dispose()
    return token


def start_server(url: str, extra: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "cidrkit.cli.main", "serve", "--db", url,
               "--port", str(port), *extra]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not start")


def in_threads(clients: int, each: int, work: Callable[[int], Callable[[], None]]) -> Run:
    """Run ``each`` calls of a per-client callable in ``clients`` threads; time them."""
    latencies: list[float] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)

    def client(number: int) -> None:
        call = work(number)
        mine = []
        start_gate.wait()
        for _ in range(each):
            t0 = time.perf_counter()
            call()
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - t0, latencies


def http_run(port: int, token: str, clients: int, each: int, *, keys: bool = False) -> Run:
    """``each`` allocations per client; with ``keys`` each carries a fresh idempotency key
    (what careful clients send, and one more lookup per write transaction)."""
    plain = json.dumps({"prefix_length": 28}).encode()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def work(_number: int) -> Callable[[], None]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def call() -> None:
            body = plain
            if keys:
                fields = {"prefix_length": 28, "idempotency_key": uuid.uuid4().hex}
                body = json.dumps(fields).encode()
            conn.request("POST", "/api/v1/pools/bench/allocations", body, headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"unexpected status {response.status}")

        return call

    return in_threads(clients, each, work)


def library_run(url: str, clients: int, each: int) -> Run:
    db = Database(url, pool_size=clients)
    service = AllocationService(db)
    op = AllocateOp("bench", (AllocationRequest(length=28),), "bench")

    def work(_number: int) -> Callable[[], None]:
        def call() -> None:
            service.execute([op])

        return call

    try:
        return in_threads(clients, each, work)
    finally:
        db.dispose()


def measure(kind: str, pg_base: str | None, mode: str, args: argparse.Namespace) -> list[Run]:
    runs = []
    each = args.requests // args.clients
    for _ in range(args.runs):
        with fresh_database(kind, pg_base) as url:
            token = prepare(url)
            if mode == "library row-lock loop":
                runs.append(library_run(url, args.clients, each))
                continue
            extra = ["--max-batch", "1"] if mode.endswith("--max-batch 1") else []
            process, port = start_server(url, extra)
            try:
                http_run(port, token, args.clients, 5)  # warm up connections and caches
                runs.append(http_run(port, token, args.clients, each, keys=args.keys))
            finally:
                process.terminate()
                process.wait(timeout=30)
    return runs


def summarise(runs: list[Run]) -> tuple[float, float, float]:
    """Median over runs of (allocations/s, p50 ms, p99 ms)."""
    rates, p50s, p99s = [], [], []
    for wall, latencies in runs:
        ordered = sorted(latencies)
        rates.append(len(ordered) / wall)
        p50s.append(1000 * ordered[len(ordered) // 2])
        p99s.append(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))])
    return statistics.median(rates), statistics.median(p50s), statistics.median(p99s)


def import_run(url: str, lines: int) -> None:
    """Import ``lines`` /29s into one pool while one client allocates in another."""
    token = prepare(url)
    db = Database(url)
    create_pool(db, PoolSpec("other", ["172.16.0.0/12"]), actor="bench")
    db.dispose()
    content = "".join(f"10.{(i >> 13) & 255}.{(i >> 5) & 255}.{(i & 31) * 8}/29\n"
                      for i in range(lines))
    body = json.dumps({"content": content, "filename": "big.txt", "format": "inventory"})
    process, port = start_server(url, [])
    waits: list[float] = []
    done = threading.Event()

    def elsewhere() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while not done.is_set():
            started = time.monotonic()
            conn.request("POST", "/api/v1/pools/other/allocations",
                         body=json.dumps({"prefix_length": 28}),
                         headers={"Authorization": f"Bearer {token}",
                                  "Content-Type": "application/json"})
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 201, answer.status
            waits.append(time.monotonic() - started)

    try:
        other = threading.Thread(target=elsewhere)
        other.start()
        time.sleep(0.5)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        started = time.monotonic()
        conn.request("POST", "/api/v1/pools/bench/import", body=body,
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json"})
        answer = conn.getresponse()
        answer.read()
        seconds = time.monotonic() - started
        done.set()
        other.join()
    finally:
        process.terminate()
        process.wait(timeout=30)
    waits.sort()
    print(f"import of {lines} lines: {answer.status} in {seconds:.1f} s; "
          f"{len(waits)} allocations in another pool meanwhile: "
          f"p50 {waits[len(waits) // 2] * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms",
          flush=True)


def body_limit_run(url: str) -> None:
    """Send a 200 MB body without a token; time the 413 and the server's memory growth."""
    process, port = start_server(url, [])

    def rss_mib() -> float:
        status = Path(f"/proc/{process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    try:
        before = rss_mib()
        size = 200 * 1024 * 1024
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /api/v1/pools/bench/import HTTP/1.1\r\nHost: x\r\n"
                         b"Content-Type: application/json\r\nContent-Length: "
                         + str(size).encode() + b"\r\n\r\n")
            sock.setblocking(False)
            answer = b""
            chunk = b"a" * 65536
            while b"\r\n\r\n" not in answer and time.monotonic() - started < 60:
                with suppress(BlockingIOError):
                    answer += sock.recv(65536)
                try:
                    sock.send(chunk)
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    time.sleep(0.001)
        seconds = time.monotonic() - started
        status = answer.split(b"\r\n")[0].decode()
        print(f"200 MB body without a token: {status} in "
              f"{seconds * 1000:.0f} ms; server memory {before:.0f} -> {rss_mib():.0f} MiB",
              flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keys", action="store_true",
                        help="send a fresh idempotency key with every HTTP allocation")
    parser.add_argument("--import-lines", type=int, metavar="N",
                        help="measure an import of N lines instead")
    parser.add_argument("--body-limit", action="store_true",
                        help="measure the refusal of a 200 MB body without a token instead")
    args = parser.parse_args()
    pg_base = os.environ.get("CIDRKIT_BENCH_PG_URL") or os.environ.get("CIDRKIT_TEST_PG_URL")
    kinds = ["sqlite"] + (["postgresql"] if pg_base else [])
    if args.only:
        kinds = [args.only]
    if "postgresql" not in kinds:
        print("postgresql: skipped (set CIDRKIT_BENCH_PG_URL)", file=sys.stderr)
    if args.import_lines or args.body_limit:
        print(f"{os.cpu_count()} CPUs; {load_average()}")
        for kind in kinds:
            print(f"{kind}:", flush=True)
            with fresh_database(kind, pg_base) as url:
                if args.import_lines:
                    import_run(url, args.import_lines)
                else:
                    prepare(url)
                    body_limit_run(url)
        print(f"after: {load_average()}")
        return 0
    modes = ["serve", "serve --max-batch 1", "library row-lock loop"]
    print(f"{args.clients} clients, {args.requests} allocations of /28 per run, "
          f"median of {args.runs} runs; {os.cpu_count()} CPUs; {load_average()}")
    print(f"{'database':<11} {'mode':<24} {'alloc/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'vs loop':>8}")
    for kind in kinds:
        results = {mode: summarise(measure(kind, pg_base, mode, args)) for mode in modes}
        baseline = results["library row-lock loop"][0]
        for mode in modes:
            rate, p50, p99 = results[mode]
            print(f"{kind:<11} {mode:<24} {rate:8.0f} {p50:7.1f} {p99:7.1f} "
                  f"{rate / baseline:7.2f}x", flush=True)
    print(f"after: {load_average()}")
    return 0


def load_average() -> str:
    """The machine's load: other work on it changes every figure here."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


if __name__ == "__main__":
    sys.exit(main())
