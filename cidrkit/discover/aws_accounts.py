"""AWS accounts to discover: the caller's own, named ones, or a whole organisation.

Credentials come only from the SDK's normal chain (environment, profile,
SSO, instance or task role). Other accounts are reached by ``sts:AssumeRole``
of one named role in each; an account that refuses it fails alone.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cidrkit.discover.model import DiscoveryError

if TYPE_CHECKING:
    from boto3.session import Session
    from botocore.config import Config

SESSION_NAME = "cidrkit-discover"

# boto3 sessions are not thread-safe (clients are): every client is made under this lock.
CLIENT_LOCK = threading.Lock()


@dataclass(slots=True)
class Account:
    """One account: its id and name, and once opened, a session and its regions."""

    id: str
    name: str | None = None
    session: Session | None = None
    regions: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None

    @property
    def folder(self) -> str:
        """``acme-prod-111122223333``: the layout the importers read the account id from."""
        if not self.name:
            return self.id
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")
        return f"{slug}-{self.id}" if slug else self.id

    def client(self, service: str, region: str, config: Config) -> Any:
        assert self.session is not None
        with CLIENT_LOCK:
            return self.session.client(service, region_name=region, config=config)


def describe_error(err: BaseException) -> str:
    """One line for an SDK error: the service's code and message, and the operation."""
    from botocore.exceptions import ClientError

    if isinstance(err, ClientError):
        detail = err.response.get("Error", {})
        code, message = detail.get("Code", "Error"), detail.get("Message", "")
        return f"{code}: {message} ({err.operation_name})".replace(":  (", ": (")
    return str(err) or type(err).__name__


def caller_identity(session: Session, region: str, config: Config) -> dict[str, Any]:
    """``sts:GetCallerIdentity``, or DiscoveryError saying the credentials are unusable."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        identity: dict[str, Any] = session.client(
            "sts", region_name=region, config=config).get_caller_identity()
    except (BotoCoreError, ClientError) as err:
        raise DiscoveryError(f"AWS credentials (the SDK's chain: environment, profile, SSO, "
                             f"instance role) do not work: {describe_error(err)}") from None
    return identity


def list_accounts(session: Session, region: str, config: Config,
                  only: tuple[str, ...]) -> list[Account]:
    """Every account of the caller's organisation (``organizations:ListAccounts``).

    Suspended or closing accounts are kept as skipped, so the report shows them.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    accounts: list[Account] = []
    try:
        client = session.client("organizations", region_name=region, config=config)
        for page in client.get_paginator("list_accounts").paginate():
            for item in page.get("Accounts", []):
                state = item.get("State") or item.get("Status") or "ACTIVE"
                account = Account(str(item["Id"]), item.get("Name"))
                if state != "ACTIVE":
                    account.skipped = f"account state is {state}"
                accounts.append(account)
    except (BotoCoreError, ClientError) as err:
        raise DiscoveryError(f"cannot list the organisation's accounts (run from the "
                             f"management or a delegated administrator account): "
                             f"{describe_error(err)}") from None
    if only:
        known = {a.id for a in accounts}
        unknown = [a for a in only if a not in known]
        if unknown:
            raise DiscoveryError(f"--account {unknown[0]}: not an account of the organisation")
        wanted = set(only)
        accounts = [a for a in accounts if a.id in wanted]
    return sorted(accounts, key=lambda a: a.id)


def assume_role(base: Session, account: Account, role_arn: str, external_id: str | None,
                region: str, config: Config) -> None:
    """Open ``account`` through ``role_arn``; on refusal, record the error on the account."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": SESSION_NAME}
    if external_id:
        params["ExternalId"] = external_id
    try:
        with CLIENT_LOCK:
            sts = base.client("sts", region_name=region, config=config)
        creds = sts.assume_role(**params)["Credentials"]
    except (BotoCoreError, ClientError) as err:
        account.error = f"cannot assume {role_arn}: {describe_error(err)}"
        return
    account.session = boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )
