"""Bicep files, read into the shape of an ARM template so one reader handles both.

Bicep is compiled to ARM; the parts an address audit needs are small:
``param x string = '...'`` defaults, ``var`` values, and ``resource sym
'Type@version' = { ... }`` bodies (with child ``resource`` declarations and
``parent: sym``). This reader parses object and array literals, strings and
numbers with their lines; any other expression is kept as its text in
brackets, which the ARM reader reports as unresolved. A bare reference to a
``param`` or ``var`` becomes ``[parameters('x')]`` / ``[variables('x')]`` so it
is evaluated like ARM's.
"""

from __future__ import annotations

import re
from typing import Any

from cidrkit.errors import InputError
from cidrkit.sources.jsonloc import Located, child

_DECLARATION = re.compile(
    r"^(?:(param)[ \t]+(\w+)[ \t]+[\w.]+(?:[ \t]*=)?|(var)[ \t]+(\w+)[ \t]*="
    r"|(resource)[ \t]+(\w+)[ \t]+'([^']*)'[ \t]*(?:existing[ \t]*)?=)", re.M)
_NESTED_RESOURCE = re.compile(r"resource[ \t]+(\w+)[ \t]+'([^']*)'[ \t]*(?:existing[ \t]*)?=")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?\d+")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def looks_like_bicep(text: str) -> bool:
    """True for text declaring at least one Bicep resource."""
    return bool(re.search(r"^[ \t]*resource[ \t]+\w+[ \t]+'[^']+@[^']+'", text, re.M))


class _Parser:
    def __init__(self, text: str) -> None:
        # Comments are blanked (newlines kept) so positions and lines stay true.
        self.text = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
        self.lines: dict[str, int] = {}
        self.params: set[str] = set()
        self.variables: set[str] = set()

    def line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def skip(self, pos: int, newlines: bool = True) -> int:
        chars = " \t\r\n," if newlines else " \t\r"
        while pos < len(self.text) and self.text[pos] in chars:
            pos += 1
        return pos

    def value(self, pos: int, pointer: str, depth: int = 0) -> tuple[Any, int]:
        if depth > 128:
            raise InputError(f"line {self.line_of(pos)}: nesting too deep")
        pos = self.skip(pos)
        self.lines[pointer] = self.line_of(pos)
        char = self.text[pos : pos + 1]
        if char == "{":
            return self.object(pos + 1, pointer, depth)
        if char == "[" and not re.match(r"\[\s*for\b", self.text[pos:pos + 40]):
            return self.array(pos + 1, pointer, depth)
        if char == "'" and not self.text.startswith("'''", pos):
            text, end = self.string(pos)
            if text is not None:
                return text, end
        number = _NUMBER.match(self.text, pos)
        if number and not _IDENT.match(self.text, number.end()):
            after = self.skip(number.end(), newlines=False)
            if self.text[after : after + 1] in ("\n", ",", "}", "]", ""):
                return int(number.group()), number.end()
        return self.expression(pos)

    def string(self, pos: int) -> tuple[str | None, int]:
        """A single-quoted string: its text, or None when it interpolates ``${...}``."""
        out: list[str] = []
        i = pos + 1
        while i < len(self.text):
            char = self.text[i]
            if char == "\\" and i + 1 < len(self.text):
                escaped = self.text[i + 1]
                out.append({"n": "\n", "t": "\t", "r": "\r"}.get(escaped, escaped))
                i += 2
                continue
            if char == "$" and self.text.startswith("${", i):
                return None, i
            if char == "'":
                return "".join(out), i + 1
            if char == "\n":
                break
            out.append(char)
            i += 1
        raise InputError(f"line {self.line_of(pos)}: unterminated string")

    def expression(self, pos: int) -> tuple[str, int]:
        """Any other expression, up to the end of its line at bracket depth 0, as ``[text]``."""
        depth, i, quoted = 0, pos, False
        while i < len(self.text):
            char = self.text[i]
            if quoted:
                quoted = char != "'"
            elif char == "'":
                quoted = True
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif char in "\n," and depth == 0:
                break
            i += 1
        text = self.text[pos:i].strip()
        if not text:
            # A closing bracket where a value belongs: without this, the array
            # or object around it would ask for the same value forever.
            found = self.text[i : i + 1] or "end of file"
            raise InputError(f"line {self.line_of(i)}: expected a value, found {found!r}")

        def reference(match: re.Match[str]) -> str:
            word = match.group()
            if word in self.params:
                return f"parameters('{word}')"
            return f"variables('{word}')" if word in self.variables else word
        # Names of params and vars become ARM's calls; quoted text is left alone.
        return "[" + re.sub(r"'[^']*'|(?<![\w.$])[A-Za-z_]\w*(?![\w(])",
                            lambda m: m.group() if m.group().startswith("'") else reference(m),
                            text) + "]", i

    def object(self, pos: int, pointer: str, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        while True:
            pos = self.skip(pos)
            if pos >= len(self.text):
                raise InputError(f"line {self.line_of(pos)}: '{{' is never closed")
            if self.text[pos] == "}":
                return result, pos + 1
            nested = _NESTED_RESOURCE.match(self.text, pos)
            if nested:
                children = result.setdefault("resources", [])
                here = f"{child(pointer, 'resources')}/{len(children)}"
                body, pos = self.value(nested.end(), here, depth + 1)
                children.append(_resource(nested.group(2), body, nested.group(1)))
                continue
            key_match = _IDENT.match(self.text, pos)
            if key_match:
                key, pos = key_match.group(), key_match.end()
            elif self.text[pos] == "'":
                quoted, pos = self.string(pos)
                key = quoted or ""
            else:
                raise InputError(f"line {self.line_of(pos)}: expected a property name")
            pos = self.skip(pos, newlines=False)
            if self.text[pos : pos + 1] != ":":
                raise InputError(f"line {self.line_of(pos)}: expected ':' after {key!r}")
            result[key], pos = self.value(pos + 1, child(pointer, key), depth + 1)

    def array(self, pos: int, pointer: str, depth: int) -> tuple[list[Any], int]:
        items: list[Any] = []
        while True:
            pos = self.skip(pos)
            if pos >= len(self.text):
                raise InputError(f"line {self.line_of(pos)}: '[' is never closed")
            if self.text[pos] == "]":
                return items, pos + 1
            item, pos = self.value(pos, child(pointer, len(items)), depth + 1)
            items.append(item)


def _resource(type_version: str, body: Any, symbol: str) -> dict[str, Any]:
    resource = dict(body) if isinstance(body, dict) else {}
    resource["type"] = type_version.split("@", 1)[0]
    resource["symbol"] = symbol
    return resource


def load_bicep(text: str, source: str) -> Located:
    """Parse the declarations of a Bicep file into an ARM-shaped document with lines."""
    parser = _Parser(text)
    params: dict[str, Any] = {}
    variables: dict[str, Any] = {}
    resources: list[dict[str, Any]] = []
    done = 0
    try:
        for match in _DECLARATION.finditer(parser.text):
            if match.start() < done:
                continue  # inside a declaration already read
            end = match.end()
            if match.group(1):
                parser.params.add(match.group(2))
                if parser.text[match.end() - 1] == "=":
                    default, end = parser.value(match.end(), f"/parameters/{match.group(2)}")
                    params[match.group(2)] = {"defaultValue": default}
            elif match.group(3):
                parser.variables.add(match.group(4))
                variables[match.group(4)], end = parser.value(match.end(),
                                                              f"/variables/{match.group(4)}")
            else:
                body, end = parser.value(match.end(), f"/resources/{len(resources)}")
                resources.append(_resource(match.group(7), body, match.group(6)))
            done = end
    except InputError as err:
        raise InputError(f"{source}: not valid Bicep: {err}") from None
    # ``parent: vnet`` names the parent by symbol; ARM names a child "vnet/subnet".
    names = {r["symbol"]: r.get("name") for r in resources}
    for resource in resources:
        parent = str(resource.get("parent", ""))[1:-1]
        if parent in names and isinstance(resource.get("name"), str):
            resource["name"] = f"{_plain_name(names[parent])}/{resource['name']}"
    return Located({"parameters": params, "variables": variables, "resources": resources},
                   parser.lines)


def _plain_name(name: Any) -> str:
    return name if isinstance(name, str) else str(name)
