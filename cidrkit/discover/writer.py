"""Writing discovered files: a fresh output folder, JSON as the real tools print it, provenance.

The folder must be new or empty: stale files of an account that failed this
time would otherwise be audited as if they were current.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import Any

from cidrkit.discover.model import Discovery, DiscoveryError

MANIFEST = ".discovery.json"
CONNECTIONS = ".connections.yaml"
MANIFEST_FORMAT = 1


def check_out_dir(path: str) -> None:
    """DiscoveryError unless ``path`` is absent or an empty folder; creates nothing."""
    if os.path.exists(path):
        if not os.path.isdir(path):
            raise DiscoveryError(f"{path}: exists and is not a folder")
        if os.listdir(path):
            raise DiscoveryError(f"{path}: folder is not empty; discover into a new folder "
                                 "(stale files would be audited as current)")


def prepare_out_dir(path: str) -> None:
    """Create ``path``, or accept it when it is an empty folder; DiscoveryError otherwise."""
    check_out_dir(path)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as err:
        raise DiscoveryError(f"{path}: cannot create folder: {err.strerror}") from None


def _plain(value: Any) -> Any:
    """JSON for SDK values the standard encoder does not know (timestamps)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def write_json(out_dir: str, relpath: str, data: Any, indent: int,
               sort_keys: bool = False) -> None:
    """Write ``data`` to ``out_dir/relpath`` as the exporting tool would (``indent`` spaces).

    Written to a temporary name and renamed, so an interrupted run never
    leaves half a file that would read as a short inventory.
    """
    path = os.path.join(out_dir, relpath)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".partial"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=indent, ensure_ascii=False, default=_plain,
                  sort_keys=sort_keys)
        handle.write("\n")
    os.replace(temporary, path)


def manifest(run: Discovery) -> dict[str, Any]:
    """Every scope's outcome and every file's provenance, as JSON-ready data."""
    return {
        "cidrkit-discovery": MANIFEST_FORMAT,
        "provider": run.provider,
        "started": run.started,
        "finished": run.finished,
        "partial": run.partial,
        "connections": run.connections_file,
        "scopes": [r.to_json() for r in run.results],
        "files": [f.to_json() for r in run.results for f in r.files],
    }


def write_manifest(run: Discovery) -> None:
    """Write ``.discovery.json`` (see ``manifest``) into the output folder."""
    write_json(run.out_dir, MANIFEST, manifest(run), indent=2)
