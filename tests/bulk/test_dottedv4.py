"""The separator-position IPv4 path agrees with an independent reading of each line."""

from __future__ import annotations

import ipaddress
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import parse_address_text
from cidrkit.bulk.dottedv4 import parse_dotted_lines

_PLAIN = re.compile(r"(0|[1-9][0-9]{0,2})(\.(0|[1-9][0-9]{0,2})){3}(/(0|[1-9][0-9]?))?")


def _oracle(line: str, allow_length: bool) -> tuple[int, int] | None:
    """(value, length) of a plain canonical IPv4 line, else None."""
    if not _PLAIN.fullmatch(line) or (not allow_length and "/" in line):
        return None
    address, _, length = line.partition("/")
    if any(int(octet) > 255 for octet in address.split(".")):
        return None
    if length and int(length) > 32:
        return None
    return int(ipaddress.IPv4Address(address)), int(length) if length else 32


def _check(lines: list[str], allow_length: bool) -> None:
    found = parse_dotted_lines(("\n".join(lines) + "\n").encode(), allow_length=allow_length)
    expected = {i: _oracle(line, allow_length) for i, line in enumerate(lines)}
    got = dict(
        zip(
            found.lines.tolist(),
            zip(found.value.tolist(), found.length.tolist(), strict=True),
            strict=True,
        )
    )
    assert got == {i: v for i, v in expected.items() if v is not None}
    assert found.newlines.tolist() == [
        m.start() for m in re.finditer("\n", "\n".join(lines) + "\n")
    ]


_FIELDS = ["0", "7", "00", "01", "10", "99", "100", "199", "255", "256", "999", "1000", "", "1a"]


@st.composite
def dotted_lines(draw: st.DrawFn) -> str:
    fields = draw(st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=6))
    seps = draw(st.lists(st.sampled_from([".", ".", ".", "/", " ", "#"]), min_size=5, max_size=5))
    text = fields[0] + "".join(s + f for s, f in zip(seps, fields[1:], strict=False))
    return text + draw(st.sampled_from(["", "", "/0", "/32", "/33", "/08", "/"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(dotted_lines(), min_size=1, max_size=20), st.booleans())
def test_mixed_lines_match_the_oracle(lines: list[str], allow_length: bool) -> None:
    _check(lines, allow_length)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, (1 << 32) - 1), min_size=1, max_size=50),
    st.sampled_from([None, 0, 8, 24, 32]),
)
def test_uniform_buffers_take_the_row_path(values: list[int], length: int | None) -> None:
    suffix = "" if length is None else f"/{length}"
    lines = [f"{ipaddress.IPv4Address(v)}{suffix}" for v in values]
    _check(lines, allow_length=True)
    _check(lines, allow_length=False)


def test_edges_of_the_buffer_and_of_fields() -> None:
    lines = ["255.255.255.255", "0.0.0.0", "1.2.3.4/32", "001.2.3.4", "1.2.3.4.5", "1..2.3"]
    _check(lines, allow_length=True)
    _check(["255.1.1.1"], allow_length=False)
    _check(["1234.1.1.1"], allow_length=False)
    _check(["x255.1.1.1", "255.1.1.1x", " 1.1.1.1", "1.1.1.1 "], allow_length=False)


def test_address_text_keeps_line_numbers_of_bad_lines() -> None:
    data = b"10.0.0.1\n10.0.0.256\n\n# note\n192.0.2.1\n"
    parsed = parse_address_text(data, "a.txt")
    assert parsed.prefixes.v4.ids.tolist() == [0, 4]
    assert parsed.prefixes.v4.lo.tolist() == [0x0A000001, 0xC0000201]
    assert np.all(parsed.prefixes.v4.length == 32)
    assert [str(p).split(":")[:2] for p in parsed.problems] == [["a.txt", "2"]]
