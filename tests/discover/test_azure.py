"""``cidrkit discover azure`` against recorded Resource Graph responses on a loopback server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("azure.mgmt.resourcegraph", reason="needs the azure extra")

from tests.cli.runner import cli
from tests.discover.replay import RECORDED, ReplayServer, recorded

SUB_A = "7f2c3e1a-5b8d-4c6e-9a0f-1d2e3f4a5b6c"
SUB_B = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
ROUTE = "/providers/Microsoft.ResourceGraph/resources"


class StaticToken:
    """A credential handing out a fixed token: the SDK's own chain is not under test."""

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        self.scopes = scopes
        return AccessToken("test-token", 4102444800)


@pytest.fixture
def graph(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReplayServer]:
    server = ReplayServer()
    monkeypatch.setattr("cidrkit.discover.azure.default_credential", StaticToken)
    try:
        yield server
    finally:
        server.stop()


def pages(server: ReplayServer) -> None:
    server.routes[ROUTE] = [(200, recorded("azure-resourcegraph-page1.json")),
                            (200, recorded("azure-resourcegraph-page2.json"))]


def test_one_query_across_subscriptions_written_as_az_vnet_list(graph: ReplayServer,
                                                                 tmp_path: Path) -> None:
    pages(graph)
    out = tmp_path / "found"
    result = cli("discover", "azure", "-o", str(out), "--endpoint", graph.url,
                 "--subscription", SUB_A, "--subscription", SUB_B)
    assert result.code == 0, result.err
    assert result.out == (f"azure {SUB_B}: ok (1 VNets)\nazure {SUB_A}: ok (2 VNets)\n")
    first, second = graph.seen
    assert first.headers["authorization"] == "Bearer test-token"
    assert "api-version=" in first.path
    body = first.json()
    assert body["subscriptions"] == [SUB_A, SUB_B]
    assert "microsoft.network/virtualnetworks" in body["query"]
    assert body["options"]["resultFormat"] == "objectArray"
    # The second page is asked for with the first page's token.
    assert second.json()["options"]["$skipToken"] == recorded(
        "azure-resourcegraph-page1.json")["$skipToken"]
    vnets = json.loads((out / "azure" / SUB_A / "vnets.json").read_text())
    app = vnets[0]
    assert app["type"] == "Microsoft.Network/virtualNetworks"
    assert app["addressSpace"] == {"addressPrefixes": ["10.130.0.0/16", "fd4a:7c21:130::/48"]}
    assert app["subnets"][0]["addressPrefixes"] == ["10.130.1.0/24", "fd4a:7c21:130:1::/64"]
    assert app["subnets"][1]["addressPrefix"] == "10.130.2.0/24"
    assert "properties" not in app and "properties" not in app["subnets"][0]
    assert list(app) == sorted(app)
    manifest = json.loads((out / ".discovery.json").read_text())
    assert [(f["path"], f["api"], f["items"]) for f in manifest["files"]] == [
        (f"azure/{SUB_B}/vnets.json", "resourcegraph:Resources", 1),
        (f"azure/{SUB_A}/vnets.json", "resourcegraph:Resources", 2)]


def test_audit_of_discovered_equals_audit_of_hand_exports(graph: ReplayServer,
                                                          tmp_path: Path) -> None:
    pages(graph)
    out = tmp_path / "found"
    assert cli("discover", "azure", "-o", str(out), "--endpoint", graph.url).code == 0
    hand = tmp_path / "hand"
    hand.mkdir()
    for sub in (SUB_A, SUB_B):
        shutil.copy(RECORDED / f"azure-hand-{sub}.json", hand / f"{sub}.json")
    found_report = json.loads(cli("audit", str(out), "--json").out)
    hand_report = json.loads(cli("audit", str(hand), "--json").out)

    def keys(report: dict[str, Any]) -> list[tuple[str, ...]]:
        return sorted((c["a"]["prefix"], c["a"]["scope"], c["b"]["prefix"], c["b"]["scope"])
                      for c in report["conflicts"])

    assert keys(found_report) == keys(hand_report)
    assert ("10.130.0.0/16" in {k[0] for k in keys(found_report)})
    # Peerings repeat the other VNet's space: references, never allocations.
    assert ({i["value"] for i in found_report["ignored"]}
            == {i["value"] for i in hand_report["ignored"]} == {"10.22.0.0/16"})


def test_a_refused_query_is_a_failed_scope(graph: ReplayServer, tmp_path: Path) -> None:
    graph.routes[ROUTE] = [(403, {"error": {
        "code": "AuthorizationFailed",
        "message": "The client 'c0ffee' does not have authorization to perform action "
                   "'Microsoft.ResourceGraph/resources/read'."}})]
    out = tmp_path / "found"
    result = cli("discover", "azure", "-o", str(out), "--endpoint", graph.url,
                 "--subscription", SUB_A)
    assert result.code == 3
    assert result.out.startswith(f"azure {SUB_A}: failed: Resource Graph query failed: ")
    assert "AuthorizationFailed" in result.out
    assert json.loads((out / ".discovery.json").read_text())["partial"] is True


def test_plain_http_endpoint_only_on_loopback(graph: ReplayServer, tmp_path: Path) -> None:
    result = cli("discover", "azure", "-o", str(tmp_path / "x"), "--endpoint",
                 "http://management.example.com")
    assert (result.code, result.err) == (
        2, "cidrkit: error: --endpoint http://management.example.com: plain http is only "
           "allowed on loopback; use https\n")
    result = cli("discover", "azure", "-o", str(tmp_path / "x"), "--endpoint", "ftp://x")
    assert (result.code, result.err) == (
        2, "cidrkit: error: --endpoint ftp://x: not an http(s) URL\n")
    assert graph.seen == []
    assert not (tmp_path / "x").exists()


def test_more_than_a_thousand_subscriptions_take_several_queries(graph: ReplayServer,
                                                                 tmp_path: Path) -> None:
    empty = {"totalRecords": 0, "count": 0, "resultTruncated": "false", "data": [],
             "facets": []}
    graph.routes[ROUTE] = [(200, empty), (200, empty)]
    subscriptions = [f"00000000-0000-4000-8000-{n:012d}" for n in range(1500)]
    args = [arg for s in subscriptions for arg in ("--subscription", s)]
    out = tmp_path / "found"
    result = cli("discover", "azure", "-o", str(out), "--endpoint", graph.url, *args)
    assert result.code == 0, result.err
    assert [len(s.json()["subscriptions"]) for s in graph.seen] == [1000, 500]
    assert len(result.out.splitlines()) == 1500
    # Nothing found is no export file, only provenance.
    assert sorted(p.name for p in out.iterdir()) == [".discovery.json"]
