"""``cidrkit plan PLAN --against DIR``: every kind of drift, its renderings and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.runner import cli

PLAN = """\
cloud: aws
pools:
  - {name: main, cidr: 10.20.0.0/14}
tree:
  shop:
    children:
      prod:
        kind: vpc
        prefix: /20
        children:
          web: {prefix: /24}
          db: {prefix: /26}
      dev: {kind: vpc, prefix: /22}
"""


@pytest.fixture
def planned(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN)
    assert cli("plan", str(plan)).code == 0
    lock = json.loads((tmp_path / "plan.yaml.lock").read_text())["blocks"]
    return plan, lock


def vpc(vpc_id: str, name: str, cidr: str, default: bool = False) -> dict[str, object]:
    return {"VpcId": vpc_id, "CidrBlock": cidr, "IsDefault": default,
            "Tags": [{"Key": "Name", "Value": name}],
            "CidrBlockAssociationSet": [{"CidrBlock": cidr,
                                         "CidrBlockState": {"State": "associated"}}]}


def subnet(vpc_id: str, name: str, cidr: str) -> dict[str, object]:
    return {"SubnetId": f"subnet-{name}", "VpcId": vpc_id, "CidrBlock": cidr,
            "Tags": [{"Key": "Name", "Value": name}]}


def write_reality(folder: Path, vpcs: list[dict[str, object]],
                  subnets: list[dict[str, object]]) -> Path:
    where = folder / "aws" / "111122223333" / "eu-west-1"
    where.mkdir(parents=True)
    (where / "describe-vpcs.json").write_text(json.dumps({"Vpcs": vpcs}, indent=4))
    (where / "describe-subnets.json").write_text(json.dumps({"Subnets": subnets}, indent=4))
    return folder


def as_planned(lock: dict[str, str]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return ([vpc("vpc-prod", "shop-prod", lock["shop/prod"]),
             vpc("vpc-dev", "shop/dev", lock["shop/dev"])],
            [subnet("vpc-prod", "shop-prod-web", lock["shop/prod/web"]),
             subnet("vpc-prod", "shop-prod-db", lock["shop/prod/db"])])


def test_reality_as_planned_is_no_drift(planned: tuple[Path, dict[str, str]],
                                        tmp_path: Path) -> None:
    plan, lock = planned
    reality = write_reality(tmp_path / "real", *as_planned(lock))
    result = cli("plan", str(plan), "--against", str(reality))
    assert (result.code, result.err) == (0, "")
    assert result.out == ("no drift: 4 of 4 planned blocks in use as planned, nothing in use "
                          "outside the plan\n")


def test_every_kind_of_drift(planned: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    plan, lock = planned
    vpcs, subnets = as_planned(lock)
    vpcs[1] = vpc("vpc-dev", "shop-dev", "10.22.0.0/22")       # changed
    del subnets[1]                                             # db absent
    subnets.append(subnet("vpc-prod", "scratch", "10.20.8.0/24"))  # in prod, in no block
    vpcs.append(vpc("vpc-default", "", "172.31.0.0/16", default=True))  # outside the pools
    reality = write_reality(tmp_path / "real", vpcs, subnets)
    result = cli("plan", str(plan), "--against", str(reality))
    assert result.code == 1, result.err
    files = f"{reality}/aws/111122223333/eu-west-1"
    assert result.out.splitlines() == [
        "DRIFT      BLOCK         PLANNED        ACTUAL         WHERE",
        f"changed    shop/dev      {lock['shop/dev']:<13}  10.22.0.0/22   aws:vpc-dev (shop-dev) "
        f"{files}/describe-vpcs.json:24 /Vpcs/1/CidrBlock",
        f"absent     shop/prod/db  {lock['shop/prod/db']:<13}  -              "
        f"{plan}:12:11",
        "unplanned  -             -              10.20.8.0/24   aws:vpc-prod (scratch) "
        f"{files}/describe-subnets.json:17 /Subnets/1/CidrBlock",
        "outside    -             -              172.31.0.0/16  aws:vpc-default (default VPC) "
        f"{files}/describe-vpcs.json:43 /Vpcs/2/CidrBlock",
        "",
        "4 drift(s): 1 changed, 1 absent, 1 unplanned, 1 outside; 2 of 4 planned blocks in use "
        "as planned",
    ]
    data = json.loads(cli("plan", str(plan), "--against", str(reality), "--format",
                          "json").out)
    assert data["summary"] == {"compared": 4, "as_planned": 2, "changed": 1, "absent": 1,
                               "unplanned": 1, "outside": 1}
    assert [(d["kind"], d["block"], d["actual"] and d["actual"]["prefix"])
            for d in data["drift"]] == [
        ("changed", "shop/dev", "10.22.0.0/22"), ("absent", "shop/prod/db", None),
        ("unplanned", None, "10.20.8.0/24"), ("outside", None, "172.31.0.0/16")]
    sarif = json.loads(cli("plan", str(plan), "--against", str(reality), "--format",
                           "sarif").out)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["drift/changed", "drift/absent",
                                              "drift/unplanned", "drift/outside"]
    absent = results[1]["locations"][0]["physicalLocation"]
    assert absent == {"artifactLocation": {"uri": str(plan)},
                      "region": {"startLine": 12, "startColumn": 11}}
    changed = results[0]
    assert changed["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 13


def test_prefix_found_under_another_name_is_as_planned(
        planned: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    plan, lock = planned
    vpcs, subnets = as_planned(lock)
    vpcs[0] = vpc("vpc-prod", "production", lock["shop/prod"])
    reality = write_reality(tmp_path / "real", vpcs, subnets)
    assert cli("plan", str(plan), "--against", str(reality)).code == 0


@pytest.mark.parametrize(("extra", "code", "message"), [
    (["--format", "csv"], 2, "cidrkit: error: --against prints table, json, sarif, not "
                             "--format csv\n"),
    (["--check"], 2, "not allowed with argument"),
])
def test_bad_options(planned: tuple[Path, dict[str, str]], tmp_path: Path, extra: list[str],
                     code: int, message: str) -> None:
    plan, lock = planned
    reality = write_reality(tmp_path / "real", *as_planned(lock))
    result = cli("plan", str(plan), "--against", str(reality), *extra)
    assert result.code == code
    assert message in result.err


def test_missing_inventory_lock_and_unreadable_files(planned: tuple[Path, dict[str, str]],
                                                     tmp_path: Path) -> None:
    plan, lock = planned
    result = cli("plan", str(plan), "--against", str(tmp_path / "nowhere"))
    assert (result.code, result.err) == (
        2, f"cidrkit: error: --against {tmp_path / 'nowhere'}: no such file or folder\n")
    reality = write_reality(tmp_path / "real", *as_planned(lock))
    (reality / "notes.json").write_text('{"something": "else"}')
    result = cli("plan", str(plan), "--against", str(reality))
    assert result.code == 2
    assert result.err.startswith(f"{reality}/notes.json: error: not read: JSON of an "
                                 "unrecognised shape")
    assert result.err.count("\n") == 1
    (tmp_path / "plan.yaml.lock").unlink()
    result = cli("plan", str(plan), "--against", str(reality))
    assert result.code == 2
    assert "plan.yaml.lock is missing" in result.err
    assert not (tmp_path / "plan.yaml.lock").exists()


def test_sarif_without_against_is_refused(planned: tuple[Path, dict[str, str]]) -> None:
    plan, _ = planned
    result = cli("plan", str(plan), "--format", "sarif")
    assert (result.code, result.err) == (
        2, "cidrkit: error: --format sarif is for --against reports\n")


def test_json_flag_output_file_and_bad_plan(planned: tuple[Path, dict[str, str]],
                                            tmp_path: Path) -> None:
    plan, lock = planned
    reality = write_reality(tmp_path / "real", *as_planned(lock))
    result = cli("plan", str(plan), "--against", str(reality), "--json")
    assert result.code == 0
    assert json.loads(result.out)["summary"]["as_planned"] == 4
    report = tmp_path / "drift.sarif"
    result = cli("plan", str(plan), "--against", str(reality), "--format", "sarif",
                 "-o", str(report))
    assert (result.code, result.out) == (0, "")
    assert json.loads(report.read_text())["runs"][0]["results"] == []
    result = cli("plan", str(plan), "--against", str(reality), "-o",
                 str(tmp_path / "no" / "such" / "dir" / "out.txt"))
    assert result.code == 2
    assert "out.txt: cannot write: No such file or directory" in result.err
    plan.write_text(PLAN.replace("prefix: /20", "prefix: 10.20.0.5/20"))
    result = cli("plan", str(plan), "--against", str(reality))
    assert result.code == 2
    assert "'10.20.0.5/20'" in result.err and "host bits" in result.err
    assert result.out == ""
