"""Query strings of the NetBox view: every parameter is understood or refused.

NetBox ignores a filter it does not know and returns everything, which has
deleted the wrong objects in more than one automation run. Here each list
route names the filters it supports; anything else is a 400 naming the
parameter. Pagination is NetBox's: ``limit`` (default 50, ``0`` meaning
the largest page, 1000) and ``offset``, answered as
``{count, next, previous, results}``. The parameters clients add on their
own are accepted: ``brief`` (the short form of each object),
``exclude=config_context`` (prefixes have none) and ``format=json``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Request
from starlette.datastructures import QueryParams

from cidrkit.core import Prefix
from cidrkit.errors import ParseError
from cidrkit.ipam.netbox.errors import bad

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
_TRUE = {"1", "true", "True", "yes"}
_FALSE = {"0", "false", "False", "no"}
# Parameters every list route takes besides its filters.
COMMON = frozenset({"limit", "offset", "brief", "exclude", "format"})
T = TypeVar("T")


class Query:
    """The parameters of one request, taken one by one; ``finish`` refuses the rest."""

    def __init__(self, params: QueryParams, allowed: frozenset[str]) -> None:
        self.params = params
        for name in params:
            if name not in allowed:
                known = ", ".join(sorted(allowed - COMMON)) or "none"
                raise bad(name or "query", f"unknown filter (supported here: {known})")
        self.brief = self.flag("brief")
        self.limit, self.offset = self._page()
        for value in self.params.getlist("exclude"):
            if value != "config_context":
                raise bad("exclude", f"{value!r} cannot be excluded (only config_context)")
        for value in self.params.getlist("format"):
            if value != "json":
                raise bad("format", f"{value!r} is not a supported format (only json)")

    def values(self, name: str, parse: Callable[[str, str], T]) -> list[T]:
        """Every value of a repeatable filter, parsed (``parse(name, text)``)."""
        return [parse(name, text) for text in self.params.getlist(name)]

    def one(self, name: str, parse: Callable[[str, str], T]) -> T | None:
        """The value of a single-valued filter, or None."""
        found = self.params.getlist(name)
        if len(found) > 1:
            raise bad(name, "given more than once")
        return parse(name, found[0]) if found else None

    def flag(self, name: str) -> bool:
        """A boolean parameter (1/0, true/false)."""
        text = self.one(name, _text)
        if text is None or text in _FALSE:
            return False
        if text in _TRUE:
            return True
        raise bad(name, f"{text!r} is not true or false")

    def _page(self) -> tuple[int, int]:
        limit = self.one("limit", natural)
        offset = self.one("offset", natural)
        if limit is None:
            limit = DEFAULT_LIMIT
        return min(limit or MAX_LIMIT, MAX_LIMIT), offset or 0


def _text(_name: str, text: str) -> str:
    return text


def integer(name: str, text: str) -> int:
    """A decimal integer (no sign tricks, no spaces, at most 19 digits)."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 19:
        raise bad(name, f"{text!r} is not an integer")
    return int(text)


def natural(name: str, text: str) -> int:
    """A count: ASCII digits only (no sign), at most 19 of them."""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        raise bad(name, f"{text!r} is not a whole number (0 or more)")
    return int(text)


def prefix(name: str, text: str) -> Prefix:
    """A prefix in strict cidrkit syntax."""
    try:
        return Prefix.parse(text)
    except ParseError as exc:
        raise bad(name, str(exc)) from None


def choice(options: Sequence[str]) -> Callable[[str, str], str]:
    """A parser accepting one of ``options``."""
    def parse(name: str, text: str) -> str:
        if text not in options:
            raise bad(name, f"{text!r} is not one of {', '.join(options)}")
        return text
    return parse


@dataclass(frozen=True, slots=True)
class Paged:
    """A page of results in NetBox's envelope."""

    count: int
    next: str | None
    previous: str | None
    results: list[object]

    def to_json(self) -> dict[str, object]:
        """``{count, next, previous, results}``."""
        return {"count": self.count, "next": self.next, "previous": self.previous,
                "results": self.results}


def paginate(request: Request, query: Query, items: Sequence[T],
             render: Callable[[T], object]) -> Paged:
    """The requested page of ``items``, with links to its neighbours."""
    window = items[query.offset:query.offset + query.limit]
    return paged(request, query, len(items), [render(i) for i in window])


def paged(request: Request, query: Query, count: int, results: list[object]) -> Paged:
    """A page the database already cut (``results``, of ``count`` in all), with links to
    its neighbours."""
    limit, offset = query.limit, query.offset

    def link(to: int) -> str:
        return str(request.url.include_query_params(limit=limit, offset=to))

    following = link(offset + limit) if offset + limit < count else None
    preceding = link(max(offset - limit, 0)) if offset > 0 else None
    return Paged(count, following, preceding, results)
