"""Recall and precision of every reader on real-shape fixtures, one assertion per file.

``corpus/`` holds files in the exact shapes of real exports (AWS CLI JSON, text and
table output, recorded SDK responses, CloudFormation, ARM, Bicep, Terraform state,
plans, HCL and JSON syntax, gcloud and Compute REST, Azure CLI and REST, Kubernetes,
kind, Cluster API, Calico, NetBox, Infoblox, spreadsheets, Pulumi). ``corpus_expected.yaml``
says, for each, the format it is and every prefix a careful reader allocates in it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from cidrkit.core import Prefix
from cidrkit.sources import read_inventory

HERE = Path(__file__).parent
CORPUS = HERE / "corpus"


def _manifest() -> dict[str, dict[str, Any]]:
    loaded = YAML(typ="safe").load((HERE / "corpus_expected.yaml").read_text(encoding="utf-8"))
    return {str(k): v for k, v in loaded.items()}


MANIFEST = _manifest()


def test_every_fixture_has_its_expectations() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()}
    assert files == set(MANIFEST)


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_recall_and_precision(name: str) -> None:
    expected_entry = MANIFEST[name]
    path = str(CORPUS / name)
    inventory = read_inventory([path])
    if "skipped" in expected_entry:
        assert [s.reason[: len(expected_entry["skipped"])] for s in inventory.skipped] == [
            expected_entry["skipped"]]
        assert inventory.record_count == 0
        return
    assert inventory.skipped == []
    assert inventory.formats[path] == expected_entry["format"]
    expected = {Prefix.parse(p) for p in expected_entry["prefixes"]}
    found = {r.prefix for r in inventory.records}
    missed, invented = expected - found, found - expected
    assert (sorted(missed), sorted(invented)) == ([], [])
    assert inventory.malformed == []
    # Every allocation cites its line (a one-line plan JSON: line 1).
    assert [str(r.origin) for r in inventory.records if r.origin.line is None] == []


def test_the_whole_corpus_audits_in_one_run() -> None:
    """Read together, every fixture is still read, in one report, with no file lost."""
    inventory = read_inventory([str(CORPUS)])
    assert [s.file for s in inventory.skipped] == [str(CORPUS / "terraform/plan-events.json")]
    expected = sum(len(v["prefixes"]) for v in MANIFEST.values())
    assert len({(r.origin.file, r.prefix) for r in inventory.records}) == expected
