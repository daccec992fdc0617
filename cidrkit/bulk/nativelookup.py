"""A ``LabelledTable`` in the compiled engine's form, for ``cidrkit lookup``.

The engine's table holds the longest-prefix-match boundaries of both
families and each row's annotation text (``<TAB>prefix<TAB>labels``, as the
Python annotator prints it), so a saved table answers a lookup with no
parsing, no numpy and no Python object per row.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from cidrkit.bulk.annotate import LabelledTable
from cidrkit.errors import cap_lines


def native_table(engine: ModuleType, table: LabelledTable, key: bytes, stamp: bytes) -> Any:
    """Build ``engine.LookupTable`` from a parsed table, its content key and file stamp."""
    assert table.prefixes is not None, "tables built by LabelledTable keep their prefixes"
    v4, v6 = table.prefixes.v4, table.prefixes.v6
    suffixes = [
        "\t".join(["", text, *labels]).encode("utf-8", "surrogateescape")
        for text, labels in zip(table.prefix_text, table.labels, strict=True)
    ]
    offsets = np.zeros(len(suffixes) + 1, dtype="<u8")
    np.cumsum([len(s) for s in suffixes], out=offsets[1:])
    miss = "\t-" + "\t" * len(table.label_names)
    # As the Python path prints them: the first few, then a count.
    problems = "".join(p + "\n" for p in cap_lines(table.problems))
    return engine.LookupTable.build(
        v4.lo.astype("<u4").tobytes(),
        v4.length.astype(np.uint8).tobytes(),
        v4.ids.astype("<i4").tobytes(),
        np.stack([v6.hi, v6.lo], axis=1).astype("<u8").tobytes(),
        v6.length.astype(np.uint8).tobytes(),
        v6.ids.astype("<i4").tobytes(),
        offsets.tobytes(),
        b"".join(suffixes),
        miss.encode(),
        problems.encode("utf-8", "surrogateescape"),
        key,
        stamp,
    )
