"""Opening the IPAM database: URLs, connection settings, migrations.

SQLite (the default, a file in the user's data directory) runs in WAL mode
with ``synchronous=FULL`` so an acknowledged commit survives a power cut, and
every write transaction starts with ``BEGIN IMMEDIATE`` so two writers never
both read "free" and then collide at commit. PostgreSQL is reached through
psycopg 3; its write transactions lock the pool rows they touch.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cidrkit.errors import InputError
from cidrkit.ipam.errors import (
    InvalidRequest,
    IpamError,
    SchemaOutOfDate,
    StorageFull,
    StorageUnavailable,
)
from cidrkit.ipam.schema import allocations, pending_imports

_WRITE_OPTION = "cidrkit_write"
# A pooled PostgreSQL connection idle for longer than this is checked before use.
IDLE_PING_SECONDS = 5.0


def default_url(env: Mapping[str, str] | None = None) -> str:
    """The embedded default: ``$XDG_DATA_HOME/cidrkit/ipam.sqlite3`` (or ~/.local/share).

    ``env`` is the environment to read (the process's own by default)."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or os.environ.get("XDG_DATA_HOME") or str(
        Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'cidrkit' / 'ipam.sqlite3'}"


def normalise_url(url: str) -> str:
    """Accept a plain path, ``sqlite:///…`` or ``postgresql://…``; pick the drivers we ship."""
    if "://" not in url:
        return f"sqlite+pysqlite:///{Path(url).expanduser().resolve()}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return f"postgresql+psycopg://{rest}"
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return f"sqlite+pysqlite://{rest}"
    raise InvalidRequest(
        f"{url!r}: unsupported database URL (use a path, sqlite:///PATH or postgresql://...)",
        field="db",
    )


def redact(url: str) -> str:
    """The URL as users write it (no driver name), any password hidden."""
    parsed = sa.engine.make_url(url)
    parsed = parsed.set(drivername=parsed.get_backend_name())
    return parsed.render_as_string(hide_password=True)


class _Turns:
    """First come, first served: a thread waiting to write is never overtaken.

    SQLite's own busy handler polls with growing sleeps, so a writer looping
    over short transactions (an import's chunks) can take the lock again
    before a waiting writer wakes, time after time, and starve it for
    seconds. Taking turns in the process first makes each wait at most one
    transaction per writer ahead in line.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._issued = 0
        self._serving = 0
        self._abandoned: set[int] = set()

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._changed:
            ticket = self._issued
            self._issued += 1
            try:
                while ticket != self._serving:
                    self._changed.wait()
            except BaseException:
                # Interrupted while waiting: the ticket is still served and passed on.
                self._abandoned.add(ticket)
                raise
        try:
            yield
        finally:
            self._advance()

    def _advance(self) -> None:
        with self._changed:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._changed.notify_all()


class Database:
    """An engine plus the transaction helpers the service needs.

    ``read()`` gives a plain transaction; ``write()`` a transaction that holds
    the database's write lock on SQLite from its first statement.
    """

    def __init__(self, url: str, *, pool_size: int = 8, create: bool = True) -> None:
        self.url = normalise_url(url)
        self.dialect = "postgresql" if self.url.startswith("postgresql") else "sqlite"
        self.create = create
        self.engine = self._create_engine(pool_size)
        self._turns = _Turns()

    def _create_engine(self, pool_size: int) -> Engine:
        if self.dialect == "postgresql":
            engine = sa.create_engine(self.url, pool_size=pool_size, max_overflow=pool_size)
            sa.event.listen(engine, "checkin", _stamp_checkin)
            dialect = engine.dialect
            sa.event.listen(engine, "checkout",
                            lambda conn, record, _proxy: _ping_if_idle(dialect, conn, record))
            return engine
        path = sa.engine.make_url(self.url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            _check_sqlite_path(Path(path), create=self.create)
        engine = sa.create_engine(
            self.url,
            connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        sa.event.listen(engine, "connect", _configure_sqlite)
        sa.event.listen(engine, "begin", _begin_sqlite)
        return engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction for reads (deferred on SQLite: readers never block writers)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed on normal exit and rolled back on error.

        On SQLite this process's writers take turns (``_Turns``) before asking
        for the database's one write lock.
        """
        if self.dialect == "sqlite":
            with self._turns.turn(), self._write() as conn:
                yield conn
        else:
            with self._write() as conn:
                yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(**{_WRITE_OPTION: True})
            with conn.begin():
                yield conn

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- schema ---------------------------------------------------------

    def upgrade(self, revision: str = "head") -> tuple[str | None, str | None]:
        """Apply migrations up to ``revision``; return (before, after) revisions."""
        from alembic import command

        before = self.current_revision()
        with self.engine.begin() as conn:
            cfg = _alembic_config(conn)
            command.upgrade(cfg, revision)
        return before, self.current_revision()

    def current_revision(self) -> str | None:
        """The schema revision stored in the database (None: empty database)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def check_schema(self) -> None:
        """Raise ``SchemaOutOfDate`` unless the schema is at the latest revision."""
        current, head = self.current_revision(), head_revision()
        if current != head:
            raise SchemaOutOfDate(
                f"database {redact(self.url)} is at schema revision {current or 'none'}, "
                f"this cidrkit needs {head}; run 'cidrkit db upgrade --db URL'"
            )


    def describe_failure(self, exc: Exception) -> InputError:
        """A one-line error for a database that cannot be opened or read at start-up."""
        where = redact(self.url)
        text = _first_line(exc)
        if "file is not a database" in text:
            return InputError(f"{where}: not a SQLite database (file is not a database)")
        if self.dialect == "postgresql":
            return InputError(f"{where}: cannot reach PostgreSQL: {text}")
        return InputError(f"{where}: cannot open the database: {text}")


def _check_sqlite_path(path: Path, *, create: bool) -> None:
    """Refuse a path that cannot hold a database, before SQLite makes a confusing error.

    With ``create`` (the embedded default, or ``db upgrade``), the file and its
    directory may be made; otherwise the file must exist already, so a typo or
    a database deleted meanwhile is never silently replaced by an empty one.
    """
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a database file")
    if path.exists():
        return
    if not create:
        raise InputError(
            f"{path}: no such database file (create it with 'cidrkit db upgrade --db {path}', "
            "or omit --db to use the default database)"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{path.parent}: cannot create the database directory: "
                         f"{exc.strerror or exc}") from None


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def storage_error(exc: sa.exc.DBAPIError) -> IpamError:
    """The API error for a database failure: 507 when full, 503 when read-only or
    unreachable, 422 when the database refused a value (a validation gap)."""
    orig = exc.orig
    text = _first_line(exc)
    lowered = text.lower()
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate == "53100" or "disk is full" in lowered or "no space left" in lowered:
        return StorageFull("the database's disk is full; nothing was written "
                           "(free some space, then retry)")
    if sqlstate == "25006" or "readonly database" in lowered or "read-only" in lowered:
        return StorageUnavailable("the database is read-only; nothing was written",
                                  code="read_only")
    if isinstance(exc, sa.exc.DataError) or sqlstate.startswith("22"):
        return InvalidRequest(f"body: the database refused a value ({text})", field="body")
    return StorageUnavailable(f"the database is unavailable; nothing was written ({text})")


def head_revision() -> str | None:
    """The latest migration revision shipped with this cidrkit."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def _alembic_config(connection: Connection | None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.attributes["connection"] = connection
    return cfg


def _stamp_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dialect: sa.engine.Dialect, dbapi_conn: Any, record: Any) -> None:
    # SQLAlchemy's pool_pre_ping costs a round trip on every checkout, that is on
    # every request and every write batch; a connection in steady use has just
    # proved itself, so only one that sat idle (the server may have restarted or
    # dropped it meanwhile) is pinged. DisconnectionError makes the pool replace it.
    idle_since = record.info.get("checked_in")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        alive = bool(dialect.do_ping(dbapi_conn))
    except Exception:
        alive = False
    if not alive:
        raise sa.exc.DisconnectionError("connection was closed while idle")


def _configure_sqlite(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    # WAL lets readers run while one writer commits; FULL syncs the WAL on every
    # commit, so an acknowledged allocation survives a crash or power loss.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    # The driver runs in autocommit mode (isolation_level=None), so we emit BEGIN
    # ourselves: IMMEDIATE takes the write lock up front, which makes "read the
    # free space, then insert" atomic against every other writer.
    if conn.get_execution_options().get(_WRITE_OPTION):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def resolve_url(given: str | None, env: Mapping[str, str]) -> str:
    """The database to use: ``--db``, else ``$CIDRKIT_DB``, else the default SQLite file."""
    return given or env.get("CIDRKIT_DB") or default_url(env)


def open_database(given: str | None, env: Mapping[str, str], *,
                  create: bool = False) -> Database:
    """The database a command names; only the embedded default (or ``create``) may be
    made from nothing, so a mistyped or deleted path is an error, not a new empty file."""
    explicit = bool(given or env.get("CIDRKIT_DB"))
    return Database(resolve_url(given, env), create=create or not explicit)


@contextmanager
def reported_failures(db: Database) -> Iterator[None]:
    """Turn a database that cannot be opened, read or reached into one clear line."""
    import sqlite3

    try:
        yield
    except (sa.exc.DBAPIError, sqlite3.Error) as exc:
        raise db.describe_failure(exc) from None


def make_ready(db: Database, *, recover: bool = False) -> tuple[str | None, str | None]:
    """Make the database usable by this cidrkit: the embedded SQLite database creates
    and migrates itself; PostgreSQL must already be at the latest revision (a team's
    database is upgraded on purpose, with ``cidrkit db upgrade``). With ``recover``
    (a server starting), the rows of imports cut short by a crash are removed.
    Returns the (before, after) revisions."""
    with reported_failures(db):
        if db.dialect == "sqlite":
            revisions = db.upgrade()
        else:
            db.check_schema()
            current = db.current_revision()
            revisions = current, current
        if recover:
            abandon_pending_imports(db)
        return revisions


def abandon_pending_imports(db: Database) -> int:
    """Delete every pending import and its rows; how many imports there were.

    A pending import's rows were never visible, so removing them loses
    nothing anyone saw. Only a starting server calls this: an import still
    running in another server would then fail at its end, also all or nothing.
    """
    with db.write() as conn:
        ids = list(conn.execute(sa.select(pending_imports.c.id)).scalars())
        if ids:
            conn.execute(allocations.delete().where(allocations.c.import_id.in_(ids)))
            conn.execute(pending_imports.delete().where(pending_imports.c.id.in_(ids)))
    return len(ids)
