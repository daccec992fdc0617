"""Fixtures: moto's server on loopback holding a simulated organisation, and a fault proxy.

The organisation is built once per session through moto directly; each test
talks to it through its own :class:`FaultProxy`, so injected failures never
leak between tests. The environment is pinned so the SDK finds only the test
credentials and never reaches for a metadata service or a real endpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("boto3", reason="discover tests need the aws extra: pip install -e '.[test]'")
pytest.importorskip("moto", reason="discover tests need moto[server]: pip install -e '.[test]'")

from tests.discover.faultproxy import FaultProxy
from tests.discover.orgsim import Organisation, build_organisation


@pytest.fixture(scope="session")
def moto_server() -> Iterator[tuple[str, int]]:
    from moto.server import ThreadedMotoServer

    # The fake cloud's access log would drown a failing test's output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield host, port
    finally:
        server.stop()


def pin_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, endpoint: str) -> None:
    """Test credentials, no config files, no metadata service, every call to ``endpoint``."""
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN",
                "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)


@pytest.fixture(scope="session")
def organisation(moto_server: tuple[str, int]) -> Organisation:
    host, port = moto_server
    mp = pytest.MonkeyPatch()
    try:
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        mp.setenv("AWS_CONFIG_FILE", "/nonexistent-aws-config")
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent-aws-credentials")
        return build_organisation(f"http://{host}:{port}")
    finally:
        mp.undo()


@pytest.fixture
def aws(moto_server: tuple[str, int], organisation: Organisation,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FaultProxy]:
    """A fault proxy in front of the organisation, with the SDK's environment pointed at it."""
    proxy = FaultProxy(moto_server).start()
    pin_aws_environment(monkeypatch, tmp_path, proxy.url)
    try:
        yield proxy
    finally:
        proxy.stop()
