"""Limits that protect everyone from one client: request body sizes (on a real
server, over a raw socket) and failed logins (429 with Retry-After)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import TooManyAttempts
from cidrkit.ipam.limits import MAX_ANONYMOUS_BODY, MAX_BODY, AttemptLimiter
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token
from tests.ipam.conftest import Server, start_server

BIG = 200 * 1024 * 1024


@pytest.fixture
def server(sqlite_db: Database, tmp_path: Path) -> Iterator[Server]:
    create_pool(sqlite_db, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    running = start_server(sqlite_db.url, tmp_path / "server.log")
    yield running
    running.stop()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _complete(answer: bytes) -> bool:
    """Whether ``answer`` holds a whole HTTP response: its head and all of its body."""
    head, sep, body = answer.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return True


def _push(server: Server, head: bytes, chunk: bytes, total: int) -> tuple[bytes, int]:
    """Send ``head`` then up to ``total`` bytes of ``chunk``s until the server has answered
    in full; the answer and how many body bytes had been sent by then."""
    port = int(server.url.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        sent = 0
        answer = b""
        # A bound on the loop only, so a server that never answers fails the test
        # instead of hanging it; nothing below asserts a time.
        while time.monotonic() - started < 60:
            try:
                received = sock.recv(65536)
                answer += received
                if _complete(answer) or not received:
                    break
            except BlockingIOError:
                pass
            if sent < total:
                try:
                    sent += sock.send(chunk)
                except (BlockingIOError, BrokenPipeError, ConnectionResetError):
                    time.sleep(0.001)
            else:
                time.sleep(0.005)
    return answer, sent


def test_a_200_mb_anonymous_body_is_refused_at_once(server: Server) -> None:
    pid = server.process.pid
    before = _rss_kib(pid)
    head = (b"POST /api/v1/pools/prod/import HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: " + str(BIG).encode() +
            b"\r\n\r\n")
    answer, sent = _push(server, head, b"a" * 65536, BIG)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer, answer[-300:]
    # Refused on the declared length: the server answered long before the body was sent.
    assert sent < BIG // 4, sent
    # Streamed without a declared length (chunked): cut off past the anonymous limit.
    chunk = b"10000\r\n" + b"b" * 65536 + b"\r\n"
    head = (b"POST /api/v1/pools/prod/import HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    answer, sent = _push(server, head, chunk, BIG)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # Cut off while streaming: far less than the whole body was taken.
    assert sent < BIG // 4, sent
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    assert _rss_kib(pid) - before < 50 * 1024


def test_a_token_holder_may_send_big_bodies_up_to_the_limit(sqlite_db: Database) -> None:
    create_pool(sqlite_db, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    token = create_token(sqlite_db, name="w", pool=None, scope="write")[1]
    with TestClient(create_app(sqlite_db, batching=False)) as client:
        headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
        text = "10.0.1.0/24\n" + "# padding\n" * ((MAX_ANONYMOUS_BODY * 4) // 10)
        body = json.dumps({"content": text, "format": "inventory"}).encode()
        assert len(body) > MAX_ANONYMOUS_BODY
        ok = client.post("/api/v1/pools/prod/import", headers=headers, content=body)
        assert ok.status_code == 200, ok.text[:200]
        anonymous = client.post("/api/v1/pools/prod/import",
                                headers={"content-type": "application/json"}, content=body)
        assert anonymous.status_code == 413
        assert anonymous.json()["error"] == {
            "code": "too_large", "field": "body",
            "message": f"body: larger than the limit of {MAX_ANONYMOUS_BODY} bytes"}
        declared = client.post("/api/v1/pools/prod/import",
                               headers={**headers, "content-length": str(MAX_BODY + 1)},
                               content=b"x")
        assert declared.status_code == 413


def test_failed_logins_are_limited_per_client_with_retry_after(sqlite_db: Database) -> None:
    create_pool(sqlite_db, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    token = create_token(sqlite_db, name="w", pool=None, scope="write")[1]
    with TestClient(create_app(sqlite_db, batching=False,
                               limiter=AttemptLimiter(limit=5, window=60))) as client:
        statuses = [client.get("/api/v1/pools", headers={"authorization": f"Bearer ckt_{i}_x"})
                    for i in range(1, 9)]
        assert [s.status_code for s in statuses] == [401] * 5 + [429] * 3
        refused = statuses[-1]
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert refused.json()["error"]["code"] == "rate_limited"
        # The same client is held back even with a valid token, on every way in.
        assert client.get("/api/v1/pools",
                          headers={"authorization": f"Bearer {token}"}).status_code == 429
        fast = client.post("/api/v1/pools/prod/allocations", json={"prefix_length": 24},
                           headers={"authorization": f"Bearer {token}"})
        assert fast.status_code == 429 and "retry-after" in fast.headers
        page = client.get("/")
        csrf = page.text.split('name="csrf" value="')[1][:64]
        login = client.post("/login", data={"token": token, "csrf": csrf})
        assert login.status_code == 429 and "retry-after" in login.headers


def test_guessing_one_token_id_is_limited_whatever_the_client() -> None:
    now = [0.0]
    limiter = AttemptLimiter(limit=3, window=10, clock=lambda: now[0])
    for client in ("a", "b", "c"):
        limiter.check(f"client:{client}", "token:7")
        limiter.failed(f"client:{client}", "token:7")
    with pytest.raises(TooManyAttempts) as refused:
        limiter.check("client:d", "token:7")
    assert refused.value.retry_after == 10
    limiter.check("client:d", "token:8")  # other ids are unaffected
    now[0] = 10.5
    limiter.check("client:d", "token:7")  # the window has passed
