"""Stateful property test: the allocation service against a brute-force model.

The model knows the pool as a set of integer addresses (a /26 and a /28: 80
addresses), so every expectation is computed by enumeration, independently
of cidrkit's set algebra: which aligned blocks are free, which one first fit
and best fit must pick, when the pool is exhausted, and what the database
must hold after each step.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cidrkit.core import Prefix
from cidrkit.ipam import store
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, IdempotencyMismatch, InvalidRequest, NotFound
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.service import AllocationService
from cidrkit.ipam.spaces import create_space

BASE = 0x0A000000  # 10.0.0.0
POOL_BLOCKS = [(BASE, 26), (BASE + 0x100, 28)]  # 10.0.0.0/26, 10.0.1.0/28
LENGTHS = st.integers(min_value=26, max_value=32)
_DB = Database(str(Path(tempfile.mkdtemp(prefix="cidrkit-stateful-")) / "ipam.sqlite3"))
_DB.upgrade()


def addresses(value: int, length: int) -> set[int]:
    return set(range(value, value + (1 << (32 - length))))


POOL_ADDRESSES = set().union(*(addresses(v, n) for v, n in POOL_BLOCKS))


class AllocationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.pool = f"p{uuid.uuid4().hex[:10]}"
        texts = [str(Prefix(32, v, n)) for v, n in POOL_BLOCKS]
        # Every run reuses the same addresses: each gets a space of its own.
        create_space(_DB, self.pool, actor="model")
        create_pool(_DB, PoolSpec(self.pool, texts, space=self.pool), actor="model")
        self.service = AllocationService(_DB)
        self.live: dict[int, tuple[int, int]] = {}  # id -> (value, length)
        self.keys: dict[str, tuple[tuple[int, str], int, int, int]] = {}

    def used(self) -> set[int]:
        return set().union(set(), *(addresses(v, n) for v, n in self.live.values()))

    def free_blocks_of(self, length: int) -> list[int]:
        """Aligned /length blocks wholly inside the pool and wholly free."""
        free = POOL_ADDRESSES - self.used()
        step = 1 << (32 - length)
        return [v for v in range(BASE, BASE + 0x200, step) if addresses(v, length) <= free]

    def enclosing_free_size(self, value: int, length: int) -> int:
        """Size of the largest aligned free block (inside one pool block) holding value/length."""
        free = POOL_ADDRESSES - self.used()
        best = 1 << (32 - length)
        for shorter in range(length, -1, -1):
            start = value & ~((1 << (32 - shorter)) - 1) & 0xFFFFFFFF
            block = addresses(start, shorter)
            inside_one = any(block <= addresses(v, n) for v, n in POOL_BLOCKS)
            if not (inside_one and block <= free):
                break
            best = len(block)
        return best

    @rule(length=LENGTHS, strategy=st.sampled_from(["best_fit", "first_fit"]),
          key=st.one_of(st.none(), st.sampled_from(["a", "b", "c"])))
    def allocate(self, length: int, strategy: str, key: str | None) -> None:
        request = AllocationRequest(length=length, strategy=strategy)  # type: ignore[arg-type]
        if key is not None and key in self.keys:
            params, alloc_id, value, n = self.keys[key]
            try:
                result = self.service.allocate(self.pool, [request], actor="m",
                                               idempotency_key=key)
            except IdempotencyMismatch as err:
                assert params != (length, strategy)
                assert (err.status, err.field) == (422, "idempotency_key")
                return
            assert params == (length, strategy)
            assert result.replayed
            assert (result.allocations[0].id, result.allocations[0].prefix) == (
                alloc_id, Prefix(32, value, n))
            return
        candidates = self.free_blocks_of(length)
        try:
            result = self.service.allocate(self.pool, [request], actor="m", idempotency_key=key)
        except Conflict as err:
            assert err.code == "exhausted"
            assert candidates == []
            return
        got = result.allocations[0]
        assert got.prefix.length == length
        if strategy == "first_fit":
            expected = min(candidates)
        else:
            expected = min(candidates, key=lambda v: (self.enclosing_free_size(v, length), v))
        assert got.prefix.value == expected, (strategy, length, str(got.prefix))
        self.live[got.id] = (got.prefix.value, length)
        if key is not None:
            self.keys[key] = ((length, strategy), got.id, got.prefix.value, length)

    @rule(offset=st.integers(min_value=0, max_value=0x1FF), length=LENGTHS)
    def allocate_exact(self, offset: int, length: int) -> None:
        value = (BASE + offset) & ~((1 << (32 - length)) - 1)
        block = addresses(value, length)
        prefix = Prefix(32, value, length)
        try:
            got = self.service.allocate(self.pool, [AllocationRequest(prefix=prefix)], actor="m")
        except InvalidRequest:
            assert not any(block <= addresses(v, n) for v, n in POOL_BLOCKS)
            return
        except Conflict as err:
            assert err.code == "overlap"
            assert block & self.used()
            return
        assert any(block <= addresses(v, n) for v, n in POOL_BLOCKS)
        assert not block & self.used()
        self.live[got.allocations[0].id] = (value, length)

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data())
    def release(self, data: st.DataObject) -> None:
        alloc_id = data.draw(st.sampled_from(sorted(self.live)))
        released = self.service.release(alloc_id, actor="m")
        assert released.state == "released"
        del self.live[alloc_id]

    @rule()
    def release_unknown(self) -> None:
        try:
            self.service.release(10**9, actor="m")
        except NotFound:
            return
        raise AssertionError("releasing an unknown id must be NotFound")

    @invariant()
    def database_matches_model(self) -> None:
        with _DB.read() as conn:
            pool = store.get_pool(conn, self.pool)
            stored = store.live_blocks(conn, pool)
        assert sorted((p.value, p.length) for p in stored) == sorted(self.live.values())
        # Disjoint and inside the pool, by counting addresses.
        total = sum(1 << (32 - n) for _, n in self.live.values())
        assert len(self.used()) == total
        assert self.used() <= POOL_ADDRESSES


AllocationMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, derandomize=True
)
TestAllocationMachine = AllocationMachine.TestCase
