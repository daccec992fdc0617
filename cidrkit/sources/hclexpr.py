"""The few Terraform expressions an address audit can evaluate without running Terraform.

``local.x`` and ``var.x`` (from a ``default``) resolve within the module's
folder, with index and attribute access (``local.subnets[1]``,
``var.cidrs["app"]``), and ``cidrsubnet(prefix, newbits, netnum)`` computes
its subnet as Terraform does. Anything else (``count.index``, resource
attributes, other functions) raises :class:`Unknown`: the caller reports it
as unresolved and never guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cidrkit.core import Prefix
from cidrkit.errors import CidrkitError

_TOKEN = re.compile(r'\s*(?:(?P<num>-?\d+)|(?P<str>"(?:[^"\\$]|\\.)*")|(?P<name>[A-Za-z_][\w-]*)'
                    r"|(?P<punct>[()\[\],.]))")


class Unknown(Exception):
    """A value Terraform only knows when it plans or applies."""


@dataclass(slots=True)
class Scope:
    """What a module folder's files declare: raw ``locals`` and variable ``default`` values
    (as python-hcl2 gives them), and the state backends they name."""

    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    #: Backends (``s3:bucket/key``) the folder's files declare; more than one: several projects.
    backends: set[str] = field(default_factory=set)


def evaluate(raw: Any, scope: Scope, depth: int = 0) -> Any:
    """The value of a raw python-hcl2 value: literals as text, expressions evaluated."""
    if depth > 32:
        raise Unknown
    if isinstance(raw, bool) or raw is None:
        raise Unknown
    if isinstance(raw, (int, float)):
        return raw
    if isinstance(raw, list):
        return [evaluate(item, scope, depth + 1) for item in raw]
    if isinstance(raw, dict):
        return {k: evaluate(v, scope, depth + 1) for k, v in raw.items() if k != "__is_block__"}
    text = str(raw)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        inner = text[1:-1]
        if "${" not in inner:
            return inner
        return _template(inner, scope, depth)
    if text.startswith("${") and text.endswith("}"):
        return _Expression(text[2:-1], scope, depth).parse()
    raise Unknown


def _template(text: str, scope: Scope, depth: int) -> str:
    """A quoted string with ``${...}`` parts, every part evaluated."""
    out, rest = [], text
    while "${" in rest:
        before, _, after = rest.partition("${")
        inner, closed, rest = after.partition("}")
        if not closed:
            raise Unknown
        value = _Expression(inner, scope, depth).parse()
        if not isinstance(value, (str, int)):
            raise Unknown
        out += [before, str(value)]
    return "".join(out) + rest


class _Expression:
    def __init__(self, text: str, scope: Scope, depth: int) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text.rstrip()):
            match = _TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise Unknown
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
        self.scope, self.depth, self.at = scope, depth, 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.at] if self.at < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1] != value):
            raise Unknown
        self.at += 1
        return token

    def parse(self) -> Any:
        value = self.primary()
        if self.peek()[0] != "end":
            raise Unknown
        return value

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "num":
            return int(text)
        if kind == "str":
            return evaluate(text, self.scope, self.depth + 1)
        if kind != "name":
            raise Unknown
        if text == "cidrsubnet" and self.peek()[1] == "(":
            self.take("(")
            args = [self.primary()]
            while self.peek()[1] == ",":
                self.take(",")
                args.append(self.primary())
            self.take(")")
            return self.postfix(_cidrsubnet(args))
        if text in ("local", "var") and self.peek()[1] == ".":
            self.take(".")
            name = self.take()[1]
            table = self.scope.locals if text == "local" else self.scope.variables
            if name not in table:
                raise Unknown
            return self.postfix(evaluate(table[name], self.scope, self.depth + 1))
        raise Unknown

    def postfix(self, value: Any) -> Any:
        while self.peek()[1] in (".", "["):
            if self.take()[1] == ".":
                key: Any = self.take()[1]
            else:
                key = self.primary()
                self.take("]")
            if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            elif isinstance(value, dict) and str(key) in value:
                value = value[str(key)]
            else:
                raise Unknown
        return value


def _cidrsubnet(args: list[Any]) -> str:
    """Terraform's ``cidrsubnet(prefix, newbits, netnum)``."""
    if len(args) != 3 or not isinstance(args[0], str) or not all(
            isinstance(a, int) for a in args[1:]):
        raise Unknown
    try:
        parent = Prefix.parse(args[0])
    except CidrkitError:
        raise Unknown from None
    length = parent.length + args[1]
    if not (parent.length <= length <= parent.bits) or not 0 <= args[2] < (1 << args[1]):
        raise Unknown
    return str(parent.subnet(args[2], length))
