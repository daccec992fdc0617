"""Longest-prefix match over Arrow arrays: addresses in, matched prefix and labels out.

An address column may hold text (``string``, ``large_string``, their view
types, or a dictionary of them) or packed bytes (``binary`` values or
``fixed_size_binary`` of 4 bytes for IPv4 and 16 for IPv6, network byte
order). Both families may be mixed. Nulls stay null; a value that is not an
address is null in the output and reported as a problem, with its row.

Text values are read in place by the compiled engine (``native.py``), the
Arrow offsets and bytes as they are; what it rejects, or every value when
the engine is not built, is joined into one newline-separated buffer with
numpy (no Python object per value) and parsed by the bulk layer's parser,
which words the problems. Packed
values are read straight from the Arrow buffer. The output columns are
``take``s of the table's own Arrow columns, or dictionary arrays over them
(no copy of the strings at all) when asked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cidrkit.bulk.annotate import LabelledTable
from cidrkit.bulk.arrays import PrefixArray, Prefixes
from cidrkit.bulk.lpm import LpmTable
from cidrkit.bulk.textparse import parse_address_text
from cidrkit.errors import InputError, ParseError
from cidrkit.scale import native

I64 = npt.NDArray[np.int64]
MATCH_PREFIX = "match_prefix"
_NEWLINE = 10
_CARRIAGE_RETURN = 13


@dataclass
class ArrowMatches:
    """Table rows matched per input element (``-1``: null, not an address, or no match)."""

    rows: I64
    problems: list[ParseError] = field(default_factory=list)


class ArrowLookup:
    """A labelled prefix table whose prefix and label columns are Arrow arrays.

    Output columns are named ``match_prefix`` and ``match_<label>``, as the
    CSV output of ``cidrkit lookup`` names them. Pickles as the prefixes'
    arrays and the Arrow columns (buffers, not a Python string per
    prefix), so engines ship it to workers cheaply.

    >>> lookup = ArrowLookup.from_csv_text("prefix,vpc\\n10.0.0.0/8,prod\\n10.1.0.0/16,dev\\n")
    >>> out = lookup.match_columns(pa.array(["10.1.2.3", None, "192.0.2.1", "10.9.9.9"]))
    >>> out.column("match_vpc").to_pylist()
    ['dev', None, None, 'prod']
    """

    def __init__(self, table: LabelledTable, *, engine: bool = True) -> None:
        """Wrap a table as it is; its bad rows (``table.problems``) are the caller's to report.

        ``engine=False`` keeps text lookups on the Python parser even where
        the compiled engine is built.
        """
        assert table.prefixes is not None, "tables built by LabelledTable keep their prefixes"
        self.prefixes: PrefixArray = table.prefixes
        self.engine = engine
        self._native: Any = None
        self._lpm: LpmTable | None = table.lpm
        self.prefix = pa.array(table.prefix_text, pa.string())
        self.labels = {
            name: pa.array([row[k] for row in table.labels], pa.string())
            for k, name in enumerate(table.label_names)
        }

    def __len__(self) -> int:
        """Rows of the table; the ``rows`` answers index them."""
        return len(self.prefix)

    @classmethod
    def from_file(
        cls,
        path: str | Path,
        *,
        prefix_column: str | None = None,
        labels: Sequence[str] | None = None,
    ) -> ArrowLookup:
        """Read a table file: a CSV with a header (name ends in ``.csv``) or one prefix a line."""
        name = str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as err:
            raise InputError(f"{name}: cannot read table: {err.strerror}") from None
        if name.lower().endswith(".csv"):
            text = data.decode("utf-8-sig", errors="replace")
            return cls(_whole(LabelledTable.from_csv(text, name, prefix_column, labels)))
        if prefix_column or labels:
            raise InputError(f"{name}: prefix and label columns need a CSV table")
        return cls(_whole(LabelledTable.from_text(data, name)))

    @classmethod
    def from_csv_text(cls, text: str, source: str = "<table>") -> ArrowLookup:
        """A table from CSV text with a header row (the first prefix-like column holds prefixes)."""
        return cls(_whole(LabelledTable.from_csv(text, source)))

    def __getstate__(self) -> dict[str, Any]:
        # Only the prefixes, in their narrowest types, and the output columns
        # travel: both lookup tables are rebuilt where they are used, once per
        # process, in well under a second, from a broadcast a third smaller.
        v4, v6 = self.prefixes.v4, self.prefixes.v6
        return {
            "v4": (v4.lo.astype(np.uint32), v4.length, v4.ids.astype(np.int32)),
            "v6": (v6.hi, v6.lo, v6.length, v6.ids.astype(np.int32)),
            "prefix": self.prefix,
            "labels": self.labels,
            "engine": self.engine,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        lo4, length4, ids4 = state["v4"]
        hi6, lo6, length6, ids6 = state["v6"]
        self.prefixes = PrefixArray(
            Prefixes(
                32,
                np.zeros(len(lo4), np.uint64),
                lo4.astype(np.uint64),
                length4,
                ids4.astype(np.int64),
            ),
            Prefixes(128, hi6, lo6, length6, ids6.astype(np.int64)),
        )
        self.prefix, self.labels = state["prefix"], state["labels"]
        self.engine, self._native, self._lpm = state["engine"], None, None

    @property
    def lpm(self) -> LpmTable:
        """The bulk layer's lookup table (packed addresses, and text without the engine)."""
        if self._lpm is None:
            self._lpm = LpmTable(self.prefixes)
        return self._lpm

    def native_table(self) -> Any:
        """The compiled engine's table for text lookups, built on first use; None without it."""
        if self._native is None and self.engine:
            module = native.load_engine()
            if module is None:
                self.engine = False
            else:
                self._native = native.build_row_table(module, self.prefixes, len(self))
        return self._native

    @property
    def column_names(self) -> list[str]:
        """Names of the output columns, prefix first."""
        return [MATCH_PREFIX, *(f"match_{name}" for name in self.labels)]

    def fields(self) -> list[pa.Field]:
        """The output columns as Arrow fields (nullable strings)."""
        return [pa.field(name, pa.string()) for name in self.column_names]

    def rows(self, addresses: pa.Array | pa.ChunkedArray, where: str = "input") -> ArrowMatches:
        """Match every element; ``where`` names the column in problem messages."""
        if isinstance(addresses, pa.ChunkedArray):
            found = ArrowMatches(np.empty(0, np.int64))
            parts = [found.rows]
            offset = 0
            for chunk in addresses.chunks:
                part = self._array_rows(chunk, where, offset)
                parts.append(part.rows)
                found.problems += part.problems
                offset += len(chunk)
            found.rows = np.concatenate(parts)
            return found
        return self._array_rows(addresses, where, 0)

    def match_columns(
        self,
        addresses: pa.Array | pa.ChunkedArray,
        where: str = "input",
        *,
        dictionary: bool = False,
    ) -> pa.Table:
        """The ``match_*`` columns for ``addresses``, one row per element.

        ``dictionary=True`` returns dictionary arrays whose dictionaries are
        the table's columns themselves: no string is copied.
        """
        return self.columns_for(self.rows(addresses, where).rows, dictionary=dictionary)

    def columns_for(self, rows: I64, *, dictionary: bool = False) -> pa.Table:
        """The ``match_*`` columns for table rows found by :meth:`rows`."""
        indices = pa.array(rows, pa.int64(), mask=rows < 0)
        sources = [self.prefix, *self.labels.values()]
        if dictionary:
            arrays = [pa.DictionaryArray.from_arrays(indices, s) for s in sources]
        else:
            arrays = [s.take(indices) for s in sources]
        return pa.table(arrays, names=self.column_names)

    def annotate(
        self, batch: pa.RecordBatch, column: str, where: str = "input"
    ) -> tuple[pa.RecordBatch, list[ParseError]]:
        """``batch`` with the ``match_*`` columns appended; ``column`` holds the addresses."""
        if column not in batch.schema.names:
            raise InputError(
                f"{where}: no column {column!r}; it has {', '.join(batch.schema.names)}"
            )
        found = self.rows(batch.column(column), f"{where}, column {column!r}")
        return self.append_matches(batch, found.rows, where), found.problems

    def append_matches(
        self, batch: pa.RecordBatch, rows: I64, where: str = "input"
    ) -> pa.RecordBatch:
        """``batch`` with the ``match_*`` columns for ``rows`` appended."""
        clash = sorted(set(self.column_names) & set(batch.schema.names))
        if clash:
            raise InputError(f"{where}: already has a column {clash[0]!r}")
        extra = self.columns_for(rows)
        arrays = [*batch.columns, *(c.combine_chunks() for c in extra.columns)]
        return pa.RecordBatch.from_arrays(arrays, names=[*batch.schema.names, *self.column_names])

    def _array_rows(self, array: pa.Array, where: str, offset: int) -> ArrowMatches:
        kind = array.type
        if pa.types.is_dictionary(kind):
            # Look up each distinct value once, then spread by the indices.
            inner = self._array_rows(array.dictionary, where, 0)
            indices = array.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
            rows = inner.rows[indices] if len(inner.rows) else np.full(len(array), -1, np.int64)
            rows[~_valid(array)] = -1
            used = set(indices[_valid(array)].tolist()) if inner.problems else set()
            problems = _dictionary_problems(inner.problems, indices, _valid(array), used, offset)
            return ArrowMatches(rows, problems)
        if pa.types.is_null(kind):
            return ArrowMatches(np.full(len(array), -1, np.int64))
        if pa.types.is_string_view(kind) or pa.types.is_binary_view(kind):
            large = pa.large_string() if pa.types.is_string_view(kind) else pa.large_binary()
            array = array.cast(large)
            kind = large
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            return self._text_rows(array, where, offset)
        if pa.types.is_fixed_size_binary(kind) or pa.types.is_binary(kind):
            return self._packed_rows(array, where, offset)
        if pa.types.is_large_binary(kind):
            return self._packed_rows(array, where, offset)
        raise InputError(
            f"{where}: a column of {kind} cannot hold addresses; use text"
            " (string) or packed bytes (binary, 4 or 16 bytes)"
        )

    def _text_rows(self, array: pa.Array, where: str, offset: int) -> ArrowMatches:
        table = self.native_table()
        if table is None:
            return self._parsed_text_rows(array, where, offset + 1 + np.arange(len(array)))
        rows = native.text_rows(table, array)
        rejected = np.flatnonzero(rows == native.NOT_AN_ADDRESS)
        if not len(rejected):
            return ArrowMatches(rows)
        # The engine is strict; the parser may still read a value it rejects
        # (spaces around an address) and it alone words the problems.
        again = self._parsed_text_rows(array.take(rejected), where, offset + 1 + rejected)
        rows[rejected] = again.rows
        return ArrowMatches(rows, again.problems)

    def _parsed_text_rows(self, array: pa.Array, where: str, numbers: I64) -> ArrowMatches:
        """Rows by the Python parser; ``numbers`` are the 1-based rows that messages name."""
        lines, bad = _as_lines(array)
        parsed = parse_address_text(lines, "", first_line=1)
        found = self.lpm.lookup(parsed.prefixes)
        rows = np.full(len(array), -1, np.int64)
        rows[parsed.prefixes.v4.ids] = found.v4
        rows[parsed.prefixes.v6.ids] = found.v6
        problems = [_relocated(p, where, numbers) for p in parsed.problems]
        problems += [
            ParseError(str(array[k]), "holds a line break", where=f"{where}, row {numbers[k]}")
            for k in bad.tolist()
        ]
        problems.sort(key=lambda p: int((p.where or "0").rpartition(" ")[2]))
        return ArrowMatches(rows, problems)

    def _packed_rows(self, array: pa.Array, where: str, offset: int) -> ArrowMatches:
        n = len(array)
        rows = np.full(n, -1, np.int64)
        if pa.types.is_fixed_size_binary(array.type):
            width = array.type.byte_width
            if width not in (4, 16):
                raise InputError(
                    f"{where}: fixed-size binary of {width} bytes; addresses take 4 or 16"
                )
            data = _buffer(array.buffers()[1])[array.offset * width : (array.offset + n) * width]
            starts = np.arange(n, dtype=np.int64) * width
            lengths = np.full(n, width, np.int64)
        else:
            offsets = _offsets(array)
            data = _buffer(array.buffers()[2])
            starts, lengths = offsets[:-1], np.diff(offsets)
        valid = _valid(array)
        lpm = self.lpm
        v4 = np.flatnonzero(valid & (lengths == 4))
        if len(v4):
            raw = data[starts[v4, None] + np.arange(4)]
            rows[v4] = lpm.lookup_v4(raw.copy().view(">u4").ravel().astype(np.uint32))
        v6 = np.flatnonzero(valid & (lengths == 16))
        if len(v6):
            raw = data[starts[v6, None] + np.arange(16)]
            words = raw.copy().view(">u8").astype(np.uint64)
            rows[v6] = lpm.lookup_v6(words[:, 0].copy(), words[:, 1].copy())
        wrong = np.flatnonzero(valid & (lengths != 4) & (lengths != 16))
        problems = [
            ParseError(
                bytes(data[starts[k] : starts[k] + lengths[k]]).hex(),
                f"{lengths[k]} bytes; a packed address has 4 (IPv4) or 16 (IPv6)",
                where=f"{where}, row {offset + k + 1}",
            )
            for k in wrong.tolist()
        ]
        return ArrowMatches(rows, problems)


def function_suffix(label: str) -> str:
    """A label as the suffix of a SQL function's name: letters, digits and underscores only."""
    name = re.sub(r"\W+", "_", label.strip()).strip("_").lower()
    if not name:
        raise InputError(f"label {label!r} has no letters or digits to name a SQL function")
    return name


def _whole(table: LabelledTable) -> LabelledTable:
    """The table, or an InputError listing its bad rows: a job should not run on part of it."""
    if not table.problems:
        return table
    shown = "\n  ".join(table.problems[:5])
    more = f"\n  ... and {len(table.problems) - 5} more" if len(table.problems) > 5 else ""
    raise InputError(f"the prefix table has {len(table.problems)} bad rows:\n  {shown}{more}")


def _buffer(buffer: pa.Buffer | None) -> npt.NDArray[np.uint8]:
    if buffer is None:
        return np.zeros(0, np.uint8)
    return np.frombuffer(buffer, dtype=np.uint8)


def _offsets(array: pa.Array) -> I64:
    """The ``len + 1`` value offsets of a (large) string or binary array, as int64."""
    large = pa.types.is_large_string(array.type) or pa.types.is_large_binary(array.type)
    kind = np.int64 if large else np.int32
    raw = np.frombuffer(array.buffers()[1], dtype=kind)
    return raw[array.offset : array.offset + len(array) + 1].astype(np.int64)


def _valid(array: pa.Array) -> npt.NDArray[np.bool_]:
    if array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    return np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _as_lines(array: pa.Array) -> tuple[bytes, I64]:
    """The values as newline-terminated lines, and the rows blanked for holding a line break.

    Null rows and rows with a line break become empty lines, so line ``k``
    is always row ``k``.
    """
    offsets = _offsets(array)
    data = _buffer(array.buffers()[2])[offsets[0] : offsets[-1]]
    lengths = np.diff(offsets)
    blank = ~_valid(array)
    breaks = np.flatnonzero((data == _NEWLINE) | (data == _CARRIAGE_RETURN))
    bad = np.zeros(0, np.int64)
    if len(breaks):
        bad_rows = np.searchsorted(offsets - offsets[0], breaks, side="right") - 1
        bad = np.unique(bad_rows)
        bad = bad[~blank[bad]]
        blank[bad_rows] = True
    if blank.any() and lengths[blank].any():
        keep = ~np.repeat(blank, lengths)
        data = data[keep]
    lengths[blank] = 0
    lines = np.insert(data, np.cumsum(lengths), _NEWLINE)
    return lines.tobytes(), bad.astype(np.int64)


def _relocated(problem: ParseError, where: str, numbers: I64) -> ParseError:
    # The parser numbers lines from 1 with an empty source: ":LINE".
    line = int((problem.where or ":0").rpartition(":")[2])
    return ParseError(
        problem.text, problem.reason, hint=problem.hint, where=f"{where}, row {numbers[line - 1]}"
    )


def _dictionary_problems(
    problems: list[ParseError],
    indices: I64,
    valid: npt.NDArray[np.bool_],
    used: set[int],
    offset: int,
) -> list[ParseError]:
    """A dictionary's bad values, reported at the first row that uses each."""
    if not problems:
        return []
    out = []
    for problem in problems:
        entry = int((problem.where or " 0").rpartition(" ")[2]) - 1
        if entry not in used:
            continue
        row = int(np.flatnonzero(valid & (indices == entry))[0])
        base = (problem.where or "").rpartition(", row ")[0]
        out.append(
            ParseError(
                problem.text,
                problem.reason,
                hint=problem.hint,
                where=f"{base}, row {offset + row + 1}",
            )
        )
    return out
