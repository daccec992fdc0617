"""Any text either parses or raises ParseError naming a column inside it.

Nothing else may escape the parsers: no IndexError, no plain ValueError
from int(), no column past the end of the text.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.core import Addr, Prefix, Range, parse_item
from cidrkit.errors import ParseError

# Characters that appear in address text, so the fuzzer gets deep into the
# grammar instead of failing on the first character.
NEAR_MISS = st.text(alphabet="0123456789abcdefABCDEFx.:/-% \u2013", max_size=48)

PARSERS: dict[str, Callable[[str], object]] = {
    "Addr.parse": Addr.parse,
    "Prefix.parse": Prefix.parse,
    "Prefix.parse_masked": Prefix.parse_masked,
    "Range.parse": Range.parse,
    "parse_item": parse_item,
}


@pytest.mark.parametrize("name", sorted(PARSERS))
@given(text=st.one_of(NEAR_MISS, st.text(max_size=24)))
def test_parsers_accept_or_explain(name: str, text: str) -> None:
    try:
        PARSERS[name](text)
    except ParseError as err:
        assert err.text == text
        assert err.reason
        assert err.column is None or 1 <= err.column <= len(text) + 1, err.column
        assert str(err).startswith(repr(text) + ": ")


@given(st.integers(0, 2**32 - 1), st.integers(0, 32))
def test_every_strict_failure_hints_at_the_right_network(value: int, length: int) -> None:
    text = f"{Addr.v4(value)}/{length}"
    try:
        prefix = Prefix.parse(text)
    except ParseError as err:
        assert err.reason == "host bits set"
        masked = Prefix.parse_masked(text)
        assert err.hint == f"did you mean {masked}?"
        assert masked.value != value
    else:
        assert (prefix.value, prefix.length) == (value, length)
