"""cidrkit: IP address planning for IPv4 and IPv6.

>>> from cidrkit import Prefix
>>> Prefix.parse("10.0.0.0/16").usable("aws")
65531

The names below are loaded on first use (PEP 562), so importing a submodule
such as the CLI does not pay for the whole library up front.
"""

from __future__ import annotations

import importlib

# typing.TYPE_CHECKING without importing typing (start-up time of the CLI).
TYPE_CHECKING = False

__version__ = "0.1.0"

_EXPORTS = {
    "Addr": "cidrkit.core.addr",
    "Prefix": "cidrkit.core.prefix",
    "Range": "cidrkit.core.range",
    "IPSet": "cidrkit.core.ipset",
    "IPSetBuilder": "cidrkit.core.ipset",
    "parse_addr": "cidrkit.core.parse",
    "parse_item": "cidrkit.core.parse",
    "parse_prefix": "cidrkit.core.parse",
    "parse_range": "cidrkit.core.parse",
    "CidrkitError": "cidrkit.errors",
    "ParseError": "cidrkit.errors",
}

# Spelled out, not computed, so type checkers see what the package exports.
__all__ = [
    "Addr",
    "CidrkitError",
    "IPSet",
    "IPSetBuilder",
    "ParseError",
    "Prefix",
    "Range",
    "__version__",
    "parse_addr",
    "parse_item",
    "parse_prefix",
    "parse_range",
]

if TYPE_CHECKING:
    from cidrkit.core.addr import Addr
    from cidrkit.core.ipset import IPSet, IPSetBuilder
    from cidrkit.core.parse import parse_addr, parse_item, parse_prefix, parse_range
    from cidrkit.core.prefix import Prefix
    from cidrkit.core.range import Range
    from cidrkit.errors import CidrkitError, ParseError


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'cidrkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
