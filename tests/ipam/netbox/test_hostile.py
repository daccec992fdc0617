"""Hostile requests against every NetBox route, on both databases: bad ids, bad
filters, bad bodies, bad tokens. Never a 5xx; a 400 is NetBox's ``{field:
[message]}`` naming the field at fault; other refusals carry ``detail``. Then
Hypothesis checks bodies and filters against a plain oracle of what is valid.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.netbox.addresses import ADDRESS_FILTERS
from cidrkit.ipam.netbox.prefixes import PREFIX_FILTERS
from cidrkit.ipam.netbox.ranges import RANGE_FILTERS
from cidrkit.ipam.netbox.vrfs import VRF_FILTERS
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token

# Prefix ids: 2049 is pool 1's prefix; allocation ids are even.
POOL_PREFIX = "/api/ipam/prefixes/2049/"
BAD_IDS = ["abc", "0", "-1", "2147483648", "99999999999999999999", "٣", "1e3", "1.0", "%20",
           "3", "4101", "6145"]
BAD_QUERIES: list[tuple[str, str]] = [
    ("site=1", "site"), ("prefix=10.0.0.5/8", "prefix"), ("prefix=nonsense", "prefix"),
    ("mask_length=x", "mask_length"), ("mask_length=²", "mask_length"),
    ("limit=-1", "limit"), ("limit=abc", "limit"), ("offset=-5", "offset"),
    ("limit=99999999999999999999", "limit"), ("vrf_id=abc", "vrf_id"),
    ("vrf_id=77", "vrf_id"), ("brief=maybe", "brief"), ("exclude=tags", "exclude"),
    ("within=10.0.0.0/8&within=10.0.0.0/9", "within"), ("family=5", "family"),
    ("status=deprecated", "status"), ("format=api", "format"), ("ordering=prefix", "ordering"),
    ("=1", "query"), ("id=1.5", "id"),
]
ROUTE_FILTERS = {"prefixes": PREFIX_FILTERS, "ip-addresses": ADDRESS_FILTERS,
                 "ip-ranges": RANGE_FILTERS, "vrfs": VRF_FILTERS}
GOOD_ITEM: dict[str, Any] = {"prefix_length": 24}
BAD_ITEMS: list[tuple[Any, str]] = [
    ({"prefix_length": "24"}, "prefix_length"), ({"prefix_length": True}, "prefix_length"),
    ({"prefix_length": 10**400}, "prefix_length"), ({"prefix_length": -1}, "prefix_length"),
    ({"prefix_length": 129}, "prefix_length"), ({"prefix_length": 24.5}, "prefix_length"),
    ({"prefix_length": 24, "tenant": 1}, "tenant"), ({"prefix_length": 24, "is_pool": True},
                                                    "is_pool"),
    ({"prefix_length": 24, "status": "container"}, "status"),
    ({"prefix_length": 24, "status": 7}, "status"),
    ({"prefix_length": 24, "tags": [1]}, "tags[0]"),
    ({"prefix_length": 24, "tags": [{"name": ""}]}, "tags[0]"),
    ({"prefix_length": 24, "tags": "env"}, "tags"),
    ({"prefix_length": 24, "description": "x\x00"}, "description"),
    ({"prefix_length": 24, "description": "d" * 1001}, "description"),
    ({"prefix_length": 24, "description": "\ud800"}, "description"),
    ({"prefix_length": 24, "vrf": 3}, "vrf"), ({"prefix_length": 24, "vrf": "blue"}, "vrf"),
    ({"prefix_length": 24, "parent": "10.9.0.0/16"}, "parent"),
    ({"prefix_length": 24, "prefix": "10.0.0.0/24"}, "prefix"),
    ({"prefix_length": 24, "colour": "red"}, "colour"), ({"prefix_length": 24, "id": 5}, "id"),
    ({"prefix_length": 24, "custom_fields": {"a": 1}}, "custom_fields"),
    ("24", "body"), (7, "body"), (None, "body"), ([], "body"), ([7], "[0]"),
    ([GOOD_ITEM, {"prefix_length": "x"}], "[1].prefix_length"), ([GOOD_ITEM] * 257, "body"),
]
BAD_EDITS: list[tuple[Any, str]] = [
    ({"prefix": "10.1.0.0/16"}, "prefix"), ({"prefix": "10.0.0.0/33"}, "prefix"),
    ({"status": "active"}, "status"), ({"vrf": 2}, "vrf"), ({"tags": [{"name": "x"}]}, "tags"),
    ({"comments": "hi"}, "comments"), ({"mark_utilized": True}, "mark_utilized"),
    ({"url": "http://x"}, "url"), ({"scope_type": "dcim.site"}, "scope_type"),
    ([{"description": "x"}], "body"), ({"description": 5}, "description"),
]


def _answer_names(answer: Any, field: str, where: str) -> None:
    assert answer.status_code < 500, f"{where}: {answer.status_code} {answer.text[:300]}"
    assert 400 <= answer.status_code < 500, f"{where}: {answer.status_code} {answer.text[:300]}"
    body = answer.json()
    if answer.status_code == 400:
        assert list(body) == [field], f"{where}: {body}"
        assert isinstance(body[field], list) and body[field][0], f"{where}: {body}"
        assert "Traceback" not in body[field][0]
    else:
        assert body["detail"], f"{where}: {body}"


@pytest.fixture
def netbox(database: Database) -> Iterator[tuple[TestClient, str]]:
    create_pool(database, PoolSpec("prod", ["10.0.0.0/16"]), actor="t")
    create_pool(database, PoolSpec("two", ["10.1.0.0/24", "10.2.0.0/24"]), actor="t")
    token = create_token(database, name="admin", pool=None, scope="admin")[1]
    app = create_app(database, batching=False, limiter=AttemptLimiter(limit=10**9))
    yield TestClient(app), token


def test_hostile_ids_filters_bodies_and_tokens(netbox: tuple[TestClient, str]) -> None:
    client, token = netbox
    auth = {"Authorization": f"Token {token}"}
    for bad in BAD_IDS:
        for path in (f"/api/ipam/prefixes/{bad}/", f"/api/ipam/ip-addresses/{bad}/",
                     f"/api/ipam/ip-ranges/{bad}/", f"/api/ipam/vrfs/{bad}/",
                     f"/api/ipam/prefixes/{bad}/available-prefixes/"):
            answer = client.get(path, headers=auth)
            _answer_names(answer, "id", path)
            assert answer.status_code == 404, path
    for query, field in BAD_QUERIES:
        for route, filters in ROUTE_FILTERS.items():
            path = f"/api/ipam/{route}/?{query}"
            answer = client.get(path, headers=auth)
            if field in filters and route != "prefixes" and answer.status_code == 200:
                # A value that is bad for prefixes may be a good one here (status=deprecated
                # is not a prefix status, mask_length is the address's): only prefixes judge.
                continue
            _answer_names(answer, field, path)
    post = f"{POOL_PREFIX}available-prefixes/"
    for item, field in BAD_ITEMS:
        answer = client.post(post, headers=auth, content=json.dumps(item))
        _answer_names(answer, field, f"POST {str(item)[:80]}")
    for raw in (b"{", b"\xff\xfe", b'{"prefix_length": 24,}', b"[" * 100_000):
        answer = client.post(post, headers=auth, content=raw)
        _answer_names(answer, "body", f"POST {raw[:20]!r}")
    multi = client.post("/api/ipam/prefixes/4097/available-prefixes/", headers=auth,
                        json=GOOD_ITEM)
    _answer_names(multi, "id", "a prefix of a two-prefix pool")
    for edit, field in BAD_EDITS:
        answer = client.patch(POOL_PREFIX, headers=auth, content=json.dumps(edit))
        _answer_names(answer, field, f"PATCH {edit}")
    answer = client.put(POOL_PREFIX, headers=auth, json={"description": "x"})
    _answer_names(answer, "prefix", "PUT without prefix")
    for header in ({}, {"Authorization": "Token"}, {"Authorization": "Token ckt_1_x"},
                   {"Authorization": "Basic abc"}, {"Authorization": f"Tokens {token}"}):
        answer = client.get("/api/ipam/prefixes/", headers=header)
        _answer_names(answer, "authorization", str(header))
        assert answer.status_code == 401
    # Nothing above was written.
    listed = client.get("/api/ipam/prefixes/?status=active", headers=auth).json()
    assert listed["count"] == 0
    assert client.get(POOL_PREFIX, headers=auth).json()["description"] == ""


# -- Hypothesis: bodies and filters against a plain oracle --------------------

_APPS: dict[str, tuple[TestClient, str]] = {}
KNOWN_ITEM_FIELDS = ["prefix_length", "description", "status", "tags", "vrf", "tenant",
                     "is_pool", "comments", "custom_fields"]


def _shared(db: Database) -> tuple[TestClient, str]:
    if db.url not in _APPS:
        create_pool(db, PoolSpec("big", ["10.0.0.0/8"]), actor="t")
        token = create_token(db, name="admin", pool=None, scope="admin")[1]
        _APPS[db.url] = (TestClient(create_app(db, batching=False,
                                               limiter=AttemptLimiter(limit=10**9))), token)
    return _APPS[db.url]


def _item_problem(item: dict[str, Any]) -> str | None:
    """The first field a NetBox item is wrong in, by rules written out plainly."""
    for field, value in item.items():
        if field == "prefix_length":
            if type(value) is not int or not 8 <= value <= 32:
                return field
        elif field == "description":
            if (not isinstance(value, str) or len(value) > 1000 or "\x00" in value
                    or any(0xD800 <= ord(c) <= 0xDFFF for c in value)):
                return field
        elif field == "status":
            if value not in ("active", "reserved"):
                return field
        elif field == "tags":
            if value != []:
                return field if not isinstance(value, list) else f"{field}[0]"
        elif field in ("vrf", "tenant", "site"):
            if value is not None:
                return field
        elif field == "is_pool":
            if value not in (None, False):
                return field
        elif field == "comments":
            if value not in (None, ""):
                return field
        elif field == "custom_fields":
            if value not in (None, {}):
                return field
        else:
            return field
    return None if "prefix_length" in item else "prefix_length"


json_values = st.one_of(st.none(), st.booleans(), st.integers(-10, 140), st.text(max_size=8),
                        st.just([]), st.just({}), st.lists(st.integers(), max_size=2))
items = st.dictionaries(st.sampled_from([*KNOWN_ITEM_FIELDS, "x", "site", "prefix_len"]),
                        json_values, max_size=4)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(item=items, length=st.integers(24, 32))
def test_available_prefixes_bodies_match_the_oracle(sqlite_db: Database, item: dict[str, Any],
                                                    length: int) -> None:
    client, token = _shared(sqlite_db)
    if "prefix_length" in item and type(item["prefix_length"]) is int:
        item = {**item, "prefix_length": length}  # valid lengths never exhaust the /8
    answer = client.post("/api/ipam/prefixes/2049/available-prefixes/",
                         headers={"Authorization": f"Token {token}"}, json=item)
    problem = _item_problem(item)
    if problem is None:
        assert answer.status_code == 201, (item, answer.text)
        made = answer.json()
        assert made["prefix"].endswith(f"/{length}")
        again = client.get(f"/api/ipam/prefixes/{made['id']}/",
                           headers={"Authorization": f"Token {token}"}).json()
        assert again["prefix"] == made["prefix"]
    else:
        assert answer.status_code == 400, (item, answer.text)
        assert list(answer.json()) == [problem], (item, answer.json())


SINGLE = {"within", "within_include", "q", "brief", "limit", "offset"}
FILTER_NAMES = ["prefix", "within", "within_include", "mask_length", "family", "status", "q",
                "id", "vrf_id", "limit", "offset", "brief", "site", "tenant_id"]


def _value_ok(name: str, text: str) -> bool:
    if name in ("prefix", "within", "within_include"):
        try:
            ipaddress.ip_network(text, strict=True)
        except ValueError:
            return False
        return True
    if name in ("mask_length", "id"):
        return re.fullmatch(r"-?[0-9]{1,19}", text) is not None
    if name in ("limit", "offset"):
        return re.fullmatch(r"[0-9]{1,19}", text) is not None
    return {"family": text in ("4", "6"), "status": text in ("container", "active", "reserved"),
            "vrf_id": text == "null", "q": True,
            "brief": text in ("1", "0", "true", "false", "True", "False", "yes", "no")}.get(
                name, False)


def _query_problems(params: list[tuple[str, str]]) -> set[str]:
    """Every parameter that is wrong; the server names one of them."""
    names = [n for n, _ in params]
    problems = set()
    for name, text in params:
        unknown = name not in FILTER_NAMES or name in ("site", "tenant_id")
        if unknown or (name in SINGLE and names.count(name) > 1) or not _value_ok(name, text):
            problems.add(name)
    return problems


prefix_texts = st.one_of(
    st.ip_addresses(v=4).map(lambda a: f"{a}/32"),
    st.sampled_from(["10.0.0.0/8", "10.0.0.0/16", "2001:db8::/32", "10.0.0.1/8", "x", "",
                     "10.0.0.0/33", "10.0.0.0/8/8"]))
filter_values = st.one_of(prefix_texts, st.from_regex(r"-?[0-9]{1,3}", fullmatch=True),
                          st.sampled_from(["4", "6", "null", "active", "true", "maybe", ""]),
                          st.text(max_size=5))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.lists(st.tuples(st.sampled_from(FILTER_NAMES), filter_values), max_size=4))
def test_prefix_filters_match_the_oracle(sqlite_db: Database,
                                         params: list[tuple[str, str]]) -> None:
    client, token = _shared(sqlite_db)
    answer = client.get("/api/ipam/prefixes/", params=params,
                        headers={"Authorization": f"Token {token}"})
    problems = _query_problems(params)
    if not problems:
        assert answer.status_code == 200, (params, answer.text)
        assert isinstance(answer.json()["count"], int)
    else:
        assert answer.status_code == 400, (params, answer.text)
        [named] = answer.json()
        assert named in problems, (params, answer.json())
