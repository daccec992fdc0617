"""Encoded allocations of a columnar report, filled into templates instead of built.

In a big inventory almost every allocation was read once, from a list held
as a record table: its encoded text differs from its neighbours' only in the
prefix and the line number. So the writer's own encoder is asked once per
(scope, labels, table) for the text of a stand-in side whose prefix and line
are markers, the text is cut at the markers, and each allocation is the
pieces joined around its prefix and line. The encoder stays the single
definition of the format; this module only avoids calling it 400,000 times.
Allocations seen several times, or read as objects, are encoded normally.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from cidrkit.audit.engine import AuditReport
from cidrkit.audit.rows import Seen, Side, column_sides, prefix_texts, sides_at

I64 = npt.NDArray[np.int64]

_PREFIX_MARK = "@@prefix-7f3a@@"
_LINE_MARK = 918273645546372819

Encode = Callable[[Side], str]
#: Fills a pattern with a prefix and a line; None where a side is encoded one by one.
Template = Callable[[str, int | str], str] | None


def _filler(text: str) -> Template:
    """A function writing ``text`` with its markers replaced by a prefix and a line.

    The common shapes get an f-string (several times quicker than ``str.format``
    on these long patterns); any other gets a join.
    """
    pieces = re.split(f"({re.escape(_PREFIX_MARK)}|{_LINE_MARK})", text)
    marks = pieces[1::2]
    a, b, c = [*pieces[0::2], "", ""][:3]
    if marks == [_PREFIX_MARK, str(_LINE_MARK)]:
        return lambda prefix, line: f"{a}{prefix}{b}{line}{c}"
    if marks == [str(_LINE_MARK), _PREFIX_MARK]:
        return lambda prefix, line: f"{a}{line}{b}{prefix}{c}"
    if marks == [_PREFIX_MARK]:
        return lambda prefix, line: f"{a}{prefix}{b}"
    if marks == [str(_LINE_MARK)]:
        return lambda prefix, line: f"{a}{line}{b}"
    if not marks:
        return lambda prefix, line: a

    def fill(prefix: str, line: int | str) -> str:
        return "".join(prefix if piece == _PREFIX_MARK else
                       str(line) if piece == str(_LINE_MARK) else piece for piece in pieces)
    return fill


class SideTexts:
    """``encode(side)`` for many allocations of one report, templated where it can be.

    ``no_line`` is how the format writes a missing line number, or None when a
    missing line changes more than that one value (then such rows are encoded
    one by one).
    """

    def __init__(self, report: AuditReport, encode: Encode, no_line: str | None = "null") -> None:
        self.report = report
        self.encode = encode
        self.no_line = no_line
        self.columns: Any = getattr(getattr(report.conflicts, "columns", None), "allocations",
                                    None)
        self._templates: dict[tuple[int, int, int], Template] = {}

    def at(self, indexes: I64) -> list[str]:
        """The encoded text of allocations ``indexes``, in that order."""
        columns = self.columns
        if columns is None:
            return [self.encode(side) for side in sides_at(self.report, indexes)]
        records = columns.records
        texts = prefix_texts(columns, indexes)
        result: list[str | None] = [None] * len(texts)
        at = np.flatnonzero(columns.count[indexes] == 1)
        ks = columns.order[columns.first[indexes[at]]]
        segment = np.searchsorted(records.segment_start, ks, side="right") - 1
        scope, label = columns.scope[indexes[at]], columns.label[indexes[at]]
        for n in np.unique(segment).tolist():
            table = records.segments[n].table
            if table is None:
                continue
            chosen = np.flatnonzero(segment == n)
            rows = ks[chosen] - records.segment_start[n] + records.segments[n].first
            lines = table.line[rows]
            if self.no_line is None:
                # Rows without a line are left for the encoder.
                chosen, lines = chosen[lines >= 0], lines[lines >= 0]
            # One pattern per distinct (scope, labels) in this table.
            # A single integer key: numpy's unique over pairs of columns sorts far slower.
            width = int(label[chosen].max()) + 1 if chosen.shape[0] else 1
            pairs, which = np.unique(scope[chosen] * width + label[chosen], return_inverse=True)
            patterns = [self._pattern((key // width, key % width, n), table.file, table.column)
                        for key in pairs.tolist()]
            line_texts: list[int | str] = lines.tolist()
            if self.no_line is not None:
                for blank in np.flatnonzero(lines < 0).tolist():
                    line_texts[blank] = self.no_line
            slots = at[chosen].tolist()
            for slot, pattern, line in zip(slots, [patterns[w] for w in which.reshape(-1).tolist()],
                                           line_texts, strict=True):
                if pattern is not None:
                    result[slot] = pattern(texts[slot], line)
        left = [i for i, text in enumerate(result) if text is None]
        if left:
            for i, side in zip(left, column_sides(columns, indexes[left]), strict=True):
                result[i] = self.encode(side)
        return result  # type: ignore[return-value]

    def _pattern(self, key: tuple[int, int, int], file: str, column: str | None) -> Template:
        if key in self._templates:
            return self._templates[key]
        return self._make(key, file, column)

    def _make(self, key: tuple[int, int, int], file: str, column: str | None) -> Template:
        """The pattern for one (scope, labels, table), or None if a marker could be ambiguous."""
        records = self.columns.records
        scope, labels = records.scopes[key[0]], records.labels[key[1]]
        template: Template = None
        facts = f"{scope}\n{labels!r}\n{file}\n{column}"
        if _PREFIX_MARK not in facts and str(_LINE_MARK) not in facts:
            stand_in = Side(-1, _PREFIX_MARK, scope, labels,
                            [Seen(file, _LINE_MARK, None, None, column)])
            template = _filler(self.encode(stand_in))
        self._templates[key] = template
        return template
