"""Hostile and mistaken plans end in an error at file:line, never a hang or a RecursionError."""

from __future__ import annotations

from pathlib import Path

import pytest

from cidrkit.plan.diagnostics import PlanError
from cidrkit.plan.load import load_plan_text
from cidrkit.plan.loader import MAX_DEPTH, MAX_TEMPLATE_CHAIN, read_plan_text
from tests.cli.runner import cli

POOLS = "pools:\n  - {name: main, cidr: 10.0.0.0/8}\n"


def _problems(text: str, **kwargs: int) -> list[str]:
    """Each problem's lines (the message, then any hint) joined into one list."""
    with pytest.raises(PlanError) as caught:
        load_plan_text(text, "plan.yaml") if not kwargs else read_plan_text(
            text, "plan.yaml", **kwargs)
    return [line for p in caught.value.problems for line in p.render().splitlines()]


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    # "Billion laughs": nine levels of nine aliases, 9**9 values from ~600 bytes.
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    text = POOLS + "\n".join(lines) + "\ntree:\n  n: {hosts: 1, note: *a8}\n"
    problems = _problems(text)
    assert len(problems) == 2 and problems[1].startswith("  hint: raise the limit with")
    assert problems[0].startswith("plan.yaml:9:45: error: ")
    assert "the YAML expands to more than 5,000,000 values (aliases counted at each use)" in (
        problems[0])


def test_a_self_referencing_alias_is_a_cycle() -> None:
    problems = _problems(POOLS + "loop: &l [1, *l]\ntree:\n  n: {hosts: 1}\n")
    assert problems == ["plan.yaml:3:14: error: alias *l refers to itself (a cycle)"]


def test_a_huge_matrix_is_refused_at_its_line() -> None:
    values = "[" + ", ".join(str(n) for n in range(200)) + "]"
    text = POOLS + (
        "tree:\n  'n-{a}-{b}-{c}':\n    hosts: 1\n"
        f"    matrix:\n      a: {values}\n      b: {values}\n      c: {values}\n"
    )
    problems = _problems(text)
    assert problems == [
        "plan.yaml:7:7: error: the plan expands to more than 100,000 nodes "
        "(matrices multiply, templates repeat)",
        "  hint: raise the limit with --max-nodes if this size is meant",
    ]


def test_max_nodes_lowers_and_raises_the_cap() -> None:
    text = POOLS + "tree:\n  'n-{a}':\n    hosts: 1\n    matrix: {a: [1, 2, 3, 4, 5]}\n"
    assert "more than 4 nodes" in _problems(text, max_nodes=4)[0]
    assert len(read_plan_text(text, "plan.yaml", max_nodes=5).roots) == 5


def test_a_long_template_chain_is_capped_with_the_chain() -> None:
    templates = "".join(f"  t{n}:\n    use: t{n + 1}\n" for n in range(2000))
    text = POOLS + "templates:\n" + templates + "  t2000: {hosts: 1}\ntree:\n  n: {use: t0}\n"
    problems = _problems(text)
    assert problems == [
        f"plan.yaml:{2 * MAX_TEMPLATE_CHAIN + 3}:10: error: templates use templates more than "
        f"{MAX_TEMPLATE_CHAIN} deep: t0 -> t1 -> t2 -> ... -> t30 -> t31 -> t32"
    ]


def test_a_template_cycle_names_the_chain() -> None:
    text = POOLS + "templates:\n  a: {use: b}\n  b: {use: a}\ntree:\n  n: {use: a}\n"
    assert _problems(text) == ["plan.yaml:5:12: error: template 'a' uses itself: a -> b -> a"]


def _nested(levels: int) -> str:
    text, indent = "tree:\n", "  "
    for n in range(levels):
        text += f"{indent}n{n}:\n{indent}  children:\n"
        indent += "    "
    return POOLS + text + f"{indent}leaf: {{hosts: 1}}\n"


def test_children_nested_past_the_limit_are_refused() -> None:
    problems = _problems(_nested(MAX_DEPTH + 5))
    assert problems[0].endswith(
        f"error: node 'n{MAX_DEPTH}' is nested {MAX_DEPTH + 1} levels deep; "
        f"the limit is {MAX_DEPTH}"
    )


def test_children_nested_to_the_limit_still_plan() -> None:
    plan = load_plan_text(_nested(MAX_DEPTH - 1))
    assert sum(1 for _ in plan.nodes()) == MAX_DEPTH


def test_yaml_nested_deeper_than_any_plan_is_refused_not_a_recursion_error() -> None:
    problems = _problems(POOLS + "tree:\n  n: {hosts: 1, note: " + "[" * 5000 + "]" * 5000 + "}\n")
    assert problems[0].startswith("plan.yaml:4:")
    assert "YAML nested more than 256 levels deep" in problems[0]


# --- the command line ---------------------------------------------------------------


def test_plan_of_a_directory_says_so(tmp_path: Path) -> None:
    result = cli("plan", str(tmp_path))
    assert result.code == 2
    assert result.err == f"{tmp_path}: error: is a directory; give the plan file (YAML)\n"


def test_plan_of_a_binary_file_names_the_file(tmp_path: Path) -> None:
    binary = tmp_path / "binary.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    result = cli("plan", str(binary))
    assert result.code == 2
    assert result.err == (
        f"{binary}: error: not UTF-8 text (byte 0x89 at offset 0); a plan is a YAML text file\n"
    )


def test_no_ipv6_pool_points_at_the_node_that_needs_one(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(POOLS + "tree:\n  a:\n    hosts: 10\n    ipv6: /64\n", encoding="utf-8")
    result = cli("plan", str(plan), "--no-write")
    assert result.code == 2
    assert result.err == (
        f"{plan}:4:3: error: node 'a' needs an IPv6 block but the plan has no IPv6 pool\n"
        "  hint: add an IPv6 pool under 'pools', or set 'ipv6: false'\n"
    )


def test_plan_json_is_format_json(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(POOLS + "tree:\n  a: {hosts: 10}\n", encoding="utf-8")
    assert cli("plan", str(plan), "--no-write", "--json").out == (
        cli("plan", str(plan), "--no-write", "--format", "json").out
    )


def test_plan_max_nodes_option(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(POOLS + "tree:\n  'n-{a}':\n    hosts: 1\n    matrix: {a: [1, 2, 3]}\n",
                    encoding="utf-8")
    refused = cli("plan", str(plan), "--no-write", "--max-nodes", "2")
    assert refused.code == 2 and "more than 2 nodes" in refused.err
    assert cli("plan", str(plan), "--no-write", "--max-nodes", "3").code == 0


def test_plan_output_to_an_unwritable_place_is_bad_input(tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(POOLS + "tree:\n  a: {hosts: 10}\n", encoding="utf-8")
    result = cli("plan", str(plan), "--no-write", "-o", str(tmp_path / "no" / "such" / "out"))
    assert result.code == 2
    assert "cannot write the output file: No such file or directory" in result.err
