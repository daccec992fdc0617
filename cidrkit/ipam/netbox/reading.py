"""What every NetBox route reads from a request besides its query: the JSON body,
the ``Idempotency-Key`` header, and the API root URL the client used.

The routes are plain functions, which FastAPI runs in its thread pool: they
read the database through the application layer, and doing that on the
event loop would make every other request wait. The body is read by an
async dependency (``Body``), and the application layer's async writes are
awaited from the thread with ``run_async``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Annotated, Any, TypeVar

from anyio import from_thread
from fastapi import Depends, Request

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


T = TypeVar("T")


def run_async(function: Callable[..., Coroutine[Any, Any, T]], *args: Any, **kwargs: Any) -> T:
    """Await ``function(*args, **kwargs)`` on the event loop from a route's worker thread."""
    call: Callable[[], Coroutine[Any, Any, T]] = partial(function, *args, **kwargs)
    return from_thread.run(call)


def idempotency_key(request: Request) -> str | None:
    """The ``Idempotency-Key`` header: a retry with the same key and body gets the
    first attempt's objects back instead of new ones."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise bad("Idempotency-Key", "1-200 printable characters")
    return key


Body = Annotated[Any, Depends(json_body)]
