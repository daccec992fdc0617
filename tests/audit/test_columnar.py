"""The columnar audit against the object audit: the same report, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.audit import engine
from cidrkit.audit import why as why_module
from cidrkit.audit.connections import Connection, Connections
from cidrkit.audit.engine import AuditReport, audit
from cidrkit.audit.export import iter_report_json, iter_report_sarif, report_json, report_sarif
from cidrkit.audit.render import render_markdown, render_text
from cidrkit.audit.why import who_holds
from cidrkit.core import Addr, Prefix
from cidrkit.sources import Inventory, Labels, Origin, Record, read_inventory
from cidrkit.sources.lists import BULK_MIN_LINES
from tests.cli.runner import REPO_ROOT, cli

SCOPES = ["aws:vpc-1", "aws:vpc-2", "azure:/sub/x/vnets/hub", "file:list.txt", "k8s:prod"]
LABELS = [
    Labels("vpc", "core", "111", "us-east-1"), Labels("subnet", "app"),
    Labels("subnet", "db", planned=True), Labels("vnet", "hub", region="eastus"),
    Labels("pod-cidr"), Labels("node-pod-cidr", "node-1"), Labels("prefix"),
    Labels("range", note="part of range x"), Labels(None), Labels("vpc", "dflt", default=True),
]
ORIGINS = [Origin("a.json", 3, "/Vpcs/0/CidrBlock"), Origin("b.tf", 7, address="aws_vpc.x"),
           Origin("list.txt", 1), Origin("list.txt", 2), Origin("c.csv", 4, column="CIDR"),
           Origin("d.yaml", None, "/0/spec/cidr")]


@st.composite
def inventories(draw: st.DrawFn) -> Inventory:
    records = []
    for _ in range(draw(st.integers(0, 30))):
        bits = draw(st.sampled_from([32, 128]))
        length = draw(st.integers(bits - 6, bits))  # a small universe: many overlaps
        offset = draw(st.integers(0, 63)) >> (bits - length) << (bits - length)
        base = 0x0A000000 if bits == 32 else 0x20010DB8 << 96
        records.append(Record(Prefix(bits, base + offset, length), draw(st.sampled_from(ORIGINS)),
                              draw(st.sampled_from(SCOPES)), draw(st.sampled_from(LABELS))))
    return Inventory(records=records, files=sorted({r.origin.file for r in records}))


def _outputs(report: AuditReport) -> list[str]:
    whole_json = json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"
    whole_sarif = json.dumps(report_sarif(report), indent=2, ensure_ascii=False) + "\n"
    # The streamed encodings are the standard encoder's bytes.
    assert "".join(iter_report_json(report)) == whole_json
    assert "".join(iter_report_sarif(report)) == whole_sarif
    return [whole_json, whole_sarif, render_text(report), render_markdown(report)]


connections_strategy = st.one_of(st.none(), st.builds(
    lambda picks: Connections(tuple(Connection(f"c{n}", None, ((("scope", glob),),))
                                    for n, glob in enumerate(picks))),
    st.lists(st.sampled_from(["aws:*", "azure:*", "k8s:*", "file:*", "*"]), max_size=3)))


@settings(max_examples=120, deadline=None)
@given(inventories(), connections_strategy, st.booleans())
def test_columnar_report_equals_object_report(
    inv: Inventory, connections: Connections | None, with_pool: bool
) -> None:
    pools = [Prefix.parse("10.0.0.0/8"), Prefix.parse("2001:db8::/32")] if with_pool else []
    by_object = audit(inv, connections, pools, columnar=False)
    by_column = audit(inv, connections, pools, columnar=True)
    assert _outputs(by_column) == _outputs(by_object)
    assert list(by_column.conflicts) == list(by_object.conflicts)


@settings(max_examples=60, deadline=None)
@given(inventories(), st.integers(0x0A000000, 0x0A00003F))
def test_why_on_columns_equals_why_on_objects(inv: Inventory, value: int) -> None:
    target = Addr(32, value)
    by_object = who_holds(inv, target)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(why_module, "COLUMNAR_MIN_RECORDS", 0)
        by_column = who_holds(inv, target)
    assert by_column == by_object


def test_tables_and_objects_keep_reading_order(tmp_path: Path) -> None:
    """A big list between JSON exports: observations and labels merge in reading order."""
    folder = tmp_path / "inv"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(
        {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.1.0.0/16", "OwnerId": "111"}]}))
    lines = [f"10.{n // 256}.{n % 256}.0/24" for n in range(BULK_MIN_LINES)]
    (folder / "b.txt").write_text("\n".join(["10.1.0.0/16 core", *lines, "10.1.0.0/16"]) + "\n")
    (folder / "c.json").write_text(json.dumps(
        {"Vpcs": [{"VpcId": "vpc-2", "CidrBlock": "10.0.0.0/8", "OwnerId": "222"}]}))
    columnar = read_inventory([str(folder)], columnar=True)
    assert len(columnar.tables) == 1
    plain = read_inventory([str(folder)])
    by_column = audit(columnar)
    by_object = audit(plain, columnar=False)
    assert _outputs(by_column) == _outputs(by_object)
    # vpc-1 = the list's 10.1.0.0/16 and holds its 256 /24s in 10.1/16; vpc-2's /8
    # holds the list's /16 and all its /24s, and vpc-1's /16.
    assert by_column.summary()["conflicts"] == 257 + 1 + BULK_MIN_LINES + 1


@pytest.mark.parametrize(("name", "args"), [
    ("table.txt", ()),
    ("report.json", ("--format", "json")),
    ("report.md", ("--format", "markdown")),
    ("report.sarif", ("--format", "sarif", "--connections",
                      "examples/inventory/connections.yaml")),
    ("remedy.txt", ("--connections", "examples/inventory/connections.yaml",
                    "--pool", "10.200.0.0/13")),
])
def test_golden_reports_on_the_columnar_path(
    monkeypatch: pytest.MonkeyPatch, name: str, args: tuple[str, ...]
) -> None:
    monkeypatch.setattr(engine, "COLUMNAR_MIN_RECORDS", 0)
    code, out, err = cli("audit", "examples/inventory", *args, cwd=REPO_ROOT)
    assert (code, err) == (1, "")
    assert out == (REPO_ROOT / "tests" / "audit" / "golden" / name).read_text(encoding="utf-8")
