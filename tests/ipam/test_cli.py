"""The IPAM commands in-process: db, token, and the ipam client against a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from cidrkit.ipam.database import Database, default_url, head_revision
from tests.cli.runner import cli
from tests.ipam.conftest import REPO, Server, free_port, start_server

HEAD = head_revision()


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "ipam.sqlite3"
    url = f"sqlite:///{path}"
    code, _, err = cli("db", "current", "--db", url)
    # Looking at a database that is not there creates nothing.
    assert code == 2 and "no such database file" in err and not path.parent.exists()
    code, out, _ = cli("db", "upgrade", "--db", url)
    assert (code, out) == (0, f"sqlite:///{path}: upgraded from empty to {HEAD}\n")
    code, out, _ = cli("db", "upgrade", "--db", str(path))
    assert (code, out) == (0, f"sqlite:///{path}: already at revision {HEAD}\n")
    assert cli("db", "current", "--db", url)[0] == 0


def test_token_commands_create_the_embedded_default_database(tmp_path: Path) -> None:
    """The quick start: `token create` on a fresh machine makes and migrates the
    default database by itself, as `serve` does."""
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    code, out, err = cli("token", "create", "--pool", "prod", "--scope", "write", env=env)
    assert code == 0 and out.startswith("ckt_1_"), err
    assert f"migrated to {HEAD}" in err
    assert (tmp_path / "data" / "cidrkit" / "ipam.sqlite3").exists()
    code, out, err = cli("token", "list", env=env)
    assert code == 0 and "prod-write" in out and "migrated" not in err


def test_token_commands(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    url = f"sqlite:///{path}"
    code, _, err = cli("token", "list", "--db", url)
    assert (code, err) == (2, f"cidrkit: error: {path}: no such database file (create it "
                              f"with 'cidrkit db upgrade --db {path}', or omit --db to use "
                              "the default database)\n")
    assert not path.exists()
    cli("db", "upgrade", "--db", url)
    code, out, err = cli("token", "create", "--pool", "prod", "--scope", "write", "--db", url)
    assert code == 0 and out.startswith("ckt_1_")
    assert err == ("cidrkit: token 1 (prod-write): write on prod; store it now, "
                   "it is not shown again\n")
    code, out, _ = cli("token", "create", "--all-pools", "--scope", "admin", "--name", "ops",
                       "--json", "--db", url)
    assert json.loads(out)["scope"] == "admin"
    assert cli("token", "revoke", "1", "--db", url)[:2] == (0, "token 1 revoked\n")
    code, out, _ = cli("token", "list", "--db", url)
    assert out.splitlines() == [
        "ID  NAME        POOL  SCOPE  STATUS",
        "1   prod-write  prod  write  revoked",
        "2   ops         *     admin  active",
    ]
    assert cli("token", "revoke", "9", "--db", url)[0] == 2
    for huge in ("99999999999", "999999999999"):
        code, _, err = cli("token", "revoke", huge, "--db", url)
        assert code == 2 and "does not exist" in err and "Traceback" not in err
    code, _, err = cli("token", "revoke", "9" * 40, "--db", url)
    assert code == 2 and "is not a token id" in err


@pytest.mark.parametrize("command", [("token", "list"), ("db", "current"), ("db", "upgrade"),
                                     ("serve",)])
def test_a_file_that_is_not_a_database_is_one_clear_line(tmp_path: Path,
                                                         command: tuple[str, ...]) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("these are not the tables you are looking for\n" * 100)
    code, out, err = cli(*command, "--db", str(junk))
    assert (code, out) == (2, "")
    assert err == f"cidrkit: error: sqlite:///{junk}: not a SQLite database " \
                  "(file is not a database)\n"


@pytest.mark.parametrize("command", [("token", "list"), ("db", "current")])
def test_unreachable_postgresql_is_one_clear_line(command: tuple[str, str]) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql://nobody:secret@127.0.0.1:{port}/nothing"
    code, _, err = cli(*command, "--db", url)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"cidrkit: error: postgresql://nobody:***@127.0.0.1:{port}/nothing: "
                          "cannot reach PostgreSQL:")
    assert "secret" not in err


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    code, _, err = cli("token", "list", "--db", str(tmp_path))
    assert (code, err) == (2, f"cidrkit: error: {tmp_path}: is a directory, not a database "
                              "file\n")


@pytest.mark.parametrize("port", ["70000", "-5", "0", "80a", "٣"])
def test_serve_refuses_ports_outside_1_65535(port: str) -> None:
    code, _, err = cli("serve", "--port", port, "--db", "/nonexistent/dir/x.db")
    assert code == 2 and "is not a TCP port (1-65535)" in err


def test_serve_never_creates_an_explicit_database_path(tmp_path: Path) -> None:
    target = tmp_path / "nonexistent" / "dir" / "x.db"
    code, _, err = cli("serve", "--db", str(target))
    assert code == 2 and "no such database file" in err
    assert not (tmp_path / "nonexistent").exists()


def test_serve_warns_when_listening_beyond_loopback(sqlite_db: Database,
                                                    tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = start_server(sqlite_db.url, log, extra=("--host", "0.0.0.0"))
    try:
        text = log.read_text()
        assert "cidrkit: warning: listening on 0.0.0.0: other machines can reach" in text
    finally:
        server.stop()
    quiet = tmp_path / "quiet.log"
    server = start_server(sqlite_db.url, quiet)
    server.stop()
    assert "warning" not in quiet.read_text()


def test_default_database_lives_in_the_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/srv/data")
    assert default_url() == "sqlite:////srv/data/cidrkit/ipam.sqlite3"


@pytest.fixture
def live(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[Server, str]]:
    from cidrkit.ipam.pools import PoolSpec, create_pool
    from cidrkit.ipam.tokens import create_token

    create_pool(sqlite_db, PoolSpec("prod", ["10.8.0.0/16"]), actor="test")
    token = create_token(sqlite_db, name="ci", pool="prod", scope="write")[1]
    server = start_server(sqlite_db.url, tmp_path / "server.log")
    yield server, token
    server.stop()


def test_ipam_client_allocate_list_free_release(live: tuple[Server, str]) -> None:
    server, token = live
    env = {"CIDRKIT_URL": server.url, "CIDRKIT_TOKEN": token}
    code, out, err = cli("ipam", "allocate", "--pool", "prod", "--prefix-length", "24",
                         "--idempotency-key", "build-1", "--tag", "env=ci", env=env)
    assert (code, out, err) == (0, "10.8.0.0/24\n",
                                "cidrkit: allocation 1 in pool prod (allocated)\n")
    again = cli("ipam", "allocate", "--pool", "prod", "--prefix-length", "24",
                "--idempotency-key", "build-1", "--tag", "env=ci", "--json", env=env)
    assert json.loads(again[1])["id"] == 1
    code, out, _ = cli("ipam", "list", "--pool", "prod", env=env)
    assert out.splitlines() == ["ID  PREFIX       STATE      OWNER  DESCRIPTION",
                                "1   10.8.0.0/24  allocated"]
    code, out, err = cli("ipam", "free", "--pool", "prod", "--length", "24", "--limit", "2",
                         env=env)
    assert out == "10.8.1.0/24\n10.8.2.0/24\n"
    assert err == "cidrkit: warning: showing 2 of 255 free blocks; use --offset 2 for more\n"
    code, _, err = cli("ipam", "allocate", "--pool", "prod", "--prefix", "10.8.0.0/25",
                       env=env)
    assert (code, err) == (1, "cidrkit: error: prefix: 10.8.0.0/25 overlaps 10.8.0.0/24, "
                              "already allocated in pool 'prod'\n")
    code, _, err = cli("ipam", "allocate", "--pool", "prod", "--prefix", "10.8.0.1/24",
                       env=env)
    assert code == 2 and "did you mean 10.8.0.0/24?" in err
    assert cli("ipam", "release", "1", env=env)[1] == "10.8.0.0/24\n"
    code, _, err = cli("ipam", "list", "--pool", "prod", env={**env, "CIDRKIT_TOKEN": "bad"})
    assert (code, err) == (2, "cidrkit: error: malformed API token\n")
    code, _, err = cli("ipam", "list", "--pool", "prod")
    assert code == 2 and "CIDRKIT_URL" in err


LOCK = REPO / "examples" / "plans" / "multi-region.yaml.lock"


@pytest.fixture
def region(sqlite_db: Database, tmp_path: Path) -> Iterator[tuple[Server, dict[str, str]]]:
    from cidrkit.ipam.pools import PoolSpec, create_pool
    from cidrkit.ipam.tokens import create_token

    create_pool(sqlite_db, PoolSpec("ap", ["10.50.0.0/16"]), actor="test")
    token = create_token(sqlite_db, name="ci", pool="ap", scope="write")[1]
    server = start_server(sqlite_db.url, tmp_path / "server.log")
    yield server, {"CIDRKIT_URL": server.url, "CIDRKIT_TOKEN": token}
    server.stop()


def test_ipam_import_plan_lock(region: tuple[Server, dict[str, str]], tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    _, env = region
    monkeypatch.chdir(tmp_path)
    Path("plan.yaml.lock").write_text(LOCK.read_text())
    argv = ("ipam", "import", "--pool", "ap", "plan.yaml.lock", "--under", "acme/ap-southeast-2")
    code, out, err = cli(*argv, env=env)
    assert (code, out.splitlines(), err) == (0, [
        "ID  PREFIX         STATUS    DESCRIPTION",
        "1   10.50.0.0/18   imported  acme/ap-southeast-2/prod",
        "2   10.50.64.0/19  imported  acme/ap-southeast-2/dev",
        "3   10.50.96.0/19  imported  acme/ap-southeast-2/staging",
    ], "cidrkit: lock plan.yaml.lock into pool ap: 3 imported, 0 already there, "
       "61 skipped (38 inside, 22 outside, 1 pool)\n")
    code, out, err = cli(*argv, "--json", env=env)
    report = json.loads(out)
    assert code == 0 and report["imported"] == []
    assert [a["prefix"] for a in report["existing"]] == [
        "10.50.0.0/18", "10.50.64.0/19", "10.50.96.0/19"]
    assert report["skipped"][0] == {
        "value": "10.50.0.0/16", "origin": "plan.yaml.lock#/blocks/acme~1ap-southeast-2",
        "reason": "is pool 'ap' itself; its blocks are imported instead", "kind": "pool"}
    assert "0 imported, 3 already there" in err
    code, out, err = cli("ipam", "import", "--pool", "ap", "-", "--tag", "src=dc",
                         stdin="10.50.200.0/24 # dc\n10.50.1.0/24\n10.50.300.0/24\n", env=env)
    assert (code, out.splitlines()) == (1, [
        "ID  PREFIX          STATUS    DESCRIPTION",
        "4   10.50.200.0/24  imported  stdin:1",
    ])
    assert err.splitlines() == [
        "cidrkit: warning: stdin:3: 10.50.300.0/24 not imported: octet 300 is above 255",
        "cidrkit: warning: stdin:2: 10.50.1.0/24 not imported: prefix: 10.50.1.0/24 overlaps "
        "10.50.0.0/18, already allocated in pool 'ap'",
        "cidrkit: inventory stdin into pool ap: 1 imported, 0 already there, "
        "2 skipped (1 malformed, 1 overlap)",
    ]
    code, _, err = cli("ipam", "import", "--pool", "ap", "missing.lock", env=env)
    assert code == 2 and err.startswith("cidrkit: error: missing.lock: cannot read:")
