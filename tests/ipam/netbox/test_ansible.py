"""Ansible's ``netbox.netbox`` collection (from the ``ansible`` package on PyPI) drives
cidrkit: ``netbox_prefix`` with ``parent`` + ``prefix_length`` + ``first_available``,
then ``netbox_ip_address`` with ``prefix`` (the next free address of the new prefix).

The playbook test needs ``ansible-playbook`` (CIDRKIT_TEST_ANSIBLE_PLAYBOOK, which
scripts/ci-services.sh installs and prints; required under CI=true). The replay
test sends the exact requests the module makes, recorded from a run of
collection 3.21.0 with pynetbox 7.8, so the contract is checked even where
Ansible is not installed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.ipam.conftest import Server, require_service
from tests.ipam.netbox.conftest import make_pool

PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  connection: local
  tasks:
    - name: carve the first free /24
      netbox.netbox.netbox_prefix:
        netbox_url: "{{ url }}"
        netbox_token: "{{ token }}"
        data:
          parent: 10.30.0.0/16
          prefix_length: 24
          description: from ansible
        first_available: true
        state: present
      register: carved
    - name: take the next free address of it
      netbox.netbox.netbox_ip_address:
        netbox_url: "{{ url }}"
        netbox_token: "{{ token }}"
        data:
          prefix: "{{ carved.prefix.prefix }}"
          description: web-1
        state: new
      register: address
    - name: show what was made
      ansible.builtin.copy:
        content: "{{ {'carved': carved, 'address': address} | to_json }}"
        dest: "{{ out }}"
"""


def run_playbook(playbook: str, server: Server, token: str, tmp_path: Path) -> dict[str, object]:
    ansible = require_service("CIDRKIT_TEST_ANSIBLE_PLAYBOOK", "the Ansible test needs Ansible")
    book = tmp_path / "play.yml"
    book.write_text(playbook)
    out = tmp_path / "out.json"
    env = {**os.environ, "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
           "ANSIBLE_HOME": str(tmp_path / "ansible-home"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_LOCALHOST_WARNING": "False", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "False"}
    # The modules run in this interpreter, which has pynetbox (the test extras).
    done = subprocess.run(
        [ansible, "-i", "localhost,", "-e", f"url={server.url}", "-e", f"token={token}",
         "-e", f"out={out}", "-e", f"ansible_python_interpreter={sys.executable}", str(book)],
        capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, object] = json.loads(out.read_text())
    return result


def test_netbox_prefix_first_available(server: Server, admin_token: str, tmp_path: Path) -> None:
    make_pool(server, admin_token, "prod", "10.30.0.0/16")
    result = run_playbook(PLAYBOOK, server, admin_token, tmp_path)
    carved, address = result["carved"], result["address"]
    assert isinstance(carved, dict) and isinstance(address, dict)
    assert carved["changed"] is True
    assert carved["prefix"]["prefix"] == "10.30.0.0/24"
    assert carved["prefix"]["description"] == "from ansible"
    # The network address and the gateway (.1) are skipped under the default model.
    assert address["ip_address"]["address"] == "10.30.0.2/24"
    headers = {"Authorization": f"Bearer {admin_token}"}
    mine = httpx.get(f"{server.url}/api/v1/pools/prod/allocations", headers=headers).json()
    assert [a["prefix"] for a in mine["allocations"]] == ["10.30.0.0/24"]
    held = httpx.get(f"{server.url}/api/ipam/ip-addresses/", headers=headers).json()
    assert [(a["address"], a["description"]) for a in held["results"]] == [
        ("10.30.0.2/24", "web-1")]


def test_netbox_prefix_requests_replayed(server: Server, admin_token: str) -> None:
    make_pool(server, admin_token, "prod", "10.30.0.0/16")
    headers = {"Authorization": f"Token {admin_token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        root = http.get("/api/")
        assert root.status_code == 200
        assert root.headers["API-Version"] == "4.1"
        assert http.get("/api/status/").json()["netbox-version"] == "4.1.0"
        found = http.get("/api/ipam/prefixes/?prefix=10.30.0.0%2F16&limit=0").json()
        assert found["count"] == 1
        parent_id = found["results"][0]["id"]
        free = http.get(f"/api/ipam/prefixes/{parent_id}/available-prefixes/").json()
        assert free == [{"family": 4, "prefix": "10.30.0.0/16", "vrf": None}]
        made = http.post(f"/api/ipam/prefixes/{parent_id}/available-prefixes/",
                         content='{"parent": "10.30.0.0/16", "prefix_length": 24, '
                                 '"description": "from ansible"}')
        assert made.status_code == 201
        assert made.json()["prefix"] == "10.30.0.0/24"
        assert made.json()["description"] == "from ansible"
        child = made.json()["id"]
        looked_up = http.get("/api/ipam/prefixes/?prefix=10.30.0.0%2F24&limit=0").json()
        assert [p["id"] for p in looked_up["results"]] == [child]
        offered = http.get(f"/api/ipam/prefixes/{child}/available-ips/").json()
        assert offered[0] == {"family": 4, "address": "10.30.0.2/24", "vrf": None}
        taken = http.post(f"/api/ipam/prefixes/{child}/available-ips/",
                          content='{"prefix": "10.30.0.0/24", "description": "web-1"}')
        assert taken.status_code == 201
        assert taken.json()["address"] == "10.30.0.2/24"
        assert taken.json()["description"] == "web-1"
        # A parent that is not the looked-up prefix is refused, not ignored.
        wrong = http.post(f"/api/ipam/prefixes/{parent_id}/available-prefixes/",
                          json={"parent": "10.31.0.0/16", "prefix_length": 24})
        assert wrong.status_code == 400
        assert "parent" in wrong.json()
