"""The HTTP JSON API (FastAPI) and the application factory.

Handlers only translate: HTTP in, ``IpamApp``/library calls, JSON out. Every
error is ``{"error": {"code", "message", "field"}}`` with the status of its
``IpamError`` class; validation errors name the offending field.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cidrkit.ipam.api_models import (
    AllocationIn,
    AllocationOut,
    AllocationPage,
    AuditOut,
    BatchIn,
    BatchOut,
    ErrorOut,
    FreeOut,
    ImportIn,
    ImportOut,
    PoolIn,
    PoolOut,
    WhoAmI,
)
from cidrkit.ipam.app import IpamApp, to_request
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import InvalidRequest
from cidrkit.ipam.fastpath import AllocateFastPath
from cidrkit.ipam.guard import RequestGuard
from cidrkit.ipam.http_errors import install_error_handlers
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.model import PoolRules, Token
from cidrkit.ipam.pools import POOL_NAME, PoolSpec
from cidrkit.ipam.reports import MAX_PAGE

_bearer = HTTPBearer(auto_error=False, description="An API token from 'cidrkit token create'")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        401: "Missing, unknown or revoked token",
        403: "Token lacks the scope for this pool",
        404: "No such pool or allocation",
        409: "Conflict: pool exhausted, prefix overlaps, pool in use or exists",
        413: "Request body too large",
        422: "Invalid input; the message and 'field' name the offending field",
        429: "Too many failed logins from this client or for this token id (see Retry-After)",
        503: "The database is read-only or unavailable; nothing was written",
        507: "The database's disk is full; nothing was written",
    }
    return {c: {"model": ErrorOut, "description": text[c]} for c in codes}


# Anchored for pydantic's regex engine, where ``$`` is the end of the text.
POOL_NAME_PATTERN = f"^{POOL_NAME.pattern}$"
PoolName = Annotated[str, Path(pattern=POOL_NAME_PATTERN, description="Pool name")]
AllocationId = Annotated[int, Path(ge=1, le=2**62)]


# Dependencies are coroutines on purpose: FastAPI runs plain functions in a
# worker thread, and the hand-off costs more than the work they do.
async def _app(request: Request) -> IpamApp:
    ipam: IpamApp = request.app.state.ipam
    return ipam


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Token:
    """The request's token; 401 if missing or invalid."""
    presented = credentials.credentials if credentials else None
    ipam: IpamApp = request.app.state.ipam
    return ipam.authenticate(presented, client_address(request.scope))


async def reject_unknown_query(request: Request) -> None:
    """422 for query parameters the operation does not define (a typo such as
    ``?lenght=24`` must not be silently ignored; bodies forbid extra fields too),
    and for a single-valued parameter given more than once."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    params = list(route.dependant.query_params)
    for dependency in route.dependant.dependencies:
        params.extend(dependency.query_params)
    known = {param.alias for param in params}
    repeatable = {p.alias for p in params if "list" in str(p.field_info.annotation)}
    for name in request.query_params:
        if name not in known:
            raise InvalidRequest(f"{name or '(empty)'}: unknown query parameter",
                                 field=name or "query")
        if name not in repeatable and len(request.query_params.getlist(name)) > 1:
            raise InvalidRequest(f"{name}: given more than once", field=name)


Auth = Annotated[Token, Depends(authenticate)]
Ipam = Annotated[IpamApp, Depends(_app)]

def client_address(scope: Any) -> str:
    """The peer address of a request (what per-client limits count)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


router = APIRouter(prefix="/api/v1", responses=_errors(401, 403, 413, 422, 429, 503),
                   dependencies=[Depends(reject_unknown_query)])


@router.get("/whoami", response_model=WhoAmI, tags=["tokens"])
def whoami(token: Auth) -> WhoAmI:
    """The token making the request and what it may do."""
    return WhoAmI(token_id=token.id, name=token.name, pool=token.pool, scope=token.scope)


@router.get("/pools", response_model=list[PoolOut], tags=["pools"], responses=_errors(404))
def list_pools(token: Auth, ipam: Ipam,
               space: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
               ) -> list[PoolOut]:
    """Every pool the token may read, with utilisation; ``space`` keeps those of one
    space (404 if there is no such space)."""
    return [PoolOut.of(p, u) for p, u in ipam.visible_pools(token, space=space)]


@router.post("/pools", response_model=PoolOut, status_code=201, tags=["pools"],
             responses=_errors(404, 409, 507))
def post_pool(body: PoolIn, token: Auth, ipam: Ipam) -> PoolOut:
    """Create a pool. Needs admin on the new pool's name, on its parent, or on all pools."""
    spec = PoolSpec(
        name=body.name,
        prefixes=body.prefixes,
        parent=body.parent,
        prefix_length=body.prefix_length,
        rules=PoolRules(body.min_length, body.max_length, body.default_length,
                        tuple(body.required_tags)),
        description=body.description,
        space=body.space,
        warn_at=body.warn_at,
        usable_model=body.usable_model,
    )
    return PoolOut.of(*ipam.create_pool(token, spec))


@router.get("/pools/{pool}", response_model=PoolOut, tags=["pools"], responses=_errors(404))
def get_pool(pool: PoolName, token: Auth, ipam: Ipam) -> PoolOut:
    """One pool with its rules and utilisation."""
    return PoolOut.of(*ipam.pool_with_usage(token, pool))


@router.delete("/pools/{pool}", status_code=204, tags=["pools"], responses=_errors(404, 409, 507))
def remove_pool(pool: PoolName, token: Auth, ipam: Ipam) -> Response:
    """Delete a pool; refused (409) while it has live allocations."""
    ipam.delete_pool(token, pool)
    return Response(status_code=204)


@router.get("/pools/{pool}/allocations", response_model=AllocationPage, tags=["allocations"],
            responses=_errors(404))
def list_allocations(
    pool: PoolName,
    token: Auth,
    ipam: Ipam,
    state: Annotated[list[str] | None, Query(description="reserved, allocated, released")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**62)] = 0,
) -> AllocationPage:
    """A page of the pool's allocations in address order (all states unless filtered)."""
    items, total = ipam.allocations(token, pool, states=state, limit=limit, offset=offset)
    return AllocationPage(total=total, offset=offset,
                          allocations=[AllocationOut.of(a) for a in items])


@router.post(
    "/pools/{pool}/allocations",
    response_model=AllocationOut,
    status_code=201,
    tags=["allocations"],
    responses={200: {"model": AllocationOut, "description": "Replayed: the idempotency key "
                     "matched an earlier identical request"}, **_errors(404, 409, 507)},
)
async def allocate(
    pool: PoolName, body: AllocationIn, token: Auth, ipam: Ipam, response: Response
) -> AllocationOut:
    """Allocate the next free block of ``prefix_length`` (best fit unless ``first_fit``),
    or exactly ``prefix``. With an ``idempotency_key`` a retry returns the same block."""
    request = to_request(
        prefix_length=body.prefix_length, prefix=body.prefix, strategy=body.strategy,
        state=body.state, description=body.description, owner=body.owner, tags=body.tags,
    )
    result = await ipam.allocate(token, pool, [request], body.idempotency_key, batch=False)
    if result.replayed:
        response.status_code = 200
    return AllocationOut.of(result.allocations[0])


@router.post("/pools/{pool}/allocations/batch", response_model=BatchOut, status_code=201,
             tags=["allocations"],
             responses={200: {"model": BatchOut, "description": "Replayed"},
                        **_errors(404, 409, 507)})
async def allocate_batch(
    pool: PoolName, body: BatchIn, token: Auth, ipam: Ipam, response: Response
) -> BatchOut:
    """Allocate several blocks in one transaction: all of them or none."""
    requests = [
        to_request(prefix_length=i.prefix_length, prefix=i.prefix, strategy=i.strategy,
                   state=i.state, description=i.description, owner=i.owner, tags=i.tags,
                   where=f"items[{n}].")
        for n, i in enumerate(body.items)
    ]
    result = await ipam.allocate(token, pool, requests, body.idempotency_key, batch=True)
    if result.replayed:
        response.status_code = 200
    return BatchOut(allocations=[AllocationOut.of(a) for a in result.allocations],
                    replayed=result.replayed)


@router.get("/allocations/{allocation_id}", response_model=AllocationOut, tags=["allocations"],
            responses=_errors(404))
def get_allocation(allocation_id: AllocationId, token: Auth, ipam: Ipam) -> AllocationOut:
    """One allocation by id."""
    return AllocationOut.of(ipam.allocation(token, allocation_id))


@router.post("/allocations/{allocation_id}/release", response_model=AllocationOut,
             tags=["allocations"], responses=_errors(404, 409, 507))
async def release(allocation_id: AllocationId, token: Auth, ipam: Ipam) -> AllocationOut:
    """Release an allocation; releasing a released one returns it unchanged."""
    return AllocationOut.of(await ipam.release(token, allocation_id))


@router.get("/pools/{pool}/free", response_model=FreeOut, tags=["reports"],
            responses=_errors(404))
def free(
    pool: PoolName,
    token: Auth,
    ipam: Ipam,
    length: Annotated[int | None, Query(ge=0, le=128, description="split into /length")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=2**128)] = 0,
) -> FreeOut:
    """Free blocks of the pool (minimal), or free ``/length`` blocks, a page at a time."""
    return FreeOut.of(ipam.free(token, pool, length=length, offset=offset, limit=limit))


@router.get("/pools/{pool}/utilisation", response_model=PoolOut, tags=["reports"],
            responses=_errors(404))
def pool_utilisation(pool: PoolName, token: Auth, ipam: Ipam) -> PoolOut:
    """The pool with its utilisation (addresses, and /64s for IPv6)."""
    return get_pool(pool, token, ipam)


@router.post("/pools/{pool}/import", response_model=ImportOut, tags=["allocations"],
             responses=_errors(404, 409, 507))
def import_file(pool: PoolName, body: ImportIn, token: Auth, ipam: Ipam) -> ImportOut:
    """Import allocations from a plan lock file or an audit inventory (all or nothing).

    ``format`` ``auto`` reads a lock file when the name ends in ``.lock`` or the
    content carries the lock's marker key, an inventory otherwise. ``under``
    keeps the lock's blocks at or below those plan paths; ``tags`` go on every
    new allocation."""
    report = ipam.import_file(token, pool, format=body.format, content=body.content,
                              filename=body.filename, under=body.under, tags=body.tags)
    return ImportOut.of(report)


@router.get("/audit", response_model=list[AuditOut], tags=["audit"])
def audit(
    token: Auth,
    ipam: Ipam,
    pool: Annotated[str | None, Query(pattern=POOL_NAME_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> list[AuditOut]:
    """The audit log, newest first; a pool-bound token sees its pool's entries only."""
    return [AuditOut.of(e) for e in ipam.audit(token, pool, limit=limit, before_id=before_id)]


def create_app(
    db: Database | str,
    *,
    batching: bool = True,
    max_batch: int = 64,
    check_schema: bool = True,
    fast_path: bool = True,
    secure_cookies: bool = False,
    limiter: AttemptLimiter | None = None,
) -> FastAPI:
    """The ASGI application: JSON API under /api/v1, web page at /, OpenAPI at /openapi.json.

    ``check_schema`` refuses to build an app over a database whose schema is
    not at the latest migration. ``fast_path`` answers ordinary single
    allocations without the framework's routing (``cidrkit.ipam.fastpath``);
    turning it off changes nothing but speed. ``secure_cookies`` marks the web
    page's cookies ``Secure`` (for a server behind TLS). ``limiter`` counts
    failed logins (default: 30 per minute per client and per token id).
    """
    from cidrkit.ipam.api_addresses import router as address_router
    from cidrkit.ipam.api_spaces import router as spaces_router
    from cidrkit.ipam.metrics import LatencyHistogram, MetricsMiddleware
    from cidrkit.ipam.metrics import router as metrics_router
    from cidrkit.ipam.netbox import install as install_netbox
    from cidrkit.ipam.web import docs_router, static_files
    from cidrkit.ipam.web import router as web_router
    from cidrkit.ipam.web_addresses import router as web_address_router

    database = Database(db) if isinstance(db, str) else db
    if check_schema:
        database.check_schema()
    ipam = IpamApp(database, batching=batching, max_batch=max_batch, limiter=limiter)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ipam.start()
        try:
            yield
        finally:
            ipam.stop()

    app = FastAPI(
        title="cidrkit IPAM",
        version="1",
        description="Pools and allocations; no two live allocations of a pool ever overlap.",
        lifespan=lifespan,
        # Served by docs_router from packaged assets: the default page loads a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.ipam = ipam
    app.state.secure_cookies = secure_cookies
    if fast_path:
        app.add_middleware(AllocateFastPath, ipam=ipam)
    app.state.latency = LatencyHistogram()
    app.add_middleware(MetricsMiddleware, histogram=app.state.latency)
    # Added last, so it runs first: the body limit holds before anything reads.
    app.add_middleware(RequestGuard, ipam=ipam)
    install_error_handlers(app)
    app.include_router(router)
    install_netbox(app)
    app.include_router(spaces_router)
    app.include_router(metrics_router)
    app.include_router(address_router)
    app.include_router(web_router)
    app.include_router(web_address_router)
    app.include_router(docs_router)
    for path, files in static_files().items():
        app.mount(path, files, name=path.strip("/"))

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
