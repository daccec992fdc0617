"""``GET /metrics`` in the Prometheus text format: capacity per pool equals what the
API reports, the latency histogram counts every request, and only tokens reading
all pools may scrape it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cidrkit.ipam.api import create_app
from cidrkit.ipam.database import Database
from cidrkit.ipam.metrics import escape, number
from cidrkit.ipam.tokens import create_token

SAMPLE = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


def parse(text: str) -> tuple[dict[str, str], list[tuple[str, dict[str, str], float]]]:
    """Types by family and samples; fails on any line that is not the text format."""
    types: dict[str, str] = {}
    samples = []
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample line: {line!r}"
        labels = dict(LABEL.findall(match.group(2) or ""))
        samples.append((match.group(1), labels, float(match.group(3))))
    return types, samples


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    with TestClient(create_app(database)) as http:
        yield http


def bearer(db: Database, pool: str | None, scope: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(db, name='m', pool=pool, scope=scope)[1]}"}


def test_metrics_match_the_api(client: TestClient, database: Database) -> None:
    admin = bearer(database, None, "admin")
    client.post("/api/v1/pools", headers=admin,
                json={"name": "prod", "prefixes": ["10.0.0.0/24"], "warn_at": 50})
    client.post("/api/v1/pools", headers=admin, json={"name": "v6", "prefixes": ["2001:db8::/32"]})
    for _ in range(3):  # the fast path answers these
        assert client.post("/api/v1/pools/prod/allocations", headers=admin,
                           json={"prefix_length": 26}).status_code == 201
    for _ in range(2):  # so does this one, for addresses
        assert client.post("/api/v1/pools/v6/addresses", headers=admin,
                           json={}).status_code == 201
    assert client.get("/api/v1/pools/nope", headers=admin).status_code == 404
    response = client.get("/metrics", headers=bearer(database, None, "read"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    types, samples = parse(response.text)
    assert types["cidrkit_ipam_pool_addresses_free"] == "gauge"
    assert types["cidrkit_ipam_http_request_duration_seconds"] == "histogram"
    pools = {p["name"]: p for p in client.get("/api/v1/pools", headers=admin).json()}
    values = {(name, labels.get("pool")): value for name, labels, value in samples}
    for pool, body in pools.items():
        usage = body["utilisation"]
        assert values[("cidrkit_ipam_pool_allocations", pool)] == usage["allocations"]
        assert values[("cidrkit_ipam_pool_addresses_free", pool)] == float(int(usage["free"]))
        assert values[("cidrkit_ipam_pool_addresses", pool)] == float(int(usage["total"]))
    assert values[("cidrkit_ipam_pool_utilisation_ratio", "prod")] == 0.75
    assert values[("cidrkit_ipam_pool_warn_at_ratio", "prod")] == 0.5
    assert ("cidrkit_ipam_pool_warn_at_ratio", "v6") not in values
    # The histogram: cumulative buckets, +Inf equal to the count, one series per route template.
    counts = {(labels["route"], labels["status"]): value for name, labels, value in samples
              if name == "cidrkit_ipam_http_request_duration_seconds_count"}
    assert counts[("/api/v1/pools/{pool}/allocations", "201")] == 3
    assert counts[("/api/v1/pools/{pool}/addresses", "201")] == 2
    assert counts[("/api/v1/pools/{pool}", "404")] == 1
    assert counts[("/api/v1/pools", "201")] == 2
    series: dict[tuple[str, ...], list[float]] = {}
    for name, labels, value in samples:
        if name.endswith("_bucket"):
            key = (labels["method"], labels["route"], labels["status"])
            series.setdefault(key, []).append(value)
            if labels["le"] == "+Inf":
                assert value == counts[(labels["route"], labels["status"])]
    assert all(b == sorted(b) for b in series.values())


def test_metrics_need_read_on_all_pools(client: TestClient, database: Database) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=bearer(database, "prod", "admin")).status_code == 403
    bad = client.get("/metrics?format=json", headers=bearer(database, None, "read"))
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "format")


@pytest.mark.parametrize(("raw", "escaped"), [
    ("plain", "plain"), ('say "hi"', 'say \\"hi\\"'), ("a\\b", "a\\\\b"), ("x\ny", "x\\ny")])
def test_label_escaping(raw: str, escaped: str) -> None:
    assert escape(raw) == escaped


def test_numbers_stay_exact_until_floats_must_take_over() -> None:
    assert number(2**53) == "9007199254740992"
    assert number(2**96) == "7.922816251426434e+28"
    assert number(0.75) == "0.75"
