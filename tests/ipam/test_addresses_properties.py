"""Properties of address allocation against independent oracles.

* The assignable space of a block, for every usable-address model, against
  a brute-force list built with the stdlib ``ipaddress`` module from the
  models' published rules.
* A stateful machine over a small pool: take addresses (next free or exact,
  several at once), release them, create and delete ranges, allocate and
  release prefixes; after every step, a brute-force ``set[int]`` model of the
  pool predicts exactly which address "next free" hands out and what is
  refused, and the stored rows never put one address in two holders.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from cidrkit.core import Prefix
from cidrkit.ipam import addresses
from cidrkit.ipam.addresses import (
    AddressItem,
    available_addresses,
    list_addresses,
    release_address,
)
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, IpamError
from cidrkit.ipam.hostspace import assignable_space
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.ranges import RangeSpec, create_range, delete_range, list_ranges
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.store import get_pool, list_allocations

# (front, back) each model holds back, as the clouds publish them, for blocks
# that are not point-to-point; rfc: network and broadcast (IPv4 only).
PUBLISHED = {"aws": (4, 1), "azure": (4, 1), "gcp": (2, 2), "none": (0, 0)}
SMALLEST = {"aws": (28, 64), "azure": (29, 64), "gcp": (29, 64)}


def oracle(text: str, model: str) -> list[int]:
    """Addresses "next free" may hand out, by brute force over the stdlib's network."""
    net = ipaddress.ip_network(text)
    values = [int(a) for a in net]
    bits = net.max_prefixlen
    if model in SMALLEST and net.prefixlen > SMALLEST[model][0 if bits == 32 else 1]:
        return []
    if model == "rfc":
        if net.prefixlen >= bits - 1:
            return values
        front, back = (1, 1) if bits == 32 else (0, 0)
        kept = values[front:len(values) - back]
        skipped = {values[1]} | ({values[0]} if bits == 128 else set())
        return [v for v in kept if v not in skipped]
    front, back = PUBLISHED[model]
    return values[front:len(values) - back] if len(values) > front + back else []


@given(value=st.integers(min_value=0, max_value=2**32 - 1), length=st.integers(20, 32),
       model=st.sampled_from(["rfc", "aws", "azure", "gcp", "none"]))
def test_assignable_ipv4_matches_the_published_rules(value: int, length: int,
                                                     model: str) -> None:
    net = ipaddress.ip_network((value, length), strict=False)
    got = assignable_space([Prefix.parse(str(net))], model)
    expected = oracle(str(net), model)
    assert [v for _, start, end in got.intervals for v in range(start, end + 1)] == expected


@given(address=st.ip_addresses(v=6), length=st.integers(116, 128),
       model=st.sampled_from(["rfc", "aws", "azure", "gcp", "none"]))
def test_assignable_ipv6_matches_the_published_rules(address: Any, length: int,
                                                     model: str) -> None:
    net = ipaddress.ip_network((int(address), length), strict=False)
    got = assignable_space([Prefix.parse(str(net))], model)
    expected = oracle(str(net), model)
    assert [v for _, start, end in got.intervals for v in range(start, end + 1)] == expected


BASE = int(ipaddress.ip_address("10.0.0.0"))
SIZE = 32  # 10.0.0.0/27: small enough for brute force, big enough for collisions


class AddressMachine(RuleBasedStateMachine):
    """The pool 10.0.0.0/27 under the rfc model, against a set-of-ints model."""

    def __init__(self) -> None:
        super().__init__()
        self.db: Database | None = None

    @initialize()
    def open_database(self) -> None:
        path = Path(TMP) / f"m{id(self)}.sqlite3"
        path.unlink(missing_ok=True)
        self.db = Database(f"sqlite:///{path}")
        self.db.upgrade()
        create_pool(self.db, PoolSpec("m", ["10.0.0.0/27"]), actor="t")
        self.service = AllocationService(self.db)
        self.addresses: dict[int, int] = {}  # id -> value (live)
        self.ranges: dict[int, tuple[int, int, int | None]] = {}  # id -> (first, last, alloc)
        self.blocks: dict[int, tuple[int, int]] = {}  # allocation id -> (first, last)

    def teardown(self) -> None:
        if self.db is not None:
            self.db.dispose()

    # -- the model -------------------------------------------------------

    def _held(self) -> set[int]:
        held = set(self.addresses.values())
        for first, last, _ in self.ranges.values():
            held.update(range(first, last + 1))
        for first, last in self.blocks.values():
            held.update(range(first, last + 1))
        return held

    def _free(self) -> list[int]:
        """What the pool itself may hand out: the oracle's list less everything held."""
        held = self._held()
        return [v for v in oracle("10.0.0.0/27", "rfc") if v not in held]

    # -- rules -----------------------------------------------------------

    @rule(count=st.integers(1, 5))
    def take_next(self, count: int) -> None:
        assert self.db is not None
        expected = self._free()[:count]
        try:
            result = self.service.allocate_addresses("m", [AddressItem()] * count, actor="t")
        except Conflict as exc:
            assert exc.code == "exhausted" and len(expected) < count
            return
        got = [a.address.value for a in result.addresses]
        assert got == expected
        self.addresses.update((a.id, a.address.value) for a in result.addresses)

    @rule(offset=st.integers(0, SIZE - 1))
    def take_exact(self, offset: int) -> None:
        assert self.db is not None
        value = BASE + offset
        # Named, the gateway may be taken; network and broadcast never.
        gateway_free = value == BASE + 1 and value not in self._held()
        allowed = value in self._free() or gateway_free
        text = str(ipaddress.ip_address(value))
        try:
            result = self.service.allocate_addresses("m", [AddressItem(address=text)], actor="t")
        except IpamError:
            assert not allowed
            return
        assert allowed
        self.addresses[result.addresses[0].id] = value

    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        assert self.db is not None
        if not self.addresses:
            return
        address_id = data.draw(st.sampled_from(sorted(self.addresses)))
        release_address(self.db, address_id, actor="t")
        del self.addresses[address_id]

    @rule(start=st.integers(0, SIZE - 1), length=st.integers(1, 6))
    def add_range(self, start: int, length: int) -> None:
        assert self.db is not None
        first, last = BASE + start, min(BASE + start + length - 1, BASE + SIZE - 1)
        span = set(range(first, last + 1))
        clash = any(span & set(range(f, e + 1)) for f, e, _ in self.ranges.values()) or any(
            v in span for v in self.addresses.values())
        holders = [i for i, (f, e) in self.blocks.items() if span & set(range(f, e + 1))]
        inside = len(holders) == 1 and self.blocks[holders[0]][0] <= first and (
            last <= self.blocks[holders[0]][1])
        allowed = not clash and (not holders or inside)
        spec = RangeSpec(str(ipaddress.ip_address(first)), str(ipaddress.ip_address(last)))
        try:
            made = create_range(self.db, "m", spec, actor="t")
        except IpamError:
            assert not allowed
            return
        assert allowed
        assert made.allocation_id == (holders[0] if holders else None)
        self.ranges[made.id] = (first, last, made.allocation_id)

    @rule(data=st.data())
    def drop_range(self, data: st.DataObject) -> None:
        assert self.db is not None
        if not self.ranges:
            return
        range_id = data.draw(st.sampled_from(sorted(self.ranges)))
        delete_range(self.db, range_id, actor="t")
        del self.ranges[range_id]

    @rule(length=st.integers(29, 31))
    def allocate_prefix(self, length: int) -> None:
        try:
            result = self.service.allocate("m", [AllocationRequest(length=length)], actor="t")
        except Conflict:
            return
        block = result.allocations[0]
        first, last = block.prefix.start, block.prefix.end
        assert not any(first <= v <= last for v in self.addresses.values())
        assert not any(f <= last and e >= first for f, e, _ in self.ranges.values())
        self.blocks[block.id] = (first, last)

    @rule(data=st.data())
    def release_prefix(self, data: st.DataObject) -> None:
        if not self.blocks:
            return
        block_id = data.draw(st.sampled_from(sorted(self.blocks)))
        busy = any(alloc == block_id for _, _, alloc in self.ranges.values())
        try:
            self.service.release(block_id, actor="t")
        except Conflict:
            assert busy
            return
        assert not busy
        del self.blocks[block_id]

    # -- invariants -------------------------------------------------------

    @invariant()
    def stored_rows_match_the_model(self) -> None:
        if self.db is None:
            return
        with self.db.read() as conn:
            pool = get_pool(conn, "m")
            live, _ = list_addresses(conn, pool, states=["allocated", "reserved"], limit=1000)
            ranges = list_ranges(conn, pool)
            blocks, _ = list_allocations(conn, pool, states=["allocated"], limit=1000)
            offered = available_addresses(conn, pool, None, 1000)
        values = [a.address.value for a in live]
        assert len(values) == len(set(values))
        assert {a.id: a.address.value for a in live} == self.addresses
        assert {r.id: (r.span.start, r.span.end, r.allocation_id) for r in ranges} == self.ranges
        assert {b.id: (b.prefix.start, b.prefix.end) for b in blocks} == self.blocks
        assert [a.value for a in offered] == self._free()


TMP = ""


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("window", [1, 3, 256])
def test_address_machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, window: int) -> None:
    """Small first windows make "next free" read the pool in many windows (a /27 fits
    in the default one), so the windowed search is checked against the oracle too."""
    global TMP
    TMP = str(tmp_path)
    monkeypatch.setattr(addresses, "FIRST_WINDOW", window)
    machine = AddressMachine.TestCase
    machine.settings = settings(max_examples=25, stateful_step_count=25, deadline=None,
                                suppress_health_check=list(HealthCheck))
    machine().runTest()
