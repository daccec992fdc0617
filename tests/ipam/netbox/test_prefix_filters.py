"""The prefix list's filters, order and pages, computed by the database, against a reference.

The reference is the plain in-memory computation the list used before the
database did the work: every pool's prefixes and live allocations as NetBox
objects, each filter a Python predicate, sorted by VRF then prefix, sliced.
Hypothesis draws filters (and, on SQLite, the pools and allocations too);
the route must answer the same ids, in the same order, with the same count
and page links, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.core import Prefix
from cidrkit.ipam.api import create_app
from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.database import Database
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.model import AllocationRequest, PoolRules, Token
from cidrkit.ipam.netbox.objects import objects_of
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.spaces import create_space
from cidrkit.ipam.tokens import create_token

OUTERS = ["10.0.0.0/8", "10.0.0.0/16", "10.0.64.0/18", "10.0.0.0/24", "0.0.0.0/0", "::/0",
          "2001:db8::/32", "2001:db8::/48", "192.0.2.0/24", "192.0.2.0/25"]
WORDS = ["10.0", "core", "CORE", "Web", "web", "ß", "ss", "2001", ":", "/24", "0/2", "é",
         "%", "_", "db"]


def build(db: Database, lengths: list[tuple[str, int, str, bool]]) -> None:
    """Pools in three spaces (one of them nested), and allocations of the given lengths:
    (pool, length, description, release it)."""
    create_space(db, "aws", actor="t")
    create_space(db, "dc", actor="t")
    create_pool(db, PoolSpec("a", ["10.0.0.0/16"], description="Core Net"), actor="t")
    create_pool(db, PoolSpec("b", ["10.0.0.0/16"], space="aws", description="Straße"),
                actor="t")
    create_pool(db, PoolSpec("c", ["2001:db8::/48"], space="dc"), actor="t")
    create_pool(db, PoolSpec("m", ["198.51.100.0/24", "192.0.2.0/24"],
                             rules=PoolRules(max_length=32)), actor="t")
    create_pool(db, PoolSpec("kid", ["10.0.64.0/18"], parent="a", description="WEB tier"),
                actor="t")
    service = AllocationService(db)
    for pool, length, description, release in lengths:
        try:
            made = service.allocate(pool, [AllocationRequest(
                length=length, description=description,
                state="reserved" if "r" in description else "allocated")], actor="t")
        except Exception:  # a full pool or a length outside its rules: nothing made
            continue
        if release:
            service.release(made.allocations[0].id, actor="t")


FIXED = [(pool, length, description, release)
         for (pool, length), description, release in zip(
             itertools.product(["a", "b", "c", "m", "kid"], [24, 26, 30, 64, 28]),
             itertools.cycle(["web", "DB ß", "", "Core", "reserved one", "x"]),
             itertools.cycle([False, False, True]), strict=False)]


def reference(ipam: IpamApp, token: Token, params: dict[str, Any]) -> tuple[int, list[int]]:
    """The count and the page's ids, computed in memory from every object."""
    spaces = {s.name: s.id for s in ipam.spaces(token)}
    vrf_id = {("null" if name == "global" else str(i)): name for name, i in spaces.items()}
    ids = {int(v) for v in params.get("id", [])}
    exact = {Prefix.parse(v) for v in params.get("prefix", [])}
    lengths = {int(v) for v in params.get("mask_length", [])}
    families = set(params.get("family", []))
    statuses = set(params.get("status", []))
    in_spaces = {vrf_id[v] for v in params.get("vrf_id", [])}
    within = Prefix.parse(params["within"]) if "within" in params else None
    within_include = (Prefix.parse(params["within_include"]) if "within_include" in params
                      else None)
    text = params.get("q", "").casefold()
    found = [o for o in objects_of(ipam.pool_contents(token))
             if (not ids or o.id in ids) and (not exact or o.prefix in exact)
             and (not in_spaces or o.pool.space in in_spaces)
             and (not lengths or o.prefix.length in lengths)
             and (not families or str(o.prefix.version) in families)
             and (not statuses or o.status in statuses)
             and (within is None or (within.contains(o.prefix) and within != o.prefix))
             and (within_include is None or within_include.contains(o.prefix))
             and (not text or text in str(o.prefix) or text in o.description.casefold())]
    found.sort(key=lambda o: 0 if o.pool.space == "global" else spaces[o.pool.space])
    limit = int(params.get("limit", 50)) or 1000
    offset = int(params.get("offset", 0))
    return len(found), [o.id for o in found[offset:offset + limit]]


@st.composite
def filters(draw: st.DrawFn, known_ids: list[int], known: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if draw(st.booleans()):
        params["id"] = draw(st.lists(st.sampled_from(known_ids) | st.integers(1, 5000),
                                     min_size=1, max_size=3))
    if draw(st.integers(0, 3)) == 0:
        params["prefix"] = draw(st.lists(st.sampled_from(known + OUTERS), min_size=1, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        params["vrf_id"] = draw(st.lists(st.sampled_from(["null", "2", "3"]),
                                         min_size=1, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        params["mask_length"] = draw(st.lists(st.sampled_from([16, 18, 24, 26, 28, 30, 48, 64]),
                                              min_size=1, max_size=2))
    if draw(st.integers(0, 3)) == 0:
        params["family"] = draw(st.lists(st.sampled_from(["4", "6"]), min_size=1, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        params["status"] = draw(st.lists(st.sampled_from(["container", "active", "reserved"]),
                                         min_size=1, max_size=2))
    for name in ("within", "within_include"):
        if draw(st.integers(0, 3)) == 0:
            params[name] = draw(st.sampled_from(OUTERS + known))
    if draw(st.integers(0, 2)) == 0:
        params["q"] = draw(st.sampled_from(WORDS))
    params["limit"] = draw(st.sampled_from([0, 1, 3, 7, 50]))
    params["offset"] = draw(st.sampled_from([0, 1, 2, 5, 40]))
    return params


def compare(http: TestClient, ipam: IpamApp, token: Token, secret: str,
            params: dict[str, Any]) -> None:
    answer = http.get("/api/ipam/prefixes/", params=params,
                      headers={"Authorization": f"Token {secret}"})
    assert answer.status_code == 200, (params, answer.text)
    body = answer.json()
    count, ids = reference(ipam, token, params)
    assert (body["count"], [r["id"] for r in body["results"]]) == (count, ids), params
    limit = int(params["limit"]) or 1000
    assert (body["next"] is not None) == (params["offset"] + limit < count), params
    assert (body["previous"] is not None) == (params["offset"] > 0), params


def _client(db: Database, pool: str | None = None) -> tuple[TestClient, IpamApp, Token, str]:
    _row, secret = create_token(db, name="r", pool=pool, scope="read")
    app = create_app(db, batching=False, limiter=AttemptLimiter(limit=10**9))
    ipam: IpamApp = app.state.ipam
    return TestClient(app), ipam, ipam.verifier.verify(secret), secret


@pytest.fixture
def fixed(database: Database) -> Iterator[tuple[TestClient, IpamApp, Token, str, list[str]]]:
    build(database, FIXED)
    http, ipam, token, secret = _client(database)
    listed = http.get("/api/ipam/prefixes/?limit=0",
                      headers={"Authorization": f"Token {secret}"}).json()["results"]
    with http:
        yield http, ipam, token, secret, [p["prefix"] for p in listed]


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_database_filters_like_the_reference(
        fixed: tuple[TestClient, IpamApp, Token, str, list[str]], data: st.DataObject) -> None:
    http, ipam, token, secret, known = fixed
    ids = [o.id for o in objects_of(ipam.pool_contents(token))]
    compare(http, ipam, token, secret, data.draw(filters(ids, known)))


_counter = itertools.count()
_allocation = st.tuples(st.sampled_from(["a", "b", "c", "m", "kid"]),
                        st.sampled_from([17, 20, 24, 25, 30, 32, 56, 64, 120]),
                        st.sampled_from(["", "web", "Core", "ß", "r"]), st.booleans())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(made=st.lists(_allocation, max_size=25), data=st.data(), bound=st.booleans())
def test_random_pools_filter_like_the_reference(
        tmp_path_factory: pytest.TempPathFactory, made: list[tuple[str, int, str, bool]],
        data: st.DataObject, bound: bool) -> None:
    path: Path = tmp_path_factory.getbasetemp() / f"filters-{next(_counter)}.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    try:
        build(db, made)
        http, ipam, token, secret = _client(db, "a" if bound else None)
        with http:
            objects = objects_of(ipam.pool_contents(token))
            known = [str(o.prefix) for o in objects] or ["10.0.0.0/24"]
            for _ in range(8):
                compare(http, ipam, token, secret,
                        data.draw(filters([o.id for o in objects] or [1], known)))
    finally:
        db.dispose()
