"""cidrkit: IP address planning for IPv4 and IPv6.

>>> from cidrkit import Prefix
>>> Prefix.parse("10.0.0.0/16").usable("aws")
65531
"""

from cidrkit.core import (
    Addr,
    IPSet,
    IPSetBuilder,
    Prefix,
    Range,
    parse_addr,
    parse_item,
    parse_prefix,
    parse_range,
)
from cidrkit.errors import CidrkitError, ParseError

__version__ = "0.1.0"

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
