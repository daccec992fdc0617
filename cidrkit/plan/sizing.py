"""Sizing: from a demand (hosts, growth, headroom) to a prefix length.

All arithmetic is exact (``Fraction``), so ``hosts: 100, growth: 10%`` needs
exactly 110 addresses, never 110.00000000000001 rounded up to 111.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from fractions import Fraction

from cidrkit.errors import ArgumentError
from cidrkit.plan.profiles import CloudProfile

# ASCII digits only, and a bounded count of them: growth is typed by people,
# and an unbounded digit string would reach int()'s digit limit.
_PERCENT = re.compile(r"\s*([0-9]{1,9}(?:\.[0-9]{1,9})?)\s*%?\s*", re.ASCII)


def parse_percent(value: object) -> Fraction:
    """Parse ``"50%"`` (or a bare ``50``) into the fraction ``1/2``.

    Raises ``ArgumentError`` (a ``ValueError``) with a message quoting the
    value when it is not a non-negative percentage.
    """
    if isinstance(value, bool):
        raise ArgumentError(f"{value!r} is not a percentage (write e.g. '25%')")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value
    else:
        raise ArgumentError(f"{value!r} is not a percentage (write e.g. '25%')")
    match = _PERCENT.fullmatch(text)
    if match is None:
        raise ArgumentError(f"{value!r} is not a percentage (write e.g. '25%')")
    return Fraction(match.group(1)) / 100


def format_percent(fraction: Fraction) -> str:
    """Render a fraction as a percentage without trailing zeros (``12.5%``)."""
    value = fraction * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):g}%"


def with_growth(hosts: int, growth: Fraction) -> int:
    """``ceil(hosts × (1 + growth))``, exactly."""
    return math.ceil(hosts * (1 + growth))


def usable_count(cloud: CloudProfile, bits: int, length: int) -> int:
    """Addresses a block of ``/length`` offers to hosts under ``cloud``.

    Delegates to the core's usable-address models (``none`` reserves nothing;
    a block smaller than the cloud allows offers nothing).
    """
    from cidrkit.core.usable import get_model

    return get_model(cloud.usable_model).usable(bits, length)


def smallest_power_of_two_length(bits: int, addresses: int) -> int:
    """The longest prefix length whose block holds ``addresses`` addresses."""
    if addresses <= 1:
        return bits
    return bits - (addresses - 1).bit_length()


@dataclass(frozen=True, slots=True)
class Sizing:
    """The answer to "which prefix holds this demand?", with the working shown.

    ``length`` is ``None`` when no block in the family is large enough.
    """

    need: int
    length: int | None
    usable: int
    steps: list[str] = field(default_factory=list)


def size_for_hosts(
    hosts: int, growth: Fraction, cloud: CloudProfile, bits: int = 32
) -> Sizing:
    """The smallest prefix whose usable count under ``cloud`` holds the demand.

    The demand is ``ceil(hosts × (1 + growth))``; an exact fit is not rounded
    up (510 hosts under ``none`` fit a /23, 512 too).
    """
    need = with_growth(hosts, growth)
    steps = []
    if growth:
        steps.append(
            f"need = ceil({hosts} × (1 + {format_percent(growth)})) = {need} addresses"
        )
    else:
        steps.append(f"need = {hosts} addresses")
    length = _fit_length(need, cloud, bits)
    if length is None:
        steps.append(f"no IPv{4 if bits == 32 else 6} block holds {need} usable addresses")
        return Sizing(need, None, 0, steps)
    usable = usable_count(cloud, bits, length)
    size = 1 << (bits - length)
    if cloud.reserved:
        steps.append(
            f"/{length}: {size} addresses − {cloud.reserved} reserved by {cloud.name}"
            f" = {usable} usable ≥ {need}"
        )
    else:
        steps.append(f"/{length}: {size} addresses ≥ {need}")
    if length < bits:
        smaller = usable_count(cloud, bits, length + 1)
        if smaller == 0 and (1 << (bits - length - 1)) > cloud.reserved:
            steps.append(f"/{length + 1} is smaller than {cloud.name} allows for a subnet")
        else:
            steps.append(f"/{length + 1} would give {smaller} usable < {need}")
    return Sizing(need, length, usable, steps)


def _fit_length(need: int, cloud: CloudProfile, bits: int) -> int | None:
    from cidrkit.core.sizing import length_for_hosts
    from cidrkit.errors import AllocationError

    try:
        return length_for_hosts(bits, max(need, 1), cloud.usable_model)
    except AllocationError:
        return None


def length_for_children(
    child_lengths: list[int], headroom: Fraction, bits: int
) -> tuple[int, int]:
    """Length of a parent block holding the children with ``headroom`` to spare.

    Returns ``(length, needed_addresses)`` where ``needed_addresses`` is
    ``ceil(sum of the children's block sizes × (1 + headroom))`` and the block is
    the smallest power of two holding it. A parent with no children gets a
    single address, which callers reject.
    """
    total = sum(1 << (bits - child) for child in child_lengths)
    needed = math.ceil(total * (1 + headroom))
    return smallest_power_of_two_length(bits, needed), needed
