"""The compiled engine's lookup over Arrow string columns, read in place.

The engine reads a column's offsets and value bytes where Arrow keeps them
and answers one table row per value: no text is copied or joined, no Python
object is made per value. It is strict (a value is exactly an address or
it is not); what it rejects goes back to the Python parser, which alone
words the messages. ``CIDRKIT_ENGINE=python`` in the environment, or an
extension that is not built, leaves the Python path alone.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cidrkit.bulk.arrays import PrefixArray

# The engine's answer for a value that is not an address.
NOT_AN_ADDRESS = -2
_NO_KEY = bytes(16)


def load_engine() -> ModuleType | None:
    """The engine module, or None when it is not built or ``CIDRKIT_ENGINE=python``."""
    if os.environ.get("CIDRKIT_ENGINE", "").lower() == "python":
        return None
    try:
        from cidrkit import _engine
    except ImportError:
        return None
    return _engine


def build_row_table(engine: ModuleType, prefixes: PrefixArray, rows: int) -> Any:
    """The engine's lookup table for ``prefixes`` (ids are rows); it answers rows only.

    No annotation text is kept: the Arrow path takes its output columns
    from the table's own Arrow arrays.
    """
    v4, v6 = prefixes.v4, prefixes.v6
    return engine.LookupTable.build(
        v4.lo.astype("<u4").tobytes(),
        v4.length.astype(np.uint8).tobytes(),
        v4.ids.astype("<i4").tobytes(),
        np.stack([v6.hi, v6.lo], axis=1).astype("<u8").tobytes(),
        v6.length.astype(np.uint8).tobytes(),
        v6.ids.astype("<i4").tobytes(),
        np.zeros(rows + 1, "<u8").tobytes(),
        b"",
        b"",
        b"",
        _NO_KEY,
        _NO_KEY,
    )


def text_rows(table: Any, array: pa.Array) -> npt.NDArray[np.int64]:
    """Rows for a ``string`` or ``large_string`` array: -1 null or no match, -2 not an address."""
    n = len(array)
    if n == 0:
        return np.zeros(0, np.int64)
    _, offsets, data = array.buffers()
    raw = table.lookup_arrow_text(
        _bytes(offsets),
        _bytes(data),
        first=array.offset,
        count=n,
        large=pa.types.is_large_string(array.type),
    )
    rows = np.frombuffer(raw, "<i4").astype(np.int64)
    if array.null_count:
        rows[np.asarray(array.is_null().to_numpy(zero_copy_only=False), dtype=bool)] = -1
    return rows


def _bytes(buffer: pa.Buffer | None) -> npt.NDArray[np.uint8]:
    # A view of Arrow's memory, not a copy; an absent buffer holds no bytes.
    if buffer is None:
        return np.zeros(0, np.uint8)
    return np.frombuffer(buffer, np.uint8)
