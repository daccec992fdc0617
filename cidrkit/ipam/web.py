"""The web page: server-rendered HTML (Jinja2) with a little JavaScript.

It uses the same tokens as the API: the login form stores the token in an
HttpOnly, SameSite=Strict cookie, which also keeps other sites from posting
forms on the user's behalf. Everything it loads is served by this process;
nothing comes from a CDN.
"""

from __future__ import annotations

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


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates().get_template(name).render(**context), status_code=status)


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


def _login_page(error: str | None = None) -> HTMLResponse:
    return _render("login.html", status=401 if error else 200, error=error)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, error: str | None = None) -> Response:
    """Pools with utilisation bars, and a form to create one."""
    token = _token(request)
    if token is None:
        return _login_page()
    pools = _ipam(request).visible_pools(token)
    return _render("index.html", token=token, pools=pools, error=error)


@router.post("/login")
async def login(request: Request) -> Response:
    """Check the token from the form and keep it in a cookie."""
    presented = (await _form(request)).get("token", "")
    try:
        _ipam(request).verifier.verify(presented)
    except Unauthorized as exc:
        return _login_page(exc.message)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, presented, httponly=True, samesite="strict")
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the token."""
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.post("/pools")
async def new_pool(request: Request) -> Response:
    """Create a pool from the form on the index page."""
    token = _token(request)
    if token is None:
        return _login_page()
    form = await _form(request)
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
        return _login_page()
    ipam = _ipam(request)
    try:
        pool = ipam.pool(token, name)
    except IpamError as exc:
        return _render("error.html", status=exc.status, message=exc.message, token=token)
    with ipam.db.read() as conn:
        live = store.live_blocks_by_state(conn, pool)
        items, total = store.list_allocations(conn, pool, limit=500)
        audit = store.read_audit(conn, pool=pool.name, limit=50)
        owners = {a.prefix: a for a in items if a.live}
    used = [p for p, _ in live]
    free = free_page(pool, used, length=None, offset=0, limit=1000)
    return _render(
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
    token = _token(request)
    if token is None:
        return _login_page()
    form = await _form(request)
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
    token = _token(request)
    if token is None:
        return _login_page()
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
        return _login_page()
    with _ipam(request).db.read() as conn:
        entries = store.read_audit(conn, pool=token.pool, limit=200)
    return _render("audit.html", token=token, audit=entries)


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
