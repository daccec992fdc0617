"""NetBox prefix ids name exactly one pool prefix or allocation, and back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cidrkit.ipam.netbox.ids import (
    MAX_ID,
    POOL_SLOTS,
    AllocationRef,
    PoolPrefixRef,
    allocation_prefix_id,
    parse_prefix_id,
    pool_prefix_id,
)


@given(st.integers(1, MAX_ID // 2))
def test_allocation_ids_round_trip(allocation_id: int) -> None:
    value = allocation_prefix_id(allocation_id)
    assert 1 <= value <= MAX_ID
    assert parse_prefix_id(value) == AllocationRef(allocation_id)


@given(st.integers(1, 2**31), st.integers(-2, POOL_SLOTS + 2))
def test_pool_prefix_ids_round_trip_or_are_none(pool_id: int, index: int) -> None:
    value = pool_prefix_id(pool_id, index)
    if value is None:
        assert not 0 <= index < POOL_SLOTS or 2 * (pool_id * POOL_SLOTS + index) + 1 > MAX_ID
    else:
        assert value % 2 == 1
        assert parse_prefix_id(value) == PoolPrefixRef(pool_id, index)


@given(st.integers(-(2**40), 2**40))
def test_every_integer_names_one_thing_or_nothing(value: int) -> None:
    ref = parse_prefix_id(value)
    if not 1 <= value <= MAX_ID:
        assert ref is None
    elif isinstance(ref, AllocationRef):
        assert allocation_prefix_id(ref.allocation_id) == value
    elif isinstance(ref, PoolPrefixRef):
        assert pool_prefix_id(ref.pool_id, ref.index) == value
    else:
        assert value < 2 * POOL_SLOTS + 1  # pool id 0 does not exist
