"""Which columnar format a file is in, from its first bytes (imports no pyarrow).

The CLI asks this of every input before choosing a path, so it must stay
cheap: reading eight bytes, no third-party import.
"""

from __future__ import annotations

from typing import Literal

ColumnarFormat = Literal["parquet", "arrow"]
PARQUET_MAGIC = b"PAR1"
ARROW_FILE_MAGIC = b"ARROW1"
# An Arrow IPC stream starts with a message: the continuation marker, then
# a little-endian length.
ARROW_STREAM_MARKER = b"\xff\xff\xff\xff"


def sniff(head: bytes) -> ColumnarFormat | None:
    """The columnar format whose magic bytes start ``head``, or None for text.

    >>> sniff(b"PAR1\\x15\\x04"), sniff(b"ARROW1\\x00\\x00"), sniff(b"10.0.0.1\\n")
    ('parquet', 'arrow', None)
    """
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith(ARROW_FILE_MAGIC) or head.startswith(ARROW_STREAM_MARKER):
        return "arrow"
    return None


def sniff_file(path: str) -> ColumnarFormat | None:
    """``sniff`` of a file's first bytes; None for text or a file that cannot be read."""
    try:
        with open(path, "rb") as handle:
            return sniff(handle.read(8))
    except OSError:
        return None
