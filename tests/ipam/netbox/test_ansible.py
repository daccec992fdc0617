"""Ansible's ``netbox.netbox`` collection (from the ``ansible`` package on PyPI) drives
cidrkit: ``netbox_prefix`` with ``parent`` + ``prefix_length`` + ``first_available``.

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
    - name: show what was carved
      ansible.builtin.copy:
        content: "{{ carved | to_json }}"
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
    carved = run_playbook(PLAYBOOK, server, admin_token, tmp_path)
    assert carved["changed"] is True
    made = carved["prefix"]
    assert isinstance(made, dict)
    assert made["prefix"] == "10.30.0.0/24"
    assert made["description"] == "from ansible"
    mine = httpx.get(f"{server.url}/api/v1/pools/prod/allocations",
                     headers={"Authorization": f"Bearer {admin_token}"}).json()
    assert [a["prefix"] for a in mine["allocations"]] == ["10.30.0.0/24"]


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
        # A parent that is not the looked-up prefix is refused, not ignored.
        wrong = http.post(f"/api/ipam/prefixes/{parent_id}/available-prefixes/",
                          json={"parent": "10.31.0.0/16", "prefix_length": 24})
        assert wrong.status_code == 400
        assert "parent" in wrong.json()
