"""Report output at scale: JSON lines, grouping by covering block, --limit and --all.

The columnar writers fill patterns instead of encoding each side; every test
here compares them with the object path or with an oracle computed from the
plain JSON report or from ``ipaddress``.
"""

from __future__ import annotations

import ipaddress
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.audit.compactjson import iter_report_compact
from cidrkit.audit.engine import AuditReport, audit
from cidrkit.audit.export import (
    iter_report_json,
    iter_report_sarif,
    report_json,
    report_sarif,
)
from cidrkit.audit.groups import block_groups
from cidrkit.audit.jsonlines import iter_report_lines
from cidrkit.audit.render import GROUP_ABOVE, conflict_spans, render_markdown, render_text
from cidrkit.core import Prefix
from cidrkit.sources import Inventory, Labels, Origin, Record
from cidrkit.sources.record_table import NO_LINE, RecordTable
from tests.audit.test_columnar import LABELS, ORIGINS, SCOPES
from tests.cli.runner import cli

REPO = Path(__file__).resolve().parents[2]


def _prefix(draw: st.DrawFn, bits: int) -> Prefix:
    length = draw(st.integers(bits - 6, bits))  # a small universe: many overlaps
    offset = draw(st.integers(0, 63)) >> (bits - length) << (bits - length)
    base = 0x0A000000 if bits == 32 else 0x20010DB8 << 96
    return Prefix(bits, base + offset, length)


@st.composite
def mixed_inventories(draw: st.DrawFn) -> Inventory:
    """Object records with record tables between them, as a columnar read makes them."""
    records: list[Record] = []
    tables: list[tuple[int, RecordTable]] = []
    for _ in range(draw(st.integers(0, 3))):
        for _ in range(draw(st.integers(0, 8))):
            records.append(Record(_prefix(draw, draw(st.sampled_from([32, 128]))),
                                  draw(st.sampled_from(ORIGINS)), draw(st.sampled_from(SCOPES)),
                                  draw(st.sampled_from(LABELS))))
        rows = [(_prefix(draw, draw(st.sampled_from([32, 128]))),
                 draw(st.one_of(st.just(NO_LINE), st.integers(1, 9))),
                 draw(st.integers(0, 1))) for _ in range(draw(st.integers(0, 25)))]
        name = draw(st.sampled_from(["big.txt", "other.txt", "sheet.csv"]))
        labels = [Labels("prefix"), draw(st.sampled_from(LABELS))]
        tables.append((len(records), RecordTable(
            name, draw(st.sampled_from(["file:big.txt", *SCOPES])),
            np.array([p.bits for p, _, _ in rows], dtype=np.uint8),
            np.array([p.value >> 64 for p, _, _ in rows], dtype=np.uint64),
            np.array([p.value & (2**64 - 1) for p, _, _ in rows], dtype=np.uint64),
            np.array([p.length for p, _, _ in rows], dtype=np.uint8),
            np.array([line for _, line, _ in rows], dtype=np.int64),
            np.array([label for _, _, label in rows], dtype=np.int64),
            labels, "CIDR" if name.endswith(".csv") else None)))
    files = sorted({r.origin.file for r in records} | {t.file for _, t in tables})
    return Inventory(records=records, files=files, columnar=True, tables=tables)


def _as_objects(inv: Inventory) -> Inventory:
    return Inventory(records=list(inv.all_records()), files=inv.files)


def _texts(report: AuditReport, limit: int | None = None) -> list[str]:
    return ["".join(iter_report_json(report, limit)), "".join(iter_report_sarif(report, limit)),
            "".join(iter_report_lines(report, limit)), "".join(iter_report_compact(report, limit)),
            render_text(report, limit=limit),
            render_text(report, expand=True, limit=limit), render_markdown(report, limit=limit)]


@settings(max_examples=150, deadline=None)
@given(mixed_inventories(), st.sampled_from([None, 1, 3]))
def test_tables_write_what_objects_write(inv: Inventory, limit: int | None) -> None:
    by_column = audit(inv, columnar=True)
    by_object = audit(_as_objects(inv), columnar=False)
    assert _texts(by_column, limit) == _texts(by_object, limit)
    # The plain JSON is the standard encoder's, byte for byte, on both paths.
    whole = json.dumps(report_json(by_object, limit), indent=2, ensure_ascii=False) + "\n"
    assert "".join(iter_report_json(by_column, limit)) == whole
    # SARIF as well, against the dict built from conflict objects.
    sarif = json.dumps(report_sarif(by_object, limit), indent=2, ensure_ascii=False) + "\n"
    assert "".join(iter_report_sarif(by_column, limit)) == sarif


def _lines(report: AuditReport, limit: int | None = None) -> list[dict[str, Any]]:
    text = "".join(iter_report_lines(report, limit))
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def _resolved(item: Any, files: dict[int, str]) -> Any:
    """A JSON lines object with every ``source`` id replaced by its ``file``, keys as in v1."""
    if isinstance(item, list):
        return [_resolved(x, files) for x in item]
    if not isinstance(item, dict):
        return item
    out = {key: _resolved(value, files) for key, value in item.items() if key != "source"}
    if "source" in item:
        out = {"file": files[item["source"]], **out}
    return out


@settings(max_examples=120, deadline=None)
@given(mixed_inventories(), st.sampled_from([None, 2]))
def test_json_lines_say_what_the_json_report_says(inv: Inventory, limit: int | None) -> None:
    report = audit(inv)
    lines = _lines(report, limit)
    expected = report_json(audit(_as_objects(inv), columnar=False), limit)
    head = lines[0]
    assert head == {"type": "report", "version": 1, "summary": expected["summary"],
                    **({"limit": limit} if limit else {})}
    kinds = [line["type"] for line in lines]
    order = ["report", "source", "scope", "conflict", "nesting", "malformed", "ignored",
             "notice", "skipped"]
    assert kinds == sorted(kinds, key=order.index)  # the documented order
    files = {line["id"]: line["file"] for line in lines if line["type"] == "source"}
    assert sorted(files) == list(range(len(files)))
    assert len(set(files.values())) == len(files)  # each file listed once
    conflicts = [_resolved({k: v for k, v in line.items() if k != "type"}, files)
                 for line in lines if line["type"] == "conflict"]
    assert conflicts == expected["conflicts"]
    scopes = [{k: v for k, v in line.items() if k != "type"}
              for line in lines if line["type"] == "scope"]
    assert scopes == expected["scopes"]


def test_json_lines_name_each_file_once() -> None:
    report = audit(_inventory_of_two_lists(40))
    text = "".join(iter_report_lines(report))
    assert text.count('"a.txt"') == 1 and text.count('"b.txt"') == 1
    assert sum(1 for line in text.splitlines() if '"type":"conflict"' in line) == 41


def _inventory_of_two_lists(small: int) -> Inventory:
    """a.txt holds 10.0.0.0/16; b.txt holds ``small`` /24s inside it and 192.0.2.0/24."""
    records = [Record(Prefix.parse("10.0.0.0/16"), Origin("a.txt", 1), "file:a.txt",
                      Labels("prefix")),
               Record(Prefix.parse("192.0.2.0/24"), Origin("a.txt", 2), "file:a.txt",
                      Labels("prefix"))]
    records += [Record(Prefix.parse(f"10.0.{n}.0/24"), Origin("b.txt", n + 1), "file:b.txt",
                       Labels("prefix")) for n in range(small)]
    records.append(Record(Prefix.parse("192.0.2.0/24"), Origin("b.txt", small + 1),
                          "file:b.txt", Labels("prefix")))
    return Inventory(records=records, files=["a.txt", "b.txt"])


def _oracle_groups(report: AuditReport) -> dict[tuple[str, str], dict[tuple[str, str], set[str]]]:
    """Per pair of scopes, per covering block (scope, prefix): the other side's prefixes.

    Worked out from the plain JSON with ``ipaddress``: the covering side is the
    one containing the other (``a`` when equal), its block the outermost
    allocation of its own scope that contains it.
    """
    document = report_json(report)
    by_scope: dict[str, list[Any]] = defaultdict(list)
    for alloc in document["allocations"]:
        by_scope[alloc["scope"]].append(ipaddress.ip_network(alloc["prefix"]))
    found: dict[tuple[str, str], dict[tuple[str, str], set[str]]] = defaultdict(
        lambda: defaultdict(set))
    for c in document["conflicts"]:
        cover, other = (c["b"], c["a"]) if c["relation"] == "b_contains_a" else (c["a"], c["b"])
        net = ipaddress.ip_network(cover["prefix"])
        holders = [n for n in by_scope[cover["scope"]]
                   if n.version == net.version and net.subnet_of(n)]  # type: ignore[arg-type]
        block = min(holders, key=lambda n: n.prefixlen)
        found[(c["a"]["scope"], c["b"]["scope"])][(cover["scope"], str(block))].add(
            other["prefix"])
    return found


@settings(max_examples=120, deadline=None)
@given(mixed_inventories())
def test_groups_match_an_ipaddress_oracle(inv: Inventory) -> None:
    report = audit(inv)
    oracle = _oracle_groups(audit(_as_objects(inv), columnar=False))
    allocations = report_json(report)["allocations"]
    for _, scope_a, scope_b, span in conflict_spans(report):
        groups, total = block_groups(report, span)
        assert total == len(groups) == len(oracle[(scope_a, scope_b)])
        got = {}
        for g in groups:
            block = allocations[g.block]
            assert block["scope"] == (scope_a if g.side == "a" else scope_b)
            others = oracle[(scope_a, scope_b)][(block["scope"], block["prefix"])]
            got[(block["scope"], block["prefix"])] = g.others
            assert g.others == len(others)
            assert [allocations[x]["prefix"] for x in g.examples] == [
                str(n) for n in sorted(ipaddress.ip_network(p) for p in others)][:len(g.examples)]
        # Largest first.
        assert [g.others for g in groups] == sorted((g.others for g in groups), reverse=True)
        assert sum(g.conflicts for g in groups) == len(span)


def test_a_large_pair_is_grouped_and_all_expands_it() -> None:
    report = audit(_inventory_of_two_lists(GROUP_ABOVE + 5))
    text = render_text(report)
    assert text.splitlines()[4:8] == [
        "[blocking] list a.txt overlaps 26 prefixes of list b.txt",
        "  26 conflicts under 2 covering blocks, largest first (--all lists every conflict):",
        "  a: 10.0.0.0/16 prefix  overlaps 25 prefixes of b in 25 conflicts: "
        "10.0.0.0/24 prefix, 10.0.1.0/24 prefix, 10.0.2.0/24 prefix, ...",
        "      at a.txt:1",
    ]
    assert "      at a.txt:2" in text
    expanded = render_text(report, expand=True)
    assert expanded.count("\n      a: ") == GROUP_ABOVE + 6
    limited = render_text(report, limit=1)
    assert "  ... 1 more covering blocks, each smaller (--limit N shows N of them)" in limited
    assert "192.0.2.0/24" not in limited.split("CONFLICTS")[1]


def test_a_pair_at_the_threshold_is_listed_in_full() -> None:
    report = audit(_inventory_of_two_lists(GROUP_ABOVE - 1))
    assert render_text(report) == render_text(report, expand=True)


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


@pytest.mark.usefixtures("at_repo")
@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif"])
def test_limit_cuts_lists_and_keeps_the_counts(fmt: str) -> None:
    result = cli("audit", "examples/inventory", "--format", fmt, "--limit", "2")
    assert (result.code, result.err) == (1, "")
    if fmt == "json":
        document = json.loads(result.out)
        assert document["limit"] == 2 and document["summary"]["conflicts"] == 31
        assert len(document["conflicts"]) == 2 and len(document["allocations"]) == 2
        assert len(document["malformed"]) == 2
    elif fmt == "jsonl":
        lines = [json.loads(line) for line in result.out.splitlines()]
        assert lines[0]["limit"] == 2 and lines[0]["summary"]["conflicts"] == 31
        assert sum(line["type"] == "conflict" for line in lines) == 2
        assert sum(line["type"] == "malformed" for line in lines) == 2
    else:
        run = json.loads(result.out)["runs"][0]
        assert run["properties"] == {"limit": 2, "conflicts": 31}
        assert sum(r["ruleId"].startswith("overlap/") for r in run["results"]) == 2


@pytest.mark.usefixtures("at_repo")
def test_limit_in_the_table_caps_each_pair() -> None:
    full = cli("audit", "examples/inventory").out
    result = cli("audit", "examples/inventory", "--limit", "1")
    assert result.code == 1
    assert result.out.count("\n      a: ") == 11  # one conflict for each of 11 pairs
    assert "  ... 6 more conflicts between these scopes (shown: the first 1, by address)" in (
        result.out)
    assert "  ... 6 more\n" in result.out  # 7 malformed values, 1 shown
    assert result.out.splitlines()[-1] == full.splitlines()[-1]  # the summary counts all


@pytest.mark.usefixtures("at_repo")
def test_all_leaves_a_small_report_as_it_was() -> None:
    assert cli("audit", "examples/inventory", "--all").out == cli(
        "audit", "examples/inventory").out


@pytest.mark.usefixtures("at_repo")
@pytest.mark.parametrize("value", ["0", "-3", "ten", "", "1.5"])
def test_bad_limit_is_bad_input(value: str) -> None:
    result = cli("audit", "examples/inventory", "--limit", value)
    assert result.code == 2 and result.out == ""
    assert f"argument --limit: expected a whole number of at least 1, got {value!r}" in (
        result.err)


@pytest.mark.usefixtures("at_repo")
def test_unknown_format_is_bad_input() -> None:
    result = cli("audit", "examples/inventory", "--format", "xml")
    assert result.code == 2 and result.out == ""
    assert "argument --format: invalid choice: 'xml'" in result.err


def test_json_lines_of_the_example_are_compact(at_repo: None) -> None:
    lines = cli("audit", "examples/inventory", "--format", "jsonl").out
    plain = cli("audit", "examples/inventory", "--format", "json").out
    assert len(lines) < len(plain) / 2
    for line in lines.splitlines():
        assert json.loads(line)["type"]


def _sarif_validator() -> Any:
    """The OASIS SARIF 2.1.0 schema (errata 01), kept as published beside these tests."""
    import jsonschema

    schema = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json")
                        .read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_the_golden_sarif_is_valid() -> None:
    golden = json.loads((REPO / "tests" / "audit" / "golden" / "report.sarif").read_text())
    _sarif_validator().validate(golden)


@settings(max_examples=60, deadline=None)
@given(mixed_inventories(), st.sampled_from([None, 1]))
def test_sarif_is_valid_against_its_schema(inv: Inventory, limit: int | None) -> None:
    report = audit(inv, pools=[Prefix.parse("10.0.0.0/8")])
    document = json.loads("".join(iter_report_sarif(report, limit)))
    _sarif_validator().validate(document)
    results = document["runs"][0]["results"]
    assert sum(r["ruleId"].startswith("overlap/") for r in results) == (
        len(report.conflicts) if limit is None else min(limit, len(report.conflicts)))


def test_the_validator_rejects_what_sarif_does_not_allow() -> None:
    import jsonschema

    golden = json.loads((REPO / "tests" / "audit" / "golden" / "report.sarif").read_text())
    golden["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        _sarif_validator().validate(golden)


@settings(max_examples=120, deadline=None)
@given(mixed_inventories(), st.sampled_from([None, 2]))
def test_json_version_2_says_what_version_1_says(inv: Inventory, limit: int | None) -> None:
    text = "".join(iter_report_compact(audit(inv), limit))
    compact = json.loads(text)
    # The standard encoder's layout, byte for byte.
    assert text == json.dumps(compact, indent=2, ensure_ascii=False) + "\n"
    plain = report_json(audit(_as_objects(inv), columnar=False), limit)
    assert compact["version"] == 2 and compact["summary"] == plain["summary"]
    assert compact.get("limit") == plain.get("limit")
    files = dict(enumerate(compact["sources"]))
    assert len(set(compact["sources"])) == len(files)
    allocations = [_resolved(a, files) for a in compact["allocations"]]
    conflicts = [{**c, "a": allocations[c["a"]], "b": allocations[c["b"]]}
                 for c in compact["conflicts"]]
    assert conflicts == plain["conflicts"]
    nesting = [{**n, "allocation": allocations[n["allocation"]]} for n in compact["nesting"]]
    assert nesting == plain["nesting"]
    for key in ("malformed", "ignored", "notices", "skipped"):
        assert [_resolved(x, files) for x in compact[key]] == plain[key]
    # Each allocation listed once, and only those the findings name.
    named = {(c["a"]["scope"], c["a"]["prefix"]) for c in plain["conflicts"]}
    named |= {(c["b"]["scope"], c["b"]["prefix"]) for c in plain["conflicts"]}
    named |= {(n["allocation"]["scope"], n["allocation"]["prefix"]) for n in plain["nesting"]}
    assert sorted((a["scope"], a["prefix"]) for a in allocations) == sorted(named)


def test_json_version_2_of_two_big_lists_is_a_fraction_of_version_1() -> None:
    report = audit(_inventory_of_two_lists(200))
    assert len("".join(iter_report_compact(report))) < len("".join(iter_report_json(report))) / 2


@pytest.mark.usefixtures("at_repo")
@pytest.mark.parametrize(("args", "message"), [
    (("--json-version", "2"), "cidrkit: error: --json-version applies to --format json only\n"),
    (("--format", "sarif", "--json-version", "2"),
     "cidrkit: error: --json-version applies to --format json only\n"),
    (("--json", "--json-version", "3"), "argument --json-version: invalid choice: 3"),
    (("--json", "--json-version", "two"), "argument --json-version: invalid int value: 'two'"),
])
def test_bad_json_version_is_bad_input(args: tuple[str, ...], message: str) -> None:
    result = cli("audit", "examples/inventory", *args)
    assert result.code == 2 and result.out == ""
    assert message in result.err


@pytest.mark.usefixtures("at_repo")
def test_json_version_1_is_still_the_default() -> None:
    assert cli("audit", "examples/inventory", "--json").out == cli(
        "audit", "examples/inventory", "--json", "--json-version", "1").out


def test_json_is_written_in_pieces() -> None:
    """A report of many conflicts never exists as one string: it comes a batch at a time."""
    from cidrkit.audit.rows import BATCH

    records = [Record(Prefix.parse("10.0.0.0/8"), Origin("a.txt", 1), "file:a.txt",
                      Labels("prefix"))]
    records += [Record(Prefix(32, 0x0A000000 + (n << 8), 24), Origin("b.txt", n + 1),
                       "file:b.txt", Labels("prefix")) for n in range(3 * BATCH + 10)]
    report = audit(Inventory(records=records, files=["a.txt", "b.txt"]))
    assert len(report.conflicts) > 3 * BATCH
    for pieces in (list(iter_report_json(report)), list(iter_report_lines(report)),
                   list(iter_report_sarif(report))):
        total = sum(map(len, pieces))
        assert len(pieces) > 3 and max(map(len, pieces)) < total / 2
