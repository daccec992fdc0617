"""Annotate Parquet and Arrow IPC files batch by batch, keeping every input column.

Parquet is read one row group at a time (in batches of at most
``BATCH_ROWS``) and written one row group per batch, so memory holds the
table and one batch whatever the file size. Arrow IPC files (``ARROW1``)
and streams are read batch by batch the same way. Which format a file is in
is read from its first bytes, never guessed from its name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from cidrkit.errors import MAX_REPORTED, InputError, ParseError
from cidrkit.scale.arrow import ArrowLookup
from cidrkit.scale.formats import sniff

OutputFormat = Literal["parquet", "arrow", "csv"]
BATCH_ROWS = 1 << 17


@dataclass
class FileAnnotation:
    """What annotating one or more files did: hits per table row, misses and problems.

    Only the first ``MAX_REPORTED`` problems are kept (a file of a billion
    bad rows must not fill memory with messages); ``problem_count`` counts all.
    """

    hits: np.ndarray[Any, np.dtype[np.int64]]
    misses: int = 0
    rows: int = 0
    problems: list[ParseError] = field(default_factory=list)
    problem_count: int = 0


def column_name(schema: pa.Schema, column: str | None, source: str) -> str:
    """The address column by name or 1-based number; it must be given."""
    names: list[str] = schema.names
    if column is None:
        raise InputError(
            f"{source}: name the address column with --column (it has {', '.join(names)})"
        )
    if column in names:
        return column
    if column.isdigit() and 1 <= int(column) <= len(names):
        return names[int(column) - 1]
    raise InputError(f"{source}: no column {column!r}; it has {', '.join(names)}")


def check_inputs(paths: list[str], column: str | None) -> None:
    """Fail before any output is written when an input is unreadable or lacks the column."""
    for path in paths:
        schema, _ = read_batches(path)
        column_name(schema, column, path)


def read_batches(
    path: str, batch_rows: int = BATCH_ROWS
) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The schema and the batches of a Parquet or Arrow IPC file, read lazily."""
    try:
        with open(path, "rb") as handle:
            kind = sniff(handle.read(8))
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    try:
        if kind == "parquet":
            parquet = pq.ParquetFile(path)
            return parquet.schema_arrow, parquet.iter_batches(batch_size=batch_rows)
        if kind == "arrow":
            return _ipc_batches(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise InputError(f"{path}: not a readable {kind} file: {err}") from None
    raise InputError(f"{path}: neither Parquet nor Arrow IPC")


def _ipc_batches(path: str) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    source = pa.memory_map(path)
    try:
        reader: Any = ipc.open_file(source)
        return reader.schema, (reader.get_batch(k) for k in range(reader.num_record_batches))
    except pa.ArrowInvalid:
        stream = ipc.open_stream(pa.memory_map(path))
        return stream.schema, iter(stream)


class BatchWriter:
    """Writes annotated batches as Parquet, an Arrow IPC file, or CSV, to a binary stream."""

    def __init__(self, sink: BinaryIO, fmt: OutputFormat) -> None:
        self.sink = sink
        self.fmt = fmt
        self._writer: Any = None
        self._schema: pa.Schema | None = None

    def write(self, batch: pa.RecordBatch, source: str = "input") -> None:
        """Append ``batch``; later batches (other input files) must fit the first one's schema."""
        if self._schema is None:
            self._schema = batch.schema
            if self.fmt == "parquet":
                self._writer = pq.ParquetWriter(self.sink, batch.schema)
            elif self.fmt == "arrow":
                self._writer = ipc.new_file(self.sink, batch.schema)
            else:
                self._writer = pacsv.CSVWriter(self.sink, batch.schema)
        elif batch.schema != self._schema:
            try:
                batch = batch.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError) as err:
                raise InputError(
                    f"{source}: its columns differ from the first input's, which the"
                    f" one output file takes: {err}"
                ) from None
        if self.fmt == "parquet":
            self._writer.write_batch(batch, row_group_size=max(1, batch.num_rows))
        else:
            self._writer.write_batch(batch)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def annotate_files(
    lookup: ArrowLookup,
    paths: list[str],
    column: str | None,
    writer: BatchWriter | None,
    *,
    matched_only: bool = False,
    batch_rows: int | None = None,
) -> FileAnnotation:
    """Annotate each file in turn into ``writer`` (None: only count hits).

    Batches hold at most ``batch_rows`` rows (default ``BATCH_ROWS``).
    """
    result = FileAnnotation(np.zeros(len(lookup), np.int64))
    with ExitStack() as stack:
        if writer is not None:
            stack.callback(writer.close)
        for path in paths:
            schema, batches = read_batches(path, batch_rows or BATCH_ROWS)
            name = column_name(schema, column, path)
            for batch in batches:
                _annotate_batch(lookup, batch, name, path, writer, matched_only, result)
    return result


def _annotate_batch(
    lookup: ArrowLookup,
    batch: pa.RecordBatch,
    column: str,
    path: str,
    writer: BatchWriter | None,
    matched_only: bool,
    result: FileAnnotation,
) -> None:
    where = f"{path}, column {column!r}"
    found = lookup.rows(batch.column(column), where)
    for problem in found.problems:
        # Rows are numbered within the file, not the batch.
        head, _, row = (problem.where or "").rpartition(" ")
        problem.where = f"{head} {result.rows + int(row)}"
    result.problem_count += len(found.problems)
    result.problems += found.problems[: max(0, MAX_REPORTED - len(result.problems))]
    rows = found.rows
    result.hits += np.bincount(rows[rows >= 0], minlength=len(lookup))
    result.misses += int(np.count_nonzero(rows < 0) - batch.column(column).null_count)
    result.rows += batch.num_rows
    if writer is None:
        return
    annotated = lookup.append_matches(batch, rows, path)
    if matched_only:
        annotated = annotated.filter(pa.array(rows >= 0))
    writer.write(annotated, path)
