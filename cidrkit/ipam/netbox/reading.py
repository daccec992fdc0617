"""What every NetBox route reads from a request besides its query: the JSON body,
the ``Idempotency-Key`` header, and the API root URL the client used."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from cidrkit.ipam.netbox.errors import bad


def api_root(request: Request) -> str:
    """The URL of ``/api/`` as the client reached it (objects link to it)."""
    return f"{request.base_url}api/"


async def json_body(request: Request) -> Any:
    """The request's JSON body (an empty body is ``{}``); a 400 naming ``body`` when it is
    not JSON."""
    raw = await request.body()
    try:
        return json.loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise bad("body", f"invalid JSON ({exc})") from None
    except RecursionError:
        raise bad("body", "JSON nested too deeply") from None


def idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header: a retry with the same key and body gets the
    first attempt's objects back instead of new ones."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise bad("Idempotency-Key", "1-200 printable characters")
    return key
