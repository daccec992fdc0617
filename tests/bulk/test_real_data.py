"""Checks on the real BGP tables: bulk results against independent references.

Skipped, with a message, when the shared data files are absent.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from cidrkit.bulk import LpmTable, merge, overlap_pairs, parse_address_text, parse_prefix_text
from cidrkit.core import ipset

from .conftest import data_file

FILES = [("bgp-ipv4.txt", 32), ("bgp-ipv6.txt", 128)]


def _load(name: str) -> tuple[bytes, list[str]]:
    data = data_file(name).read_bytes()
    return data, data.decode().split()


@pytest.mark.parametrize(("name", "bits"), FILES)
@pytest.mark.usefixtures("pure_core")
def test_merge_equals_core_merge(name: str, bits: int) -> None:
    _, lines = _load(name)
    random.Random(11).shuffle(lines)
    parsed = parse_prefix_text("\n".join(lines).encode())
    assert parsed.problems == []
    assert len(parsed.prefixes) == len(lines)
    part = parsed.prefixes.family(bits)
    intervals = [(bits, p.start, p.end) for p in part.to_core()]
    expected = ipset.IPSet.from_intervals(ipset.normalise(intervals))
    assert list(merge(parsed.prefixes)) == list(expected.prefixes())


def _reference_lpm(table: set[tuple[int, int]], bits: int, value: int) -> tuple[int, int] | None:
    """Longest match by masking the address at every length, longest first."""
    full = (1 << bits) - 1
    for length in range(bits, -1, -1):
        network = value & (full ^ ((1 << (bits - length)) - 1))
        if (network, length) in table:
            return (network, length)
    return None


@pytest.mark.parametrize(("name", "bits"), FILES)
def test_lpm_equals_reference_on_10000_addresses(name: str, bits: int) -> None:
    data, _ = _load(name)
    prefixes = parse_prefix_text(data).prefixes
    part = prefixes.family(bits)
    core = part.to_core()
    table = {(p.value, p.length) for p in core}
    rng = random.Random(5)
    # Half inside announced prefixes, half anywhere in the family's space.
    picks = [rng.choice(core) for _ in range(5000)]
    values = [p.host(rng.randrange(min(p.size, 1 << 16))).value for p in picks]
    values += [rng.getrandbits(bits) for _ in range(5000)]
    from cidrkit.core import Addr

    text = "\n".join(str(Addr(bits, v)) for v in values).encode()
    found = LpmTable(prefixes).lookup(parse_address_text(text).prefixes).family_result(bits)
    got = [None if i < 0 else (core[i].value, core[i].length) for i in found.tolist()]
    assert got == [_reference_lpm(table, bits, v) for v in values]


@pytest.mark.parametrize(("name", "bits"), FILES)
def test_overlap_pairs_equal_reference_on_20000_prefixes(name: str, bits: int) -> None:
    _, lines = _load(name)
    sample = random.Random(3).sample(lines, 20_000)
    prefixes = parse_prefix_text("\n".join(sample).encode()).prefixes
    core = prefixes.family(bits).to_core()
    index = {(p.value, p.length): i for i, p in enumerate(core)}
    full = (1 << bits) - 1
    expected = set()
    for i, p in enumerate(core):
        for length in range(p.length):
            outer = index.get((p.value & (full ^ ((1 << (bits - length)) - 1)), length))
            if outer is not None:
                expected.add((outer, i))
    found = overlap_pairs(prefixes)
    got = set(zip(found.first.tolist(), found.second.tolist(), strict=True))
    assert got == expected
    assert np.all(found.relation == 1)
