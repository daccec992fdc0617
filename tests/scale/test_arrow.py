"""ArrowLookup against an independent oracle: the stdlib ``ipaddress`` and a brute-force scan."""

from __future__ import annotations

import ipaddress
import pickle

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.errors import InputError
from cidrkit.scale.arrow import ArrowLookup

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Small universes make containment (and so nesting and ties) common.
v4_addresses = st.integers(0, 2**32 - 1).map(lambda v: ipaddress.IPv4Address(v & 0xFF0000FF))
v6_addresses = st.integers(0, 2**128 - 1).map(
    lambda v: ipaddress.IPv6Address(v & ((0x2001_0DB8_FFFF << 80) | 0xFFFF))
)
addresses = st.one_of(v4_addresses, v6_addresses, st.ip_addresses())


@st.composite
def networks(draw: st.DrawFn) -> Network:
    address = draw(addresses)
    length = draw(st.integers(0, address.max_prefixlen))
    return ipaddress.ip_network(f"{address}/{length}", strict=False)


NOT_ADDRESSES = ["not-an-address", "10.0.0.256", "10.0.0.0/8", "1.2.3", ":::1", "1.2.3.4\n5.6.7.8"]
values = st.one_of(addresses, st.none(), st.sampled_from(NOT_ADDRESSES))


def oracle(table: list[Network], value: object) -> int:
    """The row of the longest prefix containing ``value`` (first of equals), or -1."""
    if not isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return -1
    best = -1
    for row, network in enumerate(table):
        inside = network.version == value.version and value in network
        if inside and (best < 0 or network.prefixlen > table[best].prefixlen):
            best = row
    return best


def lookup_of(table: list[Network], *, engine: bool = True) -> ArrowLookup:
    text = "prefix,row\n" + "".join(f"{n},{k}\n" for k, n in enumerate(table))
    lookup = ArrowLookup.from_csv_text(text)
    lookup.engine = engine
    return lookup


def as_text(value: object) -> str | None:
    return None if value is None else str(value)


def as_packed(value: object) -> bytes | None:
    return (
        value.packed if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address) else None
    )


TEXT_LAYOUTS = {
    "string": lambda xs: pa.array(xs, pa.string()),
    "large_string": lambda xs: pa.array(xs, pa.large_string()),
    "string_view": lambda xs: pa.array(xs, pa.string_view()),
    "dictionary": lambda xs: pa.array(xs, pa.string()).dictionary_encode(),
    "chunked": lambda xs: pa.chunked_array(
        [pa.array(xs[: len(xs) // 2], pa.string()), pa.array(xs[len(xs) // 2 :], pa.string())]
    ),
    # A slice starts at an offset into its buffers.
    "sliced": lambda xs: pa.array(["10.0.0.1", *xs, "10.0.0.2"], pa.string())[1 : len(xs) + 1],
}


# Text is read by the compiled engine where it is built, else by the Python parser.
ENGINES = {"engine": True, "python": False}


@pytest.mark.parametrize("path", sorted(ENGINES))
@pytest.mark.parametrize("layout", sorted(TEXT_LAYOUTS))
@given(table=st.lists(networks(), min_size=0, max_size=30), queries=st.lists(values, max_size=60))
def test_text_columns_match_the_oracle(
    path: str, layout: str, table: list[Network], queries: list[object]
) -> None:
    lookup = lookup_of(table, engine=ENGINES[path])
    found = lookup.rows(TEXT_LAYOUTS[layout]([as_text(q) for q in queries]))
    assert found.rows.tolist() == [oracle(table, q) for q in queries]
    prefixes = lookup.match_columns(TEXT_LAYOUTS[layout]([as_text(q) for q in queries]))
    expected = [None if oracle(table, q) < 0 else str(table[oracle(table, q)]) for q in queries]
    assert [
        None if p is None else str(ipaddress.ip_network(p)) for p in prefixes.column(0).to_pylist()
    ] == expected
    assert prefixes.column("match_row").to_pylist() == [
        None if oracle(table, q) < 0 else str(oracle(table, q)) for q in queries
    ]


@given(table=st.lists(networks(), max_size=30), queries=st.lists(values, max_size=60))
def test_packed_columns_match_the_oracle(table: list[Network], queries: list[object]) -> None:
    lookup = lookup_of(table)
    packed = [as_packed(q) for q in queries]
    assert lookup.rows(pa.array(packed, pa.binary())).rows.tolist() == [
        oracle(table, q) if p is not None else -1 for q, p in zip(queries, packed, strict=True)
    ]


@given(table=st.lists(networks(), max_size=30), queries=st.lists(v4_addresses, max_size=60))
def test_fixed_size_binary_matches_the_oracle(
    table: list[Network], queries: list[ipaddress.IPv4Address]
) -> None:
    column = pa.array([q.packed for q in queries], pa.binary(4))
    assert lookup_of(table).rows(column).rows.tolist() == [oracle(table, q) for q in queries]


LOOKUP = ArrowLookup.from_csv_text(
    "prefix,vpc\n10.0.0.0/8,prod\n10.1.0.0/16,dev\n2001:db8::/32,v6\n"
)


def test_nulls_stay_null_and_labels_follow_the_prefix() -> None:
    out = LOOKUP.match_columns(pa.array(["10.1.2.3", None, "2001:db8::1", "192.0.2.1"]))
    assert out.column_names == ["match_prefix", "match_vpc"]
    assert out.column("match_prefix").to_pylist() == ["10.1.0.0/16", None, "2001:db8::/32", None]
    assert out.column("match_vpc").to_pylist() == ["dev", None, "v6", None]


def test_dictionary_output_shares_the_table_columns() -> None:
    out = LOOKUP.match_columns(pa.array(["10.1.2.3", "10.9.9.9"]), dictionary=True)
    column = out.column("match_vpc").chunk(0)
    assert column.dictionary is LOOKUP.labels["vpc"] or column.dictionary.equals(
        LOOKUP.labels["vpc"]
    )
    assert column.to_pylist() == ["dev", "prod"]


@pytest.mark.parametrize(
    ("values", "messages"),
    [
        (
            ["10.0.0.1", "10.0.0.5/24", None, "nope"],
            [
                "col, row 2: '10.0.0.5/24': ",
                "col, row 4: 'nope': not an IPv4 or IPv6 address",
            ],
        ),
        (
            ["10.0.0.1\n10.0.0.2", "10.0.0.3"],
            ["col, row 1: '10.0.0.1\\n10.0.0.2': holds a line break"],
        ),
    ],
)
def test_bad_text_values_are_reported_with_their_row(
    values: list[str | None], messages: list[str]
) -> None:
    found = LOOKUP.rows(pa.array(values), "col")
    got = [p.message for p in found.problems]
    assert len(got) == len(messages)
    for message, expected in zip(got, messages, strict=True):
        assert message.startswith(expected)
    assert [
        r for r, v in zip(found.rows.tolist(), values, strict=True) if v is not None and "\n" in v
    ] in ([], [-1])


def test_a_bad_dictionary_value_is_reported_at_the_first_row_using_it() -> None:
    column = pa.array(["10.0.0.1", "bad", "bad", "10.1.0.1"]).dictionary_encode()
    found = LOOKUP.rows(column, "col")
    assert [p.message for p in found.problems] == ["col, row 2: 'bad': not an IPv4 or IPv6 address"]
    assert found.rows.tolist() == [0, -1, -1, 1]


def test_packed_values_of_the_wrong_size_are_reported() -> None:
    found = LOOKUP.rows(pa.array([b"\x0a\x01\x00\x01", b"\x0a\x01\x00"], pa.binary()), "col")
    assert found.rows.tolist() == [1, -1]
    assert [p.message for p in found.problems] == [
        "col, row 2: '0a0100': 3 bytes; a packed address has 4 (IPv4) or 16 (IPv6)"
    ]


@pytest.mark.parametrize(
    ("column", "error"),
    [
        (pa.array([1, 2], pa.int64()), "col: a column of int64 cannot hold addresses"),
        (pa.array([b"12345"], pa.binary(5)), "col: fixed-size binary of 5 bytes"),
    ],
)
def test_columns_that_cannot_hold_addresses_are_refused(column: pa.Array, error: str) -> None:
    with pytest.raises(InputError, match=error):
        LOOKUP.rows(column, "col")


def test_a_table_with_bad_rows_is_refused_by_the_library() -> None:
    with pytest.raises(InputError, match="the prefix table has 1 bad rows"):
        ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.5/8,prod\n")


def test_annotate_keeps_every_column_and_refuses_clashes() -> None:
    batch = pa.record_batch({"n": [1, 2], "src": ["10.1.0.9", "2001:db8::9"]})
    out, problems = LOOKUP.annotate(batch, "src", "flows")
    assert out.schema.names == ["n", "src", "match_prefix", "match_vpc"]
    assert out.column("n").to_pylist() == [1, 2] and problems == []
    with pytest.raises(InputError, match="flows: no column 'dst'; it has n, src"):
        LOOKUP.annotate(batch, "dst", "flows")
    with pytest.raises(InputError, match="flows: already has a column 'match_prefix'"):
        LOOKUP.annotate(out, "src", "flows")


def test_pickles_as_its_table() -> None:
    copy = pickle.loads(pickle.dumps(LOOKUP))
    column = pa.array(["10.1.2.3", "2001:db8::1"])
    assert copy.match_columns(column).equals(LOOKUP.match_columns(column))
