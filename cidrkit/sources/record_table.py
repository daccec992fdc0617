"""Records of one large file held as columns instead of one object per record.

A list of a million prefixes read into a million ``Record`` objects costs
seconds and hundreds of megabytes before any question is asked. A
:class:`RecordTable` holds the same facts as parallel numpy arrays (one row per
record, in reading order) and builds a ``Record`` only when one is asked for,
typically to render it. Every row shares the table's file and scope; its
labels are an index into a small list of distinct :class:`Labels`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from cidrkit.core import Prefix
from cidrkit.sources.record import Labels, Origin, Record

U64 = npt.NDArray[np.uint64]
U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]

#: ``line`` value of a row read from no particular line.
NO_LINE = -1


@dataclass(eq=False, slots=True)
class RecordTable:
    """The records of one file in one scope, as columns in reading order.

    ``bits`` is 32 or 128 per row; ``hi``/``lo`` are the two 64-bit words of
    the network address (``hi`` is 0 for IPv4); ``line`` is 1-based (or
    ``NO_LINE``); ``label`` indexes ``labels``. ``column`` is the CSV column
    every row was read from, if any.
    """

    file: str
    scope: str
    bits: U8
    hi: U64
    lo: U64
    length: U8
    line: I64
    label: I64
    labels: list[Labels] = field(default_factory=list)
    column: str | None = None

    def __len__(self) -> int:
        return int(self.lo.shape[0])

    def prefix(self, row: int) -> Prefix:
        """The prefix of one row."""
        value = (int(self.hi[row]) << 64) | int(self.lo[row])
        return Prefix(int(self.bits[row]), value, int(self.length[row]))

    def origin(self, row: int) -> Origin:
        """Where one row was read."""
        line = int(self.line[row])
        return Origin(self.file, None if line == NO_LINE else line, column=self.column)

    def record(self, row: int) -> Record:
        """One row as a ``Record``, equal to what the one-object-per-record path builds."""
        return Record(self.prefix(row), self.origin(row), self.scope,
                      self.labels[int(self.label[row])])

    def records(self) -> Iterator[Record]:
        """Every row as a ``Record``, in reading order."""
        for row in range(len(self)):
            yield self.record(row)
