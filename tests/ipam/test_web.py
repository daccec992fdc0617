"""The web page's forms in-process: server-side sessions, CSRF, origins, and the
forms refusing what the API refuses (with the typed values kept)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.model import PoolRules
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.schema import allocations, web_sessions
from cidrkit.ipam.tokens import create_token
from cidrkit.ipam.web import login_csrf

CSRF = re.compile(r'name="csrf" value="([0-9a-f]{64})"')


@pytest.fixture
def browser(sqlite_db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_db), follow_redirects=False) as http:
        yield http


@pytest.fixture
def secret(sqlite_db: Database) -> str:
    return create_token(sqlite_db, name="web", pool=None, scope="admin")[1]


def form_token(page: str) -> str:
    """The CSRF token of the page's forms (all forms of a page carry the same one)."""
    found: set[str] = set(CSRF.findall(page))
    assert len(found) == 1, found
    return found.pop()


def log_in(browser: TestClient, secret: str) -> str:
    """Log in through the form; return the CSRF token of the logged-in pages."""
    login_page = browser.get("/")
    done = browser.post("/login", data={"token": secret, "csrf": form_token(login_page.text)})
    assert done.status_code == 303
    return form_token(browser.get("/").text)


def test_the_cookie_holds_a_session_id_never_the_token(browser: TestClient, secret: str,
                                                      sqlite_db: Database) -> None:
    first = browser.get("/")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("cidrkit_login=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    done = browser.post("/login", data={"token": secret, "csrf": form_token(first.text)})
    set_cookies = done.headers.get_list("set-cookie")
    session = next(c for c in set_cookies if c.startswith("cidrkit_session="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    value = session.split(";")[0].split("=", 1)[1]
    # `ckt_<id>_<secret>`; the secret is URL-safe base64 and may itself hold `_`.
    assert secret not in session and secret.split("_", 2)[2] not in value
    with sqlite_db.read() as conn:
        stored = conn.execute(sa.select(web_sessions.c.id, web_sessions.c.expires_at)).all()
    # Only the hash of the cookie is stored, with an expiry.
    assert len(stored) == 1 and stored[0][0] != value and len(stored[0][0]) == 64


def test_logout_ends_the_session_on_the_server(browser: TestClient, secret: str) -> None:
    token = log_in(browser, secret)
    stolen = browser.cookies["cidrkit_session"]
    assert browser.post("/logout", data={"csrf": token}).status_code == 303
    # Another browser replaying the cookie (no lifespan: reads need no writer).
    thief = TestClient(browser.app, follow_redirects=False)
    thief.cookies.set("cidrkit_session", stolen)
    page = thief.get("/")
    assert 'id="token"' in page.text and 'id="pools"' not in page.text


def test_secure_cookies_behind_tls(sqlite_db: Database, secret: str) -> None:
    with TestClient(create_app(sqlite_db, secure_cookies=True), base_url="https://testserver",
                    follow_redirects=False) as http:
        first = http.get("/")
        assert "Secure" in first.headers["set-cookie"]
        done = http.post("/login", data={"token": secret, "csrf": form_token(first.text)})
        assert all("Secure" in c for c in done.headers.get_list("set-cookie"))


def test_every_form_post_needs_the_session_csrf_token(browser: TestClient, secret: str) -> None:
    token = log_in(browser, secret)
    pool = {"name": "web", "prefixes": "10.9.0.0/24", "default_length": "26"}
    nonce = browser.cookies.get("cidrkit_login") or "x"
    for wrong in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": login_csrf(nonce)}):
        refused = browser.post("/pools", data={**pool, **wrong})
        assert refused.status_code == 403, wrong
        assert "reload the page and try again" in refused.text
    assert browser.get("/pools/web").status_code == 404
    made_pool = browser.post("/pools", data={**pool, "csrf": token})
    assert made_pool.headers["location"] == "/pools/web?created=1"
    page = browser.get("/pools/web?created=1").text
    assert form_token(page) == token
    assert "Pool web created." in page
    assert browser.post("/pools/web/allocate", data={"prefix_length": "26"}).status_code == 403
    made = browser.post("/pools/web/allocate", data={"prefix_length": "26", "csrf": token})
    assert (made.status_code, made.headers["location"]) == (303, "/pools/web?allocated=1")
    assert "Allocated allocation #1." in browser.get(made.headers["location"]).text
    assert browser.post("/allocations/1/release", data={}).status_code == 403
    assert 'data-id="1"' in browser.get("/pools/web").text
    released = browser.post("/allocations/1/release", data={"csrf": token})
    assert released.headers["location"] == "/pools/web?released=1"
    assert browser.post("/logout", data={}).status_code == 403
    assert browser.post("/logout", data={"csrf": token}).status_code == 303


def test_forms_from_another_session_are_refused(browser: TestClient, sqlite_db: Database,
                                                secret: str) -> None:
    token = log_in(browser, secret)
    with TestClient(create_app(sqlite_db), follow_redirects=False) as other:
        # Another browser holding the same API token has its own session secret.
        other_token = log_in(other, secret)
        assert other_token != token
        refused = other.post("/pools", data={"name": "x", "prefixes": "10.1.0.0/24",
                                             "csrf": token})
        assert refused.status_code == 403


def test_login_form_needs_its_token_too(browser: TestClient, secret: str) -> None:
    assert browser.post("/login", data={"token": secret}).status_code == 403
    browser.get("/")
    refused = browser.post("/login", data={"token": secret, "csrf": "f" * 64})
    assert refused.status_code == 403
    assert "cidrkit_session" not in browser.cookies


def test_login_csrf_with_a_planted_cookie_is_refused_by_origin(browser: TestClient,
                                                               secret: str) -> None:
    """An attacker who fetched a valid nonce and form token, and planted the nonce
    in the victim's browser, still cannot post the login form from their site."""
    page = browser.get("/")
    pair = {"token": secret, "csrf": form_token(page.text)}
    for headers in ({"Origin": "https://evil.example"},
                    {"Origin": "http://sibling.testserver"},
                    {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}):
        refused = browser.post("/login", data=pair, headers=headers)
        assert refused.status_code == 403, headers
    assert "cidrkit_session" not in browser.cookies
    done = browser.post("/login", data=pair, headers={"Origin": "http://testserver",
                                                      "Sec-Fetch-Site": "same-origin"})
    assert done.status_code == 303


BAD_ALLOCATE_FORMS = [
    ({"prefix_length": "²"}, "prefix_length"),
    ({"prefix_length": "٣"}, "prefix_length"),
    ({"prefix_length": "9" * 5000}, "prefix_length"),
    ({"prefix_length": "26", "owner": "a\x00b"}, "owner"),
    ({"prefix_length": "26", "owner": "o" * 300}, "owner"),
    ({"prefix_length": "26", "description": "d" * 5000}, "description"),
    ({"prefix_length": "26", "tags": "=v"}, "tags"),
    ({"prefix_length": "26", "tags": "novalue"}, "tags"),
    ({"prefix_length": "26", "strategy": "worst_fit"}, "strategy"),
    ({"prefix_length": "26", "state": "released"}, "state"),
    ({"prefix": "10.9.0.5/26"}, "prefix"),
]


@pytest.mark.parametrize(("fields", "field"), BAD_ALLOCATE_FORMS)
def test_allocate_form_refuses_what_the_api_refuses(browser: TestClient, secret: str,
                                                   sqlite_db: Database, fields: dict[str, str],
                                                   field: str) -> None:
    token = log_in(browser, secret)
    create_pool(sqlite_db, PoolSpec("web", ["10.9.0.0/24"]), actor="test")
    answer = browser.post("/pools/web/allocate", data={**fields, "csrf": token,
                                                        "description": fields.get(
                                                            "description", "kept")})
    assert answer.status_code == 422, answer.text[:300]
    error = re.search(r'id="error">([^<]*)<', answer.text)
    assert error is not None and error.group(1).startswith(field), error
    # The form shows what was typed, not the defaults.
    if "description" not in fields:
        assert 'id="description" maxlength="1000" value="kept"' in answer.text
    with sqlite_db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(allocations)).scalar() == 0


def test_pool_form_refuses_bad_lengths_and_keeps_values(browser: TestClient,
                                                        secret: str) -> None:
    token = log_in(browser, secret)
    for default, field in (("٣", "default_length"), ("²", "default_length"),
                           ("9" * 5000, "default_length")):
        answer = browser.post("/pools", data={"name": "p1", "prefixes": "10.1.0.0/24",
                                              "default_length": default, "csrf": token})
        assert answer.status_code == 422
        assert f'id="error">{field}' in answer.text
        assert 'value="10.1.0.0/24"' in answer.text
    for name in ("a b", "-x", "p\x00", "p\u00e9"):
        answer = browser.post("/pools", data={"name": name, "prefixes": "10.1.0.0/24",
                                              "csrf": token})
        assert answer.status_code == 422 and 'id="error">name' in answer.text
    long_text = browser.post("/pools", data={"name": "p2", "prefixes": "10.2.0.0/24",
                                             "description": "d" * 5000, "csrf": token})
    assert long_text.status_code == 422 and 'id="error">description' in long_text.text


def test_child_pool_delete_and_audit_details(browser: TestClient, secret: str,
                                            sqlite_db: Database) -> None:
    token = log_in(browser, secret)
    create_pool(sqlite_db, PoolSpec("top", ["10.20.0.0/16"], rules=PoolRules()), actor="t")
    child = browser.post("/pools", data={"name": "kid", "parent": "top",
                                         "prefix_length": "20", "csrf": token})
    assert child.status_code == 303, child.text[:300]
    page = browser.get("/pools/kid").text
    assert "10.20.0.0/20" in page and 'href="/pools/top"' in page
    assert "prefixes: 10.20.0.0/20 · parent: top" in page
    assert "[" not in re.search(r'<table class="audit".*?</table>', page, re.S).group(0)
    assert 'id="free-blocks"' in page and "<li>10.20.0.0/20</li>" in page
    gone = browser.post("/pools/kid/delete", data={"csrf": token})
    assert gone.headers["location"] == "/?deleted=kid"
    assert "Pool kid deleted." in browser.get("/?deleted=kid").text
    assert browser.get("/pools/kid").status_code == 404


def test_security_headers_on_every_page(browser: TestClient, secret: str) -> None:
    for path in ("/", "/docs", "/openapi.json", "/static/ipam.css", "/healthz", "/nope"):
        answer = browser.get(path)
        assert answer.headers["x-frame-options"] == "DENY", path
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "same-origin"
        policy = answer.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self';" in policy
        assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_favicon_is_served(browser: TestClient) -> None:
    icon = browser.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200 and icon.text.startswith("<svg")
    assert 'rel="icon" href="/static/favicon.svg"' in browser.get("/").text
