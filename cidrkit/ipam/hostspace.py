"""Which addresses of a block may be handed to a host: the pure part of address allocation.

The usable part of each block comes from the core's usable-address model of
the pool (``Prefix.usable_bounds``): ``rfc`` leaves out the network and
broadcast addresses of IPv4 blocks, the clouds their reserved addresses (AWS
and Azure the first four and the last, GCP the first two and last two),
``none`` nothing. On top of the model, one convention:

* the gateway is the block's second address (``.1``, ``::1``) and is never
  handed out as "next free" under ``rfc`` (under a cloud model the cloud
  already reserves it; under ``none`` nothing is held back);
* under ``rfc``, an IPv6 block's first address is its Subnet-Router anycast
  address (RFC 4291, section 2.6.1) and is not handed out either;
* point-to-point blocks (/31, /127, RFC 3021 and RFC 6164) and single
  addresses keep every address.

An explicitly requested address may be the gateway (someone has to record
it), but never an address the model reserves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cidrkit.core import Addr, IPSet, Prefix, Range
from cidrkit.core.usable import MODEL_NAMES


def is_usable_model(name: str) -> bool:
    """True if ``name`` is one of the core's usable-address models."""
    return name in MODEL_NAMES


def _point_to_point(block: Prefix) -> bool:
    return block.length >= block.bits - 1


def held_back(block: Prefix, model: str) -> list[Addr]:
    """Addresses of ``block`` the model allows but "next free" skips (gateway, anycast)."""
    if model != "rfc" or _point_to_point(block):
        return []
    skipped = [block.host(1)]
    if block.version == 6:
        skipped.insert(0, block.host(0))
    return skipped


def usable_space(blocks: Iterable[Prefix], model: str) -> IPSet:
    """Addresses of ``blocks`` that the model lets hosts have."""
    spans: list[Range] = []
    for block in blocks:
        bounds = block.usable_bounds(model)
        if bounds is not None:
            spans.append(Range.between(*bounds))
    return IPSet(spans)


def assignable_space(blocks: Iterable[Prefix], model: str) -> IPSet:
    """Addresses "next free" may hand out: the usable ones less the gateway convention."""
    blocks = list(blocks)
    skipped = [addr for block in blocks for addr in held_back(block, model)]
    return usable_space(blocks, model).difference(IPSet(skipped))


def lowest(free: IPSet, count: int) -> list[Addr]:
    """The ``count`` lowest addresses of ``free`` (fewer if it holds fewer)."""
    return list(_take(free.ranges(), count))


def _take(spans: Iterator[Range], count: int) -> Iterator[Addr]:
    left = count
    for span in spans:
        if left <= 0:
            return
        stop = min(span.end, span.start + left - 1)
        for value in range(span.start, stop + 1):
            yield Addr(span.bits, value)
        left -= stop - span.start + 1
