"""The web page: server-rendered HTML (Jinja2) with a little JavaScript.

Sessions live on the server (``cidrkit.ipam.sessions``): the login form
checks the API token once and the browser keeps only a random session id,
in an HttpOnly, SameSite=Strict cookie (``Secure`` with ``--secure-cookies``).
Every POST must

* come from this site: a browser's ``Origin`` (or ``Sec-Fetch-Site``) naming
  another origin is refused, which also stops login CSRF by a sibling site
  that can plant cookies;
* carry the form's CSRF token: the session's own secret once logged in, and
  ``HMAC(key, nonce)`` of a pre-login nonce cookie on the login form.

Forms go through the API's own pydantic models, so a value the API refuses
is refused here with the same message; after an error the form shows what
was typed. Everything the page loads is served by this process.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from cidrkit.ipam.api_models import AllocationIn, PoolIn
from cidrkit.ipam.app import IpamApp, to_request
from cidrkit.ipam.capacity import utilisation_warnings
from cidrkit.ipam.errors import InvalidRequest, IpamError
from cidrkit.ipam.http_errors import describe_validation, error_headers
from cidrkit.ipam.model import PoolRules, Token
from cidrkit.ipam.pools import PoolSpec, is_pool_name
from cidrkit.ipam.sessions import SESSION_COOKIE, WebSession
from cidrkit.ipam.webtext import audit_detail, form_length, form_list, form_tags, span_notice

LOGIN_COOKIE = "cidrkit_login"
CSRF_FIELD = "csrf"
MAX_FORM = 1024 * 1024
# Signs login-page forms, before there is a session to sign with.
_LOGIN_KEY = secrets.token_bytes(32)
HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)
docs_router = APIRouter(include_in_schema=False)


def static_files() -> dict[str, StaticFiles]:
    """The page's CSS, script and icon; the API docs' Swagger UI from its package."""
    import fastapi_offline

    swagger = Path(fastapi_offline.__file__).parent / "static"
    return {"/static": StaticFiles(directory=HERE / "static"),
            "/docs-assets": StaticFiles(directory=swagger)}


@lru_cache(maxsize=1)
def _templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )
    env.filters["audit_detail"] = audit_detail
    return env


def _set_cookie(request: Request, response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", path="/",
                        secure=bool(request.app.state.secure_cookies))


def _drop_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict",
                           secure=bool(request.app.state.secure_cookies))


def login_csrf(nonce: str) -> str:
    """The CSRF token of the login form for the pre-login ``nonce``."""
    return hmac.new(_LOGIN_KEY, f"cidrkit-login:{nonce}".encode(), hashlib.sha256).hexdigest()


def _ipam(request: Request) -> IpamApp:
    ipam: IpamApp = request.app.state.ipam
    return ipam


def _session(request: Request) -> WebSession | None:
    return _ipam(request).sessions.resolve(request.cookies.get(SESSION_COOKIE))


def _render(request: Request, name: str, session: WebSession | None, status: int = 200,
            headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """A page whose forms carry the CSRF token (of the session, or of a login nonce)."""
    nonce = None
    if session is not None:
        csrf = session.csrf
    else:
        nonce = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(16)
        csrf = login_csrf(nonce)
    token = session.token if session else None
    html = _templates().get_template(name).render(csrf=csrf, token=token, **context)
    response = HTMLResponse(html, status_code=status, headers=headers)
    if nonce is not None and nonce != request.cookies.get(LOGIN_COOKIE):
        _set_cookie(request, response, LOGIN_COOKIE, nonce)
    return response


def _same_origin(request: Request) -> bool:
    """False when the browser says the form came from another site or origin."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _form(request: Request) -> dict[str, str]:
    # URL-encoded forms only; parsed here rather than pulling in a multipart parser.
    raw = await request.body()
    if len(raw) > MAX_FORM:
        raise InvalidRequest(f"body: a form of at most {MAX_FORM} bytes", field="body")
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise InvalidRequest("body: the form is not valid UTF-8", field="body") from None
    return {k: v[-1].strip() for k, v in parsed.items()}


def _refused(request: Request, session: WebSession | None) -> HTMLResponse:
    message = ("This form has expired or was sent from another site; "
               "reload the page and try again.")
    return _render(request, "error.html", session, status=403, message=message)


async def _posted(request: Request) -> tuple[WebSession, dict[str, str]] | Response:
    """The session and the posted form, or the page to answer instead: the login
    page without a session, a 403 when the origin or the CSRF token is wrong."""
    session = _session(request)
    if session is None:
        return _render(request, "login.html", None, status=401,
                       error="Your session has ended; log in again.")
    try:
        form = await _form(request)
    except IpamError as exc:
        return _error_page(request, session, exc)
    sent = form.get(CSRF_FIELD, "")
    if not _same_origin(request) or not hmac.compare_digest(sent, session.csrf):
        return _refused(request, session)
    return session, form


def _error_page(request: Request, session: WebSession | None, exc: IpamError) -> HTMLResponse:
    return _render(request, "error.html", session, status=exc.status, message=exc.message,
                   headers=error_headers(exc))


def _validation(exc: ValidationError) -> InvalidRequest:
    message, field = describe_validation(exc.errors())
    return InvalidRequest(message, field=field)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, deleted: str | None = None) -> Response:
    """Pools with utilisation bars, and a form to create one."""
    session = _session(request)
    if session is None:
        return _render(request, "login.html", None)
    return _index(request, session, notice=f"Pool {deleted} deleted."
                  if deleted and is_pool_name(deleted) else None)


def _index(request: Request, session: WebSession, *, status: int = 200,
           error: str | None = None, notice: str | None = None,
           values: dict[str, str] | None = None) -> HTMLResponse:
    pools = _ipam(request).visible_pools(session.token)
    spaces = _ipam(request).spaces(session.token)
    return _render(request, "index.html", session, status=status, pools=pools, error=error,
                   notice=notice, values=values or {}, spaces=spaces,
                   warnings={p.name: utilisation_warnings(p, u) for p, u in pools})


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the token from the form once, then start a server-side session."""
    try:
        form = await _form(request)
    except IpamError as exc:
        return _render(request, "login.html", None, status=exc.status, error=exc.message)
    nonce = request.cookies.get(LOGIN_COOKIE, "")
    expected = login_csrf(nonce) if nonce else ""
    if (not _same_origin(request) or not expected
            or not hmac.compare_digest(form.get(CSRF_FIELD, ""), expected)):
        return _refused(request, None)
    ipam = _ipam(request)
    try:
        token = ipam.authenticate(form.get("token", ""), _client(request))
    except IpamError as exc:
        return _render(request, "login.html", None, status=exc.status, error=exc.message,
                       headers=error_headers(exc))
    response = RedirectResponse("/", status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, ipam.sessions.start(token))
    _drop_cookie(request, response, LOGIN_COOKIE)
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/logout")
async def logout(request: Request) -> Response:
    """End the session on the server and forget its cookie."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    _ipam(request).sessions.end(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    _drop_cookie(request, response, SESSION_COOKIE)
    return response


@router.post("/pools")
async def new_pool(request: Request) -> Response:
    """Create a pool (top-level, or a child of a parent) from the index page's form."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    try:
        try:
            body = PoolIn.model_validate({
                "name": form.get("name", ""),
                "prefixes": form_list(form.get("prefixes", "")),
                "parent": form.get("parent") or None,
                "prefix_length": form_length(form.get("prefix_length", ""), "prefix_length"),
                "min_length": form_length(form.get("min_length", ""), "min_length"),
                "max_length": form_length(form.get("max_length", ""), "max_length"),
                "default_length": form_length(form.get("default_length", ""),
                                              "default_length"),
                "required_tags": form_list(form.get("required_tags", "")),
                "description": form.get("description", ""),
                "space": form.get("space") or None,
                "warn_at": form.get("warn_at") or None,
            })
        except ValidationError as exc:
            raise _validation(exc) from None
        spec = PoolSpec(
            name=body.name, prefixes=body.prefixes, parent=body.parent,
            prefix_length=body.prefix_length,
            rules=PoolRules(body.min_length, body.max_length, body.default_length,
                            tuple(body.required_tags)),
            description=body.description, space=body.space, warn_at=body.warn_at,
        )
        _ipam(request).create_pool(session.token, spec)
    except IpamError as exc:
        return _index(request, session, status=exc.status, error=exc.message, values=form)
    return RedirectResponse(f"/pools/{quote(body.name)}?created=1", status_code=303)


@router.get("/pools/{name}", response_class=HTMLResponse)
def pool_page(request: Request, name: str, created: str | None = None,
              allocated: str | None = None, released: str | None = None) -> Response:
    """The pool's space map, free blocks, allocations, forms and audit log."""
    session = _session(request)
    if session is None:
        return _render(request, "login.html", None)
    notice = None
    if created:
        notice = f"Pool {name} created."
    for verb, value in (("Allocated", allocated), ("Released", released)):
        if value and value.isascii() and value.isdigit() and len(value) < 11:
            notice = f"{verb} allocation #{int(value)}."
    notice = span_notice(request.query_params) or notice
    return _pool(request, session, name, notice=notice)


def _pool(request: Request, session: WebSession, name: str, *, status: int = 200,
          error: str | None = None, notice: str | None = None,
          values: dict[str, str] | None = None) -> HTMLResponse:
    try:
        view = _ipam(request).pool_view(session.token, name)
    except IpamError as exc:
        return _error_page(request, session, exc)
    return _render(request, "pool.html", session, status=status, view=view, pool=view.pool,
                   error=error, notice=notice, values=values)


@router.post("/pools/{name}/allocate")
async def allocate(request: Request, name: str) -> Response:
    """Allocate from the pool page's form; on error show the form again as typed."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session, form = posted
    try:
        fields: dict[str, Any] = {
            "strategy": form.get("strategy") or "best_fit",
            "state": form.get("state") or "allocated",
            "description": form.get("description", ""),
            "owner": form.get("owner", ""),
            "tags": form_tags(form.get("tags", "")),
        }
        if form.get("prefix"):
            fields["prefix"] = form["prefix"]
        else:
            fields["prefix_length"] = form_length(form.get("prefix_length", ""),
                                                  "prefix_length")
        try:
            body = AllocationIn.model_validate(fields)
        except ValidationError as exc:
            raise _validation(exc) from None
        request_ = to_request(prefix_length=body.prefix_length, prefix=body.prefix,
                              strategy=body.strategy, state=body.state,
                              description=body.description, owner=body.owner, tags=body.tags)
        result = await _ipam(request).allocate(session.token, name, [request_], None,
                                               batch=False)
    except IpamError as exc:
        return _pool(request, session, name, status=exc.status, error=exc.message, values=form)
    made = result.allocations[0]
    return RedirectResponse(f"/pools/{quote(name)}?allocated={made.id}", status_code=303)


@router.post("/pools/{name}/delete")
async def delete(request: Request, name: str) -> Response:
    """Delete the pool (admin), then go back to the pool list."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session = posted[0]
    try:
        _ipam(request).delete_pool(session.token, name)
    except IpamError as exc:
        return _pool(request, session, name, status=exc.status, error=exc.message)
    return RedirectResponse(f"/?deleted={quote(name)}", status_code=303)


@router.post("/allocations/{allocation_id}/release")
async def release(request: Request, allocation_id: str) -> Response:
    """Release from the pool page, then show it again."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    session = posted[0]
    try:
        if not re.fullmatch(r"[0-9]{1,10}", allocation_id, re.ASCII):
            raise InvalidRequest(f"allocation_id: {allocation_id[:40]!r} is not an id",
                                 field="allocation_id")
        released = await _ipam(request).release(session.token, int(allocation_id))
    except IpamError as exc:
        return _error_page(request, session, exc)
    return RedirectResponse(f"/pools/{quote(released.pool)}?released={released.id}",
                            status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    """The newest entries of the audit log the token may read."""
    session = _session(request)
    if session is None:
        return _render(request, "login.html", None)
    token: Token = session.token
    entries = _ipam(request).audit(token, token.pool, limit=200)
    return _render(request, "audit.html", session, audit=entries)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for it at the root; the icon is the page's own SVG."""
    return RedirectResponse("/static/favicon.svg", status_code=308)


@docs_router.get("/docs", response_class=HTMLResponse)
def docs_page() -> HTMLResponse:
    """Swagger UI over /openapi.json, every asset served by this process."""
    return HTMLResponse(_templates().get_template("docs.html").render())
