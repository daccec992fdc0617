"""cidrkit's own plan files as inventory: the lock and the JSON, Terraform and CSV renderings.

The oracle for the shipped example is the lock file read with the standard
``json`` module; for generated plans it is the planner's own allocation,
rendered by the planner's renderers and read back by the auditor.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.audit.engine import audit
from cidrkit.audit.export import iter_report_json
from cidrkit.core import Prefix
from cidrkit.plan.allocator import allocate_plan
from cidrkit.plan.load import load_plan_text
from cidrkit.plan.lockfile import dump_lock
from cidrkit.plan.render_text import render_csv, render_json, render_terraform
from cidrkit.sources import read_inventory
from cidrkit.sources.record import Inventory
from tests.cli.runner import REPO_ROOT, cli

PLANS = REPO_ROOT / "examples" / "plans"
LOCK = PLANS / "multi-region.yaml.lock"
GOLDEN = PLANS / "golden"
RENDERINGS = {
    "cidrkit-plan-lock": LOCK,
    "cidrkit-plan-json": GOLDEN / "multi-region.json",
    "cidrkit-plan-terraform": GOLDEN / "multi-region.tfvars.json",
    "cidrkit-plan-csv": GOLDEN / "multi-region.csv",
}


def _lock_blocks() -> dict[str, Prefix]:
    """The shipped lock as ``{node path + family: prefix}``, read without cidrkit's readers."""
    blocks = json.loads(LOCK.read_text(encoding="utf-8"))["blocks"]
    return {key: Prefix.parse(value) for key, value in blocks.items()}


def _read_back(inventory: Inventory) -> set[tuple[str | None, int, Prefix]]:
    return {(r.labels.name, r.prefix.version, r.prefix) for r in inventory.all_records()}


def _expected(blocks: dict[str, Prefix]) -> set[tuple[str | None, int, Prefix]]:
    return {(key.removesuffix("/ipv6"), 6 if key.endswith("/ipv6") else 4, prefix)
            for key, prefix in blocks.items()}


@pytest.mark.parametrize("name", sorted(RENDERINGS))
def test_each_rendering_of_the_example_plan_reads_every_block_with_its_path(name: str) -> None:
    path = str(RENDERINGS[name])
    inventory = read_inventory([path])
    assert inventory.formats == {path: name}
    assert (inventory.skipped, inventory.malformed) == ([], [])
    assert _read_back(inventory) == _expected(_lock_blocks())
    assert all(r.labels.planned for r in inventory.records)


def test_every_record_cites_its_line_and_place() -> None:
    inventory = read_inventory([str(LOCK)])
    record = next(r for r in inventory.records if r.labels.name == "acme/eu-west-1/prod/az-a/app"
                  and r.prefix.version == 4)
    lines = LOCK.read_text(encoding="utf-8").splitlines()
    assert record.origin.pointer == "/blocks/acme~1eu-west-1~1prod~1az-a~1app"
    assert record.origin.line is not None
    assert '"acme/eu-west-1/prod/az-a/app":' in lines[record.origin.line - 1]
    tfvars = read_inventory([str(RENDERINGS["cidrkit-plan-terraform"])])
    ipv6 = next(r for r in tfvars.records if r.labels.name == "acme/eu-west-1/prod/az-a/app"
                and r.prefix.version == 6)
    assert ipv6.origin.pointer == "/network_plan/acme~1eu-west-1~1prod~1az-a~1app/ipv6_cidr"
    assert ipv6.labels.kind == "subnet"
    csv = read_inventory([str(RENDERINGS["cidrkit-plan-csv"])])
    row = next(r for r in csv.records if r.labels.name == "acme/eu-west-1/prod")
    assert (row.origin.column, row.labels.kind) in {("ipv4", "vpc"), ("ipv6", "vpc")}


def test_scopes_are_the_topmost_blocks_of_the_plan() -> None:
    inventory = read_inventory([str(LOCK)])
    assert {r.scope for r in inventory.records} == {
        "plan:acme/eu-west-1", "plan:acme/us-east-1", "plan:acme/ap-southeast-2"}
    by_name = {(r.labels.name, r.prefix.version): r.scope for r in inventory.records}
    assert by_name["acme/us-east-1/dev/az-b/data", 4] == "plan:acme/us-east-1"
    assert by_name["acme/us-east-1", 6] == "plan:acme/us-east-1"


def test_the_lock_and_its_renderings_together_are_one_plan_without_conflicts() -> None:
    paths = [str(p) for p in RENDERINGS.values()]
    report = audit(read_inventory(paths))
    assert (list(report.conflicts), report.nesting) == ([], [])
    # Each block is one allocation observed in every file that renders it.
    assert len(report.allocations) == len({(p.version, p) for p in _lock_blocks().values()})
    app = next(a for a in report.allocations if a.name == "acme/eu-west-1/prod/az-a/app")
    assert sorted({o.file for o in app.observations}) == sorted(paths)
    assert app.kind == "subnet" and app.labels.planned
    result = cli("audit", *paths)
    assert result.code == 0, result.err


def test_the_plan_audited_with_the_example_inventories_reports_its_collisions() -> None:
    result = cli("audit", "--format", "json", "examples/plans", "examples/inventory",
                 cwd=REPO_ROOT)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    planned = [(c["a"], c["b"]) for c in report["conflicts"]
               if "plan:" in c["a"]["scope"] + c["b"]["scope"]]
    pairs = {(side["prefix"], other["prefix"], other["scope"])
             for a, b in planned for side, other in ((a, b), (b, a))
             if side["scope"] == "plan:acme/ap-southeast-2"}
    network_plan_csv = "file:examples/inventory/globex/spreadsheets/network-plan.csv"
    # The ML lab of the spreadsheet and the Terraform ML VPC sit in the planned Sydney block.
    assert ("10.50.0.0/16", "10.50.4.0/22", network_plan_csv) in pairs
    assert ("10.50.0.0/18", "10.50.4.0/22", network_plan_csv) in pairs
    assert any(other_scope.startswith("tf:") and other == "10.50.0.0/16"
               for _, other, other_scope in pairs)
    assert {s for a, b in planned for s in (a["scope"], b["scope"]) if s.startswith("plan:")} \
        == {"plan:acme/ap-southeast-2"}
    side = next(s for a, b in planned for s in (a, b) if s["prefix"] == "10.50.0.0/16"
                and s["scope"] == "plan:acme/ap-southeast-2")
    assert {o["file"] for o in side["observations"]} == {
        "examples/plans/multi-region.yaml.lock", "examples/plans/golden/multi-region.json",
        "examples/plans/golden/multi-region.tfvars.json", "examples/plans/golden/multi-region.csv"}
    described = {s["scope"]: s["description"] for s in report["scopes"]}
    assert described["plan:acme/ap-southeast-2"] == "cidrkit plan acme/ap-southeast-2"
    skipped = {s["file"]: s["reason"] for s in report["skipped"]}
    assert skipped["examples/plans/multi-region.yaml"].startswith(
        "a cidrkit plan, which holds demands rather than blocks: audit its lock")


def test_why_finds_a_planned_subnet_by_its_path() -> None:
    result = cli("why", "10.17.16.9", str(LOCK))
    assert result.code == 0, result.err
    assert "  10.17.16.0/22  prefix acme/eu-west-1/prod/az-a/app  holds it  " \
           "[cidrkit plan acme/eu-west-1]\n" in result.out


# A damaged or half-written plan file: always reported with the file and the place.
DAMAGED = [
    ("plan.yaml.lock",
     '{"cidrkit-plan-lock": 1, "blocks": {"a": "10.0.0.0/16", "a/b": "10.0.0.5/24"}}',
     "malformed", "/blocks/a~1b", "'10.0.0.5/24': host bits set (did you mean 10.0.0.0/24?)"),
    ("plan.yaml.lock", '{"cidrkit-plan-lock": 1, "blocks": {"a": "10.0.0.0/16", "a/b": 24}}',
     "malformed", "/blocks/a~1b", "expected a CIDR string"),
    ("plan.yaml.lock",
     '{"cidrkit-plan-lock": 1, "blocks": {"a": "10.0.0.0/16", "a/ipv6": "10.1.0.0/16"}}',
     "malformed", "/blocks/a~1ipv6", "an IPv4 prefix where the plan keeps an IPv6 block"),
    ("plan.yaml.lock", '{"cidrkit-plan-lock": 1, "blocks": {"a": "2001:db8::/48"}}',
     "malformed", "/blocks/a", "an IPv6 prefix where the plan keeps an IPv4 block"),
    ("plan.yaml.lock",
     '{"cidrkit-plan-lock": 1, "blocks": {"a b": "10.0.0.0/16", "c": "10.1.0.0/16"}}',
     "malformed", "/blocks/a b", "not a plan node path"),
    ("plan.yaml.lock", '{"cidrkit-plan-lock": 1,\n "blocks": ["10.0.0.0/16"]}',
     "skipped", None, "/blocks (line 2): expected an object of path: CIDR, found a list"),
    ("plan.yaml.lock", '{"cidrkit-plan-lock": 1}',
     "skipped", None, "/blocks: a plan lock without its 'blocks' object"),
    ("plan.yaml.lock", '{"cidrkit-plan-lock": 2, "blocks": {}}',
     "skipped", None, "/cidrkit-plan-lock (line 1): a plan lock of format 2; this cidrkit reads "
                      "format 1"),
    ("plan.yaml.lock", '{\n  "cidrkit-plan-lock": 1,\n  "blocks": {\n    "a": "10.0.0.0/16",\n'
                       '    "a/b": "10.0.',
     "skipped", None, ":5:12: not valid JSON: Unterminated string starting at"),
    ("plan.json", '{"a": "10.0.0.0/16", "a/b": "10.0.0.0/24", "a/c": ["10.0.1.0/24"]}',
     "malformed", "/a~1c", "expected a CIDR string"),
    ("plan.json", '{"a": "10.0.0.0/16", "a/b": "10.0.0.0/24", "a/c": "10.0.300.0/24"}',
     "malformed", "/a~1c", "octet 300 is above 255"),
    ("plan.json", '{\n  "a": "10.0.0.0/16",\n  "a/b": "10.0.0.0/24",\n',
     "skipped", None, ":4:1: not valid JSON: expected a quoted key"),
    ("network.tfvars.json", '{"network_plan": {"a": {"kind": "vpc", "cidr": "10.0.0.0/16"}, '
                            '"a/b": {"kind": "subnet", "cidr": 10}}}',
     "malformed", "/network_plan/a~1b/cidr", "expected a CIDR string"),
    ("network.tfvars.json",
     '{"network_plan": {"a": {"cidr": "10.0.0.0/16"}, "a/b": "10.0.0.0/24"}}',
     "malformed", "/network_plan/a~1b", "expected a node object, found a string"),
    ("network.tfvars.json", '{"network_plan": {"a": {"cidr": "10.0.0.0/16", '
                            '"ipv6_cidr": "10.9.0.0/16"}}}',
     "malformed", "/network_plan/a/ipv6_cidr", "an IPv4 prefix where the plan keeps an IPv6"),
    ("network.tfvars.json", '{"network_plan": "10.0.0.0/16"}',
     "skipped", None, "/network_plan (line 1): expected an object of path: node, found a string"),
    ("plan.csv", "path,name,depth,kind,cloud,ipv4,ipv6,addresses\n"
                 "a,a,0,vpc,aws,10.0.0.0/16,,65536\na/b,b,1,subnet,aws,10.0.0.0/33,,\n",
     "malformed", None, "'10.0.0.0/33'"),
    ("plan.csv", "path,name,depth,kind,cloud,ipv4,ipv6,addresses\n"
                 "a,a,0,vpc,aws,10.0.0.0/16,,65536\na b,b,1,subnet,aws,10.0.1.0/24,,\n",
     "malformed", None, "not a plan node path"),
    ("plan.csv", "path,name,depth,kind,cloud,ipv4,ipv6,addresses\n"
                 "a,a,0,vpc,aws,10.0.0.0/16,,65536\n\"a/b,b,1,subnet,aws,10.0.1.0/24,,\n",
     "skipped", None, "line 3: not valid CSV"),
    ("network.tfvars.json", '{"network_plan": {"a": {"cidr": "10.0.0.0/16"}, '
                            '"a/*": {"cidr": "10.0.1.0/24"}}}',
     "malformed", "/network_plan/a~1*", "not a plan node path"),
]


@pytest.mark.parametrize(("name", "text", "outcome", "pointer", "message"), DAMAGED)
def test_a_damaged_plan_file_is_reported_where_it_is_damaged(
        tmp_path: Path, name: str, text: str, outcome: str, pointer: str | None,
        message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    inventory = read_inventory([str(path)])
    if outcome == "skipped":
        assert [s.file for s in inventory.skipped] == [str(path)]
        assert message in inventory.skipped[0].reason
        assert inventory.record_count == 0
    else:
        assert inventory.skipped == []
        [bad] = inventory.malformed
        assert bad.origin.file == str(path)
        assert bad.origin.pointer == pointer
        assert bad.origin.line is not None
        assert message in f"{bad.value!r}: {bad.message}" or message in bad.message
    # Never "0 records, exit 0": the audit and why both say the input was not all read.
    result = cli("audit", str(path))
    assert result.code == 2, result.out
    assert cli("why", "192.0.2.1", str(path)).code == 2


def test_an_empty_lock_is_recognised_and_reported_as_holding_nothing(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml.lock"
    path.write_text('{"cidrkit-plan-lock": 1, "blocks": {}}\n', encoding="utf-8")
    inventory = read_inventory([str(path)])
    assert [n.message for n in inventory.notices] == ["recognised, but holds no network"]
    assert cli("audit", str(path)).code == 2


def test_two_plans_sharing_no_path_collide_like_any_two_inventories(tmp_path: Path) -> None:
    (tmp_path / "a.lock").write_text(dump_lock({"team-a": Prefix.parse("10.0.0.0/16")}))
    (tmp_path / "b.json").write_text(json.dumps({"team-b": "10.0.128.0/17",
                                                 "team-b/app": "10.0.128.0/24"}))
    report = audit(read_inventory([str(tmp_path)]))
    assert [(c.a.scope, c.b.scope, c.relation) for c in report.conflicts] == [
        ("plan:team-a", "plan:team-b", "a_contains_b"),
        ("plan:team-a", "plan:team-b", "a_contains_b")]


# Generated plans: every planned network is read back with its prefix and path.
_NAMES = st.sampled_from(["app", "db", "web", "edge", "k", "x-1", "prod", "dev"])


@st.composite
def _nodes(draw: st.DrawFn, depth: int) -> dict[str, object]:
    names = draw(st.lists(_NAMES, min_size=1, max_size=3, unique=True))
    nodes: dict[str, object] = {}
    for name in names:
        if depth < 3 and draw(st.booleans()):
            node: dict[str, object] = {"children": draw(_nodes(depth + 1))}
            if draw(st.booleans()):
                node["block"] = False
            if draw(st.booleans()):
                node["kind"] = "vpc"
        else:
            node = {"hosts": draw(st.integers(1, 3000))}
            if draw(st.booleans()):
                node["ipv6"] = "/64"
        nodes[name] = node
    return nodes


@st.composite
def _plans(draw: st.DrawFn) -> str:
    tree = draw(_nodes(0))
    body = {"cloud": draw(st.sampled_from(["aws", "none"])),
            "pools": [{"name": "v4", "cidr": "10.0.0.0/8"},
                      {"name": "v6", "cidr": "2001:db8::/32"}],
            "tree": tree}
    return json.dumps(body)  # JSON is YAML


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_plans())
def test_generated_plans_read_back_with_the_same_prefix_and_path(text: str) -> None:
    plan = load_plan_text(text)
    allocation = allocate_plan(plan)
    expected = _expected(dict(allocation.blocks))
    held = {path for path, _, _ in expected}
    # The scope oracle: the shortest ancestor-or-self path that holds a block.
    scope = {path: "plan:" + min((p for p in held if path == p or path.startswith(p + "/")),
                                 key=len) for path in held}
    renderings = {
        "plan.yaml.lock": dump_lock(allocation.blocks),
        "plan.json": render_json(allocation),
        "plan.tfvars.json": render_terraform(plan, allocation),
        "plan.csv": render_csv(plan, allocation),
    }
    with tempfile.TemporaryDirectory() as folder:
        for name, rendered in renderings.items():
            path = Path(folder) / name
            path.write_text(rendered, encoding="utf-8")
            inventory = read_inventory([str(path)])
            assert (inventory.skipped, inventory.malformed) == ([], []), name
            assert _read_back(inventory) == expected, name
            assert {(r.labels.name, r.scope) for r in inventory.records} == {
                (p, scope[p]) for p in held}, name
        # Together: one plan, observed four times, with nothing in conflict or misnested.
        report = audit(read_inventory([folder]))
        assert (list(report.conflicts), report.nesting) == ([], [])
        assert len(report.allocations) == len({(s, p) for s, p in (
            (scope[path], prefix) for path, _, prefix in expected)})


def test_both_audit_paths_give_the_same_report_for_a_plan_and_inventories() -> None:
    paths = [str(REPO_ROOT / "examples" / "plans"), str(REPO_ROOT / "examples" / "inventory")]
    objects = "".join(iter_report_json(audit(read_inventory(paths), columnar=False)))
    columns = "".join(iter_report_json(audit(read_inventory(paths, columnar=True),
                                             columnar=True)))
    assert objects == columns
    assert '"scope": "plan:acme/ap-southeast-2"' in objects


# Damage anywhere: a plan file is read whole, or its damage is reported; never read short.
_SEGMENTS = st.text("abcxyz-1", min_size=1, max_size=3)
_BAD_VALUES = st.sampled_from([None, 24, 1.5, True, ["10.0.0.0/8"], {"cidr": "10.0.0.0/8"},
                               "10.0.0.5/8", "TBD", "", "10.0.300.0/24", "2001:db8::/129"])


@st.composite
def _blocks(draw: st.DrawFn) -> dict[str, str]:
    paths = draw(st.lists(st.lists(_SEGMENTS, min_size=1, max_size=3).map("/".join),
                          min_size=2, max_size=12, unique=True))
    return {path: str(Prefix(32, index << 8, 24)) for index, path in enumerate(paths)}


@settings(max_examples=150, deadline=None)
@given(_blocks(), st.data())
def test_a_damaged_value_is_reported_at_its_key_and_the_rest_is_read(
        blocks: dict[str, str], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(blocks)))
    bad = data.draw(_BAD_VALUES)
    damaged: dict[str, object] = {**blocks, key: bad}
    lock = json.dumps({"cidrkit-plan-lock": 1, "blocks": damaged}, indent=2)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml.lock"
        path.write_text(lock, encoding="utf-8")
        inventory = read_inventory([str(path)])
    assert inventory.skipped == []
    assert [m.origin.pointer for m in inventory.malformed] == [
        "/blocks/" + key.replace("~", "~0").replace("/", "~1")]
    assert {(r.labels.name, str(r.prefix)) for r in inventory.records} == {
        (k, v) for k, v in blocks.items() if k != key}


@settings(max_examples=150, deadline=None)
@given(_blocks(), st.sampled_from(["lock", "json", "terraform"]), st.data())
def test_a_truncated_plan_file_is_skipped_naming_the_place(
        blocks: dict[str, str], shape: str, data: st.DataObject) -> None:
    body: object = {"cidrkit-plan-lock": 1, "blocks": blocks} if shape == "lock" else (
        blocks if shape == "json" else
        {"network_plan": {k: {"kind": "subnet", "cidr": v} for k, v in blocks.items()}})
    text = json.dumps(body, indent=2) + "\n"
    cut = data.draw(st.integers(1, len(text.rstrip()) - 1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.out"
        path.write_text(text[:cut], encoding="utf-8")
        inventory = read_inventory([str(path)])
    [skipped] = inventory.skipped
    assert skipped.file == str(path)
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: not valid JSON: ", skipped.reason)
    assert inventory.record_count == 0


@pytest.mark.parametrize(("name", "what"), [
    ("multi-region.txt", "the table of a cidrkit plan"),
    ("multi-region.html", "the HTML page of a cidrkit plan"),
    ("multi-region-appended.diff", "the --diff of a cidrkit plan"),
])
def test_renderings_for_people_are_skipped_pointing_at_the_ones_read(name: str, what: str) -> None:
    path = str(GOLDEN / name)
    inventory = read_inventory([path])
    assert [(s.file, s.reason) for s in inventory.skipped] == [(path, (
        f"{what}, made for people: audit its lock (PLAN.lock) or its --format json, terraform "
        "or csv output"))]


SHOP_PLAN = """\
cloud: aws
growth: 25%
headroom: 25%
pools:
  - {name: main, cidr: 10.20.0.0/14}
  - {name: gua, cidr: "2001:db8::/32"}
avoid:
  - {cidr: 10.20.0.0/16, note: on-prem}
tree:
  shop:
    ipv6: /48
    children:
      "{env}":
        matrix: {env: [prod, dev]}
        kind: vpc
        ipv6: /56
        children:
          web: {hosts: 200, ipv6: /64}
          db: {hosts: 30, ipv6: false}
overrides:
  "shop/prod/web": {hosts: 900}
"""
SHOP = REPO_ROOT / "tests" / "sources" / "corpus" / "plan"


def test_drift_never_takes_the_plans_own_files_for_the_space_in_use(tmp_path: Path) -> None:
    (tmp_path / "plan.yaml").write_text(SHOP_PLAN, encoding="utf-8")
    (tmp_path / "plan.yaml.lock").write_text((SHOP / "shop.yaml.lock").read_text("utf-8"))
    exports = tmp_path / "exports"
    exports.mkdir()
    # Rendered output kept beside the cloud's export: were it read as reality, every
    # planned block would look built and the drift report would be empty.
    (exports / "plan.json").write_text((SHOP / "shop.json").read_text("utf-8"))
    (exports / "vpcs.json").write_text(json.dumps({"Vpcs": [
        {"VpcId": "vpc-1", "CidrBlock": "10.21.0.0/20", "State": "available"}]}))
    result = cli("plan", str(tmp_path / "plan.yaml"), "--against", str(exports),
                 "--format", "json")
    assert result.code == 1, result.err
    report = json.loads(result.out)
    absent = {d["block"] for d in report["drift"] if d["kind"] == "absent"}
    assert {"shop/dev", "shop/prod/web/ipv6"} <= absent
    assert report["skipped"] == [{"file": f"{exports}/plan.json", "reason": (
        "a cidrkit plan file: the plan itself, not the space in use")}]
    assert f"{exports}/plan.json: error: not read: a cidrkit plan file: the plan itself, not " \
           "the space in use\n" in result.err
