"""The plan, size and nat commands, run in-process with exact output and exit codes."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from pathlib import Path

from tests.cli.runner import Result

Cli = Callable[..., Result]

PLAN = """\
cloud: aws
pools: [{name: lab, cidr: 10.0.0.0/16}]
tree:
  vpc:
    kind: vpc
    children:
      web: {hosts: 100}
      db: {hosts: 20}
"""


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_plan_writes_the_lock_and_prints_the_table(cli: Cli, tmp_path: Path) -> None:
    plan = write(tmp_path, PLAN)
    result = cli("plan", str(plan))
    assert result.code == 0
    assert result.out == (
        "NODE   IPV4           IPV6  ADDRESSES  DEMAND  USABLE   UTIL\n"
        "vpc    10.0.0.0/24    -           256     160     256  62.5%\n"
        "  web  10.0.0.0/25    -           128     100     123  81.3%\n"
        "  db   10.0.0.128/27  -            32      20      27  74.1%\n"
        "\n"
        "pool lab 10.0.0.0/16: 256 of 65,536 addresses allocated (0.3906%)\n"
    )
    assert result.err == f"cidrkit: wrote {plan}.lock (3 new, 0 grown or moved, 0 released)\n"
    assert json.loads((tmp_path / "plan.yaml.lock").read_text()) == {
        "cidrkit-plan-lock": 1,
        "blocks": {"vpc": "10.0.0.0/24", "vpc/db": "10.0.0.128/27", "vpc/web": "10.0.0.0/25"},
    }
    again = cli("plan", str(plan), "--format", "json")
    assert (again.code, again.err) == (0, "")   # nothing changed, nothing written
    assert json.loads(again.out) == {
        "vpc": "10.0.0.0/24", "vpc/web": "10.0.0.0/25", "vpc/db": "10.0.0.128/27",
    }


def test_check_and_diff_exit_one_when_the_lock_is_stale(cli: Cli, tmp_path: Path) -> None:
    plan = write(tmp_path, PLAN)
    missing = cli("plan", str(plan), "--check")
    assert (missing.code, missing.out) == (1, "")
    assert missing.err == f"cidrkit: {plan}.lock is missing; run 'cidrkit plan {plan}'\n"
    assert not (tmp_path / "plan.yaml.lock").exists()
    assert cli("plan", str(plan)).code == 0
    assert cli("plan", str(plan), "--check").code == 0
    write(tmp_path, PLAN + "      cache: {hosts: 10}\n")
    diff = cli("plan", str(plan), "--diff")
    assert (diff.code, diff.out) == (1, "+ vpc/cache  10.0.0.160/28\n")
    stale = cli("plan", str(plan), "--check")
    assert (stale.code, stale.out) == (1, "+ vpc/cache  10.0.0.160/28\n")


def test_removed_node_is_reserved_then_released(cli: Cli, tmp_path: Path) -> None:
    plan = write(tmp_path, PLAN)
    cli("plan", str(plan))
    write(tmp_path, PLAN.replace("      db: {hosts: 20}\n", ""))
    kept = cli("plan", str(plan), "--format", "json")
    assert kept.code == 0
    assert kept.err == ("cidrkit: warning: vpc/db (10.0.0.128/27) is no longer in the plan but "
                        "stays reserved; run with --release to free it\n")
    released = cli("plan", str(plan), "--diff", "--release")
    assert released.out == "- vpc/db  10.0.0.128/27 (released)\n"
    table = cli("plan", str(plan), "--release")
    assert table.out.endswith("released:\n  vpc/db  10.0.0.128/27\n")


def test_plan_errors_are_located_and_exit_two(cli: Cli, tmp_path: Path) -> None:
    plan = write(tmp_path, PLAN.replace("hosts: 100", "hosts: 100, prefix: 10.0.0.5/25"))
    result = cli("plan", str(plan))
    assert result.code == 2
    assert result.out == ""
    assert result.err == (
        f"{plan}:7:33: error: node 'vpc/web': '10.0.0.5/25': host bits set\n"
        "  hint: did you mean 10.0.0.0/25?\n"
    )


def test_grown_node_error_proposes_move_and_move_applies(cli: Cli, tmp_path: Path) -> None:
    plan = write(tmp_path, PLAN + "      cache: {hosts: 10}\n")
    cli("plan", str(plan))
    write(tmp_path, PLAN.replace("hosts: 20", "hosts: 50") + "      cache: {hosts: 10}\n")
    refused = cli("plan", str(plan))
    assert refused.code == 2
    assert refused.err == (
        f"{plan}:8:7: error: node 'vpc/db' now needs a /26 but is locked to 10.0.0.128/27, "
        "and the /26 around it (10.0.0.128/26) is not free; the best free spot is "
        "10.0.0.192/26\n  hint: to move it (renumbering its hosts) run with --move vpc/db\n"
    )
    moved = cli("plan", str(plan), "--move", "vpc/db", "--diff")
    assert moved.out == "~ vpc/db  10.0.0.128/27 -> 10.0.0.192/26 (moved)\n"


def test_size_shows_the_arithmetic(cli: Cli) -> None:
    result = cli("size", "--hosts", "400", "--growth", "50%", "--cloud", "aws")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "need = ceil(400 × (1 + 50%)) = 600 addresses\n"
        "/22: 1024 addresses − 5 reserved by aws = 1019 usable ≥ 600\n"
        "/23 would give 507 usable < 600\n"
        "prefix: /22\n"
    )
    as_json = json.loads(cli("size", "--hosts", "10", "--json").out)
    assert as_json["length"] == 28 and as_json["need"] == 10


def test_size_k8s(cli: Cli) -> None:
    result = cli("size", "--k8s", "--model", "gke", "--nodes", "50", "--surge", "5")
    assert result.out == (
        "nodes: /26 (from the VPC/VNet)\n"
        "  (50 nodes + 5 surge) = 55 node addresses\n"
        "  /26: 64 addresses − 4 reserved by gcp = 60 usable ≥ 55\n"
        "  /27 would give 28 usable < 55\n"
        "pods: /18 (from the VPC/VNet)\n"
        "  per node: 2 × 110 pods = 220 → /24 (256 addresses)\n"
        "  55 nodes × 256 = 14080 → /18\n"
        "services: /20 (from the VPC/VNet)\n"
        "  gke default service range /20\n"
    )
    missing = cli("size", "--k8s", "--nodes", "3")
    assert (missing.code, missing.err) == (2, "cidrkit: error: --k8s needs --model and --nodes\n")


def test_nat(cli: Cli) -> None:
    result = cli("nat", "--cloud", "aws", "--clients", "2000", "--connections", "100")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "busiest destination: 2000 clients × 100 connections = 200,000 concurrent\n"
        "IPs for the busiest destination: ceil(200,000 / 55,000) = 4\n"
        "gateways: ceil(4 IPs / 8 per gateway) = 1\n"
        "headroom: 220,000 / 200,000 − 1 = 10.0%\n"
        "public IPs: 4\ngateways: 1\nheadroom: 10.0%\n"
    )
    rate = json.loads(cli("nat", "--cloud", "azure", "--clients", "100", "--rate", "50",
                          "--hold", "20", "--json").out)
    assert (rate["public_ips"], rate["gateways"]) == (2, 1)
    assert rate["steps"][0] == "concurrent per client = 50/s × 20 s = 1,000 (Little's law)"
    short = cli("nat", "--cloud", "aws", "--clients", "2000", "--connections", "100", "--ips", "2")
    assert short.code == 1
    assert short.err == "cidrkit: warning: 2 IPs are not enough: 4 needed\n"
    both = cli("nat", "--cloud", "gcp", "--clients", "1")
    assert (both.code, both.err) == (
        2, "cidrkit: error: give --connections, or both --rate and --hold\n")
