"""Address requests inside group-commit batches, beside prefix allocations and releases.

The writer plans every request queued meanwhile in one transaction. The
oracle is the same requests applied one transaction each, in the same order,
to a twin database: a batch must answer exactly what that sequence answers
(same addresses, same prefixes, same refusals), whatever mix of next-free
addresses, exact addresses, addresses of an allocation, prefix allocations,
releases and reused idempotency keys it holds. Hypothesis draws the mixes.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.ipam.address_plan import AddressOp
from cidrkit.ipam.addresses import AddressItem, AddressResult, list_addresses
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import IpamError
from cidrkit.ipam.model import AllocationRequest
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.service import (
    AllocateOp,
    AllocateResult,
    AllocationService,
    Operation,
    Outcome,
    ReleaseOp,
)
from cidrkit.ipam.store import get_pool, list_allocations

POOL = "10.0.0.0/27"
_counter = itertools.count()


def _fresh(directory: Path) -> tuple[Database, AllocationService]:
    db = Database(f"sqlite:///{directory / f'twin-{next(_counter)}.sqlite3'}")
    db.upgrade()
    create_pool(db, PoolSpec("p", [POOL]), actor="t")
    service = AllocationService(db)
    # Two allocations made before the batch, so releases and addresses can name them.
    service.allocate("p", [AllocationRequest(length=29)], actor="t")
    service.allocate("p", [AllocationRequest(length=30)], actor="t")
    return db, service


def _summary(outcome: Outcome) -> object:
    """What a client sees of an outcome, ids included (both twins number alike)."""
    if isinstance(outcome, IpamError):
        return ("error", outcome.status, outcome.code, outcome.field)
    if isinstance(outcome, AddressResult):
        return ("addresses", outcome.replayed,
                [(a.id, str(a.address), a.allocation_id) for a in outcome.addresses])
    if isinstance(outcome, AllocateResult):
        return ("prefixes", outcome.replayed, [(a.id, str(a.prefix)) for a in outcome.allocations])
    return ("released", outcome.id, outcome.state)


_keys = st.sampled_from([None, None, "k1", "k2"])
_address_op = st.builds(
    lambda count, exact, allocation, key: AddressOp(
        "p", tuple(AddressItem(address=exact) for _ in range(count)) if exact is None
        else (AddressItem(address=exact),), "t", allocation, key),
    st.integers(1, 4),
    st.one_of(st.none(), st.sampled_from([f"10.0.0.{i}" for i in range(0, 32, 3)])),
    st.sampled_from([None, None, 1, 2]),
    _keys)
_prefix_op = st.builds(
    lambda length, key: AllocateOp("p", (AllocationRequest(length=length),), "t", key),
    st.integers(28, 32), _keys)
_release_op = st.builds(lambda allocation: ReleaseOp(allocation, "t"), st.sampled_from([1, 2]))
_ops = st.lists(st.one_of(_address_op, _address_op, _prefix_op, _release_op),
                min_size=1, max_size=10)


@pytest.fixture(scope="module")
def twins_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("twins")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=_ops)
def test_a_batch_answers_what_one_transaction_per_request_answers(
        twins_dir: Path, ops: list[Operation]) -> None:
    batched_db, batched = _fresh(twins_dir)
    single_db, single = _fresh(twins_dir)
    try:
        together = batched.execute(ops)
        alone = [single.execute([op])[0] for op in ops]
        assert [_summary(o) for o in together] == [_summary(o) for o in alone]
        for db in (batched_db, single_db):
            with db.read() as conn:
                pool = get_pool(conn, "p")
                taken = [a.address for a in list_addresses(
                    conn, pool, states=["allocated", "reserved"], limit=1000)[0]]
                blocks = [a.prefix for a in list_allocations(
                    conn, pool, states=["allocated", "reserved"], limit=1000)[0]]
            assert len(taken) == len(set(taken))
            # An address of the pool itself is never inside a live allocation made after it
            # (the database's triggers would have refused the batch otherwise).
            assert all(sum(b.contains(a) for b in blocks) <= 1 for a in taken)
    finally:
        batched_db.dispose()
        single_db.dispose()


def test_one_batch_mixes_prefixes_and_addresses_without_collision(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["192.0.2.0/28"]), actor="t")
    service = AllocationService(database)
    outcomes = service.execute([
        AddressOp("p", (AddressItem(),), "t"),                       # 192.0.2.2
        AllocateOp("p", (AllocationRequest(length=30),), "t"),      # best fit avoids .2
        AddressOp("p", (AddressItem(address="192.0.2.4"),), "t"),   # taken by that /30
        AddressOp("p", (AddressItem(),) * 2, "t", idempotency_key="twice"),
        AddressOp("p", (AddressItem(),) * 2, "t", idempotency_key="twice"),
        AddressOp("p", (AddressItem(),), "t", idempotency_key="twice"),
    ])
    assert _summary(outcomes[0]) == ("addresses", False, [(1, "192.0.2.2", None)])
    assert _summary(outcomes[1]) == ("prefixes", False, [(1, "192.0.2.4/30")])
    assert _summary(outcomes[2]) == ("error", 409, "overlap", "address")
    assert _summary(outcomes[3]) == ("addresses", False, [(2, "192.0.2.3", None),
                                                          (3, "192.0.2.8", None)])
    assert _summary(outcomes[4]) == ("addresses", True, [(2, "192.0.2.3", None),
                                                         (3, "192.0.2.8", None)])
    assert _summary(outcomes[5]) == ("error", 422, "idempotency_mismatch", "idempotency_key")
    # Committed, and remembered correctly: the next batch goes on from there.
    after = service.execute([AddressOp("p", (AddressItem(),), "t"),
                             AllocateOp("p", (AllocationRequest(length=31),), "t")])
    assert _summary(after[0]) == ("addresses", False, [(4, "192.0.2.9", None)])
    # Best fit: the /31 of network and gateway, which "next free" never hands out.
    assert _summary(after[1]) == ("prefixes", False, [(2, "192.0.2.0/31")])


def test_a_release_and_the_addresses_of_its_allocation_in_one_batch(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["192.0.2.0/24"]), actor="t")
    service = AllocationService(database)
    first = service.allocate("p", [AllocationRequest(length=28)], actor="t").allocations[0]
    second = service.allocate("p", [AllocationRequest(length=28)], actor="t").allocations[0]
    outcomes = service.execute([
        AddressOp("p", (AddressItem(),), "t", allocation_id=first.id),
        ReleaseOp(first.id, "t"),           # it now holds an address: refused
        ReleaseOp(second.id, "t"),
        AddressOp("p", (AddressItem(),), "t", allocation_id=second.id),  # released: refused
        ReleaseOp(second.id, "t"),          # twice in one batch: a no-op, still released
    ])
    assert _summary(outcomes[0]) == ("addresses", False, [(1, "192.0.2.2", first.id)])
    assert _summary(outcomes[1]) == ("error", 409, "in_use", "allocation_id")
    assert _summary(outcomes[2]) == ("released", second.id, "released")
    assert _summary(outcomes[3]) == ("error", 409, "released", "allocation_id")
    assert _summary(outcomes[4]) == ("released", second.id, "released")
