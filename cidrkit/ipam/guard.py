"""The outermost layer of the server: body size limits and security headers.

Body limits (``cidrkit.ipam.limits``): a request that declares a body over
the limit is refused with 413 before a byte of it is read; one that streams
more than it may (chunked, or lying about its length) is cut off with 413
as soon as it crosses the limit. A request without a valid token or web
session may send only what a login form needs, so an anonymous client
cannot make the server read, buffer or parse anything large.

Every response gets headers that keep the page from being framed, sniffed
or leaking its URLs, and a Content-Security-Policy that allows only what
the page itself serves.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import CookieError, SimpleCookie
from typing import Any

from fastapi import HTTPException

from cidrkit.ipam.app import IpamApp
from cidrkit.ipam.limits import MAX_ANONYMOUS_BODY, MAX_BODY
from cidrkit.ipam.sessions import SESSION_COOKIE
from cidrkit.ipam.tokens import token_from_header

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Style attributes draw the space map to scale; no inline script anywhere.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI injects <style> elements of its own.
DOCS_POLICY = PAGE_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null"
    # on the page's own forms, and the origin check could not tell them apart.
    (b"referrer-policy", b"same-origin"),
]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a body crosses its limit.

    An ``HTTPException`` so that FastAPI, which wraps other errors met while
    reading a body into a 400, lets it through to the 413 handler.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"larger than the limit of {limit} bytes")
        self.limit = limit


class RequestGuard:
    """ASGI middleware: size limits on request bodies, security headers on responses."""

    def __init__(self, app: ASGIApp, ipam: IpamApp) -> None:
        self.app = app
        self.ipam = ipam

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        policy = DOCS_POLICY if scope["path"] in ("/docs", "/docs/") else PAGE_POLICY

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [*SECURITY_HEADERS, (b"content-security-policy", policy.encode())]
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        headers = dict(scope.get("headers") or [])
        declared = _content_length(headers.get(b"content-length"))
        if declared is not None and declared > self._limit(scope, headers, declared):
            await _too_large(send_with_headers, self._limit(scope, headers, declared))
            return
        received = 0
        checked_identity = False
        limit = MAX_BODY

        async def limited_receive() -> Message:
            nonlocal received, checked_identity, limit
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_ANONYMOUS_BODY and not checked_identity:
                    checked_identity = True
                    limit = self._limit(scope, headers, received)
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge as exc:
            if started:
                raise
            await _too_large(send_with_headers, exc.limit)

    def _limit(self, scope: Scope, headers: dict[bytes, bytes], size: int) -> int:
        """The body limit of this request; the identity is looked at only for big bodies."""
        if size <= MAX_ANONYMOUS_BODY:
            return MAX_BODY
        return MAX_BODY if self._authenticated(headers) else MAX_ANONYMOUS_BODY

    def _authenticated(self, headers: dict[bytes, bytes]) -> bool:
        presented = token_from_header(headers.get(b"authorization", b"").decode("latin-1"))
        return self.ipam.is_authenticated(presented, _session_cookie(headers))


def _content_length(value: bytes | None) -> int | None:
    if value is None:
        return None
    text = value.decode("latin-1").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 20 else None


def _session_cookie(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"cookie")
    if not raw:
        return None
    try:
        jar: SimpleCookie = SimpleCookie(raw.decode("latin-1"))
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else None


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"error": {"code": "too_large",
                                 "message": f"body: larger than the limit of {limit} bytes",
                                 "field": "body"}}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
