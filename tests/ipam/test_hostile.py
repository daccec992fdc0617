"""A hostile corpus against both databases, both allocation routes and the web forms.

Every request here is something a careless or malicious client could send:
wrong types, huge numbers, digits that are not ASCII, NUL and lone
surrogates, names ending in a newline, malformed and overflowing token ids,
truncated and deeply nested JSON. The server must never answer 5xx; every
4xx must name the field at fault; and the lean allocation route must answer
every allocation request exactly as the full route does (status and bytes).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.errors import InvalidRequest
from cidrkit.ipam.limits import AttemptLimiter
from cidrkit.ipam.model import PoolRules
from cidrkit.ipam.pools import PoolSpec, create_pool
from cidrkit.ipam.tokens import create_token, parse_token_id
from cidrkit.ipam.webtext import form_length

TIMESTAMP = re.compile(rb'"(created_at|released_at)":"[^"]+"')
ALLOCATE = "/api/v1/pools/prodA/allocations"


@dataclass(frozen=True)
class Probe:
    """One hostile request: method, path, body (JSON value or raw bytes), headers."""

    method: str
    path: str
    body: Any = None
    raw: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    auth: str = "admin"  # which token: admin, writerA, none, or a literal header value


def _allocation_bodies() -> list[Any]:
    good: dict[str, Any] = {"prefix_length": 26, "tags": {"env": "x"}}
    bodies: list[Any] = []
    for value in (-1, 129, 24.5, "24", "²", "٣", True, None, [], {}, 10**400, -(10**30)):
        bodies.append({**good, "prefix_length": value})
    for value in ("10.0.0.5/24", "10.0.0.0/33", "::/0", "10.9.0.0/16", "a" * 5000,
                  "10.0.1.0/24\n", "10.0.1.0/24\x00", " 10.0.1.0/24", "10.0.1.0/٢٤", 24, None,
                  "1e400", "0x0a000000/24", "10.0.1.0/024"):
        bodies.append({"prefix": value, "tags": {"env": "x"}})
    for field, value in (("owner", "a\x00b"), ("owner", "o" * 300), ("owner", "\ud800"),
                         ("description", "d" * 5000), ("description", "x\x00"),
                         ("strategy", "worst_fit"), ("strategy", None), ("state", "released"),
                         ("state", ""), ("idempotency_key", ""), ("idempotency_key", "k" * 300),
                         ("idempotency_key", "k\x00"), ("colour", "blue"), ("owner", 5)):
        bodies.append({**good, field: value})
    for tags in ({"": "v"}, {"k": "v" * 600}, {"k\x00": "v"}, {f"t{i}": "v" for i in range(70)},
                 ["env", "x"], "env=x", {"env": 5}, {"env": None}, {"k" * 150: "v"}):
        bodies.append({"prefix_length": 26, "tags": tags})
    bodies += [[], "text", 1, None, {"prefix_length": 26, "prefix": "10.0.1.0/24"}]
    return bodies


def _raw_bodies() -> list[bytes]:
    return [b'{"prefix_length": 26', b"", b"\xff\xfe\x00", b'\xef\xbb\xbf{"prefix_length": 26}',
            b"[" * 5000 + b"]" * 5000, b'{"prefix_length": 26, "prefix_length": 27}',
            b'{"prefix_length": 1' + b"0" * 5000 + b"}", b"null", b'{"a":' * 2000,
            b'{"prefix_length": NaN}', b'{"prefix_length": Infinity}', b"\x00" * 64]


TOKENS = ["Bearer ckt_99999999999999999999_x", "Bearer ckt_" + "9" * 5000 + "_x",
          "Bearer ckt_²_x", "Bearer ckt_2147483648_x", "Bearer ckt_0_x", "Bearer ckt_-1_x",
          "Bearer ckt_1_", "Bearer ckt__x", "Bearer", "Basic YWRtaW46YWRtaW4=", "bearer ckt_1_x",
          "Bearer ckt_1_x\u00e9", "Bearer " + "x" * 6000, "Bearer ckt_1_" + "a" * 300,
          "Bearer ckt_٣_x", "Bearer ckt_1_x ckt_1_y"]


def corpus() -> list[Probe]:
    """The hostile requests (more than 150)."""
    probes = [Probe("POST", ALLOCATE, body=b) for b in _allocation_bodies()]
    probes += [Probe("POST", ALLOCATE, raw=r) for r in _raw_bodies()]
    probes += [Probe("POST", ALLOCATE, raw=b'{"prefix_length": 26}',
                     headers=(("content-type", ct),))
               for ct in ("text/plain", "application/json; charset=latin-1", "", "*/*")]
    probes += [Probe("POST", ALLOCATE, body={"prefix_length": 26, "tags": {"env": "x"}},
                     auth=value) for value in TOKENS]
    probes += [Probe("GET", "/api/v1/pools", auth=value) for value in TOKENS[:6]]
    for name in ("prodA%0A", "prodA%0D", "a" * 101, "%00", "..", "%2e%2e", "pr%C3%B6d",
                 "prodA%20", "-x", "prodA%0A%0A"):
        probes.append(Probe("POST", f"/api/v1/pools/{name}/allocations",
                            body={"prefix_length": 26, "tags": {"env": "x"}}))
        probes.append(Probe("GET", f"/api/v1/pools/{name}"))
        probes.append(Probe("DELETE", f"/api/v1/pools/{name}"))
    for ident in ("99999999999999999999", "-1", "0", "2147483648", "1e3", "٣",
                  "4611686018427387905"):
        probes.append(Probe("GET", f"/api/v1/allocations/{ident}"))
        probes.append(Probe("POST", f"/api/v1/allocations/{ident}/release"))
    for query in ("length=999", "offset=-1", "offset=" + "9" * 50, "limit=0", "limit=99999",
                  "length=٣", "length=24&length=25", "lenght=24", "length=%00"):
        probes.append(Probe("GET", f"/api/v1/pools/prodA/free?{query}"))
    for query in ("state=bogus", "limit=-1", "offset=" + "9" * 30, "state=allocated%0A"):
        probes.append(Probe("GET", f"/api/v1/pools/prodA/allocations?{query}"))
    for query in ("before_id=" + "9" * 25, "before_id=9223372036854775808", "pool=prodA%0A",
                  "pool=" + "p" * 200, "limit=0"):
        probes.append(Probe("GET", f"/api/v1/audit?{query}"))
    batch = "/api/v1/pools/prodA/allocations/batch"
    probes += [Probe("POST", batch, body={"items": [{"prefix_length": 30}] * 257}),
               Probe("POST", batch, body={"items": []}),
               Probe("POST", batch, body={"items": [{"prefix_length": 26, "tags": {"env": "x"}},
                                                   {"prefix_length": 26, "owner": "\x00"}]}),
               Probe("POST", batch, body={"items": [{"prefix": "10.0.0.0/33"}]}),
               Probe("POST", batch, body={"items": "all"})]
    for pool in ({"name": "poolA\n", "prefixes": ["10.7.0.0/16"]},
                 {"name": "p1", "prefixes": ["10.7.0.0/16\n"]},
                 {"name": "p1", "prefixes": ["10.7.0.0/16"], "default_length": 200},
                 {"name": "p1", "parent": "nope", "prefix_length": 24},
                 {"name": "p1", "parent": "prodA\n", "prefix_length": 24},
                 {"name": "p1", "prefixes": ["10.7.0.0/16"], "description": "d" * 5000},
                 {"name": "p\x00", "prefixes": ["10.7.0.0/16"]},
                 {"name": "p1", "prefixes": ["10.7.0.0/16"], "required_tags": [""]},
                 {"name": "p1", "prefixes": ["10.7.0.0/16"], "min_length": "٣"},
                 {"name": "p1", "prefixes": ["10.7.0.0/16", "::/64"]}):
        probes.append(Probe("POST", "/api/v1/pools", body=pool))
    imports = "/api/v1/pools/prodA/import"
    for body in ({"content": "10.0.5.0/24\x00"}, {"content": "10.0.5.0/24", "filename": "\x00"},
                 {"content": "x", "under": ["a\n"], "format": "lock"},
                 {"content": "x", "format": "yaml"}, {"content": "x", "under": ["a"] * 101},
                 {"content": '{"cidrkit-plan-lock": 1, "blocks": []}', "format": "lock"},
                 {"content": "10.0.5.0/24", "tags": {"": "x"}}, {"content": None}):
        probes.append(Probe("POST", imports, body=body))
    probes += [Probe("PATCH", ALLOCATE), Probe("GET", "/api/v1/nope"),
               Probe("POST", "/api/v1/pools?x=1", body={"name": "p9", "prefixes": ["10.9.9.0/24"]})]
    return probes


def _send(client: TestClient, probe: Probe, tokens: dict[str, str]) -> Any:
    headers: dict[str, str | bytes] = {"content-type": "application/json"}
    if probe.auth in tokens:
        headers["authorization"] = f"Bearer {tokens[probe.auth]}"
    elif probe.auth != "none":
        # Raw bytes: a client may send any octets in a header, not only ASCII.
        headers["authorization"] = probe.auth.encode("utf-8")
    headers.update(dict(probe.headers))
    if probe.raw is not None:
        content = probe.raw
    elif probe.body is None:
        content = None
    else:
        content = json.dumps(probe.body).encode()
    return client.request(probe.method, probe.path, content=content, headers=headers)


@pytest.fixture
def apps(db_url: str, tmp_path: Any) -> Iterator[tuple[TestClient, TestClient, dict[str, str]]]:
    """The app with and without the lean route over one database, and the tokens."""
    db = Database(db_url)
    db.upgrade()
    create_pool(db, PoolSpec("prodA", ["10.0.0.0/16"], rules=PoolRules(default_length=24)),
                actor="t")
    create_pool(db, PoolSpec("prodB", ["10.1.0.0/16"]), actor="t")
    tokens = {"admin": create_token(db, name="admin", pool=None, scope="admin")[1],
              "writerA": create_token(db, name="wa", pool="prodA", scope="write")[1]}
    limiter = AttemptLimiter(limit=10**9)  # the limit has its own test; here, the answers
    fast = TestClient(create_app(db, fast_path=True, batching=False, limiter=limiter))
    full = TestClient(create_app(db, fast_path=False, batching=False, limiter=limiter))
    yield fast, full, tokens
    db.dispose()


def _check_answer(probe: Probe, answer: Any) -> None:
    where = f"{probe.method} {probe.path[:80]} {str(probe.body)[:80]} {probe.auth[:40]}"
    assert answer.status_code < 500, f"{where}: {answer.status_code} {answer.text[:200]}"
    if answer.status_code >= 400:
        error = answer.json()["error"]
        assert error.get("field"), f"{where}: no field in {error}"
        assert error.get("message"), f"{where}: no message in {error}"
        assert "Traceback" not in error["message"]


def test_hostile_corpus_never_5xx_and_names_the_field(
        apps: tuple[TestClient, TestClient, dict[str, str]]) -> None:
    fast, full, tokens = apps
    probes = corpus()
    assert len(probes) >= 150
    for probe in probes:
        first = _send(fast, probe, tokens)
        _check_answer(probe, first)
        if probe.method == "POST" and probe.path.endswith("/allocations"):
            # The same request to the full route: identical status and bytes
            # (an accepted one allocates again, so only the timestamps and the
            # id and prefix of a 201 may differ).
            second = _send(full, probe, tokens)
            assert first.status_code == second.status_code, (probe, first.text, second.text)
            if first.status_code >= 400:
                assert first.content == second.content, probe


def test_fast_and_full_route_agree_on_names_ending_in_a_newline(
        apps: tuple[TestClient, TestClient, dict[str, str]]) -> None:
    fast, full, tokens = apps
    headers = {"authorization": f"Bearer {tokens['admin']}"}
    made = fast.post("/api/v1/pools", headers=headers,
                     json={"name": "poolA\n", "prefixes": ["10.5.0.0/16"]})
    assert made.status_code == 422 and made.json()["error"]["field"] == "name"
    answers = [client.post("/api/v1/pools/prodA%0A/allocations", headers=headers,
                           json={"prefix_length": 24}) for client in (fast, full)]
    assert answers[0].status_code == answers[1].status_code == 422
    assert answers[0].content == answers[1].content


def test_malformed_token_ids_are_401_on_every_way_in(
        apps: tuple[TestClient, TestClient, dict[str, str]]) -> None:
    fast, _, _ = apps
    for value in TOKENS[:6]:
        for method, path in (("GET", "/api/v1/whoami"), ("GET", "/api/v1/pools/prodA"),
                             ("POST", ALLOCATE)):
            answer = fast.request(method, path, headers={"authorization": value.encode()},
                                  json={"prefix_length": 24})
            assert answer.status_code == 401, (value[:40], path)
            assert answer.json()["error"]["field"] == "authorization"
        # The web page: a token in the login form, and a forged session cookie.
        page = fast.get("/")
        csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)  # type: ignore[union-attr]
        login = fast.post("/login", data={"token": value.removeprefix("Bearer "), "csrf": csrf})
        assert login.status_code == 401
        cookie_client = TestClient(fast.app)
        cookie = value.replace(" ", "_").encode("ascii", "replace").decode()[:4000]
        cookie_client.cookies.set("cidrkit_session", cookie)
        assert cookie_client.get("/").status_code == 200  # the login page
        assert cookie_client.get("/pools/prodA").status_code == 200


def test_json_errors_say_line_and_column(
        apps: tuple[TestClient, TestClient, dict[str, str]]) -> None:
    fast, _, tokens = apps
    answer = fast.post(ALLOCATE, content=b'{\n  "prefix_length": 9',
                       headers={"authorization": f"Bearer {tokens['admin']}",
                                "content-type": "application/json"})
    error = answer.json()["error"]
    assert answer.status_code == 422 and error["field"] == "body"
    assert error["message"] == ("body: invalid JSON at line 2 column 21 "
                                "(Expecting ',' delimiter)")


WEB_FORMS: list[dict[str, str]] = [
    {"prefix_length": "²"}, {"prefix_length": "9" * 5000}, {"prefix_length": "٣"},
    {"prefix_length": "-1"}, {"prefix_length": "26", "owner": "a\x00b"},
    {"prefix_length": "26", "owner": "o" * 300}, {"prefix_length": "26", "tags": "=v"},
    {"prefix_length": "26", "description": "d" * 5000}, {"prefix": "10.0.0.0/33"},
    {"prefix": "x" * 5000}, {"prefix_length": "26", "strategy": "\x00"},
    {"prefix_length": "26", "state": "released"},
    {"prefix_length": "26", "tags": ", ".join(f"t{i}=v" for i in range(70))},
]


def test_web_forms_refuse_like_the_api(
        apps: tuple[TestClient, TestClient, dict[str, str]]) -> None:
    fast, _, tokens = apps
    web = TestClient(fast.app, follow_redirects=False)
    page = web.get("/")
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', page.text).group(1)  # type: ignore[union-attr]
    assert web.post("/login", data={"token": tokens["admin"], "csrf": csrf}).status_code == 303
    csrf = re.search(r'name="csrf" value="([0-9a-f]{64})"', web.get("/").text).group(1)  # type: ignore[union-attr]
    for form in WEB_FORMS:
        answer = web.post("/pools/prodA/allocate", data={**form, "csrf": csrf})
        assert 400 <= answer.status_code < 500, (form, answer.status_code)
        error = re.search(r'id="error">([^<]*)<', answer.text)
        assert error is not None and re.match(r"[a-z_]+(\.[a-z_0-9]+)*: ", error.group(1)), form
    # Bytes no browser should send: an encoded lone surrogate, invalid UTF-8.
    for raw in (b"prefix_length=26&owner=%ED%A0%80&csrf=" + csrf.encode(),
                b"prefix_length=26&owner=%FF%FE&csrf=" + csrf.encode()):
        answer = web.post("/pools/prodA/allocate", content=raw,
                          headers={"content-type": "application/x-www-form-urlencoded"})
        assert answer.status_code < 500
    for name in ("prodA%0A", "x" * 300, "%00"):
        assert web.post(f"/pools/{name}/allocate",
                        data={"prefix_length": "26", "csrf": csrf}).status_code < 500
    for ident in ("99999999999999999999", "2147483648", "-1", "x"):
        assert web.post(f"/allocations/{ident}/release", data={"csrf": csrf}).status_code < 500
    listed = fast.get(f"{ALLOCATE}?limit=1000",
                      headers={"authorization": f"Bearer {tokens['admin']}"}).json()
    assert listed["total"] == 0


_JSON_LEAF = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
              | st.floats(allow_nan=False) | st.text(max_size=30)
              | st.sampled_from(["24", "²", "٣", "10.0.3.0/24", "10.0.3.0/24\n", "\x00",
                                 "best_fit", "reserved", "::/0", "a" * 300]))
_JSON = st.recursive(_JSON_LEAF, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
_FIELDS = st.sampled_from(["prefix_length", "prefix", "strategy", "state", "description",
                           "owner", "tags", "idempotency_key", "extra"])
_BODIES = st.dictionaries(_FIELDS, _JSON, max_size=4) | _JSON


@settings(max_examples=int(os.environ.get("CIDRKIT_HOSTILE_EXAMPLES", "60")), deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
@given(body=_BODIES)
def test_generated_bodies_get_the_same_answer_on_both_routes(sqlite_db: Database,
                                                             body: Any) -> None:
    """Any JSON body: never a 5xx, a 4xx names its field, both routes agree."""
    state = _shared_apps(sqlite_db)
    fast, full, tokens = state
    probe = Probe("POST", ALLOCATE, body=body)
    first, second = _send(fast, probe, tokens), _send(full, probe, tokens)
    _check_answer(probe, first)
    assert first.status_code == second.status_code, (body, first.text, second.text)
    if first.status_code >= 400:
        assert first.content == second.content


_APPS: dict[str, tuple[TestClient, TestClient, dict[str, str]]] = {}


def _shared_apps(db: Database) -> tuple[TestClient, TestClient, dict[str, str]]:
    """One pair of apps per database for all of Hypothesis's examples."""
    if db.url not in _APPS:
        create_pool(db, PoolSpec("prodA", ["10.0.0.0/16"], rules=PoolRules(default_length=28)),
                    actor="t")
        tokens = {"admin": create_token(db, name="admin", pool=None, scope="admin")[1]}
        limiter = AttemptLimiter(limit=10**9)
        _APPS[db.url] = (TestClient(create_app(db, fast_path=True, batching=False,
                                               limiter=limiter)),
                         TestClient(create_app(db, fast_path=False, batching=False,
                                               limiter=limiter)), tokens)
    return _APPS[db.url]


@given(text=st.text(max_size=40) | st.from_regex(r"ckt_[0-9]{1,12}_[A-Za-z0-9_-]{1,5}"))
def test_token_ids_parse_exactly_like_a_plain_oracle(text: str) -> None:
    """Never raises on any text; accepts exactly ASCII decimal ids 1..2**31-1."""
    expected = None
    parts = text.split("_", 2)
    if (len(parts) == 3 and parts[0] == "ckt" and parts[1].isascii() and parts[1].isdigit()
            and not parts[1].startswith("0") and len(parts[1]) <= 10
            and 1 <= int(parts[1]) <= 2**31 - 1 and parts[2]
            and all(c.isascii() and (c.isalnum() or c in "_-") for c in parts[2])
            and len(parts[2]) <= 200):
        expected = int(parts[1])
    assert parse_token_id(text) == expected


@given(text=st.text(max_size=12))
def test_form_lengths_accept_only_ascii_digits(text: str) -> None:
    digits = text.removeprefix("/")
    if text == "":
        assert form_length(text, "prefix_length") is None
    elif digits.isascii() and digits.isdigit() and 1 <= len(digits) <= 3:
        assert form_length(text, "prefix_length") == int(digits)
    else:
        with pytest.raises(InvalidRequest) as refused:
            form_length(text, "prefix_length")
        assert refused.value.field == "prefix_length"
