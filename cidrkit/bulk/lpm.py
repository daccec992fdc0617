"""Longest-prefix match: build once from many prefixes, look up many addresses at once.

The prefixes of one family are flattened into a sorted list of boundaries
that cut the address space into pieces; each piece knows the most specific
prefix covering it (or none). A lookup finds the last boundary at or below
each address, for a whole array at a time: through a slice index for large
IPv4 tables (one table read and a short binary search per address), else one
``searchsorted`` per address with the queries sorted first so the binary
searches walk memory in order.

Building is vectorised too: prefixes sorted by (start, length) form a
nesting forest in pre-order; each prefix's depth and parent follow from
sorts and ``searchsorted`` (no stack walk), and the owner of the piece that
starts at each boundary is the deepest prefix starting there, or the parent
of the outermost prefix ending just before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from cidrkit.bulk import coords
from cidrkit.bulk.arrays import PrefixArray, Prefixes

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U64 = npt.NDArray[np.uint64]

NO_MATCH = -1


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The ``ids`` of the matched prefix per address (``-1``: none), per family.

    ``v4[k]`` answers ``addresses.v4`` element ``k``, likewise ``v6``.
    """

    v4: I64
    v6: I64

    def family_result(self, bits: int) -> I64:
        """Return the answers for the family with ``bits`` address bits (32 or 128)."""
        return self.v4 if bits == 32 else self.v6


@dataclass(frozen=True, slots=True)
class _FamilyTable:
    """Boundaries (``hi``/``lo`` words; IPv4 in ``lo`` as uint32) and piece owners.

    ``owner_ids[k + 1]`` owns the piece starting at boundary ``k``;
    ``owner_ids[0]`` is ``NO_MATCH``, for addresses below every boundary.
    """

    bits: int
    bound_hi: U64
    bound_lo: npt.NDArray[np.uint32] | U64
    owner_ids: I64 | I32
    buckets: _Buckets | None = None

    @property
    def nbytes(self) -> int:
        own = self.bound_hi.nbytes + self.bound_lo.nbytes + self.owner_ids.nbytes
        return int(own + (self.buckets.nbytes if self.buckets is not None else 0))


@dataclass(frozen=True, slots=True)
class _Buckets:
    """Where the IPv4 boundaries of each slice of the address space begin.

    The space is cut into ``2**(32 - shift)`` equal slices; ``first[k]``
    counts the boundaries below slice ``k`` and ``inside[k]`` those within
    it. A lookup then needs one table read and a binary search of at most
    ``steps`` probes among the few boundaries of its slice, with no sort
    of the queries.
    """

    shift: int
    first: I32
    inside: npt.NDArray[np.uint8]
    steps: tuple[int, ...]

    @property
    def nbytes(self) -> int:
        return int(self.first.nbytes + self.inside.nbytes)


# Tables this big get a slice index; smaller ones stay in cache anyway.
_BUCKETS_FROM = 1 << 16
# Slices may hold at most this many boundaries (the probes per lookup grow
# with it); tables of dense host routes keep the sorted-query search.
_MOST_IN_SLICE = 255


def _bucket_index(bounds: npt.NDArray[np.uint32]) -> _Buckets | None:
    """Build the slice index: about one slice per boundary, at most 2**20 slices."""
    if bounds.shape[0] < _BUCKETS_FROM:
        return None
    slice_bits = min(20, int(bounds.shape[0]).bit_length())
    shift = 32 - slice_bits
    inside = np.bincount(bounds >> np.uint32(shift), minlength=1 << slice_bits)
    most = int(inside.max())
    if most > _MOST_IN_SLICE:
        return None
    first = np.empty(inside.shape[0], dtype=np.int32)
    first[0] = 0
    np.cumsum(inside[:-1], out=first[1:])
    steps = tuple(1 << k for k in reversed(range(most.bit_length())))
    return _Buckets(shift, first, inside.astype(np.uint8), steps)


def _count_at_most_bucketed(
    bounds: npt.NDArray[np.uint32], index: _Buckets, queries: npt.NDArray[np.uint32]
) -> I64 | I32:
    """Number of boundaries ``<= q`` for each query, through the slice index."""
    slot = queries >> np.uint32(index.shift)
    count: I32 = np.take(index.first, slot)
    inside = np.take(index.inside, slot)
    active = np.flatnonzero(inside)
    found = count[active]
    end = found + inside[active]
    wanted = queries[active]
    # Branch-free binary search: take each power-of-two step when the last
    # boundary it would count is still <= the query.
    for step in index.steps:
        candidate = found + step
        ok = candidate <= end
        ok &= np.take(bounds, np.minimum(candidate, end) - 1) <= wanted
        found = np.where(ok, candidate, found)
    count[active] = found
    return count


class LpmTable:
    """Longest-prefix-match table over prefixes of both families.

    ``lookup`` returns, per address, the ``ids`` value of the longest prefix
    that contains it. When the same prefix appears more than once, the first
    occurrence (in array order) wins.

    >>> from cidrkit.bulk.textparse import parse_prefix_text, parse_address_text
    >>> table = LpmTable(parse_prefix_text(b"10.0.0.0/8\\n10.1.0.0/16\\n2001:db8::/32\\n").prefixes)
    >>> found = table.lookup(parse_address_text(b"10.1.2.3\\n10.9.9.9\\n192.0.2.1\\n").prefixes)
    >>> found.v4.tolist()
    [1, 0, -1]
    """

    def __init__(self, prefixes: PrefixArray) -> None:
        self._v4 = _build(prefixes.v4)
        self._v6 = _build(prefixes.v6)

    @property
    def nbytes(self) -> int:
        """Memory held by the table's arrays."""
        return self._v4.nbytes + self._v6.nbytes

    def lookup(self, addresses: PrefixArray) -> LookupResult:
        """Match every address (the network of each element) of both families."""
        return LookupResult(
            self.lookup_v4(addresses.v4.lo),
            self.lookup_v6(addresses.v6.hi, addresses.v6.lo),
        )

    def lookup_v4(self, values: npt.NDArray[np.unsignedinteger]) -> I64:
        """Match IPv4 addresses given as integers."""
        t = self._v4
        queries = values.astype(np.uint32)
        if t.buckets is not None and queries.shape[0] >= 4096:
            bounds = t.bound_lo.astype(np.uint32, copy=False)
            return _owners(t, _count_at_most_bucketed(bounds, t.buckets, queries))
        return _owners(t, _count_at_most(t.bound_lo, queries))

    def lookup_v6(self, hi: U64, lo: U64) -> I64:
        """Match IPv6 addresses given as ``(hi, lo)`` words."""
        t = self._v6
        if not t.bound_lo.any():
            # Boundaries on /64 edges (the usual routing table) compare by
            # the high word alone: (h, 0) <= (qh, ql) exactly when h <= qh.
            return _owners(t, _count_at_most(t.bound_hi, hi))
        return _owners(t, _count_at_most_128(t.bound_hi, t.bound_lo.astype(np.uint64), hi, lo))


def _owners(table: _FamilyTable, count: I64 | I32) -> I64:
    """Map "boundaries at or below the address" counts to owner ids."""
    # owner_ids starts with a NO_MATCH slot for "below every boundary".
    return table.owner_ids[count].astype(np.int64)


def _count_at_most(
    bounds: npt.NDArray[np.unsignedinteger], queries: npt.NDArray[np.unsignedinteger]
) -> I64:
    """Number of boundaries ``<= q`` for each query.

    Sorting the queries first makes consecutive binary searches touch
    neighbouring memory, which beats random probes once the table no longer
    fits in cache.
    """
    count = queries.shape[0]
    if count < 4096:
        return np.searchsorted(bounds, queries, side="right").astype(np.int64)
    if queries.dtype == np.uint32 and count < (1 << 32):
        # Sort (value, position) packed in one uint64: a plain sort, which
        # is several times faster than argsort.
        packed = (queries.astype(np.uint64) << np.uint64(32)) | np.arange(count, dtype=np.uint64)
        packed.sort()
        order = (packed & np.uint64(0xFFFF_FFFF)).astype(np.int64)
        ordered = (packed >> np.uint64(32)).astype(np.uint32)
        del packed
    else:
        order = np.argsort(queries)
        ordered = queries[order]
    out = np.empty(count, dtype=np.int64)
    out[order] = np.searchsorted(bounds, ordered, side="right")
    return out


def _count_at_most_128(b_hi: U64, b_lo: U64, q_hi: U64, q_lo: U64) -> I64:
    """Number of 128-bit boundaries ``<= q`` for each query (general case).

    Boundaries and queries are ranked together; a query's rank among all,
    minus its rank among queries, counts the boundaries before it. Ties put
    boundaries first, so equal values count.
    """
    n = b_hi.shape[0]
    hi = np.concatenate([b_hi, q_hi])
    lo = np.concatenate([b_lo, q_lo])
    is_query = np.concatenate([np.zeros(n, np.int8), np.ones(q_hi.shape[0], np.int8)])
    order = np.lexsort((is_query, lo, hi))
    boundaries_before = np.cumsum(is_query[order] == 0)
    out = np.empty(q_hi.shape[0], dtype=np.int64)
    query_slots = is_query[order] == 1
    out[order[query_slots] - n] = boundaries_before[query_slots]
    return out


def _build(p: Prefixes) -> _FamilyTable:
    bits = p.bits
    if len(p) == 0:
        lo: npt.NDArray[np.uint32] | U64 = (
            np.zeros(0, np.uint32) if bits == 32 else np.zeros(0, np.uint64)
        )
        return _FamilyTable(bits, np.zeros(0, np.uint64), lo, np.full(1, NO_MATCH, np.int64))
    # Arrays are freed as soon as they are used up, and sorts run in place,
    # because the peak during the build, not the table, bounds memory.
    if bits == 32:
        space = coords.CoordSpace(32)
        keep, a, b = _preorder(p.lo.astype(np.int64), None, p.length, 32)
    else:
        space, [(a, b)] = coords.encode(bits, [p.intervals()])
        keep, a, b = _preorder(a, b, p.length, 0)
    depth, parent = _nesting(a, b)
    end_of_space = 1 << 32 if bits == 32 else len(space.table_hi)  # type: ignore[arg-type]
    forest = [a, b, depth, parent]
    del a, b, depth, parent
    coord, owner = _piece_owners(forest, _coord_bits(space), end_of_space)
    kept_ids = p.ids[keep]
    del keep
    owner_ids = np.where(owner >= 0, kept_ids[np.maximum(owner, 0)], NO_MATCH)
    owner_ids = np.concatenate([np.array([NO_MATCH], dtype=owner_ids.dtype), owner_ids])
    if int(owner_ids.max()) < (1 << 31):
        owner_ids = owner_ids.astype(np.int32)
    if bits == 32:
        bounds = coord.astype(np.uint32)
        return _FamilyTable(32, np.zeros(0, np.uint64), bounds, owner_ids, _bucket_index(bounds))
    hi, lo = space.decode_start(coord.astype(np.int64))
    return _FamilyTable(128, hi, lo, owner_ids)


def _coord_bits(space: coords.CoordSpace) -> int:
    if space.table_hi is None:
        return 33
    return max(1, int(space.table_hi.shape[0]).bit_length())


def _preorder(
    a: I64, b: I64 | None, length: npt.NDArray[np.uint8], bits: int
) -> tuple[npt.NDArray[np.signedinteger[Any]], I64, I64]:
    """Sort by (start, length) and drop repeated prefixes, keeping the first.

    Returns the kept input positions and their ``[a, b)`` coordinates in
    pre-order, where every prefix comes right after those containing it.
    ``b`` may be ``None`` for IPv4 (``bits == 32``), whose ends follow from
    the start and length.
    """
    n = a.shape[0]
    slot_bits = int(n).bit_length()
    if int(a.max()).bit_length() + 8 + slot_bits <= 63:
        # Pack (start, length, position) and sort in place: no argsort.
        key = a << (8 + slot_bits)
        key |= length.astype(np.int64) << slot_bits
        key |= np.arange(n, dtype=np.int64)
        key.sort()
        order = key & ((1 << slot_bits) - 1)
        key >>= slot_bits
    else:
        key = (a << 8) | length
        order = np.argsort(key, kind="stable")
        key = key[order]
    first_copy = np.ones(n, dtype=bool)
    first_copy[1:] = key[1:] != key[:-1]
    keep: npt.NDArray[np.signedinteger[Any]] = order[first_copy]
    if n < (1 << 31):
        keep = keep.astype(np.int32)
    del order
    key = key[first_copy]
    start = key >> 8
    stop: I64 = start + (np.int64(1) << (bits - (key & 0xFF))) if b is None else b[keep]
    return keep, start, stop


def _nesting(a: I64, b: I64) -> tuple[I32, I32]:
    """Depth (number of containing prefixes) and parent (or -1) in pre-order.

    Among the prefixes before one in pre-order, those that contain it are
    exactly those not yet ended, so depth is a count; the parent is the last
    prefix before it one level up, found by one search in (depth, position)
    order.
    """
    m = a.shape[0]
    ended = np.sort(b)
    count = np.searchsorted(ended, a, side="right")
    del ended
    np.subtract(np.arange(m, dtype=np.int64), count, out=count)
    depth = count.astype(np.int32)
    del count
    wide = (int(depth.max()) + 1) * m >= (1 << 31)
    key_type = np.int64 if wide else np.int32
    position: npt.NDArray[np.signedinteger[Any]] = np.arange(m, dtype=key_type)
    level_key: npt.NDArray[np.signedinteger[Any]] = depth.astype(key_type) * m
    level_key += position
    level_key.sort()
    up: npt.NDArray[np.signedinteger[Any]] = np.maximum(depth - 1, 0).astype(key_type) * m
    position += up
    probe = np.searchsorted(level_key, position)
    del position
    probe -= 1
    np.maximum(probe, 0, out=probe)
    parent = level_key[probe]
    del probe, level_key
    parent -= up
    parent[depth == 0] = -1
    return depth, parent.astype(np.int32)


_TIE_BITS = 9


def _piece_owners(
    forest: list[Any], coord_bits: int, end_of_space: int
) -> tuple[npt.NDArray[np.uint32] | I64, I32 | I64]:
    """Consume ``forest`` (``[a, b, depth, parent]``); return pieces and their owners.

    Pieces are given by their start boundaries; an owner is a pre-order
    index, or -1 for none.

    A start hands its piece to the prefix (deeper wins at equal coordinates);
    an end hands it back to the parent (the outermost prefix ending there,
    i.e. the shallowest, wins). Ends sort before starts at one coordinate.
    Boundaries at the end of the address space are dropped, and adjacent
    pieces with the same owner are joined.
    """
    a, b, depth, parent = forest
    forest.clear()  # the caller's references go, so these can be freed early
    m = a.shape[0]
    slot_bits = int(m).bit_length()
    if coord_bits + _TIE_BITS + slot_bits <= 63 and end_of_space <= (1 << 32):
        # One in-place sort of packed (coordinate, tie, owner) keys, no
        # argsort; one scratch array is reused for every term.
        shift = _TIE_BITS + slot_bits
        events = np.empty(2 * m, dtype=np.int64)
        ends, starts = events[:m], events[m:]
        tie = 255 - np.minimum(depth, 255)
        np.left_shift(b, shift, out=ends)
        del b
        ends |= tie.astype(np.int64) << slot_bits
        parent[parent < 0] = m
        ends |= parent
        del parent
        np.left_shift(a, shift, out=starts)
        del a
        np.subtract(511, tie, out=tie)  # 256 + depth
        del depth
        starts |= tie.astype(np.int64) << slot_bits
        del tie
        starts |= np.arange(m, dtype=np.int64)
        del ends, starts
        events.sort()
        events = events[: np.searchsorted(events, end_of_space << shift)]
        owner = np.empty(events.shape[0], dtype=np.int32)
        np.bitwise_and(events, (1 << slot_bits) - 1, out=owner, casting="unsafe")
        coord = np.empty(events.shape[0], dtype=np.uint32)
        np.right_shift(events, shift, out=coord, casting="unsafe")
        del events
        owner[owner == m] = -1
        return _join_pieces(coord, owner)
    coord64 = np.concatenate([b, a])
    tie = np.concatenate([255 - np.minimum(depth, 255), 256 + np.minimum(depth, 255)])
    order = np.lexsort((tie, coord64))
    coord64 = coord64[order]
    owner64 = np.concatenate([parent, np.arange(m, dtype=np.int32)])[order].astype(np.int64)
    inside = coord64 < end_of_space
    return _join_pieces(coord64[inside], owner64[inside])


def _join_pieces(
    coord: npt.NDArray[np.uint32] | I64, owner: I32 | I64
) -> tuple[npt.NDArray[np.uint32] | I64, I32 | I64]:
    """Keep the last event per coordinate, then drop boundaries that change nothing."""
    last_at_coord = np.ones(coord.shape[0], dtype=bool)
    last_at_coord[:-1] = coord[1:] != coord[:-1]
    coord, owner = coord[last_at_coord], owner[last_at_coord]
    changes = np.ones(coord.shape[0], dtype=bool)
    changes[1:] = owner[1:] != owner[:-1]
    return coord[changes], owner[changes]
