"""The one place importers turn text into records or findings.

Importers hand every candidate value to a :class:`Sink` together with its
origin; the sink parses it strictly with the core parser and files it as a
record or, when it does not parse, as a malformed finding. Keeping this in one
place means every importer reports bad values the same way and keeps going.
"""

from __future__ import annotations

from cidrkit.core import Addr, Prefix, Range
from cidrkit.core.parse import parse_item
from cidrkit.errors import ParseError
from cidrkit.sources.record import (
    Ignored,
    Inventory,
    Labels,
    Malformed,
    Notice,
    Origin,
    Record,
)


def explain(err: ParseError) -> str:
    """The reason of a parse error with its hint, without repeating the text."""
    return f"{err.reason} ({err.hint})" if err.hint else err.reason


def _short(value: object) -> str:
    """``value`` as text cut to about 80 characters, for echoing bad input."""
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return _short(value)


def _text_labels(labels: Labels) -> Labels:
    """Labels whose descriptive fields are text: files put lists or numbers where names go."""
    fields = (labels.kind, labels.name, labels.account, labels.region, labels.resource,
              labels.note)
    if all(f is None or isinstance(f, str) for f in fields):
        return labels
    return Labels(_text(labels.kind), _text(labels.name), _text(labels.account),
                  _text(labels.region), _text(labels.resource), labels.planned is True,
                  labels.default is True, _text(labels.note))


class Sink:
    """Collects the records and findings of one file into an inventory."""

    def __init__(self, inventory: Inventory, file: str, base: str = "", text: str = "") -> None:
        self.inventory = inventory
        self.file = file
        #: The file's whole text, for readers that locate values by searching it.
        self.text = text
        #: Pointer prefix of the document readers see, inside a wrapper.
        self.base = base
        #: The cluster a Kubernetes file names, which its other objects belong to.
        self.cluster: str | None = None

    def origin(
        self,
        line: int | None = None,
        pointer: str | None = None,
        address: str | None = None,
        column: str | None = None,
    ) -> Origin:
        """An origin in this sink's file (``pointer`` relative to the sink's base)."""
        if pointer is not None and self.base:
            pointer = self.base + pointer
        return Origin(self.file, line, pointer, address, column)

    def expected(self, origin: Origin, value: object, what: str) -> None:
        """Report an entry of a list that is not the object the format puts there."""
        from cidrkit.sources.jsonloc import describe_type

        self.malformed(origin, _short(value), f"expected {what}, found {describe_type(value)}")

    def prefix(self, value: object, origin: Origin, scope: str, labels: Labels) -> Prefix | None:
        """Parse ``value`` strictly as a prefix and record it, or report it as malformed."""
        labels = _text_labels(labels)
        if not isinstance(value, str):
            self.malformed(origin, repr(value), "expected a CIDR string")
            return None
        try:
            prefix = Prefix.parse(value.strip())
        except ParseError as err:
            self.malformed(origin, value, explain(err))
            return None
        self.inventory.records.append(Record(prefix, origin, scope, labels))
        return prefix

    def item(self, value: str, origin: Origin, scope: str, labels: Labels) -> list[Prefix]:
        """Record a list entry: a prefix, a range (as its minimal prefix cover) or an address.

        A bare address is a /32 or /128 allocation: lists of single hosts are
        common and silently dropping them would hide collisions.
        """
        labels = _text_labels(labels)
        try:
            item = parse_item(value.strip())
        except ParseError as err:
            self.malformed(origin, value, explain(err))
            return []
        if isinstance(item, Addr):
            prefixes = [Prefix(item.bits, item.value, item.bits)]
            kind = "address"
        elif isinstance(item, Range):
            prefixes = item.to_prefixes()
            kind = "range" if len(prefixes) > 1 else "prefix"
        else:
            prefixes = [item]
            kind = "prefix"
        if labels.kind is None:
            labels = Labels(kind, labels.name, labels.account, labels.region, labels.resource,
                            labels.planned, labels.default, labels.note)
        if kind == "range":
            note = f"part of range {value.strip()}"
            labels = Labels(labels.kind, labels.name, labels.account, labels.region,
                            labels.resource, labels.planned, labels.default, note)
        records = self.inventory.records
        for prefix in prefixes:
            records.append(Record(prefix, origin, scope, labels))
        return prefixes

    def malformed(self, origin: Origin, value: str, message: str) -> None:
        """Report a value that should have been a prefix."""
        self.inventory.malformed.append(Malformed(origin, value, message))

    def ignore(self, origin: Origin, value: str, reason: str) -> None:
        """Report a prefix-like value that is deliberately not an allocation."""
        self.inventory.ignored.append(Ignored(origin, value, reason))

    def notice(self, origin: Origin, value: str, message: str) -> None:
        """Report a kept value that deserves attention."""
        self.inventory.notices.append(Notice(origin, value, message))
