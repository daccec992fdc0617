"""Drift against its construction: reality is the lock with known changes, and only those.

Each planned block is kept (under its name, or under another name), moved to
another prefix under its name, or removed; unplanned space inside the pool and
space outside it are added. The expected findings are what was done, not a
second implementation of the comparison.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from cidrkit.core import Prefix
from cidrkit.plan.drift import compare
from cidrkit.plan.spec import FamilyRequest, Plan, PlanNode, Pool
from cidrkit.sources.record import Inventory, Labels, Origin, Record

POOL = Prefix.parse("10.0.0.0/16")
FATES = ("kept", "renamed", "changed", "absent")


def _plan(count: int) -> tuple[Plan, dict[str, Prefix]]:
    nodes = [PlanNode(f"n{i}", f"net/n{i}", f"plan.yaml:{i + 1}:1", kind="subnet",
                      v4=FamilyRequest(24, "prefix")) for i in range(count)]
    plan = Plan("plan.yaml", [Pool("main", 4, (POOL,), "plan.yaml:1:1")], [], nodes)
    lock = {node.path: Prefix.parse(f"10.0.{i}.0/24") for i, node in enumerate(nodes)}
    return plan, lock


def _record(prefix: Prefix, name: str, scope: str) -> Record:
    return Record(prefix, Origin("real.json"), scope, Labels(kind="subnet", name=name))


@given(fates=st.lists(st.sampled_from(FATES), min_size=1, max_size=40),
       unplanned=st.sets(st.integers(100, 199), max_size=5),
       outside=st.sets(st.integers(0, 255), max_size=5),
       hyphenated=st.booleans(), duplicated=st.booleans(), nested=st.booleans())
def test_drift_reports_exactly_the_changes_made(fates: list[str], unplanned: set[int],
                                                 outside: set[int], hyphenated: bool,
                                                 duplicated: bool, nested: bool) -> None:
    plan, lock = _plan(len(fates))
    inventory = Inventory()
    expected: Counter[tuple[str, str]] = Counter()
    for i, fate in enumerate(fates):
        key = f"net/n{i}"
        name = key.replace("/", "-") if hyphenated else key
        if fate == "kept":
            inventory.records.append(_record(lock[key], name, f"vpc-{i}"))
        elif fate == "renamed":
            inventory.records.append(_record(lock[key], f"other-{i}", f"vpc-{i}"))
        elif fate == "changed":
            moved = Prefix.parse(f"10.0.{200 + i}.0/26")
            inventory.records.append(_record(moved, name, f"vpc-{i}"))
            expected[("changed", key)] += 1
        else:
            expected[("absent", key)] += 1
    for n in unplanned:
        inventory.records.append(_record(Prefix.parse(f"10.0.{n}.128/25"), "", "vpc-x"))
        expected[("unplanned", f"10.0.{n}.128/25")] += 1
        if nested:
            # Inside that block in the same scope: part of its finding. In another
            # scope: a finding of its own.
            inner = Prefix.parse(f"10.0.{n}.192/26")
            inventory.records.append(_record(inner, "", "vpc-x"))
            inventory.records.append(_record(inner, "", "vpc-z"))
            expected[("unplanned", str(inner))] += 1
    for n in outside:
        inventory.records.append(_record(Prefix.parse(f"192.168.{n}.0/24"), "", "vpc-y"))
        expected[("outside", f"192.168.{n}.0/24")] += 1
    if duplicated:
        # The same resource read from two files is one observation, not two.
        inventory.records.extend(list(inventory.records))
    report = compare(plan, lock, inventory)
    found = Counter((d.kind, d.key or str(d.actual.prefix if d.actual else ""))
                    for d in report.findings)
    assert found == expected
    assert report.compared == len(fates)
    assert report.as_planned == sum(f in ("kept", "renamed") for f in fates)
