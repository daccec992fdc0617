"""Large text lists read a whole buffer at once, into a :class:`RecordTable`.

Most lines of a big list are a bare CIDR or address and nothing else
(``198.51.100.0/24``). Those *clean* lines go through the vectorised parser
of :mod:`cidrkit.bulk.textparse` in one call. Every other line (names after
the value, comments, ranges, netmasks, spaces, anything the fast parser
refuses) goes one by one through the same code as the line-by-line reader,
so both readers give the same records, labels, line numbers and messages;
only the cost differs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cidrkit.bulk.textparse import parse_prefix_text
from cidrkit.sources.lists import file_scope, split_entry
from cidrkit.sources.record import Inventory, Labels
from cidrkit.sources.record_table import RecordTable
from cidrkit.sources.sink import Sink

I64 = npt.NDArray[np.int64]

# ``str.splitlines`` (the line-by-line reader's notion of a line) also breaks
# at these and at a lone CR; a buffer holding any of them is left to that
# reader so line numbers never disagree.
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"

_CLEAN_BYTES = b"0123456789abcdefABCDEF.:/\n"
_DIRTY_TABLE = bytes(0 if chr(b).encode() in _CLEAN_BYTES and b < 128 else 1
                     for b in range(256))
_PREFIX_LABELS = Labels("prefix")
_ADDRESS_LABELS = Labels("address")


def _lines_with(mask_positions: I64, newlines: I64, count: int) -> npt.NDArray[np.bool_]:
    """Per line, whether any of the byte positions falls in it."""
    out = np.zeros(count, dtype=bool)
    if mask_positions.shape[0]:
        out[np.searchsorted(newlines, mask_positions)] = True
    return out


def read_text_columns(text: str, sink: Sink) -> bool:
    """Read a plain text list into a table in ``sink``'s inventory.

    Same rules and results as :func:`cidrkit.sources.lists.read_text`.
    Returns False, having read nothing, when the text breaks lines with
    characters other than LF and CRLF (the caller then reads it line by line).
    """
    text = text.removeprefix("\ufeff")
    # Substring tests run at memchr speed; one regex over the text costs more
    # than parsing it.
    if any(ch in text for ch in _OTHER_BREAKS) or text.count("\r") != text.count("\r\n"):
        return False
    data = text.encode("utf-8")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    if not data:
        return True
    if not data.endswith(b"\n"):
        data += b"\n"
    buffer = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buffer == 10)
    count = int(newlines.shape[0])
    starts = np.empty(count, dtype=np.int64)
    starts[0] = 0
    starts[1:] = newlines[:-1] + 1
    dirty_bytes = np.flatnonzero(np.frombuffer(data.translate(_DIRTY_TABLE), dtype=np.uint8))
    dirty = _lines_with(dirty_bytes, newlines, count)
    empty = starts == newlines
    clean = ~dirty & ~empty
    clean_lines = np.flatnonzero(clean)
    if clean_lines.shape[0] == count:
        clean_data = data
    else:
        clean_data = buffer[np.repeat(clean, newlines - starts + 1)].tobytes()
    parsed = parse_prefix_text(clean_data, sink.file)
    slashed = _lines_with(np.flatnonzero(buffer == ord("/")), newlines, count)

    line_parts: list[I64] = []
    columns: dict[str, list[npt.NDArray[np.generic]]] = {
        "bits": [], "hi": [], "lo": [], "length": [], "label": []}
    produced = np.zeros(clean_lines.shape[0], dtype=bool)
    for part in parsed.prefixes.families():
        lines = clean_lines[part.ids]
        produced[part.ids] = True
        line_parts.append(lines)
        columns["bits"].append(np.full(len(part), part.bits, dtype=np.uint8))
        columns["hi"].append(part.hi)
        columns["lo"].append(part.lo)
        columns["length"].append(part.length)
        # Without a slash the clean line was a bare address (RFC 4632 /32).
        columns["label"].append(np.where(slashed[lines], 0, 1).astype(np.int64))
    # Lines the fast parser refused (or read as a range, which needs the
    # name and note rules below) are redone one by one, which also writes the
    # exact message for bad ones.
    slow = np.union1d(np.flatnonzero(dirty & ~empty), clean_lines[~produced])

    labels = [_PREFIX_LABELS, _ADDRESS_LABELS]
    slow_rows = _read_slow_lines(data, starts, newlines, slow, sink, labels)
    line_parts.append(np.array([r[0] for r in slow_rows], dtype=np.int64))
    columns["bits"].append(np.array([r[1] for r in slow_rows], dtype=np.uint8))
    values = [r[2] for r in slow_rows]
    columns["hi"].append(np.array([v >> 64 for v in values], dtype=np.uint64))
    columns["lo"].append(np.array([v & ((1 << 64) - 1) for v in values], dtype=np.uint64))
    columns["length"].append(np.array([r[3] for r in slow_rows], dtype=np.uint8))
    columns["label"].append(np.array([r[4] for r in slow_rows], dtype=np.int64))

    line = np.concatenate(line_parts)
    joined = {name: np.concatenate(parts) for name, parts in columns.items()}
    # A line yields one record, or several for a range; the stable sort keeps
    # a range's blocks in address order.
    order = np.argsort(line, kind="stable")
    table = RecordTable(
        sink.file, file_scope(sink.file),
        joined["bits"][order].astype(np.uint8), joined["hi"][order].astype(np.uint64),
        joined["lo"][order].astype(np.uint64), joined["length"][order].astype(np.uint8),
        line[order] + 1, joined["label"][order].astype(np.int64), labels,
    )
    if len(table):
        sink.inventory.tables.append((len(sink.inventory.records), table))
    return True


def _read_slow_lines(
    data: bytes, starts: I64, newlines: I64, lines: I64, sink: Sink, labels: list[Labels]
) -> list[tuple[int, int, int, int, int]]:
    """Read ``lines`` as the line-by-line reader would: (line index, bits, value, length, label).

    Malformed values are reported to ``sink`` in line order.
    """
    scratch = Inventory()
    scratch_sink = Sink(scratch, sink.file)
    scope = file_scope(sink.file)
    label_ids: dict[Labels, int] = {label: n for n, label in enumerate(labels)}
    rows: list[tuple[int, int, int, int, int]] = []
    for index in lines.tolist():
        entry = split_entry(data[starts[index]:newlines[index]].decode("utf-8"))
        if entry is None:
            continue
        value, name = entry
        scratch.records.clear()
        scratch_sink.item(value, scratch_sink.origin(index + 1), scope, Labels(None, name))
        for record in scratch.records:
            label = label_ids.setdefault(record.labels, len(label_ids))
            if label == len(labels):
                labels.append(record.labels)
            p = record.prefix
            rows.append((index, p.bits, p.value, p.length, label))
    sink.inventory.malformed.extend(scratch.malformed)
    return rows
