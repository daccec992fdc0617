"""Observed blocks of a large inventory as columns, and the facts the audit needs about them.

``ObservedBlockColumns.build(inventory)`` does what ``merge_records`` and
``collect_scopes`` do, with numpy instead of one object per record: records
are gathered into columns in reading order, sorted by (family, address,
length, scope) with a stable sort, and every run of equal keys becomes one
allocation. ``ObservedBlock`` objects are only built for what is rendered
(:meth:`ObservedBlockColumns.block`), with exactly the fields, labels and
observations the object path would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from cidrkit.audit.model import KIND_RANK, ObservedBlock
from cidrkit.audit.rules import merge_labels
from cidrkit.audit.scopes import ScopeInfo
from cidrkit.bulk.arrays import PrefixArray, Prefixes
from cidrkit.core import Prefix
from cidrkit.sources.record import Inventory, Labels, Origin
from cidrkit.sources.record_table import RecordTable

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]
Bools = npt.NDArray[np.bool_]

_LOW64 = (1 << 64) - 1


class _Interner:
    """Dense ids for hashable values, in order of first appearance."""

    def __init__(self) -> None:
        self.ids: dict[object, int] = {}
        self.values: list[object] = []

    def id(self, value: object) -> int:
        found = self.ids.get(value)
        if found is None:
            found = self.ids[value] = len(self.values)
            self.values.append(value)
        return found


@dataclass(eq=False, slots=True)
class _Segment:
    """Where the records of one stretch of reading order live."""

    table: RecordTable | None  # None: Inventory.records
    first: int  # index of its first row in that table or list


class RecordColumns:
    """Every record of an inventory in reading order: prefix, scope, label and file ids."""

    def __init__(self, inventory: Inventory) -> None:
        self.inventory = inventory
        labels, files = _Interner(), _Interner()
        scope_names = {r.scope for r in inventory.records}
        scope_names.update(table.scope for _, table in inventory.tables)
        #: Scope names sorted, so comparing ids compares names.
        self.scopes = sorted(scope_names)
        scope_ids = {s: n for n, s in enumerate(self.scopes)}
        parts: list[tuple[U8, U64, U64, U8, I64, I64, I64]] = []
        self.segments: list[_Segment] = []
        done = 0
        for position, table in [*inventory.tables, (len(inventory.records), None)]:
            if position > done:
                self.segments.append(_Segment(None, done))
                parts.append(self._object_part(done, position, scope_ids, labels, files))
            done = position
            if table is not None and len(table):
                self.segments.append(_Segment(table, 0))
                local = np.array([labels.id(x) for x in table.labels], dtype=np.int64)
                n = len(table)
                parts.append((table.bits, table.hi, table.lo, table.length,
                              np.full(n, scope_ids[table.scope], dtype=np.int64),
                              local[table.label], np.full(n, files.id(table.file), np.int64)))
        self.labels: list[Labels] = labels.values  # type: ignore[assignment]
        self.files: list[str] = files.values  # type: ignore[assignment]
        sizes = [len(part[0]) for part in parts]
        #: Reading-order index of each segment's first record.
        self.segment_start = np.cumsum([0, *sizes[:-1]]).astype(np.int64)

        def joined(n: int, dtype: type[np.generic]) -> npt.NDArray[np.generic]:
            if not parts:
                return np.zeros(0, dtype=dtype)
            return np.concatenate([part[n] for part in parts]).astype(dtype, copy=False)

        self.bits: U8 = joined(0, np.uint8)  # type: ignore[assignment]
        self.hi: U64 = joined(1, np.uint64)  # type: ignore[assignment]
        self.lo: U64 = joined(2, np.uint64)  # type: ignore[assignment]
        self.length: U8 = joined(3, np.uint8)  # type: ignore[assignment]
        self.scope: I64 = joined(4, np.int64)  # type: ignore[assignment]
        self.label: I64 = joined(5, np.int64)  # type: ignore[assignment]
        self.file: I64 = joined(6, np.int64)  # type: ignore[assignment]

    def _object_part(
        self, start: int, stop: int, scope_ids: dict[str, int], labels: _Interner,
        files: _Interner,
    ) -> tuple[U8, U64, U64, U8, I64, I64, I64]:
        records = self.inventory.records[start:stop]
        values = [r.prefix.value for r in records]
        return (
            np.array([r.prefix.bits for r in records], dtype=np.uint8),
            np.array([v >> 64 for v in values], dtype=np.uint64),
            np.array([v & _LOW64 for v in values], dtype=np.uint64),
            np.array([r.prefix.length for r in records], dtype=np.uint8),
            np.array([scope_ids[r.scope] for r in records], dtype=np.int64),
            np.array([labels.id(r.labels) for r in records], dtype=np.int64),
            np.array([files.id(r.origin.file) for r in records], dtype=np.int64),
        )

    def __len__(self) -> int:
        return int(self.lo.shape[0])

    def origins_at(self, ks: I64) -> list[Origin]:
        """Where records ``ks`` (reading-order indexes) were read, in that order."""
        segment = np.searchsorted(self.segment_start, ks, side="right") - 1
        found: list[Origin | None] = [None] * int(ks.shape[0])
        for n in np.unique(segment).tolist():
            at = np.flatnonzero(segment == n)
            part = self.segments[n]
            rows = (ks[at] - self.segment_start[n] + part.first).tolist()
            table = part.table
            if table is None:
                records = self.inventory.records
                for slot, row in zip(at.tolist(), rows, strict=True):
                    found[slot] = records[row].origin
                continue
            file, column = table.file, table.column
            lines = table.line[rows].tolist()
            for slot, line in zip(at.tolist(), lines, strict=True):
                found[slot] = Origin(file, None if line < 0 else line, column=column)
        return found  # type: ignore[return-value]

    def origin(self, k: int) -> Origin:
        """Where record ``k`` (in reading order) was read."""
        n = int(np.searchsorted(self.segment_start, k, side="right")) - 1
        segment = self.segments[n]
        row = segment.first + k - int(self.segment_start[n])
        if segment.table is None:
            return self.inventory.records[row].origin
        return segment.table.origin(row)


def _merge_order(r: RecordColumns) -> I64:
    """Record indexes sorted by (family, address, length, scope), reading order kept for ties."""
    v4 = np.flatnonzero(r.bits == 32)
    v6 = np.flatnonzero(r.bits != 32)
    scope_bits = max(1, len(r.scopes).bit_length())
    if scope_bits <= 24:
        # address (32) | length (6..8) | scope: one stable integer sort.
        key = ((r.lo[v4] << np.uint64(8)) | r.length[v4].astype(np.uint64)) << np.uint64(scope_bits)
        key |= r.scope[v4].astype(np.uint64)
        order4 = v4[np.argsort(key, kind="stable")]
    else:
        order4 = v4[np.lexsort((r.scope[v4], r.length[v4], r.lo[v4]))]
    order6 = v6[np.lexsort((r.scope[v6], r.length[v6], r.lo[v6], r.hi[v6]))]
    return np.concatenate([order4, order6])


class ObservedBlockColumns:
    """One allocation per (scope, prefix), sorted by prefix (IPv4 first) then scope.

    ``order`` lists record indexes grouped by allocation; allocation ``i``'s
    records are ``order[first[i] : first[i] + count[i]]``, in reading order.
    """

    def __init__(self, records: RecordColumns) -> None:
        self.records = records
        order = _merge_order(records)
        self.order = order
        bits, hi, lo = records.bits[order], records.hi[order], records.lo[order]
        length, scope = records.length[order], records.scope[order]
        n = order.shape[0]
        new = np.ones(n, dtype=bool)
        if n:
            new[1:] = ((bits[1:] != bits[:-1]) | (hi[1:] != hi[:-1]) | (lo[1:] != lo[:-1])
                       | (length[1:] != length[:-1]) | (scope[1:] != scope[:-1]))
        self.first = np.flatnonzero(new)
        self.count = np.diff(np.append(self.first, n))
        self.bits: U8 = bits[self.first]
        self.hi: U64 = hi[self.first]
        self.lo: U64 = lo[self.first]
        self.length: U8 = length[self.first]
        self.scope: I64 = scope[self.first]
        self.label = records.label[order[self.first]]
        labels = records.labels
        interned = {label: n for n, label in enumerate(labels)}
        for i in np.flatnonzero(self.count > 1).tolist():
            ids = records.label[order[self.first[i]:self.first[i] + self.count[i]]].tolist()
            if len(set(ids)) > 1:
                self.label[i] = _merge_label_ids(ids, labels, interned)
        self.kind_rank = np.array([KIND_RANK.get(x.kind or "", 9) for x in labels],
                                  dtype=np.int64)[self.label]
        self.planned = np.array([x.planned for x in labels], dtype=bool)[self.label]

    def __len__(self) -> int:
        return int(self.first.shape[0])

    def prefix(self, i: int) -> Prefix:
        """The prefix of allocation ``i``."""
        return Prefix(int(self.bits[i]), (int(self.hi[i]) << 64) | int(self.lo[i]),
                      int(self.length[i]))

    def block(self, i: int) -> ObservedBlock:
        """Block ``i`` as the ``ObservedBlock`` the object path builds."""
        r = self.records
        start = int(self.first[i])
        observations: list[Origin] = []
        for k in self.order[start:start + int(self.count[i])].tolist():
            origin = r.origin(k)
            if origin not in observations:
                observations.append(origin)
        return ObservedBlock(i, self.prefix(i), r.scopes[int(self.scope[i])],
                          r.labels[int(self.label[i])], observations)

    def blocks_at(self, indexes: I64) -> list[ObservedBlock]:
        """Allocations ``indexes`` as objects, built in one batch (far cheaper than one by one)."""
        r = self.records
        first, count = self.first[indexes], self.count[indexes]
        single = count == 1
        origins = r.origins_at(self.order[first[single]])
        lone = iter(origins)
        values = [(h << 64) | lo for h, lo in zip(self.hi[indexes].tolist(),
                                                 self.lo[indexes].tolist(), strict=True)]
        result = []
        for i, one, bits, value, length, scope, label in zip(
            indexes.tolist(), single.tolist(), self.bits[indexes].tolist(), values,
            self.length[indexes].tolist(), self.scope[indexes].tolist(),
            self.label[indexes].tolist(), strict=True,
        ):
            observations = [next(lone)] if one else self.block(i).observations
            result.append(ObservedBlock(i, Prefix(bits, value, length), r.scopes[scope],
                                     r.labels[label], observations))
        return result

    def prefix_array(self) -> PrefixArray:
        """The allocations as bulk prefix arrays; ``ids`` are allocation indexes."""
        v4 = int(np.count_nonzero(self.bits == 32))
        ids = np.arange(len(self), dtype=np.int64)
        parts = [Prefixes(bits, self.hi[sl], self.lo[sl], self.length[sl], ids[sl])
                 for bits, sl in ((32, slice(0, v4)), (128, slice(v4, None)))]
        return PrefixArray(parts[0], parts[1])

    def host_bits(self) -> I64:
        """``bits - length`` per allocation: sizes compare as these do."""
        host: I64 = self.bits.astype(np.int64) - self.length.astype(np.int64)
        return host

    def scope_infos(self) -> dict[str, ScopeInfo]:
        """What ``collect_scopes`` says about every scope, computed on columns."""
        r = self.records
        n = len(self)
        index = np.arange(n)
        labels = r.labels
        # Scopes in order of their first allocation, as collect_scopes meets them.
        seen, first_at = np.unique(self.scope, return_index=True)
        best_order = np.lexsort((index, self.kind_rank, self.scope))
        _, best_at = np.unique(self.scope[best_order], return_index=True)
        best = dict(zip(seen.tolist(), best_order[best_at].tolist(), strict=True))
        facts: dict[str, dict[int, str]] = {}
        for key in ("account", "region"):
            has = np.array([bool(getattr(x, key)) for x in labels], dtype=bool)[self.label]
            holders = np.flatnonzero(has)
            scopes_with, at = np.unique(self.scope[holders], return_index=True)
            facts[key] = {s: str(getattr(labels[int(self.label[holders[k]])], key))
                          for s, k in zip(scopes_with.tolist(), at.tolist(), strict=True)}
        pairs = np.unique(r.scope * max(1, len(r.files)) + r.file)
        files: dict[int, list[str]] = {}
        for pair in pairs.tolist():
            files.setdefault(pair // max(1, len(r.files)), []).append(
                r.files[pair % max(1, len(r.files))])
        result: dict[str, ScopeInfo] = {}
        for scope_id in seen[np.argsort(first_at)].tolist():
            scope = r.scopes[scope_id]
            alloc = best[scope_id]
            label = labels[int(self.label[alloc])]
            name = label.name if int(self.kind_rank[alloc]) <= KIND_RANK["vpc"] else None
            result[scope] = ScopeInfo(scope, scope.split(":", 1)[0], name,
                                      facts["account"].get(scope_id),
                                      facts["region"].get(scope_id), label.default,
                                      tuple(sorted(files[scope_id])))
        return result


class ObservedBlockView(Sequence[ObservedBlock]):
    """The allocations of a columnar audit, built one at a time when read."""

    def __init__(self, columns: ObservedBlockColumns) -> None:
        self.columns = columns

    def __len__(self) -> int:
        return len(self.columns)

    @overload
    def __getitem__(self, i: int) -> ObservedBlock: ...

    @overload
    def __getitem__(self, i: slice) -> list[ObservedBlock]: ...

    def __getitem__(self, i: int | slice) -> ObservedBlock | list[ObservedBlock]:
        if isinstance(i, slice):
            return [self.columns.block(k) for k in range(len(self))[i]]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.columns.block(i)


def _merge_label_ids(ids: Sequence[int], labels: list[Labels], interned: dict[Labels, int]) -> int:
    """The label id of an allocation observed with ``ids``, folded as ``merge_records`` does."""
    merged = labels[ids[0]]
    for label_id in ids[1:]:
        new = labels[label_id]
        if new != merged:
            merged = merge_labels(merged, new)
    found = interned.get(merged)
    if found is None:
        found = interned[merged] = len(labels)
        labels.append(merged)
    return found
