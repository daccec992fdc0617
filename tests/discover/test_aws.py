"""``cidrkit discover aws`` against moto's server: an organisation, failures, and the audit."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

from tests.cli.runner import cli
from tests.discover.faultproxy import FaultProxy, Request, ec2_error, sts_access_denied
from tests.discover.orgsim import REGIONS, ROLE, Organisation


def refuse_role(account: str):  # type: ignore[no-untyped-def]
    def rule(request: Request) -> tuple[int, str] | None:
        if request.action == "AssumeRole" and f"::{account}:" in unquote(
                request.form.get("RoleArn", "")):
            return sts_access_denied(f"not authorized to perform sts:AssumeRole on {account}")
        return None
    return rule


def discover_org(out: Path, *extra: str):  # type: ignore[no-untyped-def]
    args = ["discover", "aws", "-o", str(out), "--organization", "--role", ROLE]
    for region in REGIONS:
        args += ["--region", region]
    return cli(*args, *extra)


def test_organisation_with_a_refusing_account_is_partial(
        aws: FaultProxy, organisation: Organisation, tmp_path: Path) -> None:
    aws.rules.append(refuse_role(organisation.refusing))
    out = tmp_path / "found"
    result = discover_org(out)
    assert result.code == 3, result.err
    assert "discovery was partial: 1 of 13 scopes failed" in result.err
    refused = [line for line in result.out.splitlines() if "failed" in line]
    assert refused == [
        f"aws {organisation.refusing} (acme-legacy): failed: cannot assume "
        f"arn:aws:iam::{organisation.refusing}:role/{ROLE}: AccessDenied: not authorized to "
        f"perform sts:AssumeRole on {organisation.refusing} (AssumeRole)"]
    manifest = json.loads((out / ".discovery.json").read_text())
    assert manifest["partial"] is True
    ok = [s for s in manifest["scopes"] if s["status"] == "ok"]
    assert sorted((s["account"], s["region"]) for s in ok) == sorted(organisation.vpcs)
    for account in organisation.discoverable:
        name = organisation.accounts[account]
        for region in REGIONS:
            vpcs = json.loads((out / "aws" / f"{name}-{account}" / region
                               / "describe-vpcs.json").read_text())["Vpcs"]
            expected = organisation.vpcs[(account, region)]
            assert sorted(v["VpcId"] for v in vpcs) == sorted(v.id for v in expected)
    assert not any(organisation.refusing in p.name for p in (out / "aws").iterdir())


def accounts_args(organisation: Organisation) -> list[str]:
    return [arg for a in organisation.discoverable for arg in ("--account", a)]


def throttle(action: str, region: str, times: int | None):  # type: ignore[no-untyped-def]
    """Answer ``action`` in ``region`` with RequestLimitExceeded, ``times`` times (None: always)."""
    left = [times]

    def rule(request: Request) -> tuple[int, str] | None:
        if request.action != action or request.region != region:
            return None
        if left[0] is not None:
            if left[0] == 0:
                return None
            left[0] -= 1
        return ec2_error(503, "RequestLimitExceeded", "Request limit exceeded.")
    return rule


def test_throttling_is_retried_with_backoff_until_it_passes(
        aws: FaultProxy, organisation: Organisation, tmp_path: Path) -> None:
    aws.rules.append(throttle("DescribeSubnets", "eu-west-1", times=4))
    result = discover_org(tmp_path / "found", *accounts_args(organisation))
    assert result.code == 0, result.out + result.err
    assert aws.injected["DescribeSubnets"] == 4
    # Every throttled call was tried again: one good answer per account in eu-west-1
    # on top of the refused ones.
    assert aws.seen["DescribeSubnets"] == 4 + 3 * len(REGIONS)
    assert "failed" not in result.out


def test_throttling_past_every_retry_fails_only_that_region(
        aws: FaultProxy, organisation: Organisation, tmp_path: Path) -> None:
    aws.rules.append(throttle("DescribeVpcs", "ap-southeast-2", times=None))
    out = tmp_path / "found"
    result = discover_org(out, *accounts_args(organisation), "--max-attempts", "2")
    assert result.code == 3
    failed = [line for line in result.out.splitlines() if ": failed: " in line]
    assert len(failed) == 3
    assert all("ap-southeast-2: failed: RequestLimitExceeded: Request limit exceeded. "
               "(DescribeVpcs)" in line for line in failed)
    assert aws.injected["DescribeVpcs"] == 3 * 2
    written = {p.parent.name for p in out.glob("aws/*/*/describe-vpcs.json")}
    assert written == set(REGIONS) - {"ap-southeast-2"}
    assert not list(out.glob("aws/*/ap-southeast-2"))


def test_a_disabled_region_fails_alone(aws: FaultProxy, organisation: Organisation,
                                       tmp_path: Path) -> None:
    def disabled(request: Request) -> tuple[int, str] | None:
        if request.region == "us-west-2" and request.action.startswith("Describe"):
            return ec2_error(401, "AuthFailure",
                             "AWS was not able to validate the provided access credentials")
        return None

    aws.rules.append(disabled)
    result = discover_org(tmp_path / "found", *accounts_args(organisation))
    assert result.code == 3
    lines = result.out.splitlines()
    assert sum(": ok (" in line for line in lines) == 9
    assert sum("us-west-2: failed: AuthFailure" in line for line in lines) == 3


def conflict_keys(report: dict) -> list[tuple[str, ...]]:  # type: ignore[type-arg]
    return sorted((c["relation"], c["severity"], c["a"]["prefix"], c["a"]["scope"],
                   c["b"]["prefix"], c["b"]["scope"]) for c in report["conflicts"])


def test_audit_of_discovered_files_equals_audit_of_hand_written_exports(
        aws: FaultProxy, organisation: Organisation, tmp_path: Path) -> None:
    from tests.discover.orgsim import write_hand_exports

    aws.rules.append(refuse_role(organisation.refusing))
    out = tmp_path / "found"
    assert discover_org(out).code == 3
    found = cli("audit", str(out), "--connections", str(out / ".connections.yaml"), "--json")
    hand_connections = write_hand_exports(organisation, tmp_path / "hand")
    hand = cli("audit", str(tmp_path / "hand"), "--connections", str(hand_connections),
               "--json")
    assert found.code == hand.code == 1, found.err + hand.err
    found_report, hand_report = json.loads(found.out), json.loads(hand.out)
    assert found_report["malformed"] == found_report["skipped"] == []
    assert conflict_keys(found_report) == conflict_keys(hand_report)
    severities = {c["severity"] for c in found_report["conflicts"]}
    assert severities == {"blocking", "latent"}
    # The shared 10.0.0.0/16 sits in 12 scopes: every pair of them conflicts.
    shared = [c for c in found_report["conflicts"]
              if c["a"]["prefix"] == c["b"]["prefix"] == "10.0.0.0/16"]
    assert len(shared) == 12 * 11 // 2
