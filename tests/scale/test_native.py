"""The compiled engine's reading of Arrow text columns against the Python parser's.

The Python path is the reference: for any column, the engine path gives the
same rows and the same problems, worded alike and at the same rows. The
engine reads the Arrow buffers in place, so offsets (slices), 64-bit offsets
and nulls with bytes behind them are exercised on purpose.
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cidrkit.scale import native
from cidrkit.scale.arrow import ArrowLookup

ENGINE = native.load_engine()
pytestmark = pytest.mark.skipif(ENGINE is None, reason="the compiled engine is not built")

TABLE = "prefix,vpc\n10.0.0.0/8,prod\n10.1.0.0/16,dev\n0.0.0.0/0,any\n2001:db8::/32,v6\n::/0,all6\n"

# Text near addresses: forms the engine must reject for the parser to judge.
NEAR_MISSES = [
    "",
    " ",
    "10.1.2.3 ",
    " 10.1.2.3",
    "\t2001:db8::1",
    "10.1.2.3\n",
    "010.1.2.3",
    "10.1.2",
    "10.1.2.3.4",
    "256.1.1.1",
    "10.1.2.3/32",
    "2001:db8::1/128",
    "2001:db8::1%eth0",
    ":::",
    "1::2::3",
    "::ffff:10.1.2.3",
    "::ffff:10.1.2",
    "2001:DB8::1",
    "１０.1.2.3",
    "10.1.2.3\r",
    "1.2.3.4,5",
    "0x0a.1.2.3",
    "fe80::1 ",
    "::",
    "0.0.0.0",
    "255.255.255.255",
]
texts = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda a: a.exploded),
    st.sampled_from(NEAR_MISSES),
    st.text(alphabet="0123456789abcdef.:/ \n", max_size=41),
    st.none(),
)


def lookups() -> tuple[ArrowLookup, ArrowLookup]:
    engine, python = ArrowLookup.from_csv_text(TABLE), ArrowLookup.from_csv_text(TABLE)
    python.engine = False
    assert engine.native_table() is not None and python.native_table() is None
    return engine, python


ENGINE_LOOKUP, PYTHON_LOOKUP = lookups() if ENGINE is not None else (None, None)


def column(values: list[str | None], layout: str) -> pa.Array:
    padded = ["x", *values, "10.0.0.1"]
    if layout == "sliced":
        return pa.array(padded, pa.string())[1 : len(values) + 1]
    if layout == "large":
        return pa.array(padded, pa.large_string())[1 : len(values) + 1]
    return pa.array(values, pa.string())


@pytest.mark.parametrize("layout", ["plain", "sliced", "large"])
@given(values=st.lists(texts, max_size=50))
def test_the_engine_path_equals_the_python_path(layout: str, values: list[str | None]) -> None:
    assert ENGINE_LOOKUP is not None and PYTHON_LOOKUP is not None
    array = column(values, layout)
    got = ENGINE_LOOKUP.rows(array, "col")
    expected = PYTHON_LOOKUP.rows(array, "col")
    assert got.rows.tolist() == expected.rows.tolist()
    assert [p.message for p in got.problems] == [p.message for p in expected.problems]


NETWORKS = [ipaddress.ip_network(line.split(",")[0]) for line in TABLE.splitlines()[1:]]


def oracle(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> int:
    """The row of the longest network holding ``address`` (every address is in a /0)."""
    inside = [k for k, n in enumerate(NETWORKS) if n.version == address.version and address in n]
    return max(inside, key=lambda k: NETWORKS[k].prefixlen)


@given(values=st.lists(st.ip_addresses(), min_size=1, max_size=50))
def test_the_engine_reads_every_address_itself(
    values: list[ipaddress.IPv4Address | ipaddress.IPv6Address],
) -> None:
    # Every value is exact address text: none may fall back to the parser.
    assert ENGINE_LOOKUP is not None
    rows = native.text_rows(ENGINE_LOOKUP.native_table(), pa.array([str(v) for v in values]))
    assert rows.tolist() == [oracle(v) for v in values]


def test_a_null_reads_as_null_whatever_bytes_sit_behind_it() -> None:
    assert ENGINE_LOOKUP is not None
    text = pa.array(["10.1.2.3", "10.1.2.4"])
    # The same buffers with the second slot marked null: its bytes stay.
    validity = pa.py_buffer(np.packbits([1, 0], bitorder="little").tobytes())
    nulled = pa.Array.from_buffers(pa.string(), 2, [validity, *text.buffers()[1:]], null_count=1)
    assert ENGINE_LOOKUP.rows(nulled).rows.tolist() == [1, -1]


def test_rows_come_back_where_the_parser_found_them() -> None:
    assert ENGINE_LOOKUP is not None
    found = ENGINE_LOOKUP.rows(
        pa.array(["10.1.2.3", " 10.9.9.9 ", "bad", None, "2001:db8::1"]), "c"
    )
    assert found.rows.tolist() == [1, 0, -1, -1, 3]
    assert [p.message for p in found.problems] == ["c, row 3: 'bad': not an IPv4 or IPv6 address"]


def test_an_empty_column_needs_no_buffers() -> None:
    assert ENGINE_LOOKUP is not None
    assert ENGINE_LOOKUP.rows(pa.array([], pa.string())).rows.tolist() == []


def test_offsets_too_short_are_refused_not_read_past() -> None:
    assert ENGINE_LOOKUP is not None
    table = ENGINE_LOOKUP.native_table()
    offsets = np.array([0, 8], "<i4").view(np.uint8)
    with pytest.raises(ValueError, match="offsets too short"):
        table.lookup_arrow_text(offsets, b"10.1.2.3", first=0, count=2, large=False)
    out = table.lookup_arrow_text(offsets, b"10.1", first=0, count=1, large=False)
    assert np.frombuffer(out, "<i4").tolist() == [native.NOT_AN_ADDRESS]


def test_the_engine_is_left_alone_when_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIDRKIT_ENGINE", "python")
    lookup = ArrowLookup.from_csv_text(TABLE)
    assert lookup.native_table() is None
    assert lookup.rows(pa.array(["10.1.2.3"])).rows.tolist() == [1]
