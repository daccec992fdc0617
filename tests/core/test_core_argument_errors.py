"""Bad arguments to the allocation and usable-address primitives.

Each is an ``ArgumentError`` (so the command line reports bad input, exit 2),
never a bare ``ValueError`` (which the command line treats as a bug), and its
message names what the caller asked for.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.core import IPSet, Prefix
from cidrkit.core.alloc import FreeSpace, allocate, divide, next_free, place
from cidrkit.core.usable import CLOUDS, MODELS, cloud_reserved, get_model
from cidrkit.errors import ArgumentError

P = Prefix.parse
PARENT = P("10.0.0.0/24")
FREE = IPSet([PARENT])

CASES: list[tuple[str, Callable[[], object], str]] = [
    ("next_free, length too short", lambda: next_free(PARENT, [], 23),
     "cannot place a /23 in 10.0.0.0/24: the length must be between 24 and 32"),
    ("allocate, length past the family", lambda: allocate(PARENT, [], 33),
     "cannot place a /33 in 10.0.0.0/24: the length must be between 24 and 32"),
    ("allocate, IPv6", lambda: allocate(P("2001:db8::/32"), [], 129),
     "cannot place a /129 in 2001:db8::/32: the length must be between 32 and 128"),
    ("next_free, strategy", lambda: next_free(PARENT, [], 28, "worst_fit"),  # type: ignore[arg-type]
     "unknown strategy 'worst_fit'; choose best_fit or first_fit"),
    ("place, strategy", lambda: place(FREE, [PARENT], 28, "random"),  # type: ignore[arg-type]
     "unknown strategy 'random'; choose best_fit or first_fit"),
    ("FreeSpace.take, strategy",
     lambda: FreeSpace(FREE).take([PARENT], 28, "last_fit"),  # type: ignore[arg-type]
     "unknown strategy 'last_fit'; choose best_fit or first_fit"),
    ("divide, zero blocks", lambda: divide(PARENT, 0),
     "cannot divide 10.0.0.0/24 into 0 blocks: N must be at least 1"),
    ("get_model", lambda: get_model("oracle"),
     "unknown usable-address model 'oracle'; choose one of rfc, aws, azure, gcp, none"),
    ("usable", lambda: PARENT.usable("ibm"),
     "unknown usable-address model 'ibm'; choose one of rfc, aws, azure, gcp, none"),
    ("cloud_reserved", lambda: cloud_reserved("rfc"),
     f"unknown cloud 'rfc'; choose one of {', '.join(CLOUDS)}"),
]


@pytest.mark.parametrize(("call", "message"), [(c, m) for _, c, m in CASES],
                         ids=[name for name, _, _ in CASES])
def test_bad_argument_is_an_argument_error_naming_the_request(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ArgumentError) as caught:
        call()
    assert str(caught.value) == message


@given(
    parent_length=st.integers(0, 32),
    length=st.integers(-5, 40),
    strategy=st.sampled_from(["best_fit", "first_fit"]),
)
def test_every_length_outside_the_parent_is_refused_by_name(
    parent_length: int, length: int, strategy: str
) -> None:
    parent = Prefix(32, 0, parent_length)
    if parent_length <= length <= 32:
        # A length that fits is answered, never refused.
        assert next_free(parent, [], length, strategy) == Prefix(32, 0, length)  # type: ignore[arg-type]
        return
    with pytest.raises(ArgumentError) as caught:
        next_free(parent, [], length, strategy)  # type: ignore[arg-type]
    assert f"/{length} in {parent}" in str(caught.value)


@given(st.text(max_size=20))
def test_unknown_names_are_quoted_in_the_error(name: str) -> None:
    if name in MODELS:
        assert get_model(name).name == name
    else:
        with pytest.raises(ArgumentError) as caught:
            get_model(name)
        assert repr(name) in str(caught.value)
    if name in CLOUDS:
        assert cloud_reserved(name) >= 0
    else:
        with pytest.raises(ArgumentError, match="unknown cloud"):
            cloud_reserved(name)
