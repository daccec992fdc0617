"""The plain IPv4 fast path gives exactly what the core parser gives, line by line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.bulk import parse_address_text, parse_prefix_text, parse_prefix_text_masked
from cidrkit.core import Addr, Prefix
from cidrkit.core.parse import parse_addr, parse_item
from cidrkit.errors import ParseError

# Pieces that make lines close to IPv4: every shape, leading zeros, values
# just above the limits, a slash where a dot belongs, stray bytes.
_OCTETS = ["0", "1", "9", "10", "00", "01", "99", "100", "255", "256", "300", "999", "007", "1234"]
_LENGTHS = ["", "/0", "/8", "/24", "/32", "/33", "/09", "/00", "/", "/123"]


@st.composite
def near_v4_lines(draw: st.DrawFn) -> str:
    octets = draw(st.lists(st.sampled_from(_OCTETS), min_size=3, max_size=5))
    separators = draw(
        st.lists(st.sampled_from([".", ".", ".", "/", ":", "x"]), min_size=4, max_size=4)
    )
    text = octets[0]
    for sep, octet in zip(separators, octets[1:], strict=False):
        text += sep + octet
    text += draw(st.sampled_from(_LENGTHS))
    if draw(st.booleans()) and text:
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(st.sampled_from([" ", "a", "#", "-", "."])) + text[at + 1 :]
    return text


def _expected(line: str, mode: str) -> Prefix | Addr | str:
    text = line.split("#", 1)[0].strip()
    try:
        if mode == "address":
            return parse_addr(text)
        if mode == "masked" and "/" in text:
            return Prefix.parse_masked(text)
        item = parse_item(text)
    except ParseError as err:
        return str(err)
    return item if isinstance(item, Prefix | Addr) else "range"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(near_v4_lines(), min_size=1, max_size=30),
    st.sampled_from(["strict", "masked", "address"]),
)
def test_lines_parse_as_the_core_parses_them(lines: list[str], mode: str) -> None:
    parse = {
        "strict": parse_prefix_text,
        "masked": parse_prefix_text_masked,
        "address": parse_address_text,
    }[mode]
    parsed = parse("\n".join(lines).encode(), "in.txt")
    got: dict[int, Prefix | Addr | str] = {}
    for prefix, index in zip(
        parsed.prefixes,
        parsed.prefixes.v4.ids.tolist() + parsed.prefixes.v6.ids.tolist(),
        strict=True,
    ):
        got[index] = prefix
    for index in parsed.ranges.v4.ids.tolist() + parsed.ranges.v6.ids.tolist():
        got[index] = "range"
    for problem in parsed.problems:
        number = int((problem.where or "").rsplit(":", 1)[1])
        got[number - 1] = str(
            ParseError(problem.text, problem.reason, column=problem.column, hint=problem.hint)
        )
    for index, line in enumerate(lines):
        expected = _expected(line, mode)
        if not line.split("#", 1)[0].strip():
            assert index not in got
        elif isinstance(expected, Addr):
            assert got[index] == Prefix(expected.bits, expected.value, expected.bits), line
        elif isinstance(expected, Prefix):
            assert got[index] == expected, line
        else:
            assert got[index] == expected, line


def test_every_shape_of_a_valid_line() -> None:
    lines = [
        f"{a}.{b}.{c}.{d}{n}"
        for a in ("1", "10", "100")
        for b in ("2", "20", "200")
        for c in ("3", "30", "255")
        for d in ("0", "40", "240")
        for n in ("", "/32")
    ]
    parsed = parse_prefix_text("\n".join(lines).encode())
    assert parsed.problems == []
    assert [str(p) for p in parsed.prefixes] == [
        line if "/" in line else f"{line}/32" for line in lines
    ]
    assert parsed.prefixes.v4.ids.tolist() == list(range(len(lines)))
