"""Annotate records (log lines, CSV rows, JSON lines) with their most specific prefix.

A ``LabelledTable`` holds prefixes with label columns (name, VPC, account,
AS...) and a longest-prefix-match table over them. An ``Annotator`` takes
chunks of input lines, pulls the address out of each (first word of a text
line, a CSV column, a JSON field), looks the whole chunk up at once and
renders annotated lines. Memory is the table plus one chunk, whatever the
input size; the caller reads and writes the streams.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from cidrkit.bulk.arrays import PrefixArray
from cidrkit.bulk.lpm import LpmTable
from cidrkit.bulk.textformat import prefix_strings
from cidrkit.bulk.textparse import ParsedText, parse_address_text, parse_prefix_text
from cidrkit.errors import InputError, ParseError

Format = Literal["text", "csv", "jsonl"]
PREFIX_HEADERS = ("prefix", "cidr", "network", "subnet", "block")


def describe(err: ParseError) -> str:
    """``FILE:LINE: error: 'text': reason (hint: ...)`` for a located parse error."""
    bare = ParseError(err.text, err.reason, hint=err.hint)
    return f"{err.where}: error: {bare.message}" if err.where else f"error: {bare.message}"


@dataclass(frozen=True, slots=True)
class LabelledTable:
    """Prefixes with labels, ready for lookups. Row ``k`` is ``prefix_text[k]``."""

    prefix_text: list[str]
    label_names: list[str]
    labels: Sequence[Sequence[str]]
    lpm: LpmTable
    problems: list[str] = field(default_factory=list)
    # The table's prefixes, ids renumbered to rows (what ``lpm`` was built from).
    prefixes: PrefixArray | None = None

    def __len__(self) -> int:
        return len(self.prefix_text)

    @classmethod
    def from_text(cls, data: bytes, source: str) -> LabelledTable:
        """One prefix (or address) per line, no labels; bad lines become problems."""
        parsed = parse_prefix_text(data, source)
        return cls._from_parsed(parsed, [], lambda rows: [()] * len(rows))

    @classmethod
    def from_csv(
        cls,
        text: str,
        source: str,
        prefix_column: str | None = None,
        label_columns: Sequence[str] | None = None,
    ) -> LabelledTable:
        """A CSV with a header row: one prefix column, the others (or those named) labels.

        Without ``prefix_column`` the first column named prefix, cidr,
        network, subnet or block is used, else the first column.
        """
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as err:
            # Worded as when the prefix column is found from the first rows.
            raise InputError(f"{source}: not a readable CSV table ({err})") from None
        if not rows:
            raise InputError(f"{source}: empty CSV table, expected a header row")
        header = [h.strip() for h in rows[0]]
        at, label_at = table_columns(header, prefix_column, label_columns, source)
        body = rows[1:]
        cells = [row[at].strip() if at < len(row) else "" for row in body]
        # Line numbers: the header is line 1 (quoted newlines are rare in
        # tables and would only shift the numbers in messages).
        numbers = list(range(2, len(body) + 2))
        parsed = parse_prefix_text("\n".join(cells).encode(), source, line_numbers=numbers)
        empty = [
            f"{source}:{numbers[i]}: error: empty prefix cell" for i, c in enumerate(cells) if not c
        ]

        def labels_of(kept: Sequence[int]) -> list[list[str]]:
            return [[body[k][i] if i < len(body[k]) else "" for i in label_at] for k in kept]

        table = cls._from_parsed(parsed, [header[i] for i in label_at], labels_of)
        table.problems[:0] = empty
        return table

    @classmethod
    def _from_parsed(cls, parsed: ParsedText, names: list[str], labels_of: Any) -> LabelledTable:
        problems = [describe(p) for p in parsed.problems]
        if len(parsed.ranges):
            problems += [
                f"table line {i + 1}: error: ranges are not prefixes; list them as CIDRs"
                for i in parsed.ranges.v4.ids.tolist() + parsed.ranges.v6.ids.tolist()
            ]
        prefixes = parsed.prefixes
        kept = np.concatenate([prefixes.v4.ids, prefixes.v6.ids])
        order = np.argsort(kept, kind="stable")
        kept_rows = kept[order].tolist()
        texts = prefix_strings(prefixes.v4) + prefix_strings(prefixes.v6)
        texts = [texts[i] for i in order.tolist()]
        # ids become row numbers of this table, in input order.
        sorted_lines = kept[order]
        renumbered = PrefixArray(
            prefixes.v4.with_ids(np.searchsorted(sorted_lines, prefixes.v4.ids).astype(np.int64)),
            prefixes.v6.with_ids(np.searchsorted(sorted_lines, prefixes.v6.ids).astype(np.int64)),
        )
        return cls(
            texts, names, labels_of(kept_rows), LpmTable(renumbered), problems, renumbered
        )


def table_columns(
    header: Sequence[str],
    prefix_column: str | None,
    label_columns: Sequence[str] | None,
    source: str,
) -> tuple[int, list[int]]:
    """The index of a CSV table's prefix column and those of its label columns.

    Without ``prefix_column`` the first column named prefix, cidr, network,
    subnet or block is used, else the first column; without
    ``label_columns`` every other column is a label.
    """
    at = (
        _column_index(header, prefix_column, source)
        if prefix_column
        else next((i for i, h in enumerate(header) if h.lower() in PREFIX_HEADERS), 0)
    )
    if label_columns:
        return at, [_column_index(header, name, source) for name in label_columns]
    return at, [i for i in range(len(header)) if i != at]


@dataclass(frozen=True, slots=True)
class SettledCells:
    """The Python parser's verdicts on table cells the compiled engine left to it.

    The prefixes found, as little-endian arrays for ``TableReader.build``
    (``rows`` i64, ``bits`` u8, ``networks`` (hi, lo) u64 pairs,
    ``lengths`` u8), and the problems, worded and ordered as
    ``LabelledTable.from_text`` / ``from_csv`` word and order them.
    """

    rows: bytes
    bits: bytes
    networks: bytes
    lengths: bytes
    count: int
    problems: list[str]


def settle_cells(
    cells: Sequence[bytes], rows: Sequence[int], source: str, *, csv_table: bool
) -> SettledCells:
    """Parse the prefix cells of table ``rows`` (0-based, after a CSV's header) as the reader does.

    The verdict on a cell depends on that cell alone, so parsing only the
    cells the engine declined gives the same prefixes and messages as
    parsing the whole table; line numbers and ``table line`` numbers are
    those of the rows.
    """
    first_number = 2 if csv_table else 1
    numbers = [row + first_number for row in rows]
    empty: list[str] = []
    if csv_table:
        texts = [cell.decode("utf-8").strip() for cell in cells]
        empty = [
            f"{source}:{numbers[i]}: error: empty prefix cell" for i, t in enumerate(texts) if not t
        ]
        data = "\n".join(texts).encode()
    else:
        data = b"\n".join(cells)
    parsed = parse_prefix_text(data, source, line_numbers=numbers)
    problems = empty + [describe(p) for p in parsed.problems]
    problems += [
        f"table line {rows[i] + 1}: error: ranges are not prefixes; list them as CIDRs"
        for i in parsed.ranges.v4.ids.tolist() + parsed.ranges.v6.ids.tolist()
    ]
    v4, v6 = parsed.prefixes.v4, parsed.prefixes.v6
    at = np.asarray(rows, dtype="<i8")
    ids = np.concatenate([v4.ids, v6.ids])
    networks = np.stack(
        [np.concatenate([v4.hi, v6.hi]), np.concatenate([v4.lo, v6.lo])], axis=1
    )
    bits = np.concatenate([np.full(len(v4), 32), np.full(len(v6), 128)]).astype(np.uint8)
    return SettledCells(
        at[ids].tobytes(),
        bits.tobytes(),
        networks.astype("<u8").tobytes(),
        np.concatenate([v4.length, v6.length]).astype(np.uint8).tobytes(),
        int(ids.shape[0]),
        problems,
    )


def _column_index(header: Sequence[str], name: str, source: str) -> int:
    """A column by header name, or by 1-based number."""
    if name in header:
        return list(header).index(name)
    if name.isdigit() and 1 <= int(name) <= len(header):
        return int(name) - 1
    raise InputError(f"{source}: no column {name!r}; the header has {', '.join(header)}")


@dataclass
class Annotator:
    """Annotates chunks of input lines with the table's matches.

    ``input_format`` says where the address is: ``text`` (first word of the
    line), ``csv`` (``column``; the first line fed is the header) or
    ``jsonl`` (``json_field``, dots for nesting). ``output_format`` picks the
    rendering. ``hits`` counts matches per table row; ``misses`` the
    addresses that matched nothing.
    """

    table: LabelledTable
    input_format: Format = "text"
    output_format: Format = "text"
    column: str | None = None
    json_field: str | None = None
    matched_only: bool = False
    source: str = "<stdin>"
    hits: npt.NDArray[np.int64] = field(init=False)
    misses: int = 0
    _column_at: int | None = None
    _header: list[str] | None = None
    _suffixes: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.hits = np.zeros(len(self.table), dtype=np.int64)

    def begin(self, source: str) -> None:
        """Start a new input (a CSV input starts with its own header); counts carry on."""
        self.source = source
        self._header = None
        self._column_at = None

    def process(self, lines: Sequence[str], first_line: int) -> tuple[list[str], list[str]]:
        """Annotate ``lines`` (no newlines) numbered from ``first_line``.

        Returns the output lines and the problems (located messages).
        """
        problems: list[str] = []
        lines = list(lines)
        out_head: list[str] = []
        if self.input_format == "csv" and self._header is None and lines:
            self._header = next(csv.reader([lines[0]]))
            self._column_at = _column_index(self._header, self.column or "1", self.source)
            out_head = self._render_header()
            lines, first_line = lines[1:], first_line + 1
        records, texts, numbers, record_line = self._extract(lines, first_line, problems)
        rows = self._match(texts, numbers, problems)
        found = rows[rows >= 0]
        self.hits += np.bincount(found, minlength=len(self.table))
        self.misses += int(np.count_nonzero(rows < 0))
        out = out_head + self._render(lines, records, record_line, rows)
        return out, problems

    def _extract(
        self, lines: list[str], first_line: int, problems: list[str]
    ) -> tuple[list[Any], list[str], list[int], list[int]]:
        if self.input_format == "text":
            # The common case, kept to comprehensions: first word of each line.
            record_line = [k for k, line in enumerate(lines) if line and not line.isspace()]
            kept = [lines[k] for k in record_line]
            texts = [line.split(None, 1)[0] for line in kept]
            return kept, texts, [first_line + k for k in record_line], record_line
        records: list[Any] = []
        texts = []
        numbers: list[int] = []
        record_line = []
        for k, line in enumerate(lines):
            number = first_line + k
            if not line.strip():
                continue
            record: Any
            if self.input_format == "csv":
                record = next(csv.reader([line]))
                at = self._column_at or 0
                value = record[at].strip() if at < len(record) else ""
            else:
                try:
                    record = json.loads(line)
                    value = _field_of(record, self.json_field or "")
                except (ValueError, KeyError, TypeError) as err:
                    problems.append(
                        f"{self.source}:{number}: error: {_json_problem(err, self.json_field)}"
                    )
                    continue
            records.append(record)
            texts.append(value)
            numbers.append(number)
            record_line.append(k)
        return records, texts, numbers, record_line

    def _match(
        self, texts: list[str], numbers: list[int], problems: list[str]
    ) -> npt.NDArray[np.int64]:
        parsed = parse_address_text("\n".join(texts).encode(), self.source, line_numbers=numbers)
        problems.extend(describe(p) for p in parsed.problems)
        found = self.table.lpm.lookup(parsed.prefixes)
        rows = np.full(len(texts), -2, dtype=np.int64)  # -2: not an address
        rows[parsed.prefixes.v4.ids] = found.v4
        rows[parsed.prefixes.v6.ids] = found.v6
        return rows

    def _render_header(self) -> list[str]:
        extra = ["match_prefix"] + [f"match_{n}" for n in self.table.label_names]
        if self.output_format == "csv":
            return [_csv_line([*(self._header or []), *extra])]
        return []

    def _render(
        self,
        lines: list[str],
        records: list[Any],
        record_line: list[int],
        rows: npt.NDArray[np.int64],
    ) -> list[str]:
        table = self.table
        fmt = self.output_format
        if fmt == "text":
            # Each table row's annotation is built once and reused.
            suffix = self._suffixes
            miss = "\t-" + "\t" * len(table.label_names)
            out = []
            for k, row in zip(record_line, rows.tolist(), strict=True):
                if row < 0:
                    if not self.matched_only:
                        out.append(lines[k] + miss)
                    continue
                text = suffix.get(row)
                if text is None:
                    text = suffix[row] = "\t".join(["", table.prefix_text[row], *table.labels[row]])
                out.append(lines[k] + text)
            return out
        out = []
        for record, k, row in zip(records, record_line, rows.tolist(), strict=True):
            if row < 0 and self.matched_only:
                continue
            prefix = table.prefix_text[row] if row >= 0 else None
            labels: Sequence[str] = (
                table.labels[row] if row >= 0 else ["" for _ in table.label_names]
            )
            if fmt == "csv":
                cells = record if isinstance(record, list) else [lines[k]]
                out.append(_csv_line([*cells, prefix or "", *labels]))
            else:
                if isinstance(record, dict):
                    obj = record
                elif isinstance(record, list) and self._header is not None:
                    obj = dict(zip(self._header, record, strict=False))
                else:
                    obj = {"line": lines[k]}
                match = (
                    None
                    if prefix is None
                    else {"prefix": prefix, **dict(zip(table.label_names, labels, strict=True))}
                )
                out.append(json.dumps({**obj, "match": match}, ensure_ascii=False))
        return out

    def stats(self) -> list[tuple[str, Sequence[str], int]]:
        """``(prefix, labels, hits)`` for every table row hit, most hits first."""
        rows = np.flatnonzero(self.hits)
        order = sorted(rows.tolist(), key=lambda r: (-int(self.hits[r]), r))
        return [(self.table.prefix_text[r], self.table.labels[r], int(self.hits[r])) for r in order]


def _field_of(record: Any, path: str) -> str:
    value = record
    for part in path.split("."):
        value = value[part]
    if not isinstance(value, str):
        raise TypeError(f"field {path!r} is {type(value).__name__}, not a string")
    return value.strip()


def _json_problem(err: Exception, path: str | None) -> str:
    if isinstance(err, KeyError):
        return f"no field {path!r}"
    if isinstance(err, TypeError):
        return str(err)
    return f"not a JSON object: {err}"


def _csv_line(cells: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()
