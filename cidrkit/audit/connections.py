"""Which scopes are (or will be) connected: the ``--connections`` YAML file.

A conflict only breaks routing between scopes that talk to each other, so a
conflict between connected scopes is *blocking* and any other is *latent*::

    version: 1
    connections:
      - name: acme transit gateway
        via: transit-gateway            # free text: peering, vpn, transit-gateway...
        members:
          - account: "482915730164"     # every scope seen in that account
          - scope: "aws:vpc-0a3f5c9e12b7d4e61"
          - name: prod-core             # the VPC/VNet/network name
          - "k8s:*"                     # a bare string is a scope glob

Every member of one connection reaches every other member (a full mesh, like
a transit gateway); peering is a connection of two members. Keys inside one
member mapping must all match (``{account: X, region: us-east-1}``). Globs use
shell wildcards (``*``, ``?``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from cidrkit.audit.scopes import ScopeInfo
from cidrkit.errors import InputError

_KEYS = ("scope", "name", "account", "region", "provider")


@dataclass(frozen=True, slots=True)
class Connection:
    """One named group of mutually connected scopes, given by member selectors."""

    name: str
    via: str | None
    members: tuple[tuple[tuple[str, str], ...], ...]

    def matches(self, info: ScopeInfo) -> bool:
        """True if ``info`` is selected by any member of this connection."""
        return any(_select(member, info) for member in self.members)


def _select(member: tuple[tuple[str, str], ...], info: ScopeInfo) -> bool:
    values = {"scope": info.scope, "name": info.name, "account": info.account,
              "region": info.region, "provider": info.provider}
    return all(
        values[key] is not None and fnmatchcase(str(values[key]), pattern)
        for key, pattern in member
    )


@dataclass(frozen=True, slots=True)
class Connections:
    """The parsed connections file."""

    entries: tuple[Connection, ...]

    def groups_of(self, info: ScopeInfo) -> frozenset[int]:
        """Indexes of the connections that include this scope."""
        return frozenset(i for i, c in enumerate(self.entries) if c.matches(info))


def parse_connections(text: str, source: str) -> Connections:
    """Parse a connections YAML text; raise InputError naming ``source``:line on bad shape."""
    from cidrkit.sources.yamlloc import load_documents

    doc = load_documents(text, source)
    root: Any = doc.value[0] if doc.value else None
    if not isinstance(root, dict) or not isinstance(root.get("connections"), list):
        raise InputError(f"{source}:1: expected a mapping with a 'connections' list")
    entries: list[Connection] = []
    for i, entry in enumerate(root["connections"]):
        where = f"{source}:{doc.line(f'/0/connections/{i}') or 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("members"), list):
            raise InputError(f"{where}: connection #{i + 1} needs a 'members' list")
        members: list[tuple[tuple[str, str], ...]] = []
        for j, member in enumerate(entry["members"]):
            line = doc.line(f"/0/connections/{i}/members/{j}") or 1
            if isinstance(member, str):
                members.append((("scope", member),))
                continue
            if not isinstance(member, dict) or not member:
                raise InputError(f"{source}:{line}: a member is a scope glob or a mapping "
                                 f"of {', '.join(_KEYS)}")
            unknown = sorted(set(member) - set(_KEYS))
            if unknown:
                raise InputError(f"{source}:{line}: unknown member key {unknown[0]!r} "
                                 f"(expected one of {', '.join(_KEYS)})")
            members.append(tuple((k, str(v)) for k, v in member.items()))
        name = str(entry.get("name") or f"connection {i + 1}")
        via = entry.get("via")
        entries.append(Connection(name, str(via) if via else None, tuple(members)))
    return Connections(tuple(entries))
