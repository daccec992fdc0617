"""``discover aws``: VPCs, subnets and their connections across regions and accounts.

Per account and region (one scope) it writes
``aws/<name>-<account>/<region>/describe-vpcs.json`` and ``describe-subnets.json``,
byte for byte what ``aws ec2 describe-vpcs``/``describe-subnets`` print (the
SDK parses responses as the CLI does; pages merged, 4-space indent), and reads
transit gateway attachments and peerings for the connections file. A scope is
all or nothing: its files are written only after every call of it succeeded.

Throttling is retried by the SDK's ``standard`` retry mode (exponential
backoff with jitter), up to ``max_attempts`` tries per call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cidrkit.discover.aws_accounts import (
    Account,
    assume_role,
    caller_identity,
    describe_error,
    list_accounts,
)
from cidrkit.discover.links import Links, connections_yaml
from cidrkit.discover.model import (
    Discovery,
    DiscoveryError,
    FileProvenance,
    ScopeResult,
    Status,
    utc_now,
)
from cidrkit.discover.runner import Progress, run_bounded
from cidrkit.discover.writer import (
    CONNECTIONS,
    check_out_dir,
    prepare_out_dir,
    write_json,
    write_manifest,
)

if TYPE_CHECKING:
    from botocore.config import Config

DEFAULT_ROLE = "CidrkitDiscovery"
_FALLBACK_REGION = "us-east-1"

#: (operation, result key, file name or None when only read for connections)
_CALLS = (
    ("describe_vpcs", "Vpcs", "describe-vpcs.json"),
    ("describe_subnets", "Subnets", "describe-subnets.json"),
    ("describe_transit_gateway_attachments", "TransitGatewayAttachments", None),
    ("describe_transit_gateway_peering_attachments", "TransitGatewayPeeringAttachments", None),
    ("describe_vpc_peering_connections", "VpcPeeringConnections", None),
)


@dataclass(frozen=True, slots=True)
class AwsOptions:
    """What to discover and how hard to push: see ``cidrkit discover --help``."""

    regions: tuple[str, ...] = ()
    organization: bool = False
    accounts: tuple[str, ...] = ()
    role_name: str = DEFAULT_ROLE
    external_id: str | None = None
    profile: str | None = None
    concurrency: int = 8
    max_attempts: int = 8


def _api_name(operation: str) -> str:
    """``describe_vpcs`` -> ``ec2:DescribeVpcs``, as IAM policies and CloudTrail name it."""
    return "ec2:" + "".join(word.capitalize() for word in operation.split("_"))


def _import_sdk() -> None:
    try:
        import boto3  # noqa: F401
    except ImportError:
        raise DiscoveryError("AWS discovery needs boto3: pip install 'cidrkit[aws]'") from None


def discover_aws(out_dir: str, options: AwsOptions,
                 progress: Progress | None = None) -> Discovery:
    """Discover into the new or empty folder ``out_dir``; never raises for one failed scope."""
    _import_sdk()
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError

    # The folder is checked first and created only once the credentials work,
    # so a failed start leaves nothing behind.
    check_out_dir(out_dir)
    run = Discovery("aws", out_dir, utc_now())
    config = Config(retries={"mode": "standard", "total_max_attempts": options.max_attempts},
                    max_pool_connections=max(10, options.concurrency),
                    user_agent_extra="cidrkit-discover")
    try:
        base = boto3.session.Session(profile_name=options.profile)
    except BotoCoreError as err:
        raise DiscoveryError(f"--profile {options.profile}: {describe_error(err)}") from None
    home_region = base.region_name or _FALLBACK_REGION
    identity = caller_identity(base, home_region, config)
    home = str(identity["Account"])
    partition = str(identity.get("Arn", "arn:aws:")).split(":")[1] or "aws"
    if options.organization:
        accounts = list_accounts(base, home_region, config, options.accounts)
    else:
        # Repeated ids or regions would have two threads write the same files.
        accounts = [Account(a) for a in dict.fromkeys(options.accounts or (home,))]
    prepare_out_dir(out_dir)

    def open_account(account: Account) -> Account:
        if account.skipped:
            return account
        if account.id == home:
            account.session = base
        else:
            role = f"arn:{partition}:iam::{account.id}:role/{options.role_name}"
            assume_role(base, account, role, options.external_id, home_region, config)
        if account.session is not None:
            _list_regions(account, options.regions, home_region, config)
        return account

    opened = run_bounded(accounts, open_account, concurrency=options.concurrency,
                         label=lambda a: f"account {a.id}", progress=progress)
    scopes = [(a, r) for a in opened if a.session is not None and not a.error for r in a.regions]

    def collect(scope: tuple[Account, str]) -> tuple[ScopeResult, Links]:
        return _collect_region(out_dir, scope[0], scope[1], config)

    collected = run_bounded(scopes, collect, concurrency=options.concurrency,
                            label=lambda s: f"{s[0].id} {s[1]}", progress=progress)
    links = Links()
    results = []
    for result, found in collected:
        results.append(result)
        links.merge(found)
    for account in opened:
        if account.error or account.skipped:
            status: Status = "skipped" if account.skipped else "failed"
            results.append(ScopeResult("aws", account.id, None, status,
                                       account.error or account.skipped, account.name))
    run.results = results
    run.sort()
    text = connections_yaml(links, f"transit gateways and peerings seen by cidrkit discover "
                                   f"aws at {run.started}")
    if text is not None:
        with open(os.path.join(out_dir, CONNECTIONS), "w", encoding="utf-8") as handle:
            handle.write(text)
        run.connections_file = CONNECTIONS
    run.finished = utc_now()
    write_manifest(run)
    return run


def _list_regions(account: Account, wanted: tuple[str, ...], home_region: str,
                  config: Config) -> None:
    """The regions to read: those asked for, else every region enabled in the account."""
    from botocore.exceptions import BotoCoreError, ClientError

    if wanted:
        account.regions = list(dict.fromkeys(wanted))
        return
    try:
        ec2 = account.client("ec2", home_region, config)
        regions = ec2.describe_regions()["Regions"]
    except (BotoCoreError, ClientError) as err:
        account.error = f"cannot list regions: {describe_error(err)}"
        return
    account.regions = sorted(
        r["RegionName"] for r in regions if r.get("OptInStatus") != "not-opted-in")


def _paginate(client: Any, operation: str, key: str) -> list[Any]:
    """Every item of a paginated describe call, pages merged as the CLI merges them."""
    items: list[Any] = []
    for page in client.get_paginator(operation).paginate():
        items.extend(page.get(key, []))
    return items


def _collect_region(out_dir: str, account: Account, region: str,
                    config: Config) -> tuple[ScopeResult, Links]:
    """Read one account and region; write its files only if every call succeeded."""
    from botocore.exceptions import BotoCoreError, ClientError

    result = ScopeResult("aws", account.id, region, account_name=account.name)
    found = Links()
    answers: dict[str, tuple[list[Any], str]] = {}
    try:
        ec2 = account.client("ec2", region, config)
        for operation, key, _ in _CALLS:
            answers[key] = (_paginate(ec2, operation, key), utc_now())
    except (BotoCoreError, ClientError) as err:
        result.status, result.error = "failed", describe_error(err)
        return result, found
    folder = os.path.join("aws", account.folder, region)
    for operation, key, name in _CALLS:
        if name is None:
            continue
        items, when = answers[key]
        relpath = os.path.join(folder, name)
        write_json(out_dir, relpath, {key: items}, indent=4)
        result.files.append(FileProvenance(relpath.replace(os.sep, "/"), _api_name(operation),
                                           account.id, region, when, len(items)))
    found.read_attachments(answers["TransitGatewayAttachments"][0])
    found.read_gateway_peerings(answers["TransitGatewayPeeringAttachments"][0])
    found.read_vpc_peerings(answers["VpcPeeringConnections"][0])
    return result, found
