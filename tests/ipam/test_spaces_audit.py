"""The IPAM's spaces and the auditor judge "blocking" the same way.

Hypothesis draws spaces, connections between them and pool prefixes; the
IPAM's rule (``blocking_overlaps``) and ``cidrkit audit`` reading the
exported inventory and connections file must agree on every pair of pools
in different spaces: blocking exactly when the spaces are connected, latent
otherwise. (Inside one space the IPAM refuses every overlap, while the
auditor, for which one scope is one network, reports nesting instead.)
"""

from __future__ import annotations

import json
import tempfile
from itertools import combinations
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.audit.connections import parse_connections
from cidrkit.audit.engine import audit
from cidrkit.core import Prefix
from cidrkit.ipam.spaces import (
    PoolPrefix,
    audit_scope,
    blocking_overlaps,
    connections_document,
    inventory_document,
)
from cidrkit.sources.reader import read_inventory

SPACES = ("global", "a", "b", "c")
PAIRS = list(combinations(SPACES, 2))


def _block(start: int, length: int) -> Prefix:
    """The /length around 10.0.0.<start>."""
    return Prefix(32, (0x0A000000 + start) & ~((1 << (32 - length)) - 1), length)


prefixes = st.builds(_block, st.integers(0, 255), st.integers(24, 30))
pool_prefixes = st.lists(st.tuples(st.sampled_from(SPACES), prefixes), max_size=8)
connections = st.lists(st.sampled_from(PAIRS), unique=True, max_size=len(PAIRS))

SCOPE_TO_SPACE = {audit_scope(s): s for s in SPACES}


def _side(space: str, prefix: Prefix) -> tuple[str, str]:
    return space, str(prefix)


@settings(max_examples=150, deadline=None)
@given(pool_prefixes, connections)
def test_ipam_and_auditor_agree_on_blocking(drawn: list[tuple[str, Prefix]],
                                            connected: list[tuple[str, str]]) -> None:
    pools = [PoolPrefix(f"p{i}", space, prefix) for i, (space, prefix) in enumerate(drawn)]
    ipam = {frozenset((_side(o.a.space, o.a.prefix), _side(o.b.space, o.b.prefix)))
            for o in blocking_overlaps(pools, connected) if o.a.space != o.b.space}
    with tempfile.TemporaryDirectory() as folder:
        inventory_path = Path(folder) / "prefixes.json"
        inventory_path.write_text(json.dumps(inventory_document(pools)))
        connections_text = json.dumps(connections_document(connected))
        report = audit(read_inventory([str(inventory_path)]),
                       parse_connections(connections_text, "connections.yaml"))
    blocking: set[frozenset[tuple[str, str]]] = set()
    latent: set[frozenset[tuple[str, str]]] = set()
    for conflict in report.conflicts:
        pair = frozenset((_side(SCOPE_TO_SPACE[conflict.a.scope], conflict.a.prefix),
                          _side(SCOPE_TO_SPACE[conflict.b.scope], conflict.b.prefix)))
        (blocking if conflict.severity == "blocking" else latent).add(pair)
    assert blocking == ipam
    # Every cross-space overlap the IPAM allows (unconnected spaces) is latent to the auditor.
    everything = {frozenset((_side(o.a.space, o.a.prefix), _side(o.b.space, o.b.prefix)))
                  for o in blocking_overlaps(pools, PAIRS) if o.a.space != o.b.space}
    assert latent == everything - ipam
