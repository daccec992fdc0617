"""A lean route for the busiest requests: ``POST /api/v1/pools/{pool}/allocations`` and
``POST /api/v1/pools/{pool}/addresses``.

Under load the allocation endpoint is where the server spends its CPU, and
most of it went to the framework rather than to allocating: routing through
every middleware, solving the dependency graph, validating the body twice.
``AllocateFastPath`` sits in front of the FastAPI application and answers the
ordinary case itself with the very same pieces the full route uses (the
pydantic models, the token verifier, ``IpamApp.allocate``, the error body).

Anything out of the ordinary — a query string, another content type, a body
that does not validate, a missing token — is handed to the full application
untouched (the body it already read is replayed; so is an address request
giving both ``address`` and a ``count``), so every error message and
status stays exactly the one the documented API gives. Only the happy path,
the service's own refusals (404, 409, 422 from the allocator; 503/507 from
the database) and refused tokens (401, 429: counted once, by the same
``IpamApp.authenticate``) are answered here, in the same shape the full
route uses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from cidrkit.ipam.addresses import AddressItem
from cidrkit.ipam.api_models import AllocationIn, AllocationOut
from cidrkit.ipam.api_spans import AddressBatchOut, AddressIn, AddressOut
from cidrkit.ipam.app import IpamApp, to_request
from cidrkit.ipam.database import storage_error
from cidrkit.ipam.errors import IpamError
from cidrkit.ipam.http_errors import error_headers
from cidrkit.ipam.model import Token
from cidrkit.ipam.pools import is_pool_name

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ROUTE = re.compile(r"/api/v1/pools/([^/]+)/(allocations|addresses)")
# Allocation requests are a few hundred bytes; anything bigger takes the full route.
MAX_BODY = 64 * 1024
_JSON_HEADERS = [(b"content-type", b"application/json")]


class AllocateFastPath:
    """ASGI middleware: single allocations and address requests directly, every other
    request to ``app``."""

    def __init__(self, app: ASGIApp, ipam: IpamApp) -> None:
        self.app = app
        self.ipam = ipam

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope.get("query_string")
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        match = _ROUTE.fullmatch(scope["path"])
        if match is None or not is_pool_name(match.group(1)):
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if complete:
            answered = await self._answer(scope, match.group(1), match.group(2), body, send)
            if answered:
                return
        await self.app(scope, _replay(body, complete, receive), send)

    async def _answer(self, scope: Scope, pool: str, kind: str, body: bytes,
                      send: Send) -> bool:
        """Answer the request and return True, or return False to hand it on."""
        headers = dict(scope["headers"])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        scheme, _, credentials = headers.get(b"authorization", b"").partition(b" ")
        if content_type != b"application/json" or scheme.lower() != b"bearer":
            return False
        fields: AllocationIn | AddressIn
        try:
            if kind == "allocations":
                fields = AllocationIn.model_validate_json(body)
            else:
                fields = AddressIn.model_validate_json(body)
        except ValidationError:
            return False
        if isinstance(fields, AddressIn) and fields.address is not None and fields.count != 1:
            return False  # the full route's own refusal
        try:
            client = scope.get("client")
            token = self.ipam.authenticate(credentials.decode("latin-1").strip(),
                                           str(client[0]) if client else "unknown")
            if isinstance(fields, AllocationIn):
                status, answer = await self._allocate(token, pool, fields)
            else:
                status, answer = await self._take_addresses(token, pool, fields)
        except sa.exc.DBAPIError as exc:
            error = storage_error(exc)
            await _respond(send, error.status, _error_body(error))
            return True
        except IpamError as exc:
            await _respond(send, exc.status, _error_body(exc), error_headers(exc))
            return True
        await _respond(send, status, answer)
        return True

    async def _allocate(self, token: Token, pool: str, fields: AllocationIn) -> tuple[int, bytes]:
        request = to_request(
            prefix_length=fields.prefix_length, prefix=fields.prefix,
            strategy=fields.strategy, state=fields.state, description=fields.description,
            owner=fields.owner, tags=fields.tags,
        )
        result = await self.ipam.allocate(token, pool, [request], fields.idempotency_key,
                                          batch=False)
        out = AllocationOut.of(result.allocations[0])
        return 200 if result.replayed else 201, out.model_dump_json().encode()

    async def _take_addresses(self, token: Token, pool: str,
                              fields: AddressIn) -> tuple[int, bytes]:
        item = AddressItem(address=fields.address, state=fields.state,
                           description=fields.description, dns_name=fields.dns_name,
                           owner=fields.owner, tags=fields.tags)
        result = await self.ipam.allocate_addresses(token, pool, [item] * fields.count,
                                                    fields.idempotency_key,
                                                    allocation_id=fields.allocation_id)
        out = AddressBatchOut(addresses=[AddressOut.of(a) for a in result.addresses],
                              replayed=result.replayed)
        return 200 if result.replayed else 201, out.model_dump_json().encode()


def _error_body(exc: IpamError) -> bytes:
    # Byte for byte what the full route's JSONResponse renders for the same error.
    text = json.dumps({"error": exc.to_json()}, ensure_ascii=False, allow_nan=False,
                      indent=None, separators=(",", ":"))
    return text.encode("utf-8")


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether it is complete (False: too big or disconnected)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A ``receive`` that first gives back what was already read, then the rest."""
    sent = False

    async def replaying() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replaying


async def _respond(send: Send, status: int, body: bytes,
                   extra: dict[str, str] | None = None) -> None:
    headers = [*_JSON_HEADERS, (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
