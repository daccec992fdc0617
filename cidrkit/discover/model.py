"""What a discovery run produced: one result per scope, and the run as a whole.

A *scope* is the unit that succeeds or fails on its own: an AWS account and
region, an Azure query over subscriptions, a GCP project. A scope that fails
(a refused ``AssumeRole``, a disabled region, throttling past every retry)
is recorded with its error and never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cidrkit.errors import CidrkitError

Status = Literal["ok", "failed", "skipped"]


class DiscoveryError(CidrkitError):
    """Discovery could not start at all: no credentials, no organisation, a bad output folder."""


def utc_now() -> str:
    """The current time as RFC 3339 UTC with seconds (``2026-12-04T14:30:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class FileProvenance:
    """Where one written file came from: the API call, the account and region, and when."""

    path: str
    api: str
    account: str | None
    region: str | None
    time: str
    items: int

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "api": self.api, "account": self.account,
                "region": self.region, "time": self.time, "items": self.items}


@dataclass(slots=True)
class ScopeResult:
    """The outcome of one scope: the files it wrote, or why it failed."""

    provider: str
    account: str | None
    region: str | None
    status: Status = "ok"
    error: str | None = None
    account_name: str | None = None
    files: list[FileProvenance] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``aws 111122223333 us-east-1`` style name of the scope, for messages."""
        parts = [self.provider, self.account or "-"]
        if self.region:
            parts.append(self.region)
        return " ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "account": self.account,
                "account_name": self.account_name, "region": self.region,
                "status": self.status, "error": self.error,
                "files": [f.path for f in self.files]}


@dataclass(slots=True)
class Discovery:
    """A whole run: its scopes, in a stable order, and the extra files it wrote."""

    provider: str
    out_dir: str
    started: str
    finished: str = ""
    results: list[ScopeResult] = field(default_factory=list)
    connections_file: str | None = None

    @property
    def failed(self) -> list[ScopeResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def partial(self) -> bool:
        """True when at least one scope failed: the files do not describe everything."""
        return bool(self.failed)

    def sort(self) -> None:
        """Order results by account then region, so reports and manifests are deterministic."""
        self.results.sort(key=lambda r: (r.provider, r.account or "", r.region or ""))
