"""``cidrkit discover gcp`` against recorded Compute API responses on a loopback server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("google.cloud.compute_v1", reason="needs the gcp extra")

from tests.cli.runner import cli
from tests.discover.replay import RECORDED, ReplayServer, recorded

LIST = "/compute/v1/projects/{}/aggregated/subnetworks"


@pytest.fixture
def compute(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    from google.auth.credentials import AnonymousCredentials

    server = ReplayServer()
    server.routes[LIST.format("acme-net-prod")] = [
        (200, recorded("gcp-net-prod-page1.json")), (200, recorded("gcp-net-prod-page2.json"))]
    server.routes[LIST.format("acme-data")] = [(200, recorded("gcp-data.json"))]
    server.routes[LIST.format("acme-sandbox")] = [(403, recorded("gcp-sandbox-denied.json"))]
    monkeypatch.setattr("cidrkit.discover.gcp.default_credentials", AnonymousCredentials)
    try:
        yield server
    finally:
        server.stop()


def discover(server: ReplayServer, out: Path, *projects: str):  # type: ignore[no-untyped-def]
    args = ["discover", "gcp", "-o", str(out), "--endpoint", server.url]
    for project in projects:
        args += ["--project", project]
    return cli(*args)


def test_projects_read_in_parallel_pages_followed(compute: ReplayServer, tmp_path: Path) -> None:
    out = tmp_path / "found"
    result = discover(compute, out, "acme-net-prod", "acme-data")
    assert result.code == 0, result.err
    assert result.out == ("gcp acme-data: ok (2 subnetworks)\n"
                          "gcp acme-net-prod: ok (2 subnetworks)\n")
    prod = [s for s in compute.seen if "acme-net-prod" in s.path]
    assert len(prod) == 2
    assert "pageToken=CkEKP2h0dHBzOi8vd3d3Lmdvb2dsZWFwaXMuY29t" in prod[1].path
    subnets = json.loads((out / "gcp" / "acme-net-prod" / "subnets.json").read_text())
    gke = subnets[1]
    assert gke["name"] == "gke-prod-use1"
    assert gke["id"] == "2561482753426106457"
    assert gke["secondaryIpRanges"] == [{"ipCidrRange": "10.124.0.0/14", "rangeName": "gke-pods"},
                                        {"ipCidrRange": "10.120.16.0/20",
                                         "rangeName": "gke-services"}]
    assert gke["externalIpv6Prefix"] == "2600:1900:4010:7b4:0:0:0:0/64"
    assert list(gke) == sorted(gke)
    assert "secondaryIpRanges" not in subnets[0]


def test_audit_of_discovered_equals_audit_of_hand_export(compute: ReplayServer,
                                                         tmp_path: Path) -> None:
    out = tmp_path / "found"
    assert discover(compute, out, "acme-net-prod", "acme-data").code == 0
    hand = tmp_path / "hand"
    hand.mkdir()
    shutil.copy(RECORDED / "gcp-hand-subnets.json", hand / "subnets.json")

    def allocations(path: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
        report = json.loads(cli("audit", str(path), "--json").out)
        conflicts = sorted((c["a"]["prefix"], c["a"]["scope"], c["b"]["prefix"],
                            c["b"]["scope"]) for c in report["conflicts"])
        held = sorted((a["prefix"], a["scope"]) for a in report["allocations"])
        return conflicts, held

    found, hand_made = allocations(out), allocations(hand)
    assert found == hand_made
    data, shared = ("gcp:projects/acme-data/global/networks/data-vpc",
                    "gcp:projects/acme-net-prod/global/networks/shared-vpc")
    assert found[0] == [("10.120.0.0/20", data, "10.120.0.0/20", shared),
                        ("10.126.0.0/24", data, "10.124.0.0/14", shared)]


def test_a_refusing_project_fails_alone(compute: ReplayServer, tmp_path: Path) -> None:
    out = tmp_path / "found"
    result = discover(compute, out, "acme-net-prod", "acme-sandbox")
    assert result.code == 3
    lines = result.out.splitlines()
    assert lines[0] == "gcp acme-net-prod: ok (2 subnetworks)"
    assert lines[1].startswith("gcp acme-sandbox: failed: 403 ")
    assert "Compute Engine API has not been used in project 301122334455" in lines[1]
    assert "discovery was partial: 1 of 2 scopes failed" in result.err
    assert not (out / "gcp" / "acme-sandbox").exists()
    manifest: dict[str, Any] = json.loads((out / ".discovery.json").read_text())
    assert [(s["account"], s["status"]) for s in manifest["scopes"]] == [
        ("acme-net-prod", "ok"), ("acme-sandbox", "failed")]


def test_plain_http_endpoint_only_on_loopback(compute: ReplayServer, tmp_path: Path) -> None:
    result = cli("discover", "gcp", "-o", str(tmp_path / "x"), "--project", "p",
                 "--endpoint", "http://compute.example.com")
    assert (result.code, result.err) == (
        2, "cidrkit: error: --endpoint http://compute.example.com: plain http is only allowed "
           "on loopback; use https\n")
    assert compute.seen == []


def test_json_summary_is_the_provenance(compute: ReplayServer, tmp_path: Path) -> None:
    out = tmp_path / "found"
    result = cli("discover", "gcp", "-o", str(out), "--endpoint", compute.url,
                 "--project", "acme-data", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out) == json.loads((out / ".discovery.json").read_text())
    assert json.loads(result.out)["files"][0]["path"] == "gcp/acme-data/subnets.json"
