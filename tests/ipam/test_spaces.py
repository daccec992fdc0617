"""Spaces: pools never overlap in one space or across connected spaces, on SQLite and
PostgreSQL, checked by the application (naming the collision) and by the database itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cidrkit.core import Prefix
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, InvalidRequest, NotFound
from cidrkit.ipam.pools import PoolSpec, create_pool, delete_pool
from cidrkit.ipam.schema import pool_prefixes, pools, space_connections, spaces
from cidrkit.ipam.spaces import (
    connect_spaces,
    create_space,
    delete_space,
    disconnect_spaces,
    existing_overlaps,
    get_space,
    list_spaces,
    space_of_pool,
)
from cidrkit.ipam.store import get_pool, prefix_row

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def conflict(call: object, *args: object, **kw: object) -> Conflict:
    with pytest.raises(Conflict) as err:
        call(*args, **kw)  # type: ignore[operator]
    return err.value


def test_global_exists_and_pools_default_to_it(database: Database) -> None:
    with database.read() as conn:
        assert [s.name for s in list_spaces(conn)] == ["global"]
    made = create_pool(database, PoolSpec("prod", ["10.20.0.0/16"]), actor="t")
    assert made.space == "global"
    with database.read() as conn:
        assert space_of_pool(conn, "prod").name == "global"


def test_the_issue_overlap_is_a_409_naming_pool_and_prefix(database: Database) -> None:
    create_pool(database, PoolSpec("prod", ["10.20.0.0/16"]), actor="t")
    err = conflict(create_pool, database, PoolSpec("ov2", ["10.20.0.0/24"]), actor="t")
    assert (err.code, err.field) == ("overlap", "prefixes[0]")
    assert err.message == ("prefixes[0]: 10.20.0.0/24 overlaps 10.20.0.0/16 of pool 'prod' "
                           "in space 'global'")
    err = conflict(create_pool, database, PoolSpec("all", ["0.0.0.0/0"]), actor="t")
    assert err.message == ("prefixes[0]: 0.0.0.0/0 overlaps 10.20.0.0/16 of pool 'prod' "
                           "in space 'global'")
    with database.read() as conn:
        names = list(conn.execute(sa.select(pools.c.name)).scalars())
    assert names == ["prod"]


def test_other_family_and_other_space_may_reuse_addresses(database: Database) -> None:
    create_pool(database, PoolSpec("v4", ["10.0.0.0/8"]), actor="t")
    create_pool(database, PoolSpec("v6", ["::/0"]), actor="t")  # IPv4 never overlaps IPv6
    create_space(database, "lab", actor="t")
    made = create_pool(database, PoolSpec("lab10", ["10.0.0.0/16"], space="lab"), actor="t")
    assert made.space == "lab"
    err = conflict(create_pool, database, PoolSpec("lab2", ["10.0.5.0/24"], space="lab"),
                   actor="t")
    assert "of pool 'lab10' in space 'lab'" in err.message


def test_connected_spaces_may_not_overlap_and_connection_is_not_transitive(
        database: Database) -> None:
    for name in ("a", "b", "c"):
        create_space(database, name, actor="t")
    connect_spaces(database, "a", "b", actor="t")
    connect_spaces(database, "b", "c", actor="t")
    create_pool(database, PoolSpec("pa", ["10.1.0.0/16"], space="a"), actor="t")
    err = conflict(create_pool, database, PoolSpec("pb", ["10.1.2.0/24"], space="b"),
                   actor="t")
    assert err.message == ("prefixes[0]: 10.1.2.0/24 overlaps 10.1.0.0/16 of pool 'pa' "
                           "in space 'a', connected to 'b'")
    # a and c are each connected to b, not to each other: c may reuse a's space.
    create_pool(database, PoolSpec("pc", ["10.1.2.0/24"], space="c"), actor="t")
    with database.read() as conn:
        assert get_space(conn, "b").connected == ("a", "c")
        assert get_space(conn, "a").connected == ("b",)


def test_connecting_overlapping_spaces_is_refused_naming_both_pools(database: Database) -> None:
    create_space(database, "x", actor="t")
    create_space(database, "y", actor="t")
    create_pool(database, PoolSpec("px", ["10.1.0.0/16"], space="x"), actor="t")
    create_pool(database, PoolSpec("py", ["10.1.128.0/17"], space="y"), actor="t")
    create_pool(database, PoolSpec("py2", ["10.1.0.0/24"], space="y"), actor="t")
    err = conflict(connect_spaces, database, "y", "x", actor="t")
    assert err.code == "overlap"
    assert err.message == ("cannot connect 'y' and 'x': pool 'px' 10.1.0.0/16 (space 'x') "
                           "overlaps pool 'py2' 10.1.0.0/24 (space 'y') (and 1 more)")
    with database.read() as conn:
        assert get_space(conn, "x").connected == ()
    delete_pool(database, "py", actor="t")
    delete_pool(database, "py2", actor="t")
    space, new = connect_spaces(database, "x", "y", actor="t")
    assert (space.connected, new) == (("y",), True)
    assert connect_spaces(database, "y", "x", actor="t")[1] is False  # already connected
    assert disconnect_spaces(database, "y", "x", actor="t") is True
    assert disconnect_spaces(database, "x", "y", actor="t") is False


def test_child_pool_lives_in_its_parents_space(database: Database) -> None:
    create_space(database, "edge", actor="t")
    create_pool(database, PoolSpec("top", ["10.0.0.0/16"], space="edge"), actor="t")
    child = create_pool(database, PoolSpec("kid", ["10.0.1.0/24"], parent="top"), actor="t")
    assert child.space == "edge"
    with pytest.raises(InvalidRequest) as err:
        create_pool(database, PoolSpec("kid2", ["10.0.2.0/24"], parent="top", space="global"),
                    actor="t")
    assert err.value.message == ("space: a child pool lives in its parent's space 'edge', "
                                 "not 'global'")
    # Child prefixes are inside their parent by design: not a space overlap.
    with database.read() as conn:
        assert existing_overlaps(conn) == []


def test_space_names_unknown_spaces_and_deletion(database: Database) -> None:
    with pytest.raises(InvalidRequest) as bad:
        create_space(database, "no spaces", actor="t")
    assert bad.value.field == "name"
    assert conflict(create_space, database, "global", actor="t").code == "exists"
    assert conflict(create_space, database, "GLOBAL", actor="t").code == "exists"
    with pytest.raises(NotFound) as missing:
        create_pool(database, PoolSpec("p", ["10.0.0.0/8"], space="nowhere"), actor="t")
    assert (missing.value.message, missing.value.field) == (
        "space 'nowhere' does not exist", "space")
    with pytest.raises(InvalidRequest):
        connect_spaces(database, "global", "global", actor="t")
    with pytest.raises(NotFound) as other:
        connect_spaces(database, "global", "nowhere", actor="t")
    assert other.value.field == "other"
    create_space(database, "tmp", actor="t")
    create_pool(database, PoolSpec("p", ["10.0.0.0/8"], space="tmp"), actor="t")
    connect_spaces(database, "tmp", "global", actor="t")
    assert conflict(delete_space, database, "tmp", actor="t").message == (
        "space 'tmp' still holds 1 pool(s) (p); delete them first")
    assert conflict(delete_space, database, "global", actor="t").code == "in_use"
    delete_pool(database, "p", actor="t")
    delete_space(database, "tmp", actor="t")
    with database.read() as conn:
        assert [s.name for s in list_spaces(conn)] == ["global"]
        assert conn.execute(sa.select(sa.func.count()).select_from(space_connections)
                            ).scalar_one() == 0


@pytest.mark.parametrize("warn_at", [0, 101, -5])
def test_warn_at_must_be_a_percentage(sqlite_db: Database, warn_at: int) -> None:
    with pytest.raises(InvalidRequest) as err:
        create_pool(sqlite_db, PoolSpec("p", ["10.0.0.0/8"], warn_at=warn_at), actor="t")
    assert err.value.field == "warn_at"


# -- the database's own guarantee, without the application's check ----------------


def _raw_top_level(database: Database, name: str, prefix: str, space: str) -> None:
    """Insert a top-level pool behind the application's back, as a stray script would."""
    parsed = Prefix.parse(prefix)
    with database.write() as conn:
        space_id = conn.execute(sa.select(spaces.c.id).where(spaces.c.name == space)
                                ).scalar_one()
        pool_id = conn.execute(pools.insert().returning(pools.c.id), {
            "name": name, "version": parsed.version, "required_tags": [], "description": "",
            "created_at": NOW, "space_id": space_id}).scalar_one()
        conn.execute(pool_prefixes.insert(), {"pool_id": pool_id, **prefix_row(parsed),
                                              "space_id": space_id, "top_level": True})


def test_database_refuses_overlaps_in_one_space(database: Database) -> None:
    create_pool(database, PoolSpec("prod", ["10.20.0.0/16"]), actor="t")
    with pytest.raises(sa.exc.IntegrityError):
        _raw_top_level(database, "ov2", "10.20.0.0/24", "global")
    _raw_top_level(database, "v6", "::/0", "global")
    with database.read() as conn:
        assert sorted(conn.execute(sa.select(pools.c.name)).scalars()) == ["prod", "v6"]


def test_database_refuses_overlaps_across_connected_spaces(database: Database) -> None:
    create_space(database, "a", actor="t")
    create_space(database, "b", actor="t")
    connect_spaces(database, "a", "b", actor="t")
    create_pool(database, PoolSpec("pa", ["10.1.0.0/16"], space="a"), actor="t")
    with pytest.raises(sa.exc.IntegrityError):
        _raw_top_level(database, "pb", "10.1.0.0/24", "b")
    disconnect_spaces(database, "a", "b", actor="t")
    _raw_top_level(database, "pb", "10.1.0.0/24", "b")
    # Connecting them now would create an overlap: the database refuses that too.
    with pytest.raises(sa.exc.IntegrityError), database.write() as conn:
        ids = sorted(conn.execute(sa.select(spaces.c.id).where(spaces.c.name.in_(["a", "b"])))
                     .scalars())
        conn.execute(space_connections.insert(), {"space_a": ids[0], "space_b": ids[1],
                                                  "description": "",
                                                  "created_at": NOW})


def test_database_refuses_a_prefix_outside_its_pools_space(database: Database) -> None:
    create_space(database, "a", actor="t")
    made = create_pool(database, PoolSpec("pa", ["10.1.0.0/16"], space="a"), actor="t")
    with pytest.raises(sa.exc.IntegrityError), database.write() as conn:
        global_id = conn.execute(sa.select(spaces.c.id).where(spaces.c.name == "global")
                                 ).scalar_one()
        conn.execute(pool_prefixes.insert(), {
            "pool_id": made.id, **prefix_row(Prefix.parse("10.9.0.0/16")),
            "space_id": global_id, "top_level": True})
    with database.read() as conn:
        assert get_pool(conn, "pa").prefixes == (Prefix.parse("10.1.0.0/16"),)
