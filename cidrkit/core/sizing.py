"""Sizing blocks from host counts, and VLSM placement.

A request for N hosts gets the smallest block whose usable count under the
chosen model (rfc, aws, azure, gcp, none) holds N; an exact fit is not
rounded up. Placement is largest block first, each aligned right after the
previous one, which wastes nothing to alignment: every block size divides
every larger one, so the cursor is always aligned for the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cidrkit.core.ipset import IPSet
from cidrkit.core.prefix import Prefix
from cidrkit.core.usable import get_model
from cidrkit.errors import AllocationError, ArgumentError


def length_for_hosts(bits: int, hosts: int, model: str = "rfc") -> int:
    """The longest prefix length whose block holds ``hosts`` usable addresses.

    >>> length_for_hosts(32, 124), length_for_hosts(32, 124, "aws")   # AWS keeps 5
    (25, 24)
    """
    if hosts < 1:
        raise ArgumentError(f"a host count must be at least 1, not {hosts}")
    chosen = get_model(model)
    limit = chosen.max_length(bits)
    start = bits if limit is None else limit
    for length in range(start, -1, -1):
        if chosen.usable(bits, length) >= hosts:
            return length
    family = "IPv4" if bits == 32 else "IPv6"
    raise AllocationError(f"{hosts:,} hosts do not fit in any {family} block")


@dataclass(frozen=True, slots=True)
class Request:
    """A named demand for ``hosts`` usable addresses."""

    name: str
    hosts: int


@dataclass(frozen=True, slots=True)
class Placement:
    request: Request
    prefix: Prefix
    usable: int


def vlsm(parent: Prefix, requests: Sequence[Request], model: str = "rfc") -> tuple[
    list[Placement], IPSet
]:
    """Size each request and place them in ``parent`` largest first.

    Returns the placements in the order of ``requests`` and the space left
    free. Raises AllocationError naming the first request that does not fit
    and how much space remains at that point.
    """
    sized = [(length_for_hosts(parent.bits, r.hosts, model), index, r) for index, r in
             enumerate(requests)]
    # Largest block (shortest length) first; ties keep the order given.
    order = sorted(sized, key=lambda item: (item[0], item[1]))
    cursor = parent.start
    placed: dict[int, Placement] = {}
    for length, index, request in order:
        size = 1 << (parent.bits - length)
        if length < parent.length or cursor + size - 1 > parent.end:
            remaining = max(0, parent.end - cursor + 1)
            needed = sum(1 << (parent.bits - n) for n, _, _ in sized)
            raise AllocationError(
                f"request {request.name!r} for {request.hosts:,} hosts needs a /{length} "
                f"({size:,} addresses) but only {remaining:,} addresses remain in {parent} "
                f"(all requests together need {needed:,} of its {parent.size:,})"
            )
        prefix = Prefix(parent.bits, cursor, length)
        placed[index] = Placement(request, prefix, get_model(model).usable(parent.bits, length))
        cursor += size
    used = IPSet(p.prefix for p in placed.values())
    return [placed[i] for i in range(len(requests))], IPSet([parent]) - used
