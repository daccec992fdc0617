"""Fixtures of the IPAM tests: databases (SQLite always, PostgreSQL when configured),
tokens, and real servers started as subprocesses on loopback.

PostgreSQL tests run when CIDRKIT_TEST_PG_URL is set and skip otherwise, except
under CI=true, where a missing database fails them so CI cannot skip silently.
Each PostgreSQL test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from cidrkit.ipam.database import Database
from cidrkit.ipam.tokens import create_token

REPO = Path(__file__).resolve().parents[2]


def require_service(env_name: str, what: str) -> str:
    """The value of ``env_name``; skip without it, or fail under CI=true."""
    value = os.environ.get(env_name)
    if value:
        return value
    message = f"{what}: set {env_name} (scripts/ci-services.sh prints it)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {message}")
    pytest.skip(message)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (dropped after the test)."""
    import sqlalchemy as sa

    base = require_service("CIDRKIT_TEST_PG_URL", "PostgreSQL tests need a database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema},public"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's temporary directory."""
    return f"sqlite:///{tmp_path / 'ipam.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using this runs on both databases."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A migrated, empty database."""
    db = Database(db_url)
    db.upgrade()
    yield db
    db.dispose()


@pytest.fixture
def sqlite_db(sqlite_url: str) -> Iterator[Database]:
    """A migrated, empty SQLite database (for tests about logic, not the engine)."""
    db = Database(sqlite_url)
    db.upgrade()
    yield db
    db.dispose()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A ``cidrkit serve`` subprocess on loopback."""

    url: str
    db_url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing; a crash."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Ask politely, then insist."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def start_server(db_url: str, log: Path, *, extra: tuple[str, ...] = ()) -> Server:
    """Start ``cidrkit serve`` and wait until it answers /healthz."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "cidrkit.cli.main", "serve", "--db", db_url,
               "--host", "127.0.0.1", "--port", str(port), *extra]
    handle = log.open("ab")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=env,
                               cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Server(url, db_url, process, log)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {log.read_text()}")


@pytest.fixture
def admin_token(database: Database) -> str:
    """An admin token for every pool."""
    return create_token(database, name="admin", pool=None, scope="admin")[1]
