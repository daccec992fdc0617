"""Where a record came from, as a SARIF 2.1.0 location.

Both the audit report and the drift report point CI at the line of an export
file; they live in layers that may not import each other, so the one
definition of "an origin as a SARIF location" lives here, beside ``Origin``.
"""

from __future__ import annotations

from typing import Any

from cidrkit.sources.record import Origin


def sarif_location(origin: Origin, message: str | None = None) -> dict[str, Any]:
    """The file (forward slashes), line and resource address of ``origin``."""
    physical: dict[str, Any] = {"artifactLocation": {"uri": origin.file.replace("\\", "/")}}
    if origin.line is not None:
        physical["region"] = {"startLine": origin.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    names = [x for x in (origin.address, origin.pointer) if x]
    if names:
        location["logicalLocations"] = [{"fullyQualifiedName": names[0]}]
    if message:
        location["message"] = {"text": message}
    return location
