"""The sweep against a brute-force pairwise oracle on random records."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.audit.engine import find_conflicts, merge_records
from cidrkit.audit.scopes import collect_scopes
from cidrkit.core import Prefix
from cidrkit.sources.record import Labels, Origin, Record


@st.composite
def records(draw: st.DrawFn) -> list[Record]:
    result = []
    for _ in range(draw(st.integers(0, 40))):
        bits = draw(st.sampled_from([32, 128]))
        length = draw(st.integers(bits - 8, bits))   # a small universe: many overlaps
        offset = draw(st.integers(0, 255)) >> (bits - length) << (bits - length)
        base = 0x0A000000 if bits == 32 else 0x20010DB8 << 96
        prefix = Prefix(bits, base + offset, length)
        scope = draw(st.sampled_from(["s1", "s2", "s3"]))
        result.append(Record(prefix, Origin("f"), scope, Labels()))
    return result


def _oracle(recs: list[Record]) -> set[tuple[str, str, str, str, str]]:
    seen = {(r.scope, r.prefix) for r in recs}
    pairs = set()
    for sa, pa in seen:
        for sb, pb in seen:
            if sa >= sb or pa.bits != pb.bits:
                continue
            addrs_a = set(range(pa.start, pa.end + 1))
            addrs_b = set(range(pb.start, pb.end + 1))
            if not addrs_a & addrs_b:
                continue
            relation = ("equal" if addrs_a == addrs_b else
                        "a_contains_b" if addrs_b <= addrs_a else "b_contains_a")
            pairs.add((sa, str(pa), sb, str(pb), relation))
    return pairs


@settings(max_examples=150, deadline=None)
@given(records())
def test_conflicts_equal_brute_force(recs: list[Record]) -> None:
    allocations = merge_records(recs)
    conflicts = find_conflicts(allocations, collect_scopes(allocations))
    found = {(c.a.scope, str(c.a.prefix), c.b.scope, str(c.b.prefix), c.relation)
             for c in conflicts}
    assert len(found) == len(conflicts)
    assert found == _oracle(recs)
