"""``q`` matched by the database gives exactly what Python's matching gives, on both databases.

The oracle is the matching the lists did in Python before: ``q.casefold()``
inside the row's cidrkit text (a prefix; an address with the length of its
block; a range's ends) or inside ``description.casefold()``, applied to the
whole ordered list without ``q``, then sliced. Hypothesis draws the
descriptions of every pool, allocation, range and address (written through
the application's edit paths, so those are exercised too), ``q`` and the
page; descriptions and ``q`` lean on the characters where a database's own
case mapping would differ from ``str.casefold``: ß and ẞ, Turkish İ and ı,
final sigma, ligatures, the Kelvin sign, combining marks, LIKE's wildcards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.core import Prefix
from cidrkit.ipam import addresses as address_store
from cidrkit.ipam import ranges as range_store
from cidrkit.ipam.addresses import AddressChanges, AddressItem, update_address
from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.edits import edit_allocation, edit_pool
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.prefix_listing import PrefixFilter, prefix_page
from cidrkit.ipam.ranges import RangeChanges, RangeSpec, create_range, update_range
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.spaces import create_space
from cidrkit.ipam.span_listing import SpanFilter, address_page, range_page
from cidrkit.ipam.tokens import create_token

SPECIAL = ["ß", "ẞ", "S", "s", "İ", "I", "i", "ı", "\u0307", "e", "\u0301", "é", "Σ", "σ",
           "ς", "ﬁ", "ﬀ", "\u212a", "k", "K", "ǅ", "ᾈ", "%", "_", "\\", "0", "1", "2", ".",
           ":", "/", "-", " ", "a", "f"]
CHARS = st.one_of(st.sampled_from(SPECIAL),
                  st.characters(codec="utf-8", exclude_characters="\x00"))
DESCRIPTIONS = st.text(CHARS, max_size=8)
QUERIES = st.one_of(
    st.text(CHARS, min_size=1, max_size=3),
    st.sampled_from(["10.0", "10.0.1", "::", "::102:3", "::1.2.3", "/2", "/64", "/120",
                     "2001:db8", "-10", ".0-", "0/", "ss", "SS", "strasse", "İ", "i̇", "σ",
                     "ΣΑΣ", "fi", "k", "%", "_", "a%"]),
)


@dataclass
class World:
    """One database with rows of every listable kind, and their ids by kind."""

    db: Database
    pools: list[str]
    allocations: list[int]
    ranges: list[int]
    addresses: list[int]


def build(db: Database) -> World:
    service = AllocationService(db)
    create_space(db, "dc", actor="t")
    create_pool(db, PoolSpec("v4", ["10.0.0.0/16"]), actor="t")
    create_pool(db, PoolSpec("v6", ["::/96", "2001:db8::/48"], space="dc"), actor="t")
    create_pool(db, PoolSpec("kid", ["10.0.64.0/18"], parent="v4"), actor="t")
    allocations = [a.id for a in service.allocate(
        "v4", [AllocationRequest(length=n) for n in (24, 28, 30, 24)], actor="t").allocations]
    allocations += [a.id for a in service.allocate(
        "v6", [AllocationRequest(prefix=Prefix.parse(p))
               for p in ("::102:300/120", "2001:db8:0:1::/64")], actor="t").allocations]
    allocations += [a.id for a in service.allocate(
        "kid", [AllocationRequest(length=26)], actor="t").allocations]
    ranges = [create_range(db, pool, RangeSpec(start, end), actor="t").id
              for pool, start, end in (("v4", "10.0.200.1", "10.0.200.20"),
                                       ("v6", "::102:310", "::102:320"),
                                       ("v6", "2001:db8::a", "2001:db8::1a"))]
    addresses = [a.id for a in service.allocate_addresses(
        "v6", [AddressItem(), AddressItem(address="::102:304")], actor="t",
        allocation_id=allocations[4]).addresses]
    addresses += [a.id for a in service.allocate_addresses(
        "v4", [AddressItem(), AddressItem(address="10.0.250.9")], actor="t").addresses]
    addresses += [a.id for a in service.allocate_addresses(
        "kid", [AddressItem()], actor="t").addresses]
    return World(db, ["v4", "v6", "kid"], allocations, ranges, addresses)


@pytest.fixture
def world(database: Database) -> World:
    return build(database)


def describe(world: World, texts: list[str]) -> None:
    """Give every row a description, through the application's own edit paths."""
    it = iter(texts)
    for name in world.pools:
        edit_pool(world.db, name, description=next(it), actor="t")
    for allocation_id in world.allocations:
        edit_allocation(world.db, allocation_id, description=next(it), tags=None, actor="t")
    for range_id in world.ranges:
        update_range(world.db, range_id, RangeChanges(description=next(it)), actor="t")
    for address_id in world.addresses:
        update_address(world.db, address_id, AddressChanges(description=next(it)), actor="t")


ROWS = 3 + 7 + 3 + 5
EVERYTHING = 10_000


def python_q(world: World, text: str) -> tuple[list[int], list[int], list[int]]:
    """The ids each list shows for ``q`` (case-folded ``text``), matched in Python."""
    with world.db.read() as conn:
        prefixes = prefix_page(conn, PrefixFilter(), limit=EVERYTHING, offset=0).rows
        spans = address_page(conn, SpanFilter(), limit=EVERYTHING, offset=0).rows
        held = address_store.addresses_by_ids(conn, [r.id for r in spans])
        stretches = range_page(conn, SpanFilter(), limit=EVERYTHING, offset=0).rows
        ranges = range_store.ranges_by_ids(conn, [r.id for r in stretches])
    return (
        [r.id for r in prefixes
         if text in str(r.prefix) or text in r.description.casefold()],
        [r.id for r in spans if text in f"{held[r.id].address}/{r.length}"
         or text in held[r.id].description.casefold()],
        [r.id for r in stretches if text in str(ranges[r.id].span)
         or text in ranges[r.id].description.casefold()],
    )


def sql_q(world: World, text: str, limit: int, offset: int,
          ) -> tuple[tuple[int, list[int]], ...]:
    """(count, the page's ids) of each list for ``q``, matched by the database."""
    with world.db.read() as conn:
        prefixes = prefix_page(conn, PrefixFilter(text=text), limit=limit, offset=offset)
        spans = address_page(conn, SpanFilter(text=text), limit=limit, offset=offset)
        stretches = range_page(conn, SpanFilter(text=text), limit=limit, offset=offset)
    return ((prefixes.count, [r.id for r in prefixes.rows]),
            (spans.count, [r.id for r in spans.rows]),
            (stretches.count, [r.id for r in stretches.rows]))


def part_of(texts: list[str]) -> st.SearchStrategy[str]:
    """A piece of one of ``texts`` (so that ``q`` hits descriptions often), as typed or
    in upper case."""
    @st.composite
    def piece(draw: st.DrawFn) -> str:
        text = draw(st.sampled_from(texts).filter(bool))
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        return draw(st.sampled_from([text[start:end], text[start:end].upper()]))
    return piece() if any(texts) else QUERIES


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(texts=st.lists(DESCRIPTIONS, min_size=ROWS, max_size=ROWS), data=st.data(),
       limit=st.integers(1, 12), offset=st.integers(0, 12))
def test_sql_q_matches_python_casefold(world: World, texts: list[str], data: st.DataObject,
                                       limit: int, offset: int) -> None:
    describe(world, texts)
    q = data.draw(st.one_of(QUERIES, part_of(texts)), label="q")
    text = q.casefold()
    expected = python_q(world, text)
    got = sql_q(world, text, limit, offset)
    for (count, page), ids in zip(got, expected, strict=True):
        assert (count, page) == (len(ids), ids[offset:offset + limit])


@pytest.mark.parametrize(("description", "q", "hit"), [
    ("Straße", "STRASSE", True),     # casefold, not lower: ß is "ss"
    ("STRASSE", "straße", True),
    ("İstanbul", "i̇st", True),       # İ folds to i + combining dot
    ("İstanbul", "ist", False),      # ... so a plain "ist" is not in it
    ("ıi", "ii", False),             # dotless ı stays itself
    ("ΣΊΣΥΦΟΣ", "σίσυφοσ", True),   # final sigma folds to σ
    ("\u212a", "k", True),           # the Kelvin sign
    ("100%", "0%", True),            # no LIKE wildcards
    ("100", "1_0", False),
    ("Cafe\u0301", "café", False),   # no normalisation: é is not e + ◌́
])
def test_q_examples(world: World, description: str, q: str, hit: bool) -> None:
    edit_allocation(world.db, world.allocations[0], description=description, tags=None,
                    actor="t")
    _, page = sql_q(world, q.casefold(), 50, 0)[0]
    assert (world.allocations[0] * 2 in page) is hit


@pytest.fixture
def http(world: World, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    token = create_token(world.db, name="t", pool=None, scope="admin")[1]
    with TestClient(create_app(world.db, batching=False)) as client:
        yield client, {"Authorization": f"Token {token}"}


@pytest.mark.parametrize("route", ["prefixes", "ip-addresses", "ip-ranges"])
def test_q_no_stored_text_can_hold_is_an_empty_page(
        http: tuple[TestClient, dict[str, str]], route: str) -> None:
    """A NUL cannot be a PostgreSQL parameter; no description holds one, so no row matches."""
    client, headers = http
    answer = client.get(f"/api/ipam/{route}/?q=%00", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["count"] == 0


@pytest.mark.parametrize(("route", "q"), [("prefixes", "/"), ("ip-addresses", "/"),
                                         ("ip-ranges", "-")])
def test_q_pages_and_counts_through_http(http: tuple[TestClient, dict[str, str]],
                                         route: str, q: str) -> None:
    """Every row's text has ``q``: the count, the pages and their links are the list's."""
    client, headers = http
    every = client.get(f"/api/ipam/{route}/?q={q}&limit=0", headers=headers).json()
    assert every["count"] == len(every["results"]) > 2
    unfiltered = client.get(f"/api/ipam/{route}/?limit=0", headers=headers).json()
    assert every == unfiltered | {"next": every["next"], "previous": every["previous"]}
    first = client.get(f"/api/ipam/{route}/?q={q}&limit=2", headers=headers).json()
    second = client.get(f"/api/ipam/{route}/?q={q}&limit=2&offset=2", headers=headers).json()
    assert first["count"] == second["count"] == every["count"]
    assert [r["id"] for r in first["results"] + second["results"]] == \
        [r["id"] for r in every["results"][:4]]
    assert "offset=2" in first["next"] and second["previous"] is not None
