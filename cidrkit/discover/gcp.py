"""``discover gcp``: every subnetwork of each project, from the Compute API.

One ``subnetworks.aggregatedList`` per project covers every region. Each
project is a scope of its own, read in parallel; a project that refuses (no
permission, Compute API disabled) fails alone. Subnetworks are written as
``gcp/<project>/subnets.json`` in the shape of ``gcloud compute networks
subnets list --format=json``: the REST resource's JSON (camelCase names,
uint64 ids as strings), keys sorted, indent 2.
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
from cidrkit.discover.runner import Progress, run_bounded
from cidrkit.discover.writer import (
    check_out_dir,
    prepare_out_dir,
    write_json,
    write_manifest,
)

API = "compute:subnetworks.aggregatedList"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def default_credentials() -> Any:
    """Application Default Credentials: environment key file, gcloud login, metadata server."""
    import google.auth
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _ = google.auth.default(
            scopes=["https://www.googleapis.com/auth/compute.readonly"])
    except DefaultCredentialsError as err:
        raise DiscoveryError(f"GCP credentials (Application Default Credentials) not found: "
                             f"{err}") from None
    return credentials


def _client(endpoint: str | None) -> Any:
    try:
        from google.api_core.client_options import ClientOptions
        from google.cloud.compute_v1 import SubnetworksClient
    except ImportError:
        raise DiscoveryError("GCP discovery needs the Compute client: "
                             "pip install 'cidrkit[gcp]'") from None
    options = None
    if endpoint is not None:
        parts = urlsplit(endpoint)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise DiscoveryError(f"--endpoint {endpoint}: not an http(s) URL")
        if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
            # Credentials must never cross a network in clear.
            raise DiscoveryError(f"--endpoint {endpoint}: plain http is only allowed on "
                                 "loopback; use https")
        options = ClientOptions(api_endpoint=endpoint.rstrip("/"))
    return SubnetworksClient(credentials=default_credentials(), client_options=options)


def subnetwork_json(subnet: Any) -> dict[str, Any]:
    """A ``compute_v1.Subnetwork`` as the REST API (and gcloud) spell it."""
    data: dict[str, Any] = type(subnet).to_dict(subnet, preserving_proto_field_name=False)
    # Repeated fields come back as [] when unset; the API leaves them out.
    return {k: v for k, v in data.items() if v != [] and v != {}}


def _read_project(client: Any, out_dir: str, project: str) -> ScopeResult:
    from google.api_core.exceptions import GoogleAPICallError, RetryError

    result = ScopeResult("gcp", project, None)
    subnets: list[dict[str, Any]] = []
    try:
        for _, scoped in client.aggregated_list(project=project):
            subnets.extend(subnetwork_json(s) for s in scoped.subnetworks)
    except (GoogleAPICallError, RetryError) as err:
        result.status = "failed"
        result.error = str(getattr(err, "message", None) or err).splitlines()[0]
        code = getattr(err, "code", None)
        if code is not None:
            result.error = f"{int(code)} {result.error}"
        return result
    when = utc_now()
    # An empty list is no recognisable export: a project without subnetworks
    # gets no file, only its line in the provenance.
    if subnets:
        subnets.sort(key=lambda s: str(s.get("selfLink") or s.get("name") or ""))
        relpath = os.path.join("gcp", project, "subnets.json")
        write_json(out_dir, relpath, subnets, indent=2, sort_keys=True)
        result.files.append(FileProvenance(relpath.replace(os.sep, "/"), API, project, None,
                                           when, len(subnets)))
    return result


def discover_gcp(out_dir: str, projects: tuple[str, ...], endpoint: str | None = None,
                 concurrency: int = 8, progress: Progress | None = None) -> Discovery:
    """Discover every subnetwork of ``projects`` into the new or empty folder ``out_dir``."""
    check_out_dir(out_dir)
    client = _client(endpoint)
    prepare_out_dir(out_dir)
    run = Discovery("gcp", out_dir, utc_now())
    run.results = run_bounded(sorted(set(projects)),
                              lambda p: _read_project(client, out_dir, p),
                              concurrency=concurrency, label=lambda p: f"project {p}",
                              progress=progress)
    run.sort()
    run.finished = utc_now()
    write_manifest(run)
    return run
