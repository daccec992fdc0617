"""``cidrkit discover aws`` against moto's server: an organisation, failures, and the audit."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from urllib.parse import unquote

import pytest

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


def test_audit_discover_in_one_step(aws: FaultProxy, organisation: Organisation,
                                    tmp_path: Path) -> None:
    aws.rules.append(refuse_role(organisation.refusing))
    regions = " ".join(f"--region {r}" for r in REGIONS)
    result = cli("audit", "--discover", f"aws --organization --role {ROLE} {regions}", "--json")
    assert result.code == 3, result.err
    assert (f"cidrkit: warning: discovery of aws {organisation.refusing} failed: cannot assume"
            in result.err)
    assert "discovery was partial: 1 of 13 scopes failed; the audit covers the rest" in result.err
    report = json.loads(result.out)
    found_dir = tmp_path / "found"
    assert discover_org(found_dir).code == 3
    two_step = json.loads(cli("audit", str(found_dir), "--connections",
                              str(found_dir / ".connections.yaml"), "--json").out)
    assert conflict_keys(report) == conflict_keys(two_step)
    assert report["conflicts"]


def test_audit_discover_complete_exits_on_findings(aws: FaultProxy, organisation: Organisation,
                                                   tmp_path: Path) -> None:
    accounts = " ".join(f"--account {a}" for a in organisation.discoverable)
    result = cli("audit", "--discover", f"aws --organization {accounts} --region eu-west-1")
    assert result.code == 1, result.err
    assert "partial" not in result.err
    assert "10.0.0.0/16" in result.out


def test_discover_aws_account_without_organisation(aws: FaultProxy, organisation: Organisation,
                                                   tmp_path: Path) -> None:
    member = organisation.discoverable[-1]
    out = tmp_path / "found"
    result = cli("discover", "aws", "-o", str(out), "--account", member, "--region", "eu-west-1",
                 "--account", member, "--region", "eu-west-1")
    assert result.code == 0, result.err
    assert result.out == (f"aws {member} eu-west-1: ok (2 VPCs, 4 subnets)\n")
    vpcs = json.loads((out / "aws" / member / "eu-west-1" / "describe-vpcs.json").read_text())
    assert {v["OwnerId"] for v in vpcs["Vpcs"]} == {member}
    assert aws.seen["AssumeRole"] == 1
    # Written as the AWS CLI prints: 4-space indent, the service's key order.
    text = (out / "aws" / member / "eu-west-1" / "describe-vpcs.json").read_text()
    assert text.startswith('{\n    "Vpcs": [\n        {\n')


def test_every_enabled_region_by_default(aws: FaultProxy, organisation: Organisation,
                                         tmp_path: Path) -> None:
    out = tmp_path / "found"
    result = cli("discover", "aws", "-o", str(out), "--concurrency", "16")
    assert result.code == 0, result.err
    regions = {p.name for p in (out / "aws" / organisation.management).iterdir()}
    assert set(REGIONS) <= regions
    # moto marks the opt-in regions as not opted in: they are not read.
    assert "ap-east-1" not in regions
    assert aws.seen["DescribeRegions"] == 1


@pytest.mark.parametrize(("args", "message"), [
    (["discover", "azure", "-o", "X", "--organization"],
     "cidrkit: error: --organization applies to 'discover aws' only\n"),
    (["discover", "aws", "-o", "X", "--project", "p"],
     "cidrkit: error: --project applies to 'discover gcp' only\n"),
    (["discover", "gcp", "-o", "X"], "cidrkit: error: discover gcp needs at least one --project\n"),
    (["discover", "aws", "-o", "X", "--endpoint", "http://127.0.0.1:1"],
     "cidrkit: error: --endpoint applies to azure and gcp; AWS reads AWS_ENDPOINT_URL and its "
     "config like every AWS SDK\n"),
    (["discover", "aws", "-o", "X", "--concurrency", "0"], "'0' must be at least 1"),
    (["discover", "aws", "-o", "X", "--max-attempts", "many"], "'many' is not a whole number"),
    (["discover", "ftp", "-o", "X"], "invalid choice: 'ftp'"),
    (["discover", "aws"], "the following arguments are required: -o/--output"),
    (["audit"], "cidrkit: error: audit needs a PATH or --discover PROVIDER\n"),
    (["audit", "--discover", "aws --bogus"],
     "cidrkit: error: --discover 'aws --bogus': unrecognized arguments: --bogus\n"),
    (["audit", "--discover", "aws --region 'eu"],
     "cidrkit: error: --discover \"aws --region 'eu\": No closing quotation\n"),
    (["audit", "--discover", "gcp"],
     "cidrkit: error: discover gcp needs at least one --project\n"),
])
def test_bad_usage_exits_2(args: list[str], message: str, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.code == 2
    assert message in result.err
    assert not (tmp_path / "X").exists()


def test_output_folder_must_be_new_or_empty(aws: FaultProxy, tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "describe-vpcs.json").write_text("{}")
    result = cli("discover", "aws", "-o", str(tmp_path / "old"), "--region", "eu-west-1")
    assert (result.code, result.out) == (2, "")
    assert result.err == (f"cidrkit: error: {tmp_path / 'old'}: folder is not empty; discover "
                          "into a new folder (stale files would be audited as current)\n")
    (tmp_path / "file").write_text("")
    result = cli("discover", "aws", "-o", str(tmp_path / "file"), "--region", "eu-west-1")
    assert result.err == f"cidrkit: error: {tmp_path / 'file'}: exists and is not a folder\n"


def test_no_credentials_is_bad_input(aws: FaultProxy, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = cli("discover", "aws", "-o", str(tmp_path / "out"), "--region", "eu-west-1")
    assert result.code == 2
    assert result.err == ("cidrkit: error: AWS credentials (the SDK's chain: environment, "
                          "profile, SSO, instance role) do not work: Unable to locate "
                          "credentials\n")
    assert sum(aws.seen.values()) == 0
    assert not (tmp_path / "out").exists()


def test_unknown_organisation_account_and_missing_profile(aws: FaultProxy,
                                                          tmp_path: Path) -> None:
    result = cli("discover", "aws", "-o", str(tmp_path / "a"), "--organization",
                 "--account", "000000000000")
    assert (result.code, result.err) == (
        2, "cidrkit: error: --account 000000000000: not an account of the organisation\n")
    result = cli("discover", "aws", "-o", str(tmp_path / "b"), "--profile", "nope")
    assert (result.code, result.err) == (
        2, "cidrkit: error: --profile nope: The config profile (nope) could not be found\n")


def test_not_in_an_organisation(aws: FaultProxy, tmp_path: Path) -> None:
    def no_org(request: Request) -> tuple[int, str] | None:
        if request.headers.get("x-amz-target", "").endswith(".ListAccounts"):
            return 400, ('{"__type": "AWSOrganizationsNotInUseException", "Message": '
                         '"Your account is not a member of an organization."}')
        return None

    aws.rules.append(no_org)
    result = cli("discover", "aws", "-o", str(tmp_path / "a"), "--organization")
    assert result.code == 2
    assert result.err == (
        "cidrkit: error: cannot list the organisation's accounts (run from the management or a "
        "delegated administrator account): AWSOrganizationsNotInUseException: Your account is "
        "not a member of an organization. (ListAccounts)\n")


def test_transit_gateways_and_peerings_become_the_connections_file(
        aws: FaultProxy, organisation: Organisation, tmp_path: Path) -> None:
    from cidrkit.audit.connections import parse_connections

    out = tmp_path / "found"
    assert discover_org(out, *accounts_args(organisation)).code == 0
    text = (out / ".connections.yaml").read_text()
    connections = parse_connections(text, "connections")
    groups = sorted(sorted(value.removeprefix("aws:") for member in c.members
                           for key, value in member if key == "scope")
                    for c in connections.entries)
    assert groups == sorted(organisation.gateway_groups + organisation.peerings)
    vias = sorted(c.via or "" for c in connections.entries)
    assert vias == ["peering", "transit-gateway"]


def test_progress_bar_only_on_a_terminal(aws: FaultProxy, organisation: Organisation,
                                         tmp_path: Path) -> None:
    import io

    from cidrkit.cli.context import Context
    from cidrkit.cli.main import run

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    member = organisation.discoverable[0]
    args = ["discover", "aws", "-o", "", "--account", member, "--region", "eu-west-1",
            "--region", "us-east-1"]
    err = Terminal()
    args[3] = str(tmp_path / "a")
    assert run(args, Context(io.StringIO(), io.StringIO(), err, {})) == 0
    drawn = err.getvalue()
    assert "\rdiscovering [" in drawn and "] 2/2 " in drawn
    # The bar is wiped before the summary line.
    assert drawn.split("\r")[-1].startswith("cidrkit: wrote 4 files")
    quiet = Terminal()
    args[3] = str(tmp_path / "b")
    assert run([*args, "--quiet"], Context(io.StringIO(), io.StringIO(), quiet, {})) == 0
    assert "discovering" not in quiet.getvalue()
    assert "discovering" not in cli(*args[:3], str(tmp_path / "c"), *args[4:]).err


def test_cloud_sdks_stay_off_the_start_up_path() -> None:
    import subprocess
    import sys

    code = ("import sys; from cidrkit.cli.main import main; main(['discover', '--help']); "
            "main(['audit', '--help']); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'boto3', 'botocore', 'azure', 'google', 'moto'}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.splitlines()[-1] == "[]"


def test_drift_of_a_plan_against_discovered_files(aws: FaultProxy, organisation: Organisation,
                                                  tmp_path: Path) -> None:
    first = organisation.discoverable[0]
    out = tmp_path / "found"
    found = cli("discover", "aws", "-o", str(out), "--account", first, "--region", "us-east-1")
    assert found.code == 0, found.out + found.err
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "cloud: aws\n"
        "pools:\n  - {name: apps, cidr: 10.96.0.0/11}\n"
        "tree:\n"
        "  app-0-0: {kind: vpc, prefix: 10.100.0.0/16}\n"
        "  app-0-9: {kind: vpc, prefix: 10.109.0.0/16}\n")
    planned = cli("plan", str(plan))
    assert planned.code == 0, planned.err
    result = cli("plan", str(plan), "--against", str(out), "--format", "json")
    assert result.code == 1, result.out + result.err
    drift = [(d["kind"], d["block"] or d["actual"]["prefix"])
             for d in json.loads(result.out)["drift"]]
    # app-0-0 is in use as planned, with its subnets inside it; app-0-9 was never built;
    # the shared 10.0.0.0/16 (its subnets are part of that finding) and app-0-0's
    # secondary 100.64.0.0/24 and IPv6 block are outside the pool.
    # The simulated cloud may write a group with a leading zero (`0c9b`); the
    # report speaks RFC 5952, so compare with the stdlib's canonical form.
    ipv6 = organisation.vpcs[(first, "us-east-1")][1].ipv6
    assert ipv6 is not None
    assert drift == [("absent", "app-0-9"), ("outside", "10.0.0.0/16"),
                     ("outside", "100.64.0.0/24"), ("outside", str(ipaddress.ip_network(ipv6)))]


def test_regions_that_cannot_be_listed_fail_the_account(aws: FaultProxy,
                                                        organisation: Organisation,
                                                        tmp_path: Path) -> None:
    def no_regions(request: Request) -> tuple[int, str] | None:
        if request.action == "DescribeRegions":
            return ec2_error(403, "UnauthorizedOperation",
                             "You are not authorized to perform this operation.")
        return None

    aws.rules.append(no_regions)
    result = cli("discover", "aws", "-o", str(tmp_path / "found"),
                 "--account", organisation.management)
    assert result.code == 3
    assert result.out == (
        f"aws {organisation.management}: failed: cannot list regions: UnauthorizedOperation: "
        "You are not authorized to perform this operation. (DescribeRegions)\n")


def test_suspended_accounts_are_listed_as_skipped() -> None:
    import boto3
    from botocore.stub import Stubber

    from cidrkit.discover.aws_accounts import list_accounts

    client = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s").client(
        "organizations", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("list_accounts", {"Accounts": [
        {"Id": "222233334444", "Name": "old", "Status": "SUSPENDED"},
        {"Id": "111122223333", "Name": "live", "Status": "ACTIVE"}]})

    class Session:
        def client(self, *args: object, **kwargs: object) -> object:
            return client

    with stub:
        accounts = list_accounts(Session(), "us-east-1", None, ())  # type: ignore[arg-type]
    assert [(a.id, a.folder, a.skipped) for a in accounts] == [
        ("111122223333", "live-111122223333", None),
        ("222233334444", "old-222233334444", "account state is SUSPENDED")]
