"""``GET /metrics``: pool capacity and request latency in the Prometheus text format.

Written by hand rather than with ``prometheus_client``: what is exposed is
a few gauges read from the database at scrape time plus one histogram, and
the library's process-wide default registry would be shared by every app a
process builds (the tests build many). The format is the text exposition
format 0.0.4: ``# HELP``/``# TYPE`` lines, then samples with escaped labels.

``/metrics`` needs a token with read scope on all pools, because it names
every pool and how full it is; Prometheus sends it with
``authorization: {credentials_file: ...}`` in the scrape config.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from cidrkit.ipam.api import Auth, Ipam, _errors, reject_unknown_query
from cidrkit.ipam.model import Pool, Utilisation

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds; the allocation route answers in about a millisecond, imports take seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The fast path answers before routing, so its requests carry no route: named here.
_FAST_PATH = re.compile(r"/api/v1/pools/[^/]+/(allocations|addresses)")


def escape(value: str) -> str:
    """A label value as the text format writes it (backslash, quote, newline escaped)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    """A sample value: exact for integers up to 2**53, float text beyond (IPv6 sizes)."""
    if isinstance(value, int) and abs(value) <= 2**53:
        return str(value)
    return repr(float(value))


def _labels(pairs: Iterable[tuple[str, str]]) -> str:
    return ",".join(f'{key}="{escape(value)}"' for key, value in pairs)


class LatencyHistogram:
    """Request durations by method, route template and status (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # (method, route, status) -> per-bucket counts (cumulative at render), sum, count
        self._series: dict[tuple[str, str, str], tuple[list[int], list[float]]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one request."""
        key = (method, route, str(status))
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = ([0] * (len(BUCKETS) + 1), [0.0])
            counts, total = series
            index = next((i for i, bound in enumerate(BUCKETS) if seconds <= bound),
                         len(BUCKETS))
            counts[index] += 1
            total[0] += seconds

    def render(self) -> list[str]:
        """The histogram's lines in the text format."""
        name = "cidrkit_ipam_http_request_duration_seconds"
        lines = [f"# HELP {name} Time to answer an HTTP request, by route template.",
                 f"# TYPE {name} histogram"]
        with self._lock:
            snapshot = {k: (list(c), t[0]) for k, (c, t) in self._series.items()}
        for (method, route, status), (counts, total) in sorted(snapshot.items()):
            base = [("method", method), ("route", route), ("status", status)]
            running = 0
            for bound, count in zip((*BUCKETS, float("inf")), counts, strict=True):
                running += count
                le = "+Inf" if bound == float("inf") else repr(bound)
                lines.append(f"{name}_bucket{{{_labels([*base, ('le', le)])}}} {running}")
            lines.append(f"{name}_sum{{{_labels(base)}}} {total!r}")
            lines.append(f"{name}_count{{{_labels(base)}}} {running}")
        return lines


class MetricsMiddleware:
    """ASGI middleware timing every HTTP request into a ``LatencyHistogram``.

    The route label is the matched route's template (``/api/v1/pools/{pool}``),
    never the raw path, so the number of series stays bounded whatever
    clients send; unmatched requests are ``other``.
    """

    def __init__(self, app: ASGIApp, histogram: LatencyHistogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # an exception before the response started

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            self.histogram.observe(scope["method"], _route_of(scope), status,
                                   time.perf_counter() - started)


def _route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    fast = _FAST_PATH.fullmatch(scope.get("path", ""))
    if fast is not None:
        return f"/api/v1/pools/{{pool}}/{fast.group(1)}"
    return "other"


def _gauge(name: str, help_text: str, samples: list[tuple[Pool, float]]) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    for pool, value in samples:
        labels = _labels([("pool", pool.name), ("space", pool.space)])
        lines.append(f"{name}{{{labels}}} {number(value)}")
    return lines


def render_pools(pools: list[tuple[Pool, Utilisation]]) -> list[str]:
    """Capacity gauges of every pool."""
    lines: list[str] = []
    lines += _gauge("cidrkit_ipam_pool_allocations", "Live allocations (allocated or "
                    "reserved) in the pool.", [(p, u.allocations) for p, u in pools])
    lines += _gauge("cidrkit_ipam_pool_addresses", "Addresses in the pool's prefixes.",
                    [(p, u.total) for p, u in pools])
    lines += _gauge("cidrkit_ipam_pool_addresses_free", "Addresses of the pool neither "
                    "allocated nor reserved.", [(p, u.free) for p, u in pools])
    lines += _gauge("cidrkit_ipam_pool_utilisation_ratio", "Share of the pool's addresses "
                    "in use (0-1).", [(p, u.percent / 100) for p, u in pools])
    with_threshold = [(p, u) for p, u in pools if p.warn_at is not None]
    lines += _gauge("cidrkit_ipam_pool_warn_at_ratio", "The pool's warning threshold "
                    "(0-1), for pools that set one.",
                    [(p, (p.warn_at or 0) / 100) for p, _ in with_threshold])
    return lines


router = APIRouter(dependencies=[Depends(reject_unknown_query)])


@router.get("/metrics", tags=["reports"], response_class=Response,
            responses={200: {"content": {CONTENT_TYPE: {}},
                             "description": "Prometheus text format 0.0.4"},
                       **_errors(401, 403, 413, 422, 429, 503)})
def metrics(request: Request, token: Auth, ipam: Ipam) -> Response:
    """Pool capacity gauges and the request latency histogram (read on all pools)."""
    histogram: LatencyHistogram = request.app.state.latency
    pools = ipam.pool_capacity(token)
    body = "\n".join([*render_pools(pools), *histogram.render()]) + "\n"
    return Response(body, media_type=CONTENT_TYPE)
