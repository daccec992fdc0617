"""``cidrkit merge`` in the compiled engine against the core ``IPSet`` and the Python path."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit import _engine
from cidrkit.core.ipset import IPSet
from cidrkit.core.parse import parse_item
from tests.bulk.test_engine_grep import PYTHON, cli


def networks() -> st.SearchStrategy[str]:
    v4 = st.builds(
        lambda a, n: str(ipaddress.ip_network((a, n), strict=False)),
        st.ip_addresses(v=4),
        st.integers(0, 32),
    )
    v6 = st.builds(
        lambda a, n: str(ipaddress.ip_network((a, n), strict=False)),
        st.ip_addresses(v=6),
        st.integers(0, 128),
    )
    bare = st.ip_addresses().map(str)
    exploded = st.ip_addresses(v=6).map(lambda a: a.exploded.upper())
    return st.one_of(v4, v6, bare, exploded)


@given(st.lists(networks(), max_size=40), st.sampled_from(["\n", "\r\n", "\n\n"]))
@settings(max_examples=300)
def test_merge_matches_the_core_ipset(items: list[str], newline: str) -> None:
    text = newline.join(items).encode()
    expected = "".join(f"{p}\n" for p in IPSet([parse_item(i) for i in items]).prefixes())
    blocks: list[bytes] = []
    assert _engine.merge_text([text], blocks.append)
    assert b"".join(blocks).decode() == expected


@given(
    st.lists(networks(), min_size=1, max_size=10),
    st.sampled_from(
        [
            "# note",
            "10.0.0.5/8",
            " 10.0.0.0/8",
            "10.0.0.1-10.0.0.9",
            "x",
            "1/8",
            "10.0.0.0/08",
            "10.0.0.0/255.0.0.0",
            "é",
        ]
    ),
)
def test_merge_declines_anything_but_plain_prefixes(items: list[str], odd: str) -> None:
    items.insert(len(items) // 2, odd)
    blocks: list[bytes] = []
    assert not _engine.merge_text(["\n".join(items).encode()], blocks.append)
    assert blocks == []


def test_large_inputs_print_the_same_bytes_on_both_paths(tmp_path: Path) -> None:
    rng = random.Random(3)
    lines = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/24" for _ in range(12_000)]
    lines += [f"2001:db8:{rng.randrange(1 << 16):x}::/48" for _ in range(3_000)]
    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(lines) + "\n")
    native = cli(["merge", str(plain)])
    assert native == cli(["merge", str(plain)], env=PYTHON)
    assert native[0] == 0 and native[1].count("\n") > 1000
    # One bad line: the engine declines, the Python path reports it and merges the rest.
    noisy = tmp_path / "noisy.txt"
    noisy.write_text("\n".join([*lines[:5000], "10.0.0.5/8", *lines[5000:]]) + "\n")
    declined = cli(["merge", str(noisy)])
    assert declined == cli(["merge", str(noisy)], env=PYTHON)
    assert declined[0] == 2 and "10.0.0.5/8" in declined[2]


@given(st.lists(networks(), max_size=30), st.lists(networks(), max_size=30))
@settings(max_examples=200)
def test_exclude_and_intersect_match_the_core_ipset(left: list[str], right: list[str]) -> None:
    a = IPSet([parse_item(i) for i in left])
    b = IPSet([parse_item(i) for i in right])
    for op, expected in (("exclude", a - b), ("intersect", a & b)):
        blocks: list[bytes] = []
        found = _engine.set_operation_text(
            op, ["\n".join(left).encode()], ["\n".join(right).encode()], blocks.append
        )
        assert found == bool(expected)
        assert b"".join(blocks).decode() == "".join(f"{p}\n" for p in expected.prefixes())


def test_large_exclude_and_intersect_print_the_same_bytes(tmp_path: Path) -> None:
    rng = random.Random(4)
    left = [f"10.{rng.randrange(256)}.{rng.randrange(256)}.0/24" for _ in range(9_000)]
    left += [f"2001:db8:{rng.randrange(1 << 16):x}::/48" for _ in range(3_000)]
    right = [f"10.{rng.randrange(256)}.0.0/17" for _ in range(100)] + ["2001:db8:8000::/33"]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(left) + "\n")
    b.write_text("\n".join(right) + "\n")
    for args in (["exclude", str(a), "--minus", str(b)], ["intersect", str(a), "--with", str(b)]):
        native = cli(args)
        assert native == cli(args, env=PYTHON)
        assert native[0] == 0 and native[1]
    c = tmp_path / "c.txt"
    c.write_text("192.0.2.0/24\n")
    assert cli(["intersect", str(a), "--with", str(c)])[:2] == (1, "")


def nested_v6() -> st.SearchStrategy[str]:
    """IPv6 prefixes around /56 and /64, where the engine keeps keys of two widths, nesting."""
    return st.builds(
        lambda top, low, n: str(ipaddress.ip_network(((0x20010DB8 << 96) | top << 64 | low, n),
                                                     strict=False)),
        st.integers(0, 0x3FF), st.sampled_from([0, 1, 1 << 63, (1 << 64) - 1]),
        st.sampled_from([40, 50, 54, 55, 56, 57, 58, 63, 64, 65, 96, 128]),
    )


@given(st.lists(nested_v6(), max_size=60), st.lists(nested_v6(), max_size=30))
@settings(max_examples=200)
def test_ipv6_keys_of_both_widths_unite_as_the_core_does(
    items: list[str], other: list[str]
) -> None:
    """Packed (/56 and wider) and full keys of one list join into one union."""
    left = IPSet([parse_item(i) for i in items])
    right = IPSet([parse_item(i) for i in other])
    text, minus = "\n".join(items).encode(), "\n".join(other).encode()
    for found, expected in [
        (_engine.merge_text, left),
        (lambda t, w: _engine.set_operation_text("exclude", t, [minus], w), left - right),
        (lambda t, w: _engine.set_operation_text("intersect", t, [minus], w), left & right),
    ]:
        blocks: list[bytes] = []
        assert found([text], blocks.append) is not None
        assert b"".join(blocks).decode() == "".join(f"{p}\n" for p in expected.prefixes())
