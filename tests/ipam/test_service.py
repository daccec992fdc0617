"""The allocation service and pool management, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cidrkit.core import Prefix
from cidrkit.ipam import store
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import Conflict, IdempotencyMismatch, InvalidRequest, NotFound
from cidrkit.ipam.model import AllocationRequest, PoolRules
from cidrkit.ipam.pools import PoolSpec, create_pool, delete_pool
from cidrkit.ipam.reports import free_page, utilisation
from cidrkit.ipam.service import AllocateOp, AllocationService, ReleaseOp


def P(text: str) -> Prefix:
    return Prefix.parse(text)


def by_length(n: int, **kw: object) -> AllocationRequest:
    return AllocationRequest(length=n, **kw)  # type: ignore[arg-type]


def prefixes_of(service: AllocationService, pool: str, *lengths: int, strategy: str = "best_fit"
                ) -> list[str]:
    out = []
    for n in lengths:
        result = service.allocate(pool, [by_length(n, strategy=strategy)], actor="test")
        out.append(str(result.allocations[0].prefix))
    return out


def test_best_fit_keeps_big_blocks_whole(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24"]), actor="t")
    svc = AllocationService(database)
    assert prefixes_of(svc, "p", 26, 28, 27, 28) == [
        "10.0.0.0/26", "10.0.0.64/28", "10.0.0.96/27", "10.0.0.80/28",
    ]


def test_first_fit_takes_lowest_address(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24"]), actor="t")
    svc = AllocationService(database)
    first = prefixes_of(svc, "p", 26, 28, strategy="first_fit")
    assert first == ["10.0.0.0/26", "10.0.0.64/28"]
    svc.release(1, actor="t")
    assert prefixes_of(svc, "p", 27, strategy="first_fit") == ["10.0.0.0/27"]
    assert prefixes_of(svc, "p", 28) == ["10.0.0.80/28"]  # best fit: the /28 hole


def test_best_fit_across_several_pool_prefixes(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24", "10.9.0.0/28"]), actor="t")
    svc = AllocationService(database)
    assert prefixes_of(svc, "p", 28, 28, 28) == ["10.9.0.0/28", "10.0.0.0/28", "10.0.0.16/28"]


def test_exhaustion_is_a_conflict_naming_the_length(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/30"]), actor="t")
    svc = AllocationService(database)
    prefixes_of(svc, "p", 31, 31)
    with pytest.raises(Conflict) as err:
        svc.allocate("p", [by_length(32)], actor="t")
    assert err.value.code == "exhausted"
    assert err.value.message == "prefix_length: pool 'p' has no free /32"


def test_exact_prefix_and_overlap(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["2001:db8::/48"]), actor="t")
    svc = AllocationService(database)
    got = svc.allocate("p", [AllocationRequest(prefix=P("2001:db8:0:10::/60"))], actor="t")
    assert str(got.allocations[0].prefix) == "2001:db8:0:10::/60"
    with pytest.raises(Conflict) as err:
        svc.allocate("p", [AllocationRequest(prefix=P("2001:db8:0:1f::/64"))], actor="t")
    assert err.value.code == "overlap"
    assert err.value.message == (
        "prefix: 2001:db8:0:1f::/64 overlaps 2001:db8:0:10::/60, already allocated in pool 'p'"
    )
    with pytest.raises(InvalidRequest) as bad:
        svc.allocate("p", [AllocationRequest(prefix=P("2001:db9::/64"))], actor="t")
    assert bad.value.field == "prefix"
    assert bad.value.message == "prefix: 2001:db9::/64 is not inside pool 'p' (2001:db8::/48)"
    with pytest.raises(InvalidRequest):
        svc.allocate("p", [AllocationRequest(prefix=P("10.0.0.0/24"))], actor="t")


def test_rules_lengths_default_and_required_tags(database: Database) -> None:
    rules = PoolRules(min_length=20, max_length=26, default_length=24, required_tags=("env",))
    create_pool(database, PoolSpec("p", ["10.0.0.0/16"], rules=rules), actor="t")
    svc = AllocationService(database)
    with pytest.raises(InvalidRequest) as err:
        svc.allocate("p", [AllocationRequest()], actor="t")
    assert (err.value.field, err.value.message) == (
        "tags", "tags: pool 'p' requires tag(s) env")
    got = svc.allocate("p", [AllocationRequest(tags={"env": "prod"})], actor="t")
    assert str(got.allocations[0].prefix) == "10.0.0.0/24"
    for bad in (19, 27):
        with pytest.raises(InvalidRequest) as err:
            svc.allocate("p", [by_length(bad, tags={"env": "x"})], actor="t")
        assert err.value.message == (
            f"prefix_length: /{bad} is outside what pool 'p' hands out (/20 to /26)")


def test_idempotency_key_returns_the_same_allocation(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24"]), actor="t")
    svc = AllocationService(database)
    first = svc.allocate("p", [by_length(28)], actor="t", idempotency_key="k1")
    again = svc.allocate("p", [by_length(28)], actor="t", idempotency_key="k1")
    assert again.replayed and not first.replayed
    assert again.allocations == first.allocations
    with pytest.raises(IdempotencyMismatch) as err:
        svc.allocate("p", [by_length(27)], actor="t", idempotency_key="k1")
    assert (err.value.status, err.value.code, err.value.field) == (
        422, "idempotency_mismatch", "idempotency_key")
    # Same key twice in one transaction: one allocation, both answered with it.
    outcomes = svc.execute([AllocateOp("p", (by_length(28),), "t", "k2")] * 3)
    prefixes = {str(o.allocations[0].prefix) for o in outcomes}  # type: ignore[union-attr]
    assert prefixes == {"10.0.0.16/28"}
    with database.read() as conn:
        pool = store.get_pool(conn, "p")
        assert [str(p) for p in store.live_blocks(conn, pool)] == ["10.0.0.0/28", "10.0.0.16/28"]


def test_batch_is_all_or_nothing_and_failures_are_isolated(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24"]), actor="t")
    svc = AllocationService(database)
    outcomes = svc.execute([
        AllocateOp("p", (by_length(25), by_length(33)), "t", batch=True),
        AllocateOp("p", (by_length(25), by_length(25)), "t", batch=True),
        AllocateOp("p", (by_length(30),), "t"),
        AllocateOp("nope", (by_length(30),), "t"),
    ])
    assert isinstance(outcomes[0], InvalidRequest)
    assert outcomes[0].field == "items[1].prefix_length"
    assert [str(a.prefix) for a in outcomes[1].allocations] == [  # type: ignore[union-attr]
        "10.0.0.0/25", "10.0.0.128/25"]
    assert isinstance(outcomes[2], Conflict) and outcomes[2].code == "exhausted"
    assert isinstance(outcomes[3], NotFound)


def test_release_frees_space_and_is_idempotent(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/25"]), actor="t")
    svc = AllocationService(database)
    a = svc.allocate("p", [by_length(25)], actor="t").allocations[0]
    released = svc.release(a.id, actor="t")
    assert released.state == "released" and released.released_at is not None
    assert svc.release(a.id, actor="t").state == "released"
    # Release and reuse in the same transaction.
    b = svc.allocate("p", [by_length(25)], actor="t").allocations[0]
    outcomes = svc.execute([ReleaseOp(b.id, "t"), AllocateOp("p", (by_length(25),), "t")])
    assert str(outcomes[1].allocations[0].prefix) == "10.0.0.0/25"  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        svc.release(999, actor="t")


def test_child_pool_takes_space_from_parent_and_gives_it_back(database: Database) -> None:
    create_pool(database, PoolSpec("parent", ["10.0.0.0/16"]), actor="t")
    child = create_pool(database, PoolSpec("child", parent="parent", prefix_length=18), actor="t")
    assert [str(p) for p in child.prefixes] == ["10.0.0.0/18"]
    svc = AllocationService(database)
    with pytest.raises(Conflict):
        svc.allocate("parent", [AllocationRequest(prefix=P("10.0.1.0/24"))], actor="t")
    with pytest.raises(Conflict) as err:
        create_pool(database, PoolSpec("other", ["10.0.0.0/20"], parent="parent"), actor="t")
    assert err.value.field == "prefixes[0]"
    with pytest.raises(InvalidRequest) as outside:
        create_pool(database, PoolSpec("other", ["10.1.0.0/20"], parent="parent"), actor="t")
    assert outside.value.message == (
        "prefixes[0]: 10.1.0.0/20 is not inside pool 'parent' (10.0.0.0/16)")
    with pytest.raises(Conflict) as busy:
        delete_pool(database, "parent", actor="t")
    assert busy.value.message == (
        "pool 'parent' still has 1 live allocation(s); release them first")
    svc.allocate("child", [by_length(24)], actor="t")
    with pytest.raises(Conflict):
        delete_pool(database, "child", actor="t")
    svc.release(2, actor="t")
    delete_pool(database, "child", actor="t")
    got = svc.allocate("parent", [AllocationRequest(prefix=P("10.0.1.0/24"))], actor="t")
    assert got.allocations[0].state == "allocated"


def test_pool_validation_names_fields(database: Database) -> None:
    cases = [
        (PoolSpec("bad name", ["10.0.0.0/8"]), "name"),
        (PoolSpec("p", ["10.0.0.1/8"]), "prefixes[0]"),
        (PoolSpec("p", ["10.0.0.0/8", "2001:db8::/32"]), "prefixes[1]"),
        (PoolSpec("p", ["10.0.0.0/8", "10.1.0.0/16"]), "prefixes[1]"),
        (PoolSpec("p", []), "prefixes"),
        (PoolSpec("p", ["10.0.0.0/8"], rules=PoolRules(min_length=24, max_length=20)),
         "max_length"),
        (PoolSpec("p", ["10.0.0.0/8"], rules=PoolRules(default_length=33)), "default_length"),
    ]
    for spec, field in cases:
        with pytest.raises(InvalidRequest) as err:
            create_pool(database, spec, actor="t")
        assert err.value.field == field, spec
    with pytest.raises(InvalidRequest) as err:
        create_pool(database, PoolSpec("p", ["10.0.0.1/8"]), actor="t")
    assert err.value.message == (
        "prefixes[0]: '10.0.0.1/8': host bits set; did you mean 10.0.0.0/8?")
    create_pool(database, PoolSpec("p", ["10.0.0.0/8"]), actor="t")
    with pytest.raises(Conflict) as dup:
        create_pool(database, PoolSpec("p", ["10.0.0.0/8"]), actor="t")
    assert dup.value.code == "exists"


def test_utilisation_counts_ipv6_in_64s(database: Database) -> None:
    pool = create_pool(database, PoolSpec("v6", ["2001:db8::/56"]), actor="t")
    svc = AllocationService(database)
    svc.allocate("v6", [AllocationRequest(prefix=P("2001:db8:0:1::/64"))], actor="t")
    svc.allocate("v6", [AllocationRequest(prefix=P("2001:db8:0:2::/120"), state="reserved")],
                 actor="t")
    svc.allocate("v6", [AllocationRequest(prefix=P("2001:db8:0:2::100/120"))], actor="t")
    with database.read() as conn:
        usage = utilisation(pool, store.live_blocks_by_state(conn, pool))
    assert (usage.total, usage.allocated, usage.reserved) == (2**72, 2**64 + 256, 256)
    assert (usage.total_64s, usage.used_64s, usage.allocations) == (256, 2, 3)


def test_free_page_is_arithmetic_for_huge_spaces(sqlite_db: Database) -> None:
    pool = create_pool(sqlite_db, PoolSpec("all", ["::/0"]), actor="t")
    used = [P("::/1")]
    page = free_page(pool, used, length=128, offset=2**127 - 2, limit=3)
    assert page.total == 2**127
    assert [str(b) for b in page.blocks] == [
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
    ]
    minimal = free_page(pool, used, length=None, offset=0, limit=10)
    assert [str(b) for b in minimal.blocks] == ["8000::/1"]
    with pytest.raises(InvalidRequest):
        free_page(pool, used, length=None, offset=0, limit=10_000)


def test_database_backstop_rejects_overlap_written_behind_the_service(
    database: Database,
) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24"]), actor="t")
    svc = AllocationService(database)
    svc.allocate("p", [AllocationRequest(prefix=P("10.0.0.0/25"))], actor="t")
    from cidrkit.ipam.schema import allocations
    from cidrkit.ipam.store import prefix_row

    row = {"pool_id": 1, **prefix_row(P("10.0.0.64/26")), "state": "allocated",
           "description": "", "owner": "", "tags": {}, "batch_index": 0,
           "created_at": datetime.now(UTC)}
    with pytest.raises(sa.exc.IntegrityError), database.write() as conn:
        conn.execute(allocations.insert(), row)
    # A released row may overlap: history is not space.
    with database.write() as conn:
        conn.execute(allocations.insert(), {**row, "state": "released"})


def test_audit_log_is_written_with_each_change_and_append_only(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/24"]), actor="alice")
    svc = AllocationService(database)
    a = svc.allocate("p", [by_length(26)], actor="bob", idempotency_key="x").allocations[0]
    svc.release(a.id, actor="carol")
    with database.read() as conn:
        entries = store.read_audit(conn, pool="p")
    assert [(e.actor, e.action, e.allocation_id) for e in entries] == [
        ("carol", "allocation.release", a.id),
        ("bob", "allocation.create", a.id),
        ("alice", "pool.create", None),
    ]
    assert entries[1].detail == {"prefix": "10.0.0.0/26", "state": "allocated",
                                 "idempotency_key": "x"}
    with pytest.raises(sa.exc.DBAPIError), database.write() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")


def test_two_services_on_one_database_never_trust_stale_memory(database: Database) -> None:
    create_pool(database, PoolSpec("p", ["10.0.0.0/28"]), actor="t")
    first, second = AllocationService(database), AllocationService(database)
    got = []
    for service in (first, second, first, second):
        got.append(str(service.allocate("p", [by_length(30)], actor="t").allocations[0].prefix))
    assert got[:4] == ["10.0.0.0/30", "10.0.0.4/30", "10.0.0.8/30", "10.0.0.12/30"]
    second.release(2, actor="t")
    assert str(first.allocate("p", [by_length(30)], actor="t").allocations[0].prefix) == (
        "10.0.0.4/30")


def test_memory_of_a_deleted_pool_never_serves_its_successor(sqlite_db: Database) -> None:
    # SQLite hands a deleted pool's id to the next pool created; the writer's
    # memory of pools (prefixes, live blocks) must not mistake one for the other.
    first = AllocationService(sqlite_db)
    other = AllocationService(sqlite_db)  # another server process, say
    old = create_pool(sqlite_db, PoolSpec("lab", ["10.0.0.0/24"]), actor="test")
    made = first.allocate("lab", [by_length(26)], actor="test").allocations[0]
    other.release(made.id, actor="test")
    delete_pool(sqlite_db, "lab", actor="test")
    new = create_pool(sqlite_db, PoolSpec("lab", ["192.0.2.0/24"]), actor="test")
    assert new.id == old.id
    again = first.allocate("lab", [by_length(26)], actor="test").allocations[0]
    assert str(again.prefix) == "192.0.2.0/26"


def test_generation_moves_with_every_write_transaction(database: Database) -> None:
    service = AllocationService(database)
    create_pool(database, PoolSpec("gen", ["10.1.0.0/24"]), actor="test")
    service.allocate("gen", [by_length(26)], actor="test")
    with pytest.raises(Conflict):
        service.allocate("gen", [AllocationRequest(prefix=P("10.1.0.0/27"))], actor="test")
    outsider = AllocationService(database)  # knows nothing; must read what the first wrote
    result = outsider.allocate("gen", [by_length(26)], actor="test")
    assert str(result.allocations[0].prefix) == "10.1.0.64/26"
    assert str(service.allocate("gen", [by_length(26)], actor="test").allocations[0].prefix) == (
        "10.1.0.128/26")
    with database.read() as conn:
        assert store.get_pool(conn, "gen").generation == 4
