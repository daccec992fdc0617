"""Live discovery: read the clouds' APIs and write the export files the importers read.

``discover_aws``, ``discover_azure`` and ``discover_gcp`` each write, under one
output folder, exactly the files a person would have exported by hand
(``aws ec2 describe-vpcs``, ``az network vnet list``, ``gcloud compute networks
subnets list``), so the audit, ``why``, the planner's ``avoid_from`` and the
IPAM import read them unchanged. Beside them go ``.discovery.json`` (the
provenance of every file: API call, account, region, time) and, for AWS,
``.connections.yaml`` (transit gateways and peerings, for ``audit
--connections``). Both start with a dot, so walking the folder as an
inventory skips them.

Each provider's SDK is an optional extra (``cidrkit[aws]``, ``cidrkit[azure]``,
``cidrkit[gcp]``), imported only when that provider is discovered.
"""

from cidrkit.discover.model import Discovery, DiscoveryError, ScopeResult

__all__ = ["Discovery", "DiscoveryError", "ScopeResult"]
