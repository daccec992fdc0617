"""The pure core: value types, parsing, set algebra and allocation primitives.

No I/O and no numpy here; plain Python ints hold addresses of both families.
"""

from cidrkit.core.addr import Addr
from cidrkit.core.ipset import IPSet, IPSetBuilder
from cidrkit.core.parse import parse_addr, parse_item, parse_prefix, parse_range
from cidrkit.core.prefix import Prefix
from cidrkit.core.range import Range

__all__ = [
    "Addr",
    "IPSet",
    "IPSetBuilder",
    "Prefix",
    "Range",
    "parse_addr",
    "parse_item",
    "parse_prefix",
    "parse_range",
]
