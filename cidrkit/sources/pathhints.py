"""Facts an export leaves out but its location usually tells: account, region, cluster.

AWS CLI output carries no region, and ``kubectl get nodes`` no cluster name.
Teams keep exports in layouts such as ``aws/<name>-<account-id>/<region>/``;
these helpers read such facts back from the path, and from ARNs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

_ACCOUNT = re.compile(r"(?:^|[-_])(\d{12})$")
_REGION = re.compile(r"^(?:[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)$")
_ARN = re.compile(r"^arn:[a-z-]+:[a-z0-9-]+:(?P<region>[a-z0-9-]*):(?P<account>\d{12})?:")


@dataclass(frozen=True, slots=True)
class PathHints:
    """What a file's path says: AWS account id and region, and its folder's name."""

    account: str | None
    region: str | None
    folder: str


def hints_from_path(path: str) -> PathHints:
    """Read an account id and a region from the folders of ``path``.

    >>> hints_from_path("aws/acme-prod-482915730164/us-east-1/describe-vpcs.json")
    PathHints(account='482915730164', region='us-east-1', folder='us-east-1')
    """
    parts = PurePath(path).parts[:-1]
    account = region = None
    for part in parts:
        match = _ACCOUNT.search(part)
        if match:
            account = match.group(1)
        if _REGION.match(part):
            region = part
    folder = parts[-1] if parts else ""
    return PathHints(account, region, folder)


def arn_parts(arn: object) -> tuple[str | None, str | None]:
    """The (region, account) of an ARN, each None when absent."""
    if not isinstance(arn, str):
        return None, None
    match = _ARN.match(arn)
    if not match:
        return None, None
    return match.group("region") or None, match.group("account") or None


def region_of_zone(zone: object) -> str | None:
    """The region of an AWS availability zone name (``us-east-1a`` -> ``us-east-1``)."""
    if isinstance(zone, str) and zone and zone[-1].isalpha() and _REGION.match(zone[:-1]):
        return zone[:-1]
    return None
