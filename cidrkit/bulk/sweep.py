"""Interval set algebra on half-open int64 coordinates, and CIDR decomposition.

Everything here is sorting plus vector scans; there is no Python loop over
intervals. Inputs and outputs are ``(a, b)`` pairs of int64 arrays with
``a < b`` (see ``coords``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import words

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
HalfOpen = tuple[I64, I64]


def union(a: I64, b: I64) -> HalfOpen:
    """Return the union of intervals as sorted, disjoint, non-touching intervals.

    Starts and ends are sorted independently: after the i smallest starts,
    the cover has a gap exactly when the i-th smallest end is below the
    (i+1)-th smallest start, because every one of those i intervals has then
    ended and no other has begun. Touching intervals (end == next start)
    merge, as the core does.
    """
    if a.shape[0] == 0:
        return a, b
    packed = _union_by_running_end(a, b)
    if packed is not None:
        return packed
    starts = np.sort(a)
    ends = np.sort(b)
    gap = ends[:-1] < starts[1:]
    first = np.empty(starts.shape[0], dtype=bool)
    first[0] = True
    first[1:] = gap
    last = np.empty(starts.shape[0], dtype=bool)
    last[-1] = True
    last[:-1] = gap
    return starts[first], ends[last]


def _union_by_running_end(a: I64, b: I64) -> HalfOpen | None:
    """Union with one sort, when (start, size) pairs pack into one uint64.

    Sorted by start, an interval begins a new run exactly when it starts
    after the largest end seen so far. Packing the size (less one, so that
    every IPv4 interval fits in 32 bits) into the low bits of the start makes
    this a plain in-place sort instead of two sorts.
    """
    size_less_one = b - a
    size_less_one -= 1
    size_bits = int(size_less_one.max()).bit_length()
    if int(a.max()).bit_length() + size_bits > 64:
        return None
    # Coordinates are never negative: viewing them as uint64 copies nothing.
    key = a.view(np.uint64) << np.uint64(size_bits)
    key |= size_less_one.view(np.uint64)
    del size_less_one
    key.sort()
    starts = (key >> np.uint64(size_bits)).view(np.int64)
    key &= np.uint64((1 << size_bits) - 1)
    ends = key.view(np.int64)
    del key
    ends += starts
    ends += 1
    reach = np.maximum.accumulate(ends)
    first = np.empty(starts.shape[0], dtype=bool)
    first[0] = True
    first[1:] = starts[1:] > reach[:-1]
    last = np.empty(starts.shape[0], dtype=bool)
    last[-1] = True
    last[:-1] = first[1:]
    return starts[first], reach[last]


# Event kinds, in the order they are applied at one coordinate: ends before
# starts, so touching intervals never produce a zero-length overlap.
_A_END, _B_END, _A_START, _B_START = 0, 1, 2, 3


def _two_set_sweep(first: HalfOpen, second: HalfOpen, keep_second: bool) -> HalfOpen:
    """Walk two normalised sets; keep ``first & second`` or ``first - second``."""
    (a1, b1), (a2, b2) = first, second
    # One sort of packed keys (coordinate, kind) orders all events; no argsort.
    keys = np.concatenate(
        [(a1 << 2) | _A_START, (b1 << 2) | _A_END, (a2 << 2) | _B_START, (b2 << 2) | _B_END]
    )
    keys.sort()
    kind = keys & 3
    coord = keys >> 2
    depth_first = np.cumsum((kind == _A_START).astype(np.int8) - (kind == _A_END), dtype=np.int64)
    depth_second = np.cumsum((kind == _B_START).astype(np.int8) - (kind == _B_END), dtype=np.int64)
    inside = (depth_first > 0) & ((depth_second > 0) if keep_second else (depth_second == 0))
    change = np.flatnonzero(np.diff(inside.astype(np.int8), prepend=np.int8(0)))
    # Changes alternate: enter, leave, enter, ... (the last one always leaves,
    # because every set ends).
    begin = coord[change[0::2]]
    end = coord[change[1::2]]
    keep = begin < end
    return begin[keep], end[keep]


def intersection(first: HalfOpen, second: HalfOpen) -> HalfOpen:
    """Return ``first & second`` of two normalised interval sets."""
    return _two_set_sweep(first, second, keep_second=True)


def difference(first: HalfOpen, second: HalfOpen) -> HalfOpen:
    """Return ``first - second`` of two normalised interval sets."""
    if second[0].shape[0] == 0:
        return first
    return _two_set_sweep(first, second, keep_second=False)


def cidr_cover_v4(start: I64, stop: I64) -> tuple[I64, I64, npt.NDArray[np.uint8]]:
    """Split IPv4 intervals ``[start, stop)`` into minimal aligned prefixes.

    Returns ``(owner, network, length)``: ``owner`` is the index of the
    interval each prefix came from; prefixes come out sorted when the
    intervals are. Each round takes, for every unfinished interval, the
    largest block that is aligned at its start and fits; the number of rounds
    is at most 2 * 32.
    """
    rounds: list[tuple[I64, I64, I64]] = []
    active = np.arange(start.shape[0])
    s = start.copy()
    while active.shape[0]:
        cur = s[active]
        size = stop[active] - cur
        lowbit = cur & -cur
        align = np.where(cur == 0, 32, np.log2(np.where(lowbit == 0, 1, lowbit)).astype(np.int64))
        fit = words.floor_log2_64(size.astype(np.uint64))
        block = np.minimum(align, fit)
        rounds.append((active, cur, block))
        s[active] = cur + (np.int64(1) << block)
        active = active[s[active] < stop[active]]
    return _in_interval_order(start.shape[0], rounds, 32)


def cidr_cover_128(
    start_hi: U64, start_lo: U64, last_hi: U64, last_lo: U64
) -> tuple[I64, U64, U64, npt.NDArray[np.uint8]]:
    """Split inclusive 128-bit intervals into minimal aligned prefixes.

    The 128-bit counterpart of ``cidr_cover_v4``; returns
    ``(owner, hi, lo, length)``.
    """
    rounds: list[tuple[I64, tuple[U64, U64], I64]] = []
    active = np.arange(start_hi.shape[0])
    s_hi, s_lo = start_hi.copy(), start_lo.copy()
    while active.shape[0]:
        c_hi, c_lo = s_hi[active], s_lo[active]
        e_hi, e_lo = last_hi[active], last_lo[active]
        # size - 1 = last - start; the block fits when 2**k - 1 <= last - start.
        d_lo = e_lo - c_lo
        d_hi = e_hi - c_hi - (e_lo < c_lo).astype(np.uint64)
        whole = (d_hi == words.ALL_ONES) & (d_lo == words.ALL_ONES)
        n_hi, n_lo, _ = words.add_one(d_hi, d_lo)
        fit = np.where(
            whole,
            128,
            words.floor_log2_128(
                np.where(whole, np.uint64(1), n_hi), np.where(whole, np.uint64(1), n_lo)
            ),
        )
        block = np.minimum(words.trailing_zeros_128(c_hi, c_lo), fit)
        rounds.append((active, (c_hi, c_lo), block))
        # Advance by 2**block, remembering which intervals just reached 2**128.
        small = block < 64
        add_lo = np.where(
            small,
            np.left_shift(np.uint64(1), np.minimum(block, 63).astype(np.uint64)),
            np.uint64(0),
        )
        add_hi = np.where(
            small,
            np.uint64(0),
            np.left_shift(np.uint64(1), np.clip(block - 64, 0, 63).astype(np.uint64)),
        )
        new_lo = c_lo + add_lo
        carry = (new_lo < c_lo).astype(np.uint64)
        new_hi = c_hi + add_hi + carry
        done = whole | (block == 128) | words.less(e_hi, e_lo, new_hi, new_lo)
        done |= (new_hi < c_hi) | ((new_hi == c_hi) & (new_lo < c_lo))
        s_hi[active], s_lo[active] = new_hi, new_lo
        active = active[~done]
    owner, start_pair, length = _in_interval_order_pairs(start_hi.shape[0], rounds)
    return owner, start_pair[0], start_pair[1], length


def _piece_slots(count: int, actives: list[I64]) -> tuple[I64, int]:
    """Where each interval's pieces start in the output, and how many there are.

    An interval is active in rounds 0..k-1 without a break, so it owns k
    consecutive slots.
    """
    pieces = np.zeros(count, dtype=np.int64)
    for active in actives:
        pieces[active] += 1
    return np.cumsum(pieces) - pieces, int(pieces.sum())


def _in_interval_order(
    count: int, rounds: list[tuple[I64, I64, I64]], bits: int
) -> tuple[I64, I64, npt.NDArray[np.uint8]]:
    """Scatter per-round pieces so each interval's prefixes are contiguous and sorted.

    An interval is active in rounds 0..k-1 without a break, so its r-th piece
    belongs at ``offset[interval] + r``.
    """
    offset, total = _piece_slots(count, [active for active, _, _ in rounds])
    owner = np.empty(total, dtype=np.int64)
    network = np.empty(total, dtype=np.int64)
    length = np.empty(total, dtype=np.uint8)
    for r, (active, value, block) in enumerate(rounds):
        at = offset[active] + r
        owner[at] = active
        network[at] = value
        length[at] = bits - block
    return owner, network, length


def _in_interval_order_pairs(
    count: int, rounds: list[tuple[I64, tuple[U64, U64], I64]]
) -> tuple[I64, tuple[U64, U64], npt.NDArray[np.uint8]]:
    """``_in_interval_order`` for 128-bit pieces."""
    offset, total = _piece_slots(count, [active for active, _, _ in rounds])
    owner = np.empty(total, dtype=np.int64)
    hi = np.empty(total, dtype=np.uint64)
    lo = np.empty(total, dtype=np.uint64)
    length = np.empty(total, dtype=np.uint8)
    for r, (active, (v_hi, v_lo), block) in enumerate(rounds):
        at = offset[active] + r
        owner[at] = active
        hi[at] = v_hi
        lo[at] = v_lo
        length[at] = 128 - block
    return owner, (hi, lo), length
