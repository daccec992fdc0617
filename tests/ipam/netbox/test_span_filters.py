"""The IP address and IP range lists, computed by the database, against a reference.

The reference is the in-memory computation the lists used before: every
pool's live addresses (or ranges) with the length of the block they are
written with, each filter a Python predicate, sorted by VRF then address,
sliced. Hypothesis draws the filters; the routes must answer the same ids in
the same order, with the same count and the same lengths, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.core import Addr, Prefix
from cidrkit.ipam.addresses import AddressItem
from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.database import Database
from cidrkit.ipam.model import LIVE_STATES, Token
from cidrkit.ipam.netbox.addresses import block_of
from cidrkit.ipam.ranges import RangeSpec, create_range
from cidrkit.ipam.service import AllocationService
from tests.ipam.netbox.test_prefix_filters import FIXED, OUTERS, WORDS, _client, build

PARENTS = [*OUTERS, "10.0.0.0/25", "10.0.64.0/24", "2001:db8::/64"]


def populate(db: Database) -> None:
    """The prefix test's pools and allocations, plus ranges and addresses in them."""
    build(db, FIXED)
    service = AllocationService(db)
    for pool in ("a", "b", "c", "m", "kid"):
        for count, dns in ((1, "a.example.com"), (3, ""), (2, "b.example.com")):
            service.allocate_addresses(pool, [AddressItem(dns_name=dns,
                                                          description="Web ß")] * count,
                                       actor="t")
        for allocation_id in range(1, 30, 4):
            try:
                service.allocate_addresses(pool, [AddressItem(state="reserved")] * 2,
                                           actor="t", allocation_id=allocation_id)
            except Exception:  # not this pool's, released, or a child pool's space
                continue
    for pool, start, end, kind in (("a", "10.0.200.10", "10.0.200.20", "dhcp"),
                                   ("a", "10.0.0.100", "10.0.0.110", "reserved"),
                                   ("b", "10.0.0.20", "10.0.0.29", "populated"),
                                   ("c", "2001:db8::100", "2001:db8::1ff", "dhcp"),
                                   ("m", "192.0.2.200", "192.0.2.210", "reserved"),
                                   ("kid", "10.0.127.1", "10.0.127.9", "dhcp")):
        try:
            create_range(db, pool, RangeSpec(start=start, end=end, kind=kind,  # type: ignore[arg-type]
                                             description="Core dhcp"), actor="t")
        except Exception:  # lies across an allocation's edge in this data: skipped
            continue


def _vrf_ids(ipam: IpamApp, token: Token) -> tuple[dict[str, int], dict[str, str]]:
    spaces = {s.name: s.id for s in ipam.spaces(token)}
    return spaces, {("null" if n == "global" else str(i)): n for n, i in spaces.items()}


def _page(found: list[Any], params: dict[str, Any], spaces: dict[str, int],
          ) -> tuple[int, list[tuple[int, int]]]:
    found.sort(key=lambda o: 0 if o[2] == "global" else spaces[o[2]])
    limit = int(params.get("limit", 50)) or 1000
    offset = int(params.get("offset", 0))
    return len(found), [(o[0].id, o[1]) for o in found[offset:offset + limit]]


def address_reference(ipam: IpamApp, token: Token,
                      params: dict[str, Any]) -> tuple[int, list[tuple[int, int]]]:
    spaces, vrf_id = _vrf_ids(ipam, token)
    objects = []
    for contents in ipam.pool_contents(token):
        blocks = {a.id: a.prefix for a in contents.allocations}
        records, _ = ipam.addresses(token, contents.pool.name, states=LIVE_STATES,
                                    limit=2**31 - 1)
        for record in records:
            block = blocks.get(record.allocation_id) if record.allocation_id else None
            objects.append((record, block_of(record, contents.pool, block).length,
                            contents.pool.space))
    objects.sort(key=lambda o: (o[0].address, o[0].id))
    ids = {int(v) for v in params.get("id", [])}
    exact = {Addr.parse(v.partition("/")[0]) for v in params.get("address", [])}
    parents = [Prefix.parse(v) for v in params.get("parent", [])]
    lengths = {int(v) for v in params.get("mask_length", [])}
    families = set(params.get("family", []))
    statuses = set(params.get("status", []))
    in_spaces = {vrf_id[v] for v in params.get("vrf_id", [])}
    names = set(params.get("dns_name", []))
    text = params.get("q", "").casefold()
    found = [
        o for o in objects
        if (not ids or o[0].id in ids) and (not exact or o[0].address in exact)
        and (not in_spaces or o[2] in in_spaces)
        and (not parents or any(p.contains(o[0].address) for p in parents))
        and (not lengths or o[1] in lengths)
        and (not families or str(o[0].address.version) in families)
        and (not statuses or ("reserved" if o[0].state == "reserved" else "active") in statuses)
        and (not names or o[0].dns_name in names)
        and (not text or text in f"{o[0].address}/{o[1]}"
             or text in o[0].description.casefold())]
    return _page(found, params, spaces)


def range_reference(ipam: IpamApp, token: Token,
                    params: dict[str, Any]) -> tuple[int, list[tuple[int, int]]]:
    spaces, vrf_id = _vrf_ids(ipam, token)
    objects = []
    for contents in ipam.pool_contents(token):
        holders = {a.id: a.prefix for a in contents.allocations}
        prefixes = contents.pool.prefixes
        for record in ipam.ranges(token, contents.pool.name):
            if record.allocation_id is not None and record.allocation_id in holders:
                length = holders[record.allocation_id].length
            else:
                length = next((p.length for p in prefixes if p.contains(record.span)),
                              prefixes[0].length)
            objects.append((record, length, contents.pool.space))
    objects.sort(key=lambda o: (o[0].span.first, o[0].id))
    ids = {int(v) for v in params.get("id", [])}
    parents = [Prefix.parse(v) for v in params.get("parent", [])]
    families = set(params.get("family", []))
    statuses = set(params.get("status", []))
    in_spaces = {vrf_id[v] for v in params.get("vrf_id", [])}
    text = params.get("q", "").casefold()
    found = [
        o for o in objects
        if (not ids or o[0].id in ids) and (not in_spaces or o[2] in in_spaces)
        and (not families or str(o[0].span.version) in families)
        and (not statuses or ("reserved" if o[0].kind == "reserved" else "active") in statuses)
        and (not parents or any(p.contains(o[0].span) for p in parents))
        and (not text or text in str(o[0].span) or text in o[0].description.casefold())]
    return _page(found, params, spaces)


@st.composite
def filters(draw: st.DrawFn, ranges: bool, known: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if draw(st.integers(0, 2)) == 0:
        params["id"] = draw(st.lists(st.integers(1, 60), min_size=1, max_size=3))
    if draw(st.integers(0, 2)) == 0:
        params["parent"] = draw(st.lists(st.sampled_from(PARENTS), min_size=1, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        params["vrf_id"] = draw(st.lists(st.sampled_from(["null", "2", "3"]), min_size=1,
                                         max_size=2))
    if draw(st.integers(0, 3)) == 0:
        params["family"] = draw(st.lists(st.sampled_from(["4", "6"]), min_size=1, max_size=2))
    if draw(st.integers(0, 2)) == 0:
        params["status"] = draw(st.lists(st.sampled_from(["active", "reserved"]), min_size=1,
                                         max_size=2))
    if draw(st.integers(0, 2)) == 0:
        params["q"] = draw(st.sampled_from([*WORDS, "dhcp", "-", ".2"]))
    if not ranges:
        if draw(st.integers(0, 2)) == 0:
            params["address"] = draw(st.lists(st.sampled_from(known), min_size=1, max_size=2))
        if draw(st.integers(0, 2)) == 0:
            params["mask_length"] = draw(st.lists(st.sampled_from([16, 18, 24, 26, 28, 48, 64]),
                                                  min_size=1, max_size=2))
        if draw(st.integers(0, 3)) == 0:
            params["dns_name"] = draw(st.lists(st.sampled_from(
                ["a.example.com", "b.example.com", "", "nope"]), min_size=1, max_size=2))
    params["limit"] = draw(st.sampled_from([0, 1, 3, 7, 50]))
    params["offset"] = draw(st.sampled_from([0, 1, 2, 5, 40]))
    return params


@pytest.fixture
def populated(database: Database) -> Iterator[tuple[TestClient, IpamApp, Token, str, list[str]]]:
    populate(database)
    http, ipam, token, secret = _client(database)
    listed = http.get("/api/ipam/ip-addresses/?limit=0",
                      headers={"Authorization": f"Token {secret}"}).json()["results"]
    assert len(listed) > 30
    with http:
        yield http, ipam, token, secret, [a["address"] for a in listed] + ["10.0.0.1/24"]


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), ranges=st.booleans())
def test_address_and_range_lists_filter_like_the_reference(
        populated: tuple[TestClient, IpamApp, Token, str, list[str]], data: st.DataObject,
        ranges: bool) -> None:
    http, ipam, token, secret, known = populated
    params = data.draw(filters(ranges, known))
    route = "/api/ipam/ip-ranges/" if ranges else "/api/ipam/ip-addresses/"
    answer = http.get(route, params=params, headers={"Authorization": f"Token {secret}"})
    assert answer.status_code == 200, (params, answer.text)
    body = answer.json()
    if ranges:
        got = [(r["id"], int(r["start_address"].rpartition("/")[2])) for r in body["results"]]
        expected = range_reference(ipam, token, params)
    else:
        got = [(r["id"], int(r["address"].rpartition("/")[2])) for r in body["results"]]
        expected = address_reference(ipam, token, params)
    assert (body["count"], got) == expected, params
    limit = int(params["limit"]) or 1000
    assert (body["next"] is not None) == (params["offset"] + limit < expected[0]), params
