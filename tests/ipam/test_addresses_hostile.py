"""A hostile corpus against the range and address routes, on both databases.

Wrong types, huge numbers, non-ASCII digits, NUL and lone surrogates, text
ending in a newline, addresses in every lax spelling, ids out of range: the
server never answers 5xx, every 4xx names the field at fault, and nothing
refused is written.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token

ADDRESSES = "/api/v1/pools/lan/addresses"
RANGES = "/api/v1/pools/lan/ranges"
LAX_ADDRESSES = ["192.0.2.05", "192.0.2.5\n", " 192.0.2.5", "192.0.2.5/32", "192.0.2", "0xc0.0.2.5",
                 "192.0.2.٥", "192.0.2.²", "3221225989", "192.0.2.5\x00", "\ud800", "", "a" * 5000,
                 "::ffff:192.0.2.5", "192.0.2.256", "2001:db8::1%eth0", 5, None, [], True]


def _address_bodies() -> list[Any]:
    # (An explicit null address is the next free one: not hostile, left out.)
    bodies: list[Any] = [{"address": value} for value in LAX_ADDRESSES if value is not None]
    for value in (0, -1, 257, 10**400, "3", 2.5, "²", None, True):
        bodies.append({"count": value})
    for value in (0, -1, 2**63, "1", "٣", 1.5):
        bodies.append({"allocation_id": value})
    for field, value in (("dns_name", "a b"), ("dns_name", "x" * 300), ("dns_name", "a..b"),
                         ("dns_name", "host\n"), ("dns_name", "*.*"), ("description", "d\x00"),
                         ("description", "d" * 5000), ("owner", "\ud800"), ("owner", 5),
                         ("state", "released"), ("state", "dhcp"), ("idempotency_key", ""),
                         ("idempotency_key", "k" * 201), ("tags", {"": "v"}),
                         ("tags", {"k": None}), ("tags", ["a"]), ("colour", "blue")):
        bodies.append({field: value})
    bodies += [[], "text", 1, None, {"address": "192.0.2.9", "count": 2}]
    return bodies


def _range_bodies() -> list[Any]:
    good = {"start": "192.0.2.10", "end": "192.0.2.20"}
    bodies: list[Any] = [{**good, "start": value} for value in LAX_ADDRESSES]
    bodies += [{**good, "end": value} for value in LAX_ADDRESSES]
    for field, value in (("kind", "pool"), ("kind", None), ("kind", "DHCP"), ("kind", 1),
                         ("description", "x\x00"), ("description", "d" * 5000),
                         ("allocation_id", 0), ("allocation_id", "1"), ("allocation_id", 2**63),
                         ("allocation_id", 4242), ("size", 3)):
        bodies.append({**good, field: value})
    bodies += [{"start": "192.0.2.10"}, {"end": "192.0.2.10"}, {}, [], "x",
               {"start": "192.0.2.20", "end": "192.0.2.10"},
               {"start": "192.0.2.10", "end": "2001:db8::1"},
               {"start": "198.51.100.1", "end": "198.51.100.9"}]
    return bodies


def corpus() -> list[tuple[str, str, Any]]:
    """(method, path, body) triples: more than 150 of them."""
    probes: list[tuple[str, str, Any]] = [("POST", ADDRESSES, b) for b in _address_bodies()]
    probes += [("POST", RANGES, b) for b in _range_bodies()]
    for ident in ("0", "-1", "99999999999999999999", "2147483648", "1e3", "٣", "x",
                  "4611686018427387905"):
        probes += [("GET", f"/api/v1/addresses/{ident}", None),
                   ("PATCH", f"/api/v1/addresses/{ident}", {"description": "x"}),
                   ("POST", f"/api/v1/addresses/{ident}/release", None),
                   ("GET", f"/api/v1/ranges/{ident}", None),
                   ("PATCH", f"/api/v1/ranges/{ident}", {"kind": "dhcp"}),
                   ("DELETE", f"/api/v1/ranges/{ident}", None)]
    for query in ("limit=0", "limit=257", "allocation_id=0", "allocation_id=٣",
                  "allocation_id=99999999999999999999", "lmit=2", "limit=1&limit=2"):
        probes.append(("GET", f"{ADDRESSES}/available?{query}", None))
    for query in ("address=192.0.2.5%0A", "address=", "address=" + "a" * 200, "state=gone",
                  "offset=-1", "limit=99999", "allocation_id=-3"):
        probes.append(("GET", f"{ADDRESSES}?{query}", None))
    for name in ("lan%0A", "%00", "a" * 101, "..", "lan%20"):
        probes += [("POST", f"/api/v1/pools/{name}/addresses", {}),
                   ("POST", f"/api/v1/pools/{name}/ranges", {"start": "192.0.2.1",
                                                             "end": "192.0.2.2"})]
    probes += [("PATCH", "/api/v1/addresses/1", {"state": "released"}),
               ("PATCH", "/api/v1/addresses/1", {"address": "192.0.2.9"}),
               ("PATCH", "/api/v1/addresses/1", {"tags": "a=b"}),
               ("PATCH", "/api/v1/ranges/1", {"start": "192.0.2.1"}),
               ("PATCH", "/api/v1/ranges/1", {"kind": "pool"}),
               ("PATCH", "/api/v1/ranges/1", []),
               ("POST", "/api/v1/pools", {"name": "m", "prefixes": ["10.3.0.0/16"],
                                          "usable_model": "ibm"}),
               ("POST", "/api/v1/pools", {"name": "m", "prefixes": ["10.3.0.0/16"],
                                          "usable_model": None})]
    return probes


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    db = Database(db_url)
    db.upgrade()
    create_pool(db, PoolSpec("lan", ["192.0.2.0/24"]), actor="t")
    secret = create_token(db, name="admin", pool=None, scope="admin")[1]
    app = create_app(db, batching=False, limiter=AttemptLimiter(limit=10**9))
    with TestClient(app) as http:
        http.headers["Authorization"] = f"Bearer {secret}"
        # One address and one range, so that ids 1 exist for the PATCH probes.
        assert http.post(ADDRESSES, json={"address": "192.0.2.200"}).status_code == 201
        assert http.post(RANGES, json={"start": "192.0.2.240",
                                       "end": "192.0.2.250"}).status_code == 201
        yield http
    db.dispose()


def _send(http: TestClient, method: str, path: str, body: Any) -> Any:
    content = None if body is None else json.dumps(body).encode()
    return http.request(method, path, content=content,
                        headers={"content-type": "application/json"})


def _check(where: str, answer: Any) -> None:
    assert answer.status_code < 500, f"{where}: {answer.status_code} {answer.text[:200]}"
    if answer.status_code >= 400:
        error = answer.json()["error"]
        assert error.get("field"), f"{where}: no field in {error}"
        assert error.get("message"), f"{where}: no message in {error}"


def test_hostile_corpus_never_5xx_names_the_field_and_writes_nothing(client: TestClient) -> None:
    probes = corpus()
    assert len(probes) >= 150
    for method, path, body in probes:
        answer = _send(client, method, path, body)
        where = f"{method} {path[:60]} {str(body)[:60]}"
        _check(where, answer)
        if method in ("POST", "PATCH") and answer.status_code < 400:
            pytest.fail(f"{where}: accepted ({answer.status_code}) {answer.text[:200]}")
    held = client.get(ADDRESSES).json()
    assert [a["address"] for a in held["addresses"]] == ["192.0.2.200"]
    assert held["addresses"][0]["description"] == ""
    ranges = client.get(RANGES).json()
    assert [(r["start"], r["end"], r["kind"]) for r in ranges] == [
        ("192.0.2.240", "192.0.2.250", "dhcp")]


_LEAF = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
         | st.floats(allow_nan=False) | st.text(max_size=20)
         | st.sampled_from(["192.0.2.7", "192.0.2.7\n", "192.0.2.07", "\x00", "dhcp", "reserved",
                            "2001:db8::1", "x" * 300, "192.0.2.300"]))
_JSON = st.recursive(_LEAF, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
_ADDRESS_FIELDS = st.sampled_from(["address", "count", "allocation_id", "state", "description",
                                   "dns_name", "owner", "tags", "idempotency_key", "extra"])
_RANGE_FIELDS = st.sampled_from(["start", "end", "kind", "description", "allocation_id", "x"])


@settings(max_examples=int(os.environ.get("CIDRKIT_HOSTILE_EXAMPLES", "60")), deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
@given(address_body=st.dictionaries(_ADDRESS_FIELDS, _JSON, max_size=4) | _JSON,
       range_body=st.dictionaries(_RANGE_FIELDS, _JSON, max_size=4) | _JSON)
def test_generated_bodies_never_5xx(sqlite_db: Database, address_body: Any,
                                    range_body: Any) -> None:
    """Any JSON body on either create route: never a 5xx, and a 4xx names its field."""
    http = _shared(sqlite_db)
    for path, body in ((ADDRESSES, address_body), (RANGES, range_body)):
        _check(f"{path} {str(body)[:80]}", _send(http, "POST", path, body))


_CLIENTS: dict[str, TestClient] = {}


def _shared(db: Database) -> TestClient:
    """One app per database for all of Hypothesis's examples."""
    if db.url not in _CLIENTS:
        create_pool(db, PoolSpec("lan", ["192.0.2.0/24"]), actor="t")
        secret = create_token(db, name="admin", pool=None, scope="admin")[1]
        http = TestClient(create_app(db, batching=False, limiter=AttemptLimiter(limit=10**9)))
        http.headers["Authorization"] = f"Bearer {secret}"
        _CLIENTS[db.url] = http
    return _CLIENTS[db.url]
