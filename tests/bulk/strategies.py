"""Hypothesis strategies for bulk tests: prefixes packed into small universes.

Prefixes drawn near a few bases (the bottom and top of each family's
space, documentation ranges) collide often, so nested, adjacent, duplicate
and /0, /32, /128 cases come up in almost every example.
"""

from __future__ import annotations

import ipaddress

from hypothesis import strategies as st

from cidrkit.core import Addr, Prefix, Range

_BASES = {
    32: [0, int(ipaddress.ip_address("192.0.2.0")), (1 << 32) - 256],
    128: [0, int(ipaddress.ip_address("2001:db8::")), (1 << 128) - 256],
}


def _mask(bits: int, length: int) -> int:
    return ((1 << bits) - 1) ^ ((1 << (bits - length)) - 1)


@st.composite
def prefixes(draw: st.DrawFn, bits: int | None = None) -> Prefix:
    """A prefix near one of a few bases, or around a Hypothesis-chosen address."""
    family = draw(st.sampled_from([32, 128])) if bits is None else bits
    if draw(st.integers(0, 9)) == 0:
        addr = draw(st.ip_addresses(v=4 if family == 32 else 6))
        value = int(addr)
    else:
        value = draw(st.sampled_from(_BASES[family])) + draw(st.integers(0, 255))
    length = draw(
        st.one_of(st.integers(family - 8, family), st.sampled_from([0, 1, family - 9, family - 16]))
    )
    return Prefix(family, value & _mask(family, length), length)


@st.composite
def ranges(draw: st.DrawFn, bits: int | None = None) -> Range:
    """A range whose ends are near the same bases."""
    family = draw(st.sampled_from([32, 128])) if bits is None else bits
    base = draw(st.sampled_from(_BASES[family]))
    a = base + draw(st.integers(0, 300))
    b = base + draw(st.integers(0, 300))
    top = (1 << family) - 1
    lo, hi = sorted((min(a, top), min(b, top)))
    return Range(family, lo, hi)


def addresses(bits: int | None = None) -> st.SearchStrategy[Addr]:
    """Addresses near the same bases, so they fall inside drawn prefixes."""
    return prefixes(bits).map(
        lambda p: Addr(p.bits, p.value | (p.size - 1 if p.length < p.bits else 0))
    )
