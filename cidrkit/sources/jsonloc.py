"""JSON with line numbers: parse a document and remember where each value starts.

The standard ``json`` module forgets positions, yet every finding must cite
the line of the value in the file. :func:`load_located` parses the same
grammar (RFC 8259) with a small recursive-descent scanner that reuses the
standard library's string and number scanners, and records the 1-based line of
every value under its RFC 6901 JSON Pointer.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cidrkit.errors import InputError

# The C string scanner json itself uses; typeshed does not declare it.
scanstring: Callable[[str, int, bool], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


def pointer_token(key: str | int) -> str:
    """Escape one reference token as RFC 6901 says (``~`` then ``/``)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def child(pointer: str, key: str | int) -> str:
    """The pointer of ``key`` inside the value at ``pointer``."""
    return f"{pointer}/{pointer_token(key)}"


@dataclass(frozen=True, slots=True)
class Located:
    """A parsed JSON document and the line where each value starts.

    ``base`` is the pointer of ``value`` inside the whole file when a reader
    works on a wrapped document (``/data`` of a recorded boto3 response):
    pointers given to :meth:`line` are relative to it.
    """

    value: Any
    lines: dict[str, int]
    base: str = ""

    def line(self, pointer: str) -> int | None:
        """The 1-based line of the value at ``pointer``, or None if unknown."""
        return self.lines.get(self.base + pointer)

    def inner(self, pointer: str) -> Located:
        """The value at ``pointer`` (relative to this one) as a document of its own."""
        node = self.value
        for token in pointer.split("/")[1:]:
            key = token.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return Located(node, self.lines, self.base + pointer)


class _Scanner:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.lines: dict[str, int] = {}

    def line_of(self, pos: int) -> int:
        return bisect.bisect_left(self.newlines, pos) + 1

    def fail(self, pos: int, what: str) -> InputError:
        line = self.line_of(pos)
        col = pos - (self.newlines[line - 2] if line > 1 else -1)
        return InputError(f"{self.source}:{line}:{col}: not valid JSON: {what}")

    def skip(self, pos: int) -> int:
        match = _WS.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int, pointer: str, depth: int) -> tuple[Any, int]:
        if depth > 512:
            raise self.fail(pos, "nesting too deep")
        pos = self.skip(pos)
        self.lines[pointer] = self.line_of(pos)
        text = self.text
        char = text[pos : pos + 1]
        if char == '"':
            try:
                string, after = scanstring(text, pos + 1, True)
                return string, after
            except json.JSONDecodeError as err:
                raise self.fail(err.pos, err.msg) from None
        if char == "{":
            return self.object(pos + 1, pointer, depth)
        if char == "[":
            return self.array(pos + 1, pointer, depth)
        for word, literal in _LITERALS.items():
            if text.startswith(word, pos):
                return literal, pos + len(word)
        match = _NUMBER.match(text, pos)
        if match:
            number = match.group()
            is_int = "." not in number and "e" not in number.lower()
            return (int(number) if is_int else float(number)), match.end()
        raise self.fail(pos, f"unexpected {char!r}" if char else "unexpected end of input")

    def object(self, pos: int, pointer: str, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        pos = self.skip(pos)
        if self.text.startswith("}", pos):
            return result, pos + 1
        while True:
            if not self.text.startswith('"', pos):
                raise self.fail(pos, "expected a quoted key")
            try:
                key, pos = scanstring(self.text, pos + 1, True)
            except json.JSONDecodeError as err:
                raise self.fail(err.pos, err.msg) from None
            pos = self.skip(pos)
            if not self.text.startswith(":", pos):
                raise self.fail(pos, "expected ':'")
            result[key], pos = self.value(pos + 1, child(pointer, key), depth + 1)
            pos = self.skip(pos)
            if self.text.startswith("}", pos):
                return result, pos + 1
            if not self.text.startswith(",", pos):
                raise self.fail(pos, "expected ',' or '}'")
            pos = self.skip(pos + 1)

    def array(self, pos: int, pointer: str, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        pos = self.skip(pos)
        if self.text.startswith("]", pos):
            return result, pos + 1
        while True:
            item, pos = self.value(pos, child(pointer, len(result)), depth + 1)
            result.append(item)
            pos = self.skip(pos)
            if self.text.startswith("]", pos):
                return result, pos + 1
            if not self.text.startswith(",", pos):
                raise self.fail(pos, "expected ',' or ']'")
            pos += 1


def load_located(text: str, source: str = "<json>") -> Located:
    """Parse JSON ``text``; raise InputError naming ``source``:line:column if invalid."""
    scanner = _Scanner(text, source)
    value, end = scanner.value(0, "", 0)
    if scanner.skip(end) != len(text):
        raise scanner.fail(scanner.skip(end), "extra data after the document")
    return Located(value, scanner.lines)


def describe_type(value: object) -> str:
    """How a JSON value is called in an error message: ``a string``, ``an object``."""
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def list_at(doc: Located, pointer: str, value: object, what: str) -> list[Any]:
    """``value`` if it is a list (absent or null: empty); otherwise the file has the wrong shape.

    Raises InputError naming the pointer, what was expected and what was
    found: a document whose main list is a string must never read as empty.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        line = doc.line(pointer)
        at = f" (line {line})" if line else ""
        raise InputError(f"{doc.base + pointer or '/'}{at}: expected a list of {what}, "
                         f"found {describe_type(value)}")
    return value


_CIDR_LIKE = re.compile(r"^\s*[0-9A-Fa-f:.]*[0-9][0-9A-Fa-f:.]*/\d{1,3}\s*$")


def looks_like_cidr(text: object) -> bool:
    """True for strings shaped like ``addr/len`` (valid or not): candidates to report."""
    return isinstance(text, str) and bool(_CIDR_LIKE.match(text)) and (
        "." in text or ":" in text
    )


def iter_strings(value: Any, pointer: str) -> list[tuple[str, str]]:
    """Every string inside ``value`` with its pointer, in document order."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[Any, str]] = [(value, pointer)]
    while stack:
        node, here = stack.pop()
        if isinstance(node, str):
            found.append((here, node))
        elif isinstance(node, dict):
            stack.extend((v, child(here, k)) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((v, child(here, i)) for i, v in reversed(list(enumerate(node))))
    return found
