"""The web page's forms in-process: cookies, and CSRF tokens on every POST."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.tokens import create_token
from cidrkit.ipam.web import csrf_token

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


def test_session_cookies_are_http_only_and_same_site(browser: TestClient, secret: str) -> None:
    first = browser.get("/")
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("cidrkit_session=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    done = browser.post("/login", data={"token": secret, "csrf": form_token(first.text)})
    set_cookies = done.headers.get_list("set-cookie")
    assert [c.split("=")[0] for c in set_cookies] == ["cidrkit_token", "cidrkit_session"]
    assert all("HttpOnly" in c and "SameSite=strict" in c for c in set_cookies)
    # The session nonce is renewed at login: the one from before is not reused.
    assert set_cookies[1].split(";")[0] != cookie.split(";")[0]


def test_every_form_post_needs_the_session_csrf_token(browser: TestClient, secret: str) -> None:
    token = log_in(browser, secret)
    nonce = browser.cookies["cidrkit_session"]
    assert token == csrf_token(nonce, secret)
    pool = {"name": "web", "prefixes": "10.9.0.0/24", "default_length": "26"}
    for wrong in ({}, {"csrf": ""}, {"csrf": "0" * 64}, {"csrf": csrf_token(nonce, None)}):
        refused = browser.post("/pools", data={**pool, **wrong})
        assert refused.status_code == 403, wrong
        assert "reload the page and try again" in refused.text
    assert browser.get("/pools/web").status_code == 404
    assert browser.post("/pools", data={**pool, "csrf": token}).headers["location"] == (
        "/pools/web")
    page = browser.get("/pools/web").text
    assert form_token(page) == token
    assert browser.post("/pools/web/allocate", data={"prefix_length": "26"}).status_code == 403
    made = browser.post("/pools/web/allocate", data={"prefix_length": "26", "csrf": token})
    assert (made.status_code, made.headers["location"]) == (303, "/pools/web")
    assert browser.post("/allocations/1/release", data={}).status_code == 403
    assert 'data-id="1"' in browser.get("/pools/web").text
    released = browser.post("/allocations/1/release", data={"csrf": token})
    assert released.status_code == 303
    assert browser.post("/logout", data={}).status_code == 403
    assert browser.post("/logout", data={"csrf": token}).status_code == 303
    assert "cidrkit_token" not in browser.cookies


def test_forms_from_another_session_are_refused(browser: TestClient, sqlite_db: Database,
                                                secret: str) -> None:
    token = log_in(browser, secret)
    with TestClient(create_app(sqlite_db), follow_redirects=False) as other:
        # Another browser holding the same API token has its own session nonce.
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
    assert "cidrkit_token" not in browser.cookies
