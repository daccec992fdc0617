"""How every failure becomes the documented error body ``{"error": {code, message, field}}``.

Validation errors name the field; a body that is not JSON names its line and
column; database trouble is a 503/507 with a reason, never a bare 500.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from cidrkit.ipam.database import storage_error
from cidrkit.ipam.errors import IpamError, TooManyAttempts


def error_headers(exc: IpamError) -> dict[str, str]:
    """Headers an error response needs besides its body (``Retry-After`` on 429)."""
    if isinstance(exc, TooManyAttempts):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def describe_validation(errors: Any, body: Any = None) -> tuple[str, str]:
    """One message for pydantic/FastAPI validation errors, and the first field at fault."""
    problems = []
    first_field = None
    for err in errors:
        if err.get("type") == "json_invalid":
            where, message = "body", _json_position(err, body)
        else:
            loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")]
            where, message = ".".join(loc) or "body", err.get("msg", "invalid")
        first_field = first_field or where
        problems.append(f"{where}: {message}")
    return "; ".join(problems), first_field or "body"


def _json_position(err: dict[str, Any], body: Any) -> str:
    loc = err.get("loc", ())
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = (err.get("ctx") or {}).get("error", "")
    detail = f" ({reason[:80]})" if reason else ""
    if position is None or not isinstance(body, str | bytes):
        return f"invalid JSON{detail}"
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"invalid JSON at line {line} column {column}{detail}"


def _ipam_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, IpamError)
    return JSONResponse({"error": exc.to_json()}, status_code=exc.status,
                        headers=error_headers(exc))


def _database_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, sa.exc.DBAPIError)
    return _ipam_error(_request, storage_error(exc))


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    message, field = describe_validation(exc.errors(), exc.body)
    body = {"code": "invalid", "message": message, "field": field}
    return JSONResponse({"error": body}, status_code=422)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:
        # FastAPI's answer to a body it cannot decode at all (not UTF-8): that is
        # malformed input like any other, so it gets the documented 422.
        body = {"code": "invalid", "message": f"body: {exc.detail}", "field": "body"}
        return JSONResponse({"error": body}, status_code=422)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the methods of the first route matching the path;
        # the Allow header must list every method the resource supports.
        methods: set[str] = set()
        for route in request.app.routes:
            if isinstance(route, APIRoute) and route.path_regex.match(request.url.path):
                methods |= route.methods or set()
        headers["Allow"] = ", ".join(sorted(methods))
    if exc.status_code == 413:
        body = {"code": "too_large", "message": f"body: {exc.detail}", "field": "body"}
        return JSONResponse({"error": body}, status_code=413, headers=headers)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    field = {404: "path", 405: "method"}.get(exc.status_code, "request")
    body = {"code": code, "message": f"{request.method} {request.url.path}: {exc.detail}",
            "field": field}
    return JSONResponse({"error": body}, status_code=exc.status_code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that render every error in the documented shape."""
    app.add_exception_handler(IpamError, _ipam_error)
    app.add_exception_handler(sa.exc.DBAPIError, _database_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
