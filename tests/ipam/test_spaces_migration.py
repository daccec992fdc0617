"""Migration 0004 on a database made at 0003 that already holds overlapping pools,
on SQLite and PostgreSQL: it succeeds, keeps and reports the overlaps, and no new
overlap gets in, not even one beside the kept ones."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cidrkit.core import Prefix
from cidrkit.ipam.database import Database, head_revision
from cidrkit.ipam.errors import Conflict
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.spaces import existing_overlaps, overlap_report
from cidrkit.ipam.store import get_pool, prefix_row
from tests.cli.runner import cli

NOW = datetime(2026, 12, 4, tzinfo=UTC)


def _old_pool(conn: sa.Connection, name: str, prefix: str, parent: int | None = None) -> int:
    """A pool as revision 0003 stored it (no space, no overlap rule)."""
    parsed = Prefix.parse(prefix)
    pool_id = conn.execute(sa.text(
        "INSERT INTO pools (name, version, parent_id, required_tags, description, created_at) "
        "VALUES (:n, :v, :p, '[]', '', :t) RETURNING id"),
        {"n": name, "v": parsed.version, "p": parent, "t": NOW}).scalar_one()
    row = prefix_row(parsed)
    conn.execute(sa.text(
        "INSERT INTO pool_prefixes (pool_id, prefix, first_hex, last_hex, length) "
        "VALUES (:i, :p, :f, :l, :n)"),
        {"i": pool_id, "p": str(parsed), "f": row["first_hex"], "l": row["last_hex"],
         "n": row["length"]})
    return int(pool_id)


@pytest.fixture
def old_database(db_url: str) -> Database:
    db = Database(db_url)
    db.upgrade("0003")
    with db.engine.begin() as conn:
        _old_pool(conn, "prod", "10.20.0.0/16")
        _old_pool(conn, "ov2", "10.20.0.0/24")     # the overlap
        _old_pool(conn, "all", "0.0.0.0/0")        # overlaps both
        parent = _old_pool(conn, "edge", "2001:db8::/32")
        _old_pool(conn, "edge-kid", "2001:db8:1::/48", parent)  # nesting, not an overlap
        _old_pool(conn, "lab", "192.168.0.0/16")
    return db


def test_upgrade_keeps_and_reports_existing_overlaps(old_database: Database,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cidrkit.ipam.migrations"):
        before, after = old_database.upgrade()
    assert (before, after) == ("0003", head_revision())
    assert [r.getMessage() for r in caplog.records] == [
        "existing overlap kept: pool prod 10.20.0.0/16 overlaps pool ov2 10.20.0.0/24 "
        "(space global)",
        "existing overlap kept: pool prod 10.20.0.0/16 overlaps pool all 0.0.0.0/0 "
        "(space global)",
        "existing overlap kept: pool ov2 10.20.0.0/24 overlaps pool all 0.0.0.0/0 "
        "(space global)",
        "existing overlap kept: pool all 0.0.0.0/0 overlaps pool lab 192.168.0.0/16 "
        "(space global)",
    ]
    with old_database.read() as conn:
        assert {get_pool(conn, n).space for n in ("prod", "edge-kid")} == {"global"}
        described = [o.describe() for o in existing_overlaps(conn)]
    assert described == [
        "pool all 0.0.0.0/0 overlaps pool prod 10.20.0.0/16 (space global)",
        "pool all 0.0.0.0/0 overlaps pool ov2 10.20.0.0/24 (space global)",
        "pool all 0.0.0.0/0 overlaps pool lab 192.168.0.0/16 (space global)",
        "pool prod 10.20.0.0/16 overlaps pool ov2 10.20.0.0/24 (space global)",
    ]
    assert overlap_report(old_database)[0] == (
        "pool all 0.0.0.0/0 overlaps pool prod 10.20.0.0/16 (space global); kept, but no "
        "new overlap will be accepted")
    # Nothing new may overlap, neither a kept prefix nor the space around them.
    for prefix in ("10.20.0.0/24", "172.16.0.0/12"):
        with pytest.raises(Conflict):
            create_pool(old_database, PoolSpec("new", [prefix]), actor="t")
    with pytest.raises(sa.exc.IntegrityError), old_database.write() as conn:
        pool_id = conn.execute(sa.text("SELECT id FROM pools WHERE name = 'lab'")).scalar_one()
        conn.execute(sa.text(
            "INSERT INTO pool_prefixes (pool_id, prefix, first_hex, last_hex, length, "
            "space_id, top_level) SELECT :i, :p, :f, :l, 16, space_id, true FROM pools "
            "WHERE id = :i"), {"i": pool_id, "p": "172.16.0.0/16", **_hex("172.16.0.0/16")})
    create_pool(old_database, PoolSpec("v6", ["2001:db9::/32"]), actor="t")
    old_database.dispose()


def _hex(prefix: str) -> dict[str, str]:
    row = prefix_row(Prefix.parse(prefix))
    return {"f": row["first_hex"], "l": row["last_hex"]}


def test_db_upgrade_command_prints_the_overlaps(old_database: Database, db_url: str) -> None:
    old_database.dispose()
    code, out, err = cli("db", "upgrade", "--db", db_url)
    assert code == 0
    assert "upgraded from 0003 to" in out
    assert err.count("cidrkit: warning: pool ") == 4
    assert ("cidrkit: warning: pool prod 10.20.0.0/16 overlaps pool ov2 10.20.0.0/24 "
            "(space global); kept, but no new overlap will be accepted\n") in err


def test_upgrade_without_overlaps_reports_nothing_and_goes_back_down(db_url: str) -> None:
    from alembic import command

    from cidrkit.ipam.database import _alembic_config

    db = Database(db_url)
    db.upgrade("0003")
    with db.engine.begin() as conn:
        _old_pool(conn, "a", "10.0.0.0/16")
        _old_pool(conn, "b", "10.1.0.0/16")
    db.upgrade()
    assert overlap_report(db) == []
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0003")
    assert db.current_revision() == "0003"
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pool_prefixes")).scalar_one() == 2
    db.upgrade()
    with db.read() as conn:
        assert get_pool(conn, "b").space == "global"
    db.dispose()
