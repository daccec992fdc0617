"""The compiled engine (``cidrkit._engine``), when it is built and not switched off.

The engine is a Rust extension built with the package (``pip install``
builds it). Every command that uses it keeps its Python path, which gives
the same bytes: ``CIDRKIT_ENGINE=python`` in the environment selects the
Python path (the tests run both), and a source tree whose extension is not
built falls back to it on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TextIO

import numpy as np

from cidrkit.bulk.arrays import PrefixArray

ENGINE_VARIABLE = "CIDRKIT_ENGINE"


def load_engine(env: Mapping[str, str]) -> ModuleType | None:
    """The engine module, or None when it is not built or ``CIDRKIT_ENGINE=python``."""
    if env.get(ENGINE_VARIABLE, "").lower() == "python":
        return None
    try:
        from cidrkit import _engine
    except ImportError:
        return None
    return _engine


def pack_intervals(prefixes: PrefixArray) -> tuple[bytes, bytes]:
    """Inclusive ``(first, last)`` of every prefix as the engine reads them.

    IPv4: little-endian u32 pairs; IPv6: u64 quadruples
    ``(first_hi, first_lo, last_hi, last_lo)``.
    """
    v4, v6 = prefixes.v4, prefixes.v6
    v4_last = v4.last()[1]
    packed_v4 = np.stack([v4.lo, v4_last], axis=1).astype("<u4").tobytes()
    v6_last_hi, v6_last_lo = v6.last()
    packed_v6 = np.stack([v6.hi, v6.lo, v6_last_hi, v6_last_lo], axis=1).astype("<u8").tobytes()
    return packed_v4, packed_v6


def byte_writer(stream: TextIO) -> Callable[[bytes], object]:
    """A function writing UTF-8 bytes to a text stream, straight to its buffer when it has one."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return lambda data: stream.write(data.decode("utf-8", "surrogateescape"))
    # What was written as text so far goes out first.
    stream.flush()
    write: Callable[[bytes], object] = buffer.write
    return write
