"""The web page: server-rendered HTML (Jinja2) with a little JavaScript.

It uses the same tokens as the API: the login form stores the token in an
HttpOnly, SameSite=Strict cookie. Every form also carries a CSRF token, so a
form posted from another site is refused even where SameSite is not
enforced (older browsers, a sibling subdomain that can plant cookies):

* each browser session has a random nonce in a second HttpOnly cookie,
  issued with the first page and renewed at login and logout;
* a form's token is ``HMAC(key, nonce)``, where the key is the API token
  once logged in (a secret the other site does not have, and the same in
  every server process and after a restart) and a random per-process key
  on the login page;
* every POST must send the token matching its cookies, or gets a 403 page
  asking to reload.

Everything it loads is served by this process; nothing comes from a CDN.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from cidrkit.ipam import store
from cidrkit.ipam.app import IpamApp, actor_of, require, to_request
from cidrkit.ipam.errors import InvalidRequest, IpamError, Unauthorized
from cidrkit.ipam.model import PoolRules, Token
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.reports import free_page, utilisation
from cidrkit.ipam.spacemap import space_map

COOKIE = "cidrkit_token"
SESSION_COOKIE = "cidrkit_session"
CSRF_FIELD = "csrf"
# Signs login-page forms, before there is an API token to sign with.
_LOGIN_KEY = secrets.token_bytes(32)
HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)


def static_files() -> StaticFiles:
    """The CSS and JavaScript of the page."""
    return StaticFiles(directory=HERE / "static")


@lru_cache(maxsize=1)
def _templates() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"])
    )


def _set_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, httponly=True, samesite="strict", path="/")


def csrf_token(nonce: str, api_token: str | None) -> str:
    """The CSRF token of forms in the session ``nonce`` (logged in with ``api_token``)."""
    key = api_token.encode() if api_token else _LOGIN_KEY
    return hmac.new(key, f"cidrkit-csrf:{nonce}".encode(), hashlib.sha256).hexdigest()


def _render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page whose forms carry the session's CSRF token (a session is started if needed)."""
    nonce = request.cookies.get(SESSION_COOKIE)
    issued = nonce is None
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
    api_token = request.cookies.get(COOKIE) if context.get("token") else None
    html = _templates().get_template(name).render(csrf=csrf_token(nonce, api_token), **context)
    response = HTMLResponse(html, status_code=status)
    if issued:
        _set_cookie(response, SESSION_COOKIE, nonce)
    return response


def _csrf_ok(request: Request, form: dict[str, str], api_token: str | None) -> bool:
    nonce = request.cookies.get(SESSION_COOKIE)
    sent = form.get(CSRF_FIELD, "")
    return bool(nonce) and hmac.compare_digest(sent, csrf_token(nonce or "", api_token))


def _refused(request: Request, token: Token | None) -> HTMLResponse:
    message = ("This form has expired or was sent from another site; "
               "reload the page and try again.")
    return _render(request, "error.html", status=403, message=message, token=token)


def _ipam(request: Request) -> IpamApp:
    ipam: IpamApp = request.app.state.ipam
    return ipam


def _token(request: Request) -> Token | None:
    try:
        return _ipam(request).verifier.verify(request.cookies.get(COOKIE))
    except Unauthorized:
        return None


async def _form(request: Request) -> dict[str, str]:
    # URL-encoded forms only; parsed here rather than pulling in a multipart parser.
    parsed = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1].strip() for k, v in parsed.items()}


def _back(url: str, error: str | None = None) -> RedirectResponse:
    target = f"{url}?error={quote(error)}" if error else url
    return RedirectResponse(target, status_code=303)


def _login_page(request: Request, error: str | None = None) -> HTMLResponse:
    return _render(request, "login.html", status=401 if error else 200, error=error)


async def _posted(request: Request) -> tuple[Token, dict[str, str]] | Response:
    """The logged-in token and the posted form, or the page to answer instead:
    the login page without a valid token, a 403 when the CSRF token is wrong."""
    token = _token(request)
    if token is None:
        return _login_page(request)
    form = await _form(request)
    if not _csrf_ok(request, form, request.cookies.get(COOKIE)):
        return _refused(request, token)
    return token, form


@router.get("/", response_class=HTMLResponse)
def index(request: Request, error: str | None = None) -> Response:
    """Pools with utilisation bars, and a form to create one."""
    token = _token(request)
    if token is None:
        return _login_page(request)
    pools = _ipam(request).visible_pools(token)
    return _render(request, "index.html", token=token, pools=pools, error=error)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the token from the form and keep it in a cookie; start a new session."""
    form = await _form(request)
    if not _csrf_ok(request, form, None):
        return _refused(request, None)
    presented = form.get("token", "")
    try:
        _ipam(request).verifier.verify(presented)
    except Unauthorized as exc:
        return _login_page(request, exc.message)
    response = RedirectResponse("/", status_code=303)
    _set_cookie(response, COOKIE, presented)
    # A fresh nonce: one planted before login must not carry into the session.
    _set_cookie(response, SESSION_COOKIE, secrets.token_urlsafe(16))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    """Forget the token and end the session."""
    form = await _form(request)
    if not _csrf_ok(request, form, request.cookies.get(COOKIE)):
        return _refused(request, _token(request))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.post("/pools")
async def new_pool(request: Request) -> Response:
    """Create a pool from the form on the index page."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    token, form = posted
    try:
        name = form.get("name", "")
        require(token, name, "admin")
        lengths = {k: _int(form.get(k, ""), k) for k in ("min_length", "max_length",
                                                         "default_length")}
        tags = tuple(t.strip() for t in form.get("required_tags", "").split(",") if t.strip())
        spec = PoolSpec(
            name=name,
            prefixes=[p for p in form.get("prefixes", "").replace(",", " ").split() if p],
            rules=PoolRules(lengths["min_length"], lengths["max_length"],
                            lengths["default_length"], tags),
            description=form.get("description", ""),
        )
        create_pool(_ipam(request).db, spec, actor=actor_of(token))
    except IpamError as exc:
        return _back("/", exc.message)
    return _back(f"/pools/{quote(name)}")


@router.get("/pools/{name}", response_class=HTMLResponse)
def pool_page(request: Request, name: str, error: str | None = None) -> Response:
    """The pool's space map, allocations, allocate/release forms and audit log."""
    token = _token(request)
    if token is None:
        return _login_page(request)
    ipam = _ipam(request)
    try:
        pool = ipam.pool(token, name)
    except IpamError as exc:
        return _render(request, "error.html", status=exc.status, message=exc.message,
                       token=token)
    with ipam.db.read() as conn:
        live = store.live_blocks_by_state(conn, pool)
        items, total = store.list_allocations(conn, pool, limit=500)
        audit = store.read_audit(conn, pool=pool.name, limit=50)
        owners = {a.prefix: a for a in items if a.live}
    used = [p for p, _ in live]
    free = free_page(pool, used, length=None, offset=0, limit=1000)
    return _render(
        request,
        "pool.html",
        token=token,
        pool=pool,
        usage=utilisation(pool, live),
        map=space_map(pool, live, list(free.blocks), owners),
        allocations=items,
        total=total,
        audit=audit,
        can_write=token.allows(pool.name, "write"),
        error=error,
    )


@router.post("/pools/{name}/allocate")
async def allocate(request: Request, name: str) -> Response:
    """Allocate from the pool page's form, then show the page again."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    token, form = posted
    here = f"/pools/{quote(name)}"
    try:
        prefix = form.get("prefix") or None
        req = to_request(
            prefix_length=None if prefix else _int(form.get("prefix_length", ""), "prefix_length"),
            prefix=prefix,
            strategy=form.get("strategy", "best_fit") or "best_fit",
            state="reserved" if form.get("state") == "reserved" else "allocated",
            description=form.get("description", ""),
            owner=form.get("owner", ""),
            tags=_tags(form.get("tags", "")),
        )
        if req.strategy not in ("best_fit", "first_fit"):
            raise InvalidRequest("strategy: choose best_fit or first_fit", field="strategy")
        await _ipam(request).allocate(token, name, [req], None, batch=False)
    except IpamError as exc:
        return _back(here, exc.message)
    return _back(here)


@router.post("/allocations/{allocation_id}/release")
async def release(request: Request, allocation_id: int) -> Response:
    """Release from the pool page, then show it again."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    token = posted[0]
    ipam = _ipam(request)
    try:
        released = await ipam.release(token, allocation_id)
    except IpamError as exc:
        return _back("/", exc.message)
    return _back(f"/pools/{quote(released.pool)}")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request) -> Response:
    """The newest entries of the audit log the token may read."""
    token = _token(request)
    if token is None:
        return _login_page(request)
    with _ipam(request).db.read() as conn:
        entries = store.read_audit(conn, pool=token.pool, limit=200)
    return _render(request, "audit.html", token=token, audit=entries)


def _int(text: str, field: str) -> int | None:
    if not text:
        return None
    if not text.lstrip("/").isdigit():
        raise InvalidRequest(f"{field}: {text!r} is not a prefix length", field=field)
    return int(text.lstrip("/"))


def _tags(text: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for part in text.split(","):
        if part.strip():
            key, _, value = part.partition("=")
            tags[key.strip()] = value.strip()
    return tags
