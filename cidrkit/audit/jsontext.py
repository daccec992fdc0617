"""JSON text of report rows, byte for byte as ``json.dumps(indent=2, ensure_ascii=False)``.

A report's conflicts all have one shape, so each is written with a fixed
template instead of going through a general encoder: the standard encoder
with an indent spends most of its time discovering a shape known in
advance. ``pad`` is always the indentation of the line an object opens on;
its keys sit two spaces deeper. Tests compare every template with the
standard encoder on random reports.
"""

from __future__ import annotations

from collections.abc import Sequence
from json.encoder import encode_basestring as quote

from cidrkit.audit.rows import ConflictRow, RemedyRow, Side, Where
from cidrkit.sources.record import Labels

RELATION_WORDS = {"equal": "equals", "a_contains_b": "contains", "b_contains_a": "is inside"}


def _text_or_null(value: str | None) -> str:
    return "null" if value is None else quote(value)


def _int_or_null(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _list(items: Sequence[str], pad: str) -> str:
    """A list of already encoded items, each opening at ``pad + '  '``."""
    if not items:
        return "[]"
    p = pad + "  "
    return "[\n" + ",\n".join(p + item for item in items) + f"\n{pad}]"


class SideEncoder:
    """Encodes SIDE and allocation objects at one indentation.

    Sides differ mostly in prefix and line: the text around them, per set of
    labels and per file/pointer/column, is kept and reused. (Many labels and
    files in one report are one object shared by many rows; the caches are
    keyed by value all the same.)
    """

    #: Cached texts around origins kept at most; beyond it the cache restarts.
    KEEP = 65536

    def __init__(self, pad: str, *, planned: bool = True,
                 sources: dict[str, int] | None = None) -> None:
        self.pad = pad
        self.planned = planned
        #: With a sources table, observations name their file by id (``"source": 3``).
        self.sources = sources
        self._labels: dict[Labels, str] = {}
        self._origins: dict[tuple[str, str | None, str | None, str | None], tuple[str, str]] = {}

    def _label_text(self, labels: Labels) -> str:
        p = self.pad + "  "
        text = (f'{p}"name": {_text_or_null(labels.name)},\n'
                f'{p}"kind": {_text_or_null(labels.kind)},\n')
        if self.planned:
            text += f'{p}"planned": {"true" if labels.planned else "false"},\n'
        self._labels[labels] = text
        return text

    def _origin_parts(self, origin: Where) -> tuple[str, str]:
        key = (origin.file, origin.pointer, origin.address, origin.column)
        if len(self._origins) >= self.KEEP:
            self._origins.clear()
        q = self.pad + "      "
        named = (f'"file": {quote(origin.file)}' if self.sources is None
                 else f'"source": {self.sources[origin.file]}')
        head = f'{{\n{q}{named},\n{q}"line": '
        tail = (f',\n{q}"pointer": {_text_or_null(origin.pointer)},\n'
                f'{q}"address": {_text_or_null(origin.address)},\n'
                f'{q}"column": {_text_or_null(origin.column)}\n{self.pad}    }}')
        parts = self._origins[key] = (head, tail)
        return parts

    def encode(self, side: Side) -> str:
        """The object for ``side``, opening at this encoder's indentation."""
        pad = self.pad
        p, q = pad + "  ", pad + "    "
        labels = self._labels.get(side.labels) or self._label_text(side.labels)
        items = []
        for origin in side.observations:
            head, tail = (self._origins.get((origin.file, origin.pointer, origin.address,
                                             origin.column))
                          or self._origin_parts(origin))
            line = "null" if origin.line is None else int.__repr__(origin.line)
            items.append(f"{q}{head}{line}{tail}")
        observations = "[\n" + ",\n".join(items) + f"\n{p}]" if items else "[]"
        return (f'{{\n{p}"prefix": {quote(side.prefix)},\n{p}"scope": {quote(side.scope)},\n'
                f'{labels}{p}"observations": {observations}\n{pad}}}')


def remedy_json(remedy: RemedyRow, pad: str) -> str:
    """The ``remedy`` object of a blocking conflict."""
    p = pad + "  "
    # Prefix text never needs escaping, so it is quoted by hand.
    candidates = _list([f'"{c}"' for c in remedy.candidates], p)
    return (f'{{\n{p}"renumber": "{remedy.side}",\n{p}"block": "{remedy.block}",\n'
            f'{p}"allocations_affected": {remedy.affected},\n'
            f'{p}"addresses_affected": {remedy.addresses},\n'
            f'{p}"candidates": {candidates}\n{pad}}}')


def conflict_json(relation: str, severity: str, a_text: str, b_text: str,
                  remedy_text: str | None, pad: str) -> str:
    """A ``conflicts`` entry from its encoded sides (and remedy, for blocking conflicts)."""
    p = pad + "  "
    remedy = "" if remedy_text is None else f',\n{p}"remedy": {remedy_text}'
    return (f'{{\n{p}"relation": "{relation}",\n{p}"severity": "{severity}",\n'
            f'{p}"a": {a_text},\n{p}"b": {b_text}{remedy}\n{pad}}}')


def side_phrase(side: Side) -> str:
    """``10.0.0.0/16 (vpc core in aws:vpc-1)``: a side in one phrase, for SARIF messages."""
    labels = side.labels
    name = f" {labels.name}" if labels.name else ""
    return f"{side.prefix} ({labels.kind or 'allocation'}{name} in {side.scope})"


def location_json(origin: Where, pad: str, message: str | None = None,
                  ident: int | None = None) -> str:
    """A SARIF location: the file and line, the JSON Pointer or Terraform address inside it."""
    p, q, r = pad + "  ", pad + "    ", pad + "      "
    uri = quote(origin.file.replace("\\", "/"))
    physical = f'{{\n{q}"artifactLocation": {{\n{r}"uri": {uri}\n{q}}}'
    if origin.line is not None:
        physical += f',\n{q}"region": {{\n{r}"startLine": {int.__repr__(origin.line)}\n{q}}}'
    parts = [f'{p}"physicalLocation": {physical}\n{p}}}']
    name = origin.address or origin.pointer
    if name:
        parts.append(f'{p}"logicalLocations": [\n{q}{{\n{r}"fullyQualifiedName": {quote(name)}'
                     f'\n{q}}}\n{p}]')
    if message:
        parts.append(f'{p}"message": {{\n{q}"text": {quote(message)}\n{p}}}')
    if ident is not None:
        parts.append(f'{p}"id": {ident}')
    return "{\n" + ",\n".join(parts) + f"\n{pad}}}"


def related_of_b(side: Side, pad: str) -> str:
    """The related locations a conflict gives its ``b`` side (ids from 0), joined as list items."""
    phrase = f"other side: {side_phrase(side)}"
    return f",\n{pad}".join(location_json(o, pad, phrase, n)
                            for n, o in enumerate(side.observations))


def sarif_result(severity: str, text: str, location: str, related: str, pad: str) -> str:
    """A SARIF result from its message, its encoded location and related locations."""
    p, q = pad + "  ", pad + "    "
    level = "error" if severity == "blocking" else "warning"
    related_list = f"[\n{q}{related}\n{p}]" if related else "[]"
    return (f'{{\n{p}"ruleId": "overlap/{severity}",\n{p}"level": "{level}",\n'
            f'{p}"message": {{\n{q}"text": {quote(text)}\n{p}}},\n'
            f'{p}"locations": [\n{q}{location}\n{p}],\n'
            f'{p}"relatedLocations": {related_list}\n{pad}}}')


def sarif_message(a_phrase: str, relation: str, b_phrase: str, remedy: RemedyRow | None,
                  remedy_scope: str) -> str:
    """What a SARIF result says about a conflict, with its remedy if it has one."""
    text = f"{a_phrase} {RELATION_WORDS[relation]} {b_phrase}"
    return text if remedy is None else text + remedy_phrase(remedy, remedy_scope)


def remedy_phrase(remedy: RemedyRow, scope: str) -> str:
    """``; cheaper to renumber BLOCK in SCOPE``, and a free block if one was found."""
    text = f"; cheaper to renumber {remedy.block} in {scope}"
    if remedy.candidates:
        text += f" (free: {remedy.candidates[0]})"
    return text


def sarif_conflict(row: ConflictRow, pad: str) -> str:
    """A SARIF result for one conflict; the other side and further sources are related."""
    q = pad + "    "
    remedy_scope = row.a.scope if row.remedy is not None and row.remedy.side == "a" else row.b.scope
    text = sarif_message(side_phrase(row.a), row.relation, side_phrase(row.b), row.remedy,
                         remedy_scope)
    related = [related_of_b(row.b, q)] if row.b.observations else []
    start = len(row.b.observations)
    related += [location_json(o, q, f"same allocation: {row.a.prefix}", start + n)
                for n, o in enumerate(row.a.observations[1:])]
    return sarif_result(row.severity, text, location_json(row.a.observations[0], q),
                        f",\n{q}".join(related), pad)
