"""Spaces as a state machine against a brute-force model (sets of address integers).

Rules create spaces, connect and disconnect them, create and delete pools of random
prefixes in a 32-address universe, on SQLite. After every step the database holds
exactly the pools the model accepted, a pool is accepted exactly when its addresses
are disjoint from every pool of its own space and of the spaces directly connected to
it, and a connection exactly when the two spaces' pools are disjoint.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from cidrkit.core import Prefix
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict
from cidrkit.ipam.pools import PoolSpec, create_pool, delete_pool
from cidrkit.ipam.spaces import (
    connect_spaces,
    create_space,
    disconnect_spaces,
    existing_overlaps,
    list_spaces,
    top_level_prefixes,
)

BASE = 0xC0000200  # 192.0.2.0, a documentation range
_DB = Database(str(Path(tempfile.mkdtemp(prefix="cidrkit-spaces-")) / "ipam.sqlite3"))
_DB.upgrade()

lengths = st.integers(27, 32)


def block(offset: int, length: int) -> Prefix:
    size = 1 << (32 - length)
    return Prefix(32, BASE + (offset % 32) // size * size, length)


def addresses(prefix: Prefix) -> set[int]:
    return set(range(prefix.start, prefix.end + 1))


class SpacesMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Names unique to this run: the database is shared by every run.
        self.tag = uuid.uuid4().hex[:8]
        self.spaces = [f"{self.tag}-{i}" for i in range(3)]
        for name in self.spaces:
            create_space(_DB, name, actor="model")
        self.links: set[frozenset[str]] = set()
        self.pools: dict[str, tuple[str, set[int]]] = {}
        self.counter = 0

    def reach(self, space: str) -> set[str]:
        return {space} | {other for link in self.links if space in link for other in link}

    @rule(space=st.integers(0, 2), offset=st.integers(0, 31), length=lengths)
    def create(self, space: int, offset: int, length: int) -> None:
        name, prefix = f"{self.tag}-p{self.counter}", block(offset, length)
        self.counter += 1
        where = self.spaces[space]
        held = addresses(prefix)
        expected = all(held.isdisjoint(used) for s, used in self.pools.values()
                       if s in self.reach(where))
        try:
            create_pool(_DB, PoolSpec(name, [str(prefix)], space=where), actor="model")
            accepted = True
        except Conflict as exc:
            assert exc.code == "overlap"
            accepted = False
        assert accepted == expected
        if accepted:
            self.pools[name] = (where, held)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if self.pools:
            name = data.draw(st.sampled_from(sorted(self.pools)))
            delete_pool(_DB, name, actor="model")
            del self.pools[name]

    @rule(a=st.integers(0, 2), b=st.integers(0, 2))
    def connect(self, a: int, b: int) -> None:
        if a == b:
            return
        x, y = self.spaces[a], self.spaces[b]
        clash = any(used_x & used_y for sx, used_x in self.pools.values() if sx == x
                    for sy, used_y in self.pools.values() if sy == y)
        try:
            connect_spaces(_DB, x, y, actor="model")
            accepted = True
        except Conflict:
            accepted = False
        assert accepted == (not clash)
        if accepted:
            self.links.add(frozenset((x, y)))

    @rule(a=st.integers(0, 2), b=st.integers(0, 2))
    def disconnect(self, a: int, b: int) -> None:
        if a != b:
            x, y = self.spaces[a], self.spaces[b]
            assert disconnect_spaces(_DB, x, y, actor="model") == (frozenset((x, y))
                                                                   in self.links)
            self.links.discard(frozenset((x, y)))

    @invariant()
    def database_matches_model(self) -> None:
        with _DB.read() as conn:
            mine = [p for p in top_level_prefixes(conn) if p.pool.startswith(self.tag)]
            assert {p.pool: (p.space, addresses(p.prefix)) for p in mine} == self.pools
            assert [o for o in existing_overlaps(conn) if o.a.pool.startswith(self.tag)] == []
            connected = {s.name: set(s.connected) for s in list_spaces(conn)
                         if s.name in self.spaces}
        for name in self.spaces:
            assert connected[name] == self.reach(name) - {name}


TestSpacesMachine = SpacesMachine.TestCase
TestSpacesMachine.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
