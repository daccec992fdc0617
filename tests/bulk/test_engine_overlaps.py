"""``cidrkit overlaps`` in the compiled engine against a brute-force oracle and the Python path."""

from __future__ import annotations

import ipaddress
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit import _engine
from tests.bulk.test_engine_grep import PYTHON, cli

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def crowded_networks() -> st.SearchStrategy[str]:
    """Prefixes from small universes, so that many nest and repeat; some bare addresses."""
    v4 = st.builds(
        lambda a, n: str(ipaddress.ip_network((0x0A000000 | a << 16, n), strict=False)),
        st.integers(0, 15),
        st.integers(8, 16),
    )
    v6 = st.builds(
        lambda a, n: str(ipaddress.ip_network(((0x20010DB8 << 96) | a << 80, n), strict=False)),
        st.integers(0, 15),
        st.integers(32, 48),
    )
    anywhere = st.builds(
        lambda a, n: str(ipaddress.ip_network((a, n), strict=False)),
        st.ip_addresses(),
        st.integers(0, 32),
    )
    bare = st.sampled_from(["10.0.0.1", "10.3.0.0", "2001:db8::1", "2001:DB8:0:0::"])
    return st.one_of(v4, v6, anywhere, bare)


def oracle(items: list[str]) -> list[str]:
    """Every overlapping pair by brute force with ``ipaddress``, worded and ordered by hand."""
    nets: list[Network] = [ipaddress.ip_network(item) for item in items]

    def rank(i: int) -> tuple[int, int, int, int]:
        net = nets[i]
        return (net.version, int(net.network_address), -int(net.broadcast_address), i)

    overlapping = [
        sorted((x, y), key=rank)
        for x in range(len(nets))
        for y in range(x + 1, len(nets))
        if nets[x].version == nets[y].version and nets[x].overlaps(nets[y])
    ]
    lines = []
    for first, second in sorted(overlapping, key=lambda pair: (rank(pair[0]), rank(pair[1]))):
        a, b = nets[first], nets[second]
        lines.append(f"{a} and {b} are the same block" if a == b else f"{a} contains {b}")
    return lines


def engine_pairs(
    items: list[str], newline: str = "\n", style: str = "text"
) -> tuple[tuple[int, int] | None, str]:
    blocks: list[bytes] = []
    found = _engine.overlaps_text([newline.join(items).encode()], blocks.append, style=style)
    return found, b"".join(blocks).decode()


@given(st.lists(crowded_networks(), min_size=3, max_size=40), st.sampled_from(["\n", "\r\n"]))
@settings(max_examples=300)
def test_pairs_match_a_brute_force_oracle(items: list[str], newline: str) -> None:
    expected = oracle(items)
    found, text = engine_pairs(items, newline)
    assert found == (len(items), len(expected))
    assert text.splitlines() == expected


@given(st.lists(crowded_networks(), min_size=3, max_size=30))
@settings(max_examples=100)
def test_json_is_what_the_python_path_prints(items: list[str]) -> None:
    found, text = engine_pairs(items, style="json")
    assert found is not None
    _, python_out, _ = cli(["overlaps", "--json", *items], env=PYTHON)
    assert text == python_out
    assert json.loads(text)["overlapping"] == bool(found[1])


def test_two_items_or_fewer_are_left_to_the_python_path() -> None:
    for items in (["10.0.0.0/8"], ["10.0.0.0/8", "10.0.0.0/9"], []):
        found, text = engine_pairs(items)
        assert found == (len(items), len(oracle(items)))
        assert text == ""
    found, text = engine_pairs(["10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"], style="count")
    assert found == (3, 2) and text == ""


@pytest.mark.parametrize(
    "odd", ["# note", "10.0.0.5/8", " 10.0.0.0/8", "10.0.0.1-10.0.0.9", "x", "10.0.0.0/08", "é"]
)
def test_declines_anything_but_plain_prefixes(odd: str) -> None:
    assert engine_pairs(["10.0.0.0/8", odd, "10.1.0.0/16", "10.2.0.0/16"]) == (None, "")


def _large_list(rng: random.Random) -> list[str]:
    lines = [f"10.{rng.randrange(64)}.{rng.randrange(256)}.0/24" for _ in range(9_000)]
    wide = ((0x0A000000 | rng.randrange(64) << 16, rng.randrange(10, 17)) for _ in range(300))
    lines += [str(ipaddress.ip_network(net, strict=False)) for net in wide]
    lines += [f"10.{rng.randrange(64)}.{rng.randrange(256)}.{rng.randrange(9)}" for _ in range(500)]
    lines += [f"2001:db8:{rng.randrange(256):x}::/48" for _ in range(3_000)]
    lines += ["0.0.0.0/0", "::/0", "2001:db8::/32", "2001:DB8::/32"]
    rng.shuffle(lines)
    return lines


@pytest.mark.parametrize("flags", [[], ["--json"], ["-q"], ["-q", "--json"]])
def test_large_inputs_print_the_same_bytes_on_both_paths(tmp_path: Path, flags: list[str]) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(_large_list(random.Random(5))) + "\n")
    native = cli(["overlaps", *flags, str(plain)])
    assert native == cli(["overlaps", *flags, str(plain)], env=PYTHON)
    assert native[0] == 0
    assert (native[1] == "") == (flags == ["-q"])


def test_large_inputs_without_overlaps_exit_1_on_both_paths(tmp_path: Path) -> None:
    plain = tmp_path / "apart.txt"
    plain.write_text("".join(f"10.{i >> 8}.{i & 255}.0/24\n" for i in range(12_000)))
    for flags in ([], ["--json"]):
        native = cli(["overlaps", *flags, str(plain)])
        assert native == cli(["overlaps", *flags, str(plain)], env=PYTHON)
        assert native[0] == 1


def test_a_bad_line_in_a_large_input_goes_to_the_python_path(tmp_path: Path) -> None:
    lines = _large_list(random.Random(6))
    noisy = tmp_path / "noisy.txt"
    noisy.write_text("\n".join([*lines[:4000], "10.0.0.5/8", *lines[4000:]]) + "\n")
    declined = cli(["overlaps", str(noisy)])
    assert declined == cli(["overlaps", str(noisy)], env=PYTHON)
    assert declined[0] == 2 and "10.0.0.5/8" in declined[2]


@pytest.mark.parametrize(
    "args",
    [
        ["merge", "{a}"],
        ["exclude", "{a}", "--minus", "{b}"],
        ["intersect", "{a}", "--with", "{b}"],
        ["overlaps", "{a}"],
        ["overlaps", "--json", "{a}"],
    ],
)
def test_list_commands_in_the_engine_do_not_load_numpy(tmp_path: Path, args: list[str]) -> None:
    import subprocess
    import sys

    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(_large_list(random.Random(7))) + "\n")
    b.write_text("10.0.0.0/9\n2001:db8::/33\n")
    argv = [arg.format(a=a, b=b) for arg in args]
    code = (
        "import sys\n"
        "from cidrkit.cli.main import main\n"
        f"sys.argv = ['cidrkit', *{argv!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m == 'numpy' or m.startswith('cidrkit.bulk')),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stderr == "[]\n"
    assert done.stdout
