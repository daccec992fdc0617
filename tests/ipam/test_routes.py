"""The HTTP surface is pinned: every route (methods, path, endpoint name) and the
OpenAPI document, byte for byte, against files kept beside this test.

A refactoring of the IPAM's modules must leave both unchanged; a deliberate
change to the API rewrites them with CIDRKIT_UPDATE_GOLDEN=1 and shows up in
review as a diff of these files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CIDRKIT_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="module")
def app_routes(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('routes') / 'ipam.db'}")
    db.upgrade()
    try:
        app = create_app(db)
        lines = list(_route_lines(app.routes, ""))
        document = json.dumps(app.openapi(), indent=1, ensure_ascii=False) + "\n"
        return "\n".join(lines) + "\n", document
    finally:
        db.dispose()


def _route_lines(routes: Sequence[BaseRoute], prefix: str) -> Iterator[str]:
    """One line per route, included routers opened (FastAPI keeps them as one
    entry that holds the router and the prefix it was included with)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _route_lines(included.routes,
                                    prefix + route.include_context.prefix)  # type: ignore[attr-defined]
        elif isinstance(route, APIRoute):
            hidden = "" if route.include_in_schema else " (hidden)"
            methods = ",".join(sorted(route.methods or ()))
            yield f"{methods} {prefix}{route.path} {route.name}{hidden}"
        elif isinstance(route, Mount):
            yield f"MOUNT {prefix}{route.path} {route.name}"
        elif isinstance(route, Route):
            yield f"{','.join(sorted(route.methods or ()))} {prefix}{route.path} {route.name}"
        else:
            yield f"{type(route).__name__} {prefix}{getattr(route, 'path', '')}"


def _check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed; if on purpose, rerun with CIDRKIT_UPDATE_GOLDEN=1")


def test_route_table_is_unchanged(app_routes: tuple[str, str]) -> None:
    _check("routes.txt", app_routes[0])


def test_openapi_document_is_unchanged(app_routes: tuple[str, str]) -> None:
    _check("openapi.json", app_routes[1])


def test_every_documented_path_is_routed(app_routes: tuple[str, str]) -> None:
    routed = {line.split(" ")[1] for line in app_routes[0].splitlines()}
    documented = set(json.loads(app_routes[1])["paths"])
    assert documented and documented <= routed
