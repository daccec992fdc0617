"""``discover azure``: every VNet of every subscription, in one Resource Graph query.

Resource Graph answers for all the subscriptions the credential can read (or
those named), page by page (``$skipToken``). Rows carry the REST shape, with
the data under ``properties``; they are written per subscription as
``azure/<subscription>/vnets.json`` in the shape of ``az network vnet list``,
which flattens ``properties`` into each object and sorts keys (indent 2).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from cidrkit.discover.model import (
    Discovery,
    DiscoveryError,
    FileProvenance,
    ScopeResult,
    utc_now,
)
from cidrkit.discover.writer import (
    check_out_dir,
    prepare_out_dir,
    write_json,
    write_manifest,
)

API = "resourcegraph:Resources"
QUERY = """resources
| where type =~ 'microsoft.network/virtualnetworks'
| project id, name, type, location, resourceGroup, subscriptionId, tags, properties
| order by id asc"""
VNET_TYPE = "Microsoft.Network/virtualNetworks"
SUBSCRIPTIONS_PER_QUERY = 1000
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_credential() -> Any:
    """The SDK's credential chain: environment, workload identity, managed identity, az login."""
    from azure.identity import DefaultAzureCredential

    return DefaultAzureCredential()


def _flatten(resource: Any) -> Any:
    """A REST resource as az prints it: ``properties`` merged into the object."""
    if not isinstance(resource, dict):
        return resource
    flat = {k: v for k, v in resource.items() if k != "properties"}
    properties = resource.get("properties")
    if isinstance(properties, dict):
        for key, value in properties.items():
            flat.setdefault(key, value)
    return flat


def vnet_as_cli(row: dict[str, Any]) -> dict[str, Any]:
    """One Resource Graph row as one entry of ``az network vnet list``."""
    vnet: dict[str, Any] = _flatten(row)
    vnet.pop("subscriptionId", None)
    vnet["type"] = VNET_TYPE
    for key in ("subnets", "virtualNetworkPeerings"):
        if isinstance(vnet.get(key), list):
            vnet[key] = [_flatten(item) for item in vnet[key]]
    return vnet


def _client(endpoint: str | None) -> tuple[Any, dict[str, Any]]:
    """A Resource Graph client, and the per-call options its endpoint needs."""
    try:
        from azure.mgmt.resourcegraph import ResourceGraphClient
    except ImportError:
        raise DiscoveryError("Azure discovery needs the Azure SDK: "
                             "pip install 'cidrkit[azure]'") from None
    call: dict[str, Any] = {}
    if endpoint is None:
        return ResourceGraphClient(default_credential()), call
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DiscoveryError(f"--endpoint {endpoint}: not an http(s) URL")
    if parts.scheme == "http":
        # A bearer token must never cross a network in clear: plain HTTP only
        # for an emulator or proxy on this machine.
        if parts.hostname not in _LOOPBACK:
            raise DiscoveryError(f"--endpoint {endpoint}: plain http is only allowed on "
                                 "loopback; use https")
        call["enforce_https"] = False
    base = endpoint.rstrip("/")
    client = ResourceGraphClient(default_credential(), base_url=base,
                                 credential_scopes=[f"{base}/.default"])
    return client, call


def query_vnets(client: Any, call: dict[str, Any],
                subscriptions: tuple[str, ...]) -> list[dict[str, Any]]:
    """Every VNet row, following ``$skipToken`` across pages."""
    from azure.mgmt.resourcegraph.models import QueryRequest, QueryRequestOptions

    rows: list[dict[str, Any]] = []
    # One request names at most 1,000 subscriptions; none means all the credential sees.
    chunks: list[list[str] | None] = [
        list(subscriptions[i:i + SUBSCRIPTIONS_PER_QUERY])
        for i in range(0, len(subscriptions), SUBSCRIPTIONS_PER_QUERY)] or [None]
    for chunk in chunks:
        token: str | None = None
        while True:
            options = QueryRequestOptions(result_format="objectArray", skip_token=token)
            request = QueryRequest(query=QUERY, subscriptions=chunk, options=options)
            response = client.resources(request, **call)
            rows.extend(r for r in (response.data or []) if isinstance(r, dict))
            token = response.skip_token
            if not token:
                break
    return rows


def _first_line(err: Exception) -> str:
    text = str(getattr(err, "message", None) or err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def discover_azure(out_dir: str, subscriptions: tuple[str, ...],
                   endpoint: str | None = None) -> Discovery:
    """Discover into ``out_dir``: one scope per subscription, or one failed query scope."""
    from azure.core.exceptions import AzureError, ClientAuthenticationError

    check_out_dir(out_dir)
    client, call = _client(endpoint)
    prepare_out_dir(out_dir)
    run = Discovery("azure", out_dir, utc_now())
    try:
        rows = query_vnets(client, call, subscriptions)
    except ClientAuthenticationError as err:
        raise DiscoveryError(f"Azure credentials (the SDK's chain: environment, workload or "
                             f"managed identity, az login) do not work: {_first_line(err)}"
                             ) from None
    except AzureError as err:
        run.results.append(ScopeResult("azure", ",".join(subscriptions) or None, None,
                                       "failed",
                                       f"Resource Graph query failed: {_first_line(err)}"))
        run.finished = utc_now()
        write_manifest(run)
        return run
    when = utc_now()
    by_subscription: dict[str, list[dict[str, Any]]] = {s: [] for s in subscriptions}
    for row in rows:
        by_subscription.setdefault(str(row.get("subscriptionId") or "unknown"), []).append(row)
    for subscription, found in by_subscription.items():
        result = ScopeResult("azure", subscription, None)
        # An empty list is no recognisable export: a subscription without
        # VNets gets no file, only its line in the provenance.
        if found:
            relpath = os.path.join("azure", subscription, "vnets.json")
            write_json(out_dir, relpath, [vnet_as_cli(r) for r in found], indent=2,
                       sort_keys=True)
            result.files.append(FileProvenance(relpath.replace(os.sep, "/"), API,
                                               subscription, None, when, len(found)))
        run.results.append(result)
    run.sort()
    run.finished = utc_now()
    write_manifest(run)
    return run
