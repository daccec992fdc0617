"""128-bit unsigned arithmetic on pairs of ``uint64`` arrays.

numpy has no 128-bit integer, so an IPv6 value is held as two words: ``hi``
(bits 127..64) and ``lo`` (bits 63..0). IPv4 values use the same layout with
``hi`` always zero, which lets one code path serve both families; hot paths
that only ever see IPv4 skip the ``hi`` word.

All functions are element-wise and allocate new arrays; none mutates its
arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

ALL_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_LOW64 = (1 << 64) - 1


def low_bits_mask(count: npt.NDArray[np.integer]) -> U64:
    """Return ``2**count - 1`` as uint64 for ``count`` in 0..64.

    C shifts by the full word width are undefined, so 64 is handled apart.
    """
    count = np.asarray(count, dtype=np.int64)
    shift = np.minimum(count, 63).astype(np.uint64)
    mask = np.left_shift(_ONE, shift) - _ONE
    return np.where(count >= 64, ALL_ONES, mask).astype(np.uint64)


def host_mask(length: npt.NDArray[np.integer], bits: int) -> tuple[U64, U64]:
    """Return the host mask ``(hi, lo)`` of prefixes of ``length`` in a ``bits`` space."""
    host = bits - np.asarray(length, dtype=np.int64)
    lo = low_bits_mask(np.minimum(host, 64))
    hi = low_bits_mask(np.maximum(host - 64, 0))
    return hi, lo


def less(a_hi: U64, a_lo: U64, b_hi: U64, b_lo: U64) -> npt.NDArray[np.bool_]:
    """Element-wise ``a < b`` on 128-bit values."""
    result: npt.NDArray[np.bool_] = (a_hi < b_hi) | ((a_hi == b_hi) & (a_lo < b_lo))
    return result


def add_one(hi: U64, lo: U64) -> tuple[U64, U64, npt.NDArray[np.bool_]]:
    """Return ``value + 1`` and a mask of the elements that wrapped past 2**128 - 1."""
    lo1 = lo + _ONE
    carry = lo1 == _ZERO
    hi1 = hi + carry.astype(np.uint64)
    wrapped = carry & (hi1 == _ZERO)
    return hi1, lo1, wrapped


def sub_one(hi: U64, lo: U64) -> tuple[U64, U64]:
    """Return ``value - 1`` (callers guarantee value > 0)."""
    borrow = lo == _ZERO
    return hi - borrow.astype(np.uint64), lo - _ONE


def floor_log2_64(x: U64) -> I64:
    """Return ``floor(log2(x))`` for non-zero uint64 values, exactly.

    The float estimate can round up by one just below a power of two (above
    2**53), so it is corrected against the exact integer.
    """
    estimate = np.floor(np.log2(x.astype(np.float64))).astype(np.int64)
    estimate = np.minimum(estimate, 63)
    too_big = np.left_shift(_ONE, estimate.astype(np.uint64)) > x
    return (estimate - too_big).astype(np.int64)


def trailing_zeros_64(x: U64) -> I64:
    """Return the number of trailing zero bits of uint64 values (64 for zero)."""
    lowest = x & (~x + _ONE)
    safe = np.where(lowest == _ZERO, _ONE, lowest)
    # The lowest set bit is an exact power of two, so log2 is exact in float64.
    zeros = np.log2(safe.astype(np.float64)).astype(np.int64)
    return np.where(x == _ZERO, 64, zeros).astype(np.int64)


def trailing_zeros_128(hi: U64, lo: U64) -> I64:
    """Return the number of trailing zero bits of 128-bit values (128 for zero)."""
    return np.where(lo != _ZERO, trailing_zeros_64(lo), 64 + trailing_zeros_64(hi))


def floor_log2_128(hi: U64, lo: U64) -> I64:
    """Return ``floor(log2(value))`` of non-zero 128-bit values."""
    safe_hi = np.where(hi == _ZERO, _ONE, hi)
    safe_lo = np.where(lo == _ZERO, _ONE, lo)
    return np.where(hi != _ZERO, 64 + floor_log2_64(safe_hi), floor_log2_64(safe_lo))


def split_ints(values: Iterable[int]) -> tuple[U64, U64]:
    """Split Python ints (0 <= v < 2**128) into ``(hi, lo)`` word arrays."""
    seq = values if isinstance(values, Sequence) else list(values)
    hi = np.fromiter((v >> 64 for v in seq), dtype=np.uint64, count=len(seq))
    lo = np.fromiter((v & _LOW64 for v in seq), dtype=np.uint64, count=len(seq))
    return hi, lo


def join_ints(hi: U64, lo: U64) -> list[int]:
    """Join ``(hi, lo)`` word arrays back into a list of Python ints."""
    if not hi.any():
        return [int(v) for v in lo.tolist()]
    return [(h << 64) | v for h, v in zip(hi.tolist(), lo.tolist(), strict=True)]
