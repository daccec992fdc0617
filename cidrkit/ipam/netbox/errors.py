"""Errors in the shape NetBox clients expect, and the authentication they use.

NetBox answers a bad field with 400 and ``{"<field>": ["<message>"]}``, and
everything else with ``{"detail": "<message>"}``; pynetbox turns any such
answer into ``RequestError`` (and a 409 on POST into ``AllocationError``),
quoting the body. Every route of the NetBox view uses ``NetBoxRoute``, which
renders the application layer's errors that way: a value cidrkit refuses
(its 422 ``invalid``) becomes a 400 naming the field, other statuses keep
their code and carry the message in ``detail`` (plus cidrkit's ``code`` and
``field``, which clients ignore). An idempotency key reused for another
request stays a 422 ``idempotency_mismatch``, the status the IETF
Idempotency-Key draft gives it, as in ``/api/v1``.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import sqlalchemy as sa
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.database import storage_error
from cidrkit.ipam.errors import InvalidRequest, IpamError
from cidrkit.ipam.http_errors import describe_validation, error_headers
from cidrkit.ipam.model import Token
from cidrkit.ipam.tokens import token_from_header


class BadField(InvalidRequest):
    """A request field the NetBox view refuses; rendered as NetBox's 400."""

    status = 400


def bad(field: str, message: str) -> BadField:
    """A 400 naming ``field``; ``message`` is prefixed with it, as cidrkit errors are."""
    return BadField(f"{field}: {message}", field=field)


def netbox_error(exc: IpamError) -> JSONResponse:
    """The NetBox-shaped response of an application error."""
    headers = error_headers(exc)
    if isinstance(exc, InvalidRequest):
        return JSONResponse({exc.field or "non_field_errors": [exc.message]}, status_code=400,
                            headers=headers)
    body: dict[str, object] = {"detail": exc.message, "code": exc.code}
    if exc.field is not None:
        body["field"] = exc.field
    return JSONResponse(body, status_code=exc.status, headers=headers)


class NetBoxRoute(APIRoute):
    """A route whose errors (its own and its dependencies') come out NetBox-shaped."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handle(request)
            except IpamError as exc:
                return netbox_error(exc)
            except sa.exc.DBAPIError as exc:
                return netbox_error(storage_error(exc))
            except RequestValidationError as exc:
                message, field = describe_validation(exc.errors(), exc.body)
                return netbox_error(BadField(message, field=field))

        return guarded


async def ipam_of(request: Request) -> IpamApp:
    """The application of the running server."""
    ipam: IpamApp = request.app.state.ipam
    return ipam


async def token_of(request: Request) -> Token:
    """The request's token, from ``Authorization: Token <key>`` or ``Bearer <key>``.

    401 when it is missing, malformed, unknown or revoked; 429 after too
    many failures (the same counting as the rest of the API).
    """
    ipam: IpamApp = request.app.state.ipam
    client = request.client.host if request.client else "unknown"
    return ipam.authenticate(token_from_header(request.headers.get("authorization")), client)
