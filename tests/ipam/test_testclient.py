"""The in-process HTTP tests run on the client library Starlette's TestClient is built for.

Starlette 1.10 builds its TestClient on httpx2 and, when only httpx is
installed, falls back to it with a ``StarletteDeprecationWarning`` printed
by every test run. The test extra installs httpx2, so the fallback (and its
warning) never happens.
"""

from __future__ import annotations

import importlib
import warnings

import starlette.testclient


def test_the_testclient_uses_httpx2_without_a_deprecation_warning() -> None:
    assert starlette.testclient.httpx.__name__ == "httpx2"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        importlib.reload(starlette.testclient)
