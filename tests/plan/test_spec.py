"""Reading plan files: templates, matrices, overrides, inheritance and exact errors."""

from __future__ import annotations

import textwrap

import pytest

from cidrkit.plan.diagnostics import PlanError
from cidrkit.plan.load import load_plan_text
from cidrkit.plan.spec import Plan

POOLS = """\
pools:
  - {name: v4, cidr: 10.0.0.0/8}
  - {name: v6, cidr: "2001:db8::/32"}
"""


def load(body: str) -> Plan:
    return load_plan_text(POOLS + textwrap.dedent(body), "plan.yaml")


def problems(body: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        load(body)
    return [p.render() for p in caught.value.problems]


def test_matrix_and_template_expand_to_every_combination() -> None:
    plan = load("""\
        cloud: aws
        templates:
          vpc:
            kind: vpc
            children:
              "az-{az}":
                matrix: {az: [a, b, c]}
                children:
                  app: {hosts: 100}
                  db: {hosts: 20}
        tree:
          "{region}":
            matrix: {region: [eu, us, ap]}
            children:
              "{env}":
                matrix: {env: [prod, staging, dev]}
                use: vpc
        """)
    leaves = [n.path for n in plan.nodes() if not n.children]
    assert len(leaves) == 3 * 3 * 3 * 2
    assert leaves[:3] == ["eu/prod/az-a/app", "eu/prod/az-a/db", "eu/prod/az-b/app"]
    vpc = next(n for n in plan.nodes() if n.path == "us/dev")
    assert (vpc.kind, vpc.cloud) == ("vpc", "aws")


def test_overrides_reach_any_level_by_glob() -> None:
    plan = load("""\
        tree:
          "{region}":
            matrix: {region: [eu, us]}
            children:
              "{env}":
                matrix: {env: [prod, dev]}
                children:
                  app: {hosts: 100}
        overrides:
          "*/prod/app": {hosts: 1000}
          "us/**": {cloud: gcp}
        """)
    hosts = {n.path: n.need for n in plan.nodes() if n.need}
    assert hosts == {"eu/prod/app": 1000, "eu/dev/app": 100,
                     "us/prod/app": 1000, "us/dev/app": 100}
    assert {n.path: n.cloud for n in plan.nodes()}["us/dev/app"] == "gcp"
    # `**` matches zero or more segments, so the region itself is included.
    assert {n.path: n.cloud for n in plan.nodes()}["us"] == "gcp"
    assert {n.path: n.cloud for n in plan.nodes()}["eu"] == "none"


def test_defaults_inherit_and_leaves_size_from_demand() -> None:
    plan = load("""\
        cloud: azure
        growth: 50%
        headroom: 25%
        tree:
          vnet:
            kind: vpc
            children:
              web: {hosts: 100}            # 150 + 5 reserved → /24
              jobs: {hosts: 100, growth: 0%}  # 100 + 5 → /25
              fixed: {prefix: /27}
        """)
    by_path = {n.path: n for n in plan.nodes()}
    assert by_path["vnet/web"].v4 is not None and by_path["vnet/web"].v4.length == 24
    assert by_path["vnet/jobs"].v4 is not None and by_path["vnet/jobs"].v4.length == 25
    assert by_path["vnet/fixed"].v4 is not None and by_path["vnet/fixed"].v4.length == 27
    # 256 + 128 + 32 = 416; × 1.25 = 520 → /22.
    assert by_path["vnet"].v4 is not None and by_path["vnet"].v4.length == 22


def test_ipv6_per_level_and_opt_out() -> None:
    plan = load("""\
        tree:
          region:
            ipv6: auto
            children:
              vpc:
                ipv6: /56
                children:
                  web: {hosts: 10, ipv6: /64}
                  db: {hosts: 10, ipv6: false}
        """)
    v6 = {n.path: n.v6.length if n.v6 else None for n in plan.nodes()}
    assert v6 == {"region": 56, "region/vpc": 56, "region/vpc/web": 64, "region/vpc/db": None}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            """\
            tree:
              net:
                children:
                  web: {hostz: 10}
            """,
            # Unknown keys stop the run before sizing, so only that is reported.
            ["plan.yaml:7:13: error: unknown key 'hostz' in node 'web'\n"
             "  hint: did you mean 'hosts'?"],
        ),
        (
            """\
            tree:
              web: {prefix: 10.0.0.5/24}
            """,
            ["plan.yaml:5:17: error: node 'web': '10.0.0.5/24': host bits set\n"
             "  hint: did you mean 10.0.0.0/24?"],
        ),
        (
            """\
            cloud: aws
            tree:
              vpc: {kind: vpc, prefix: /12}
            """,
            ["plan.yaml:6:28: error: node 'vpc': IPv4 /12 breaks the aws vpc limit of /16../28\n"
             "  hint: aws vpc IPv4 blocks must be /16../28"],
        ),
        (
            """\
            cloud: aws
            tree:
              vpc:
                kind: vpc
                ipv6: /48
                children:
                  web: {hosts: 10, ipv6: /60}
            """,
            [
                "plan.yaml:10:30: error: node 'vpc/web': IPv6 /60 breaks the aws subnet limit "
                "of /64\n  hint: aws subnet IPv6 blocks must be /64",
                "plan.yaml:8:11: error: node 'vpc': IPv6 /48 breaks the aws vpc limit of /56\n"
                "  hint: aws vpc IPv6 blocks must be /56",
            ],
        ),
        (
            """\
            tree:
              "{env}":
                matrix: {env: [a, b]}
                children:
                  x: {hosts: 5}
            overrides:
              "c/x": {hosts: 10}
            """,
            ["plan.yaml:10:3: error: override 'c/x' matches no node\n  hint: did you mean 'b/x'?"],
        ),
        (
            """\
            tree:
              web: {hosts: 10, prefix: /29}
            """,
            ["plan.yaml:5:28: error: node 'web': /29 gives 8 usable addresses under none, fewer "
             "than the 10 asked for\n  hint: use /28 or drop 'prefix' to size from demand"],
        ),
        (
            """\
            tree:
              web: {use: three-tier}
            """,
            ["plan.yaml:5:14: error: unknown template 'three-tier'"],
        ),
    ],
)
def test_errors_name_the_place_and_the_node(body: str, expected: list[str]) -> None:
    assert problems(body) == expected


def test_yaml_syntax_error_points_at_the_line() -> None:
    with pytest.raises(PlanError) as caught:
        load_plan_text("tree:\n  a: [1, 2\n", "p.yaml")
    assert caught.value.problems[0].where == "p.yaml:3:1"
    assert caught.value.problems[0].message.startswith("invalid YAML")


def test_k8s_node_expands_to_cluster_ranges() -> None:
    plan = load("""\
        cloud: gcp
        tree:
          gke:
            k8s: {model: gke, nodes: 50, max_pods_per_node: 110, surge_nodes: 5}
        """)
    lengths = {n.path: n.v4.length for n in plan.nodes() if n.v4}
    assert lengths == {"gke": 17, "gke/nodes": 26, "gke/pods": 18, "gke/services": 20}


def test_unquoted_comma_in_an_avoid_note_is_caught() -> None:
    with pytest.raises(PlanError) as caught:
        load_plan_text(
            "pools: [{name: a, cidr: 10.0.0.0/8}]\n"
            "avoid:\n"
            "  - {cidr: 10.1.0.0/16, note: acquired, still routed}\n"
            "tree:\n  x: {hosts: 3}\n",
            "plan.yaml",
        )
    assert [p.render() for p in caught.value.problems] == [
        "plan.yaml:3:5: error: unknown key 'still routed' in avoid entry\n"
        "  hint: quote text that contains a comma"
    ]


def test_example_plans_follow_the_json_schema() -> None:
    import json
    from pathlib import Path

    jsonschema = pytest.importorskip("jsonschema")
    from ruamel.yaml import YAML

    root = Path(__file__).resolve().parents[2]
    schema = json.loads((root / "cidrkit" / "plan" / "plan.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((root / "examples" / "plans").glob("*.yaml")):
        document = YAML(typ="safe").load(path.read_text())
        assert [e.message for e in validator.iter_errors(document)] == [], path.name
    wrong = YAML(typ="safe").load("pools: [{name: a, cidr: 10.0.0.0/8}]\ntree: {x: {hostz: 3}}")
    assert not validator.is_valid(wrong)


def test_avoid_from_reads_inventories_relative_to_the_plan(tmp_path: object) -> None:
    from pathlib import Path

    base = Path(str(tmp_path))
    (base / "inv").mkdir()
    (base / "inv" / "dc.txt").write_text("10.0.0.0/9 datacentre\n", encoding="utf-8")
    text = POOLS + "avoid_from: [inv]\ntree:\n  x: {prefix: /9}\n"
    plan = load_plan_text(text, "plan.yaml", base)
    assert [(str(a.prefix), a.note) for a in plan.avoid] == [("10.0.0.0/9", "datacentre")]
    from cidrkit.plan.allocator import allocate_plan

    assert str(allocate_plan(plan).blocks["x"]) == "10.128.0.0/9"
    with pytest.raises(PlanError) as caught:
        load_plan_text(POOLS + "avoid_from: [nowhere]\ntree:\n  x: {prefix: /9}\n",
                       "plan.yaml", base)
    problem = caught.value.problems[0]
    assert problem.message == (
        f"avoid_from: 'nowhere': no such file or directory (looked for {base / 'nowhere'})"
    )
    # At the entry's own line and column in the plan, not a bare path.
    line = (POOLS + "avoid_from: [nowhere]").count("\n") + 1
    assert problem.where == f"plan.yaml:{line}:14"


def test_unknown_plan_version_is_refused() -> None:
    with pytest.raises(PlanError) as caught:
        load_plan_text("version: 2\n" + POOLS + "tree:\n  x: {hosts: 3}\n", "plan.yaml")
    assert [p.render() for p in caught.value.problems] == [
        "plan.yaml:1:10: error: unsupported plan version 2\n  hint: this cidrkit reads version 1"
    ]
