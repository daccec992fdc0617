"""Which format a JSON document is, from its shape: the reader to use, or why none fits.

Exports get renamed (``vpcs.json``, ``prod.txt``), so the shape decides, not
the name. Wrappers of known shapes are looked through: a recorded boto3
response (``{"status_code": 200, "data": {...}}``) is read as its ``data``.
An unrecognised document is described (its top-level keys or item kinds)
together with the shapes that are understood, so the user sees why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cidrkit.sources import (
    arm,
    aws,
    azure,
    cloudformation,
    gcp,
    kubernetes,
    netbox,
    plan_outputs,
    pulumi,
    terraform,
    tfjson,
    tfplan,
)
from cidrkit.sources.jsonloc import Located, describe_type
from cidrkit.sources.sink import Sink

JsonReader = Callable[[Located, Sink], None]

#: What a JSON inventory may look like, for the message about one that is not understood.
UNDERSTOOD = ("Vpcs", "Subnets", "IpamPoolAllocations", "Terraform state (version 4)",
              "terraform show -json (values or planned_values)", "*.tf.json (resource/module)",
              "CloudFormation (Resources)", "ARM template (resources[].type)",
              "Pulumi stack export (deployment)", "Azure VNets (list or {value: [...]})",
              "GCP subnetworks/networks (list, items, aggregatedList or one)",
              "NetBox prefixes/IP ranges (results)", "Kubernetes objects (kind)",
              "cidrkit plan lock, --format json ({path: cidr}) or --format terraform "
              "(network_plan)")

_AZURE_VNET = "microsoft.network/virtualnetworks"


def _azure_vnet(value: object) -> bool:
    return isinstance(value, dict) and (
        "addressSpace" in value
        or str(value.get("type", "")).lower() == _AZURE_VNET
        or (isinstance(value.get("properties"), dict) and "addressSpace" in value["properties"]))


def _gcp_kind(value: object) -> str | None:
    if not isinstance(value, dict):
        return None
    kind = str(value.get("kind", ""))
    if kind.startswith("compute#subnetwork") or "ipCidrRange" in value:
        return "gcp-subnets"
    if kind.startswith("compute#network") or "IPv4Range" in value:
        return "gcp-networks"
    return None


def _gcp(value: dict[str, Any] | list[Any]) -> tuple[str, JsonReader] | None:
    """The GCP reader for a list, a REST list, an aggregated list or one resource."""
    if isinstance(value, list):
        samples = value
    else:
        items = value.get("items")
        if isinstance(items, dict):
            samples = [x for h in items.values() if isinstance(h, dict)
                       for key in ("subnetworks", "networks")
                       for x in (h[key] if isinstance(h.get(key), list) else [])]
            kind = str(value.get("kind", ""))
            if not samples and kind.startswith("compute#"):
                samples = [{"kind": kind.replace("AggregatedList", "")}]
        elif isinstance(items, list):
            samples = items or [{"kind": str(value.get("kind", "")).replace("List", "")}]
        else:
            samples = [value]
    kinds = {_gcp_kind(x) for x in samples}
    if kinds == {"gcp-subnets"}:
        return "gcp-subnets", gcp.read_subnetworks
    if kinds == {"gcp-networks"}:
        return "gcp-networks", gcp.read_networks
    return None


def _object_reader(value: dict[str, Any]) -> tuple[str, JsonReader] | None:
    if "Vpcs" in value:
        return "aws-describe-vpcs", aws.read_vpcs
    if "Subnets" in value:
        return "aws-describe-subnets", aws.read_subnets
    if "IpamPoolAllocations" in value:
        return "aws-ipam-pool-allocations", aws.read_ipam_allocations
    for key in aws.REFERENCE_KEYS:
        if key in value:
            return f"aws-{key.lower()}", lambda d, s, k=key: aws.read_references(d, s, k)
    if value.get("version") == 4 and "resources" in value:
        return "terraform-state", terraform.read_state
    if "format_version" in value and "planned_values" in value:
        return "terraform-plan-json", tfplan.read_plan
    if "format_version" in value and "values" in value:
        return "terraform-show-json", terraform.read_show
    if isinstance(value.get("Resources"), dict) or "AWSTemplateFormatVersion" in value:
        return "cloudformation", cloudformation.read_template
    if isinstance(value.get("resources"), list) and (
            "deploymentTemplate" in str(value.get("$schema", ""))
            or any(isinstance(r, dict) and "type" in r and "apiVersion" in r
                   for r in value["resources"])):
        return "arm-template", arm.read_template
    if isinstance(value.get("deployment"), dict) or (
            isinstance(value.get("resources"), list) and value["resources"]
            and all(isinstance(r, dict) and "urn" in r for r in value["resources"])):
        return "pulumi-state", pulumi.read_state
    results = value.get("results")
    if isinstance(results, list) and results and all(isinstance(r, dict) for r in results):
        if all("prefix" in r for r in results):
            return "netbox-api", netbox.read_api
        if all("start_address" in r for r in results):
            return "netbox-ip-ranges-api", netbox.read_ip_ranges_api
    if str(value.get("kind")) in kubernetes.KINDS:
        return "kubernetes", lambda d, s: kubernetes.read_documents(d, s, yaml=False)
    if isinstance(value.get("resource"), dict) or isinstance(value.get("module"), dict):
        return "terraform-json", tfjson.read_tf_json
    if _azure_vnet(value) or (isinstance(value.get("value"), list) and value["value"]
                              and all(_azure_vnet(v) for v in value["value"])):
        return "azure-vnet", azure.read_vnets
    return _gcp(value) or _plan_reader(value)


def _plan_reader(value: dict[str, Any]) -> tuple[str, JsonReader] | None:
    """cidrkit's own plan files, tried last: they only take what no export's shape claims."""
    if plan_outputs.is_lock(value):
        return "cidrkit-plan-lock", plan_outputs.read_lock
    if plan_outputs.is_terraform(value):
        return "cidrkit-plan-terraform", plan_outputs.read_terraform
    if plan_outputs.is_flat_json(value):
        return "cidrkit-plan-json", plan_outputs.read_flat_json
    return None


def json_reader(value: Any) -> tuple[str, JsonReader, str] | str:
    """(format name, reader, pointer of the document it reads) or why it is not understood."""
    base = ""
    # A recorded SDK response wraps the CLI's document in ``data``.
    if isinstance(value, dict) and isinstance(value.get("data"), dict) and (
            "status_code" in value or "ResponseMetadata" in value["data"]):
        value, base = value["data"], "/data"
    if isinstance(value, dict):
        if value.get("version") == 3 and "modules" in value:
            return ("Terraform state version 3 (Terraform 0.11 or older) is not supported: "
                    "upgrade it with Terraform 0.12 or later")
        if isinstance(value.get("value"), list) and value["value"] and all(
                _azure_vnet(v) for v in value["value"]):
            return "azure-vnet-rest", azure.read_vnets, base + "/value"
        found = _object_reader(value)
        if found is not None:
            return found[0], found[1], base
        keys = ", ".join(list(value)[:8]) + (", ..." if len(value) > 8 else "")
        seen = f"an object with keys {keys}" if value else "an empty object"
    elif isinstance(value, list):
        if value and all(_azure_vnet(v) for v in value):
            return "azure-vnet-list", azure.read_vnets, base
        found = _gcp(value) if value else None
        if found is not None:
            return found[0], found[1], base
        seen = "an empty list" if not value else (
            f"a list whose first item is {describe_type(value[0])}"
            if not isinstance(value[0], dict)
            else f"a list of objects with keys {', '.join(list(value[0])[:8])}")
    else:
        seen = describe_type(value)
    return f"JSON of an unrecognised shape: {seen}; understood: {'; '.join(UNDERSTOOD)}"
