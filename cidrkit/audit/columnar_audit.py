"""The audit of a large inventory, on columns: conflicts found and kept as arrays.

Same answers as the object path in ``engine`` (a test compares them on
random inventories), at a cost that grows with records plus overlapping
pairs, never with their product:

* every overlapping pair of allocations comes from ``bulk.overlap_pairs``
  (one sort, one ``searchsorted``, then the pairs written out);
* pairs inside one scope give each allocation its outermost same-scope
  container, the block a renumbering would move (``remedy``'s rule);
* pairs across scopes are the conflicts: oriented, sorted and classified as
  integer arrays.

Nothing per conflict is built until it is read: :class:`ScopeConflictView` makes
the ``ScopeConflict`` (and its ``Remedy``) of one index on demand, so a report of
430,000 conflicts costs memory only for what is being rendered.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from cidrkit.audit.block_columns import ObservedBlockColumns, ObservedBlockView, RecordColumns
from cidrkit.audit.connections import Connections
from cidrkit.audit.model import RELATIONS, NestingFinding, ObservedBlock, Remedy, ScopeConflict
from cidrkit.audit.rules import PARENT_KINDS, check_nesting
from cidrkit.audit.scopes import ScopeInfo
from cidrkit.bulk.overlaps import CONTAINS, overlap_pairs
from cidrkit.core import IPSet, Prefix
from cidrkit.sources.record import Inventory

I64 = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

_EQUAL, _A_CONTAINS_B, _B_CONTAINS_A = (RELATIONS.index(r) for r in RELATIONS)


class ScopeConflictColumns:
    """Conflicts as arrays, in report order: (a's scope, b's scope, a, b).

    ``a``/``b`` are allocation indexes, ``relation`` indexes ``RELATIONS``,
    ``latent`` marks conflicts between unconnected scopes, ``block`` the
    allocation a blocking conflict's remedy would renumber.
    """

    def __init__(
        self,
        allocations: ObservedBlockColumns,
        scopes: dict[str, ScopeInfo],
        connections: Connections | None,
        pools: Sequence[Prefix],
    ) -> None:
        self.allocations = allocations
        pairs = overlap_pairs(allocations.prefix_array())
        outer, inner = pairs.first, pairs.second
        contains = pairs.relation == CONTAINS
        scope = allocations.scope
        same = scope[outer] == scope[inner]
        self.root, self.affected = _outermost(allocations, outer[same & contains],
                                              inner[same & contains])
        cross = ~same
        outer, inner, contains = outer[cross], inner[cross], contains[cross]
        del pairs, same, cross
        swap = scope[inner] < scope[outer]
        a = np.where(swap, inner, outer)
        b = np.where(swap, outer, inner)
        relation = np.where(contains, np.where(swap, _B_CONTAINS_A, _A_CONTAINS_B), _EQUAL)
        order = np.lexsort((b, a, scope[b], scope[a]))
        self.a, self.b = a[order], b[order]
        self.relation = relation[order].astype(np.int8)
        self.latent = _latent(self.a, self.b, allocations, scopes, connections)
        self.blocking_count = int(self.a.shape[0] - np.count_nonzero(self.latent))
        self.block = self._blocks()
        self.candidates = self._placements(pools) if pools else {}

    def __len__(self) -> int:
        return int(self.a.shape[0])

    def _blocks(self) -> I64:
        """Per conflict, the allocation to renumber (-1 for latent ones).

        The cheaper side: planned space first, then the block holding fewer
        allocations, then fewer addresses, then side ``a``.
        """
        root_a, root_b = self.root[self.a], self.root[self.b]
        columns = self.allocations
        live = ~columns.planned
        host = columns.host_bits()
        cost_a = (live[root_a], self.affected[root_a], host[root_a])
        cost_b = (live[root_b], self.affected[root_b], host[root_b])
        b_cheaper = (cost_b[0] < cost_a[0]) | ((cost_b[0] == cost_a[0]) & (
            (cost_b[1] < cost_a[1]) | ((cost_b[1] == cost_a[1]) & (cost_b[2] < cost_a[2]))))
        block = np.where(b_cheaper, root_b, root_a)
        return np.where(self.latent, -1, block)

    def _placements(self, pools: Sequence[Prefix]) -> dict[Prefix, tuple[Prefix, ...]]:
        """Free pool blocks for the first blocks to renumber, in report order."""
        from cidrkit.audit.remedy import MAX_PLACEMENTS, Placer
        from cidrkit.bulk.setops import merge

        columns = self.allocations
        blocks = self.block[self.block >= 0]
        # Allocations sharing a prefix are one block to place: key by prefix.
        prefix_id = _prefix_ids(columns)[blocks]
        _, first_seen = np.unique(prefix_id, return_index=True)
        wanted = blocks[np.sort(first_seen)[:MAX_PLACEMENTS]]
        taken = IPSet(merge(columns.prefix_array()))
        placer = Placer(taken, pools)
        return {p: placer.place(p) for p in (columns.prefix(int(i)) for i in wanted.tolist())}

    def conflict(self, i: int, build_block: ObservedBlockFactory) -> ScopeConflict:
        """Conflict ``i`` as the ``ScopeConflict`` the object path builds."""
        a = build_block(int(self.a[i]))
        b = build_block(int(self.b[i]))
        severity = "latent" if self.latent[i] else "blocking"
        remedy = None
        block = int(self.block[i])
        if block >= 0:
            side = "a" if int(self.root[int(self.a[i])]) == block else "b"
            prefix = self.allocations.prefix(block)
            remedy = Remedy(side, prefix, int(self.affected[block]), prefix.size,
                            self.candidates.get(prefix, ()))
        return ScopeConflict(RELATIONS[int(self.relation[i])], severity, a, b, remedy)


    def conflicts_at(self, start: int, stop: int) -> list[ScopeConflict]:
        """Conflicts ``start`` to ``stop`` as objects, built in one batch."""
        a, b = self.a[start:stop], self.b[start:stop]
        needed = np.unique(np.concatenate([a, b]))
        built = dict(zip(needed.tolist(), self.allocations.blocks_at(needed), strict=True))
        block = self.block[start:stop]
        remedies: dict[tuple[int, bool], Remedy] = {}
        side_a = (self.root[a] == block).tolist()
        result = []
        for i, j, relation, latent, blk, on_a in zip(
            a.tolist(), b.tolist(), self.relation[start:stop].tolist(),
            self.latent[start:stop].tolist(), block.tolist(), side_a, strict=True,
        ):
            remedy = None
            if blk >= 0:
                remedy = remedies.get((blk, on_a))
                if remedy is None:
                    prefix = self.allocations.prefix(blk)
                    remedy = remedies[(blk, on_a)] = Remedy(
                        "a" if on_a else "b", prefix, int(self.affected[blk]), prefix.size,
                        self.candidates.get(prefix, ()))
            result.append(ScopeConflict(RELATIONS[relation], "latent" if latent else "blocking",
                                   built[i], built[j], remedy))
        return result


class ObservedBlockFactory:
    """Builds ``ObservedBlock`` objects, reusing the last few (a report repeats its sides)."""

    def __init__(self, columns: ObservedBlockColumns, keep: int = 4096) -> None:
        self.columns = columns
        self.keep = keep
        self.cache: dict[int, ObservedBlock] = {}

    def __call__(self, i: int) -> ObservedBlock:
        found = self.cache.get(i)
        if found is None:
            if len(self.cache) >= self.keep:
                self.cache.clear()
            found = self.cache[i] = self.columns.block(i)
        return found


class ScopeConflictView(Sequence[ScopeConflict]):
    """The conflicts of a columnar audit, each built when read."""

    def __init__(self, columns: ScopeConflictColumns) -> None:
        self.columns = columns
        self.build_block = ObservedBlockFactory(columns.allocations)

    @property
    def blocking_count(self) -> int:
        """How many conflicts are blocking, without building them."""
        return self.columns.blocking_count

    def __len__(self) -> int:
        return len(self.columns)

    def groups(self) -> list[tuple[str, str, str, range]]:
        """Runs of conflicts between one pair of scopes: (severity, scope a, scope b, indexes).

        Blocking runs first, then by scopes; computed without building conflicts.
        """
        c = self.columns
        n = len(c)
        if not n:
            return []
        scope = c.allocations.scope
        scope_a, scope_b = scope[c.a], scope[c.b]
        new = np.ones(n, dtype=bool)
        new[1:] = (scope_a[1:] != scope_a[:-1]) | (scope_b[1:] != scope_b[:-1])
        starts = np.flatnonzero(new)
        stops = np.append(starts[1:], n)
        blocking = np.add.reduceat((~c.latent).astype(np.int64), starts) > 0
        names = c.allocations.records.scopes
        found = [("blocking" if block else "latent", names[int(scope_a[start])],
                  names[int(scope_b[start])], range(start, stop))
                 for start, stop, block in zip(starts.tolist(), stops.tolist(),
                                               blocking.tolist(), strict=True)]
        found.sort(key=lambda g: (g[0] != "blocking", g[1], g[2]))
        return found

    def __iter__(self) -> Iterator[ScopeConflict]:
        return self.iter_span(range(len(self)))

    def iter_span(self, span: range, chunk: int = 4096) -> Iterator[ScopeConflict]:
        """The conflicts in ``span`` (a contiguous range), built a chunk at a time."""
        for start in range(span.start, span.stop, chunk):
            yield from self.columns.conflicts_at(start, min(start + chunk, span.stop))

    def b_kinds(self, span: range) -> list[str | None]:
        """The kind of each distinct ``b`` allocation among the conflicts in ``span``."""
        c = self.columns
        distinct = np.unique(c.b[span.start:span.stop])
        labels = c.allocations.records.labels
        return [labels[int(i)].kind for i in c.allocations.label[distinct].tolist()]

    @overload
    def __getitem__(self, i: int) -> ScopeConflict: ...

    @overload
    def __getitem__(self, i: slice) -> list[ScopeConflict]: ...

    def __getitem__(self, i: int | slice) -> ScopeConflict | list[ScopeConflict]:
        if isinstance(i, slice):
            return [self.columns.conflict(k, self.build_block) for k in range(len(self))[i]]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.columns.conflict(i, self.build_block)


def _outermost(columns: ObservedBlockColumns, outer: I64, inner: I64) -> tuple[I64, I64]:
    """Per allocation, its outermost container in its own scope (itself if none), and
    per allocation how many allocations have it as that container.
    """
    n = len(columns)
    root = np.arange(n, dtype=np.int64)
    if outer.shape[0]:
        # Containers of one prefix form a chain; the shortest length is outermost.
        order = np.lexsort((columns.length[outer], inner))
        held, first = np.unique(inner[order], return_index=True)
        root[held] = outer[order][first]
    return root, np.bincount(root, minlength=n).astype(np.int64)


def _latent(
    a: I64, b: I64, columns: ObservedBlockColumns, scopes: dict[str, ScopeInfo],
    connections: Connections | None,
) -> Bools:
    """Per conflict, whether its two scopes share no connection."""
    latent = np.zeros(a.shape[0], dtype=bool)
    if connections is None or not a.shape[0]:
        return latent
    names = columns.records.scopes
    groups = {n: connections.groups_of(scopes[s]) for n, s in enumerate(names) if s in scopes}
    width = len(names)
    pair = columns.scope[a] * width + columns.scope[b]
    distinct, back = np.unique(pair, return_inverse=True)
    apart = np.array([not (groups[p // width] & groups[p % width]) for p in distinct.tolist()],
                     dtype=bool)
    result: Bools = apart[back.reshape(-1)]
    return result


def _prefix_ids(columns: ObservedBlockColumns) -> I64:
    """Per allocation, a number shared exactly by the allocations of the same prefix."""
    n = len(columns)
    new = np.ones(n, dtype=bool)
    if n:
        new[1:] = ((columns.bits[1:] != columns.bits[:-1]) | (columns.hi[1:] != columns.hi[:-1])
                   | (columns.lo[1:] != columns.lo[:-1])
                   | (columns.length[1:] != columns.length[:-1]))
    return np.cumsum(new) - 1


def nesting(columns: ObservedBlockColumns) -> list[NestingFinding]:
    """``check_nesting`` over the scopes that hold a subnet or a node pod CIDR at all."""
    labels = columns.records.labels
    nested = np.array([bool(PARENT_KINDS.get(x.kind or "")) for x in labels], dtype=bool)
    scopes = np.unique(columns.scope[nested[columns.label]])
    if not scopes.shape[0]:
        return []
    members = np.flatnonzero(np.isin(columns.scope, scopes))
    return check_nesting([columns.block(i) for i in members.tolist()])


def audit_columns(
    inventory: Inventory, connections: Connections | None, pools: Sequence[Prefix]
) -> tuple[ObservedBlockView, ScopeConflictView, list[NestingFinding], dict[str, ScopeInfo]]:
    """Allocations, conflicts (with remedies), nesting findings and scopes of ``inventory``."""
    allocations = ObservedBlockColumns(RecordColumns(inventory))
    scopes = allocations.scope_infos()
    conflicts = ScopeConflictColumns(allocations, scopes, connections, pools)
    return (ObservedBlockView(allocations), ScopeConflictView(conflicts), nesting(allocations),
            scopes)
