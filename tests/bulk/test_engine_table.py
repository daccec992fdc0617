"""The lookup table read and built by the compiled engine against the Python reader.

``read_native_table`` reads the lines and cells it can in the engine and
leaves the rest to the Python parser; ``native_table(load_table(...))`` is
the reference. For any table, both build the same saved image byte for
byte (rows, annotations, the table's problems and their order), or fail
with the same error, or the engine declines the whole table (only for the
layouts it does not read: not UTF-8, a NUL byte, quoted newlines, a lone
carriage return, text after a closing quote).
"""

from __future__ import annotations

import argparse
import ipaddress
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cidrkit import _engine
from cidrkit.bulk.nativelookup import native_table
from cidrkit.cli.lookup_table import load_table, read_native_table
from cidrkit.errors import InputError
from tests.bulk.enginecases import lookup_in_a_new_process

KEY, STAMP = bytes(range(16)), bytes(range(16, 32))

GOOD_CELLS = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.3",
    "0.0.0.0/0",
    "255.255.255.255/32",
    "2001:db8::/32",
    "2001:DB8:1::/48",
    "::/0",
    "::ffff:10.0.0.0/104",
    "::1",
]
# Cells the engine leaves to the Python parser: some are prefixes to it
# (netmasks, a length with a leading zero, blanks around), the rest problems.
PYTHON_CELLS = [
    "10.0.0.0/255.0.0.0",
    "10.0.0.0/08",
    " 10.9.0.0/16 ",
    "\u00a010.8.0.0/16",
    "10.7.0.0/16 # note",
    "10.0.0.5/8",
    "2001:db8::1/32",
    "nonsense",
    "",
    "   ",
    "# comment",
    "10.0.0.1-10.0.0.9",
    "2001:db8::1-2001:db8::9",
    "10.0.0.0/33",
    "fe80::1%eth0",
    "1.2.3",
    "\u00e9t\u00e9",
]


def prefixes() -> st.SearchStrategy[str]:
    """Random prefixes of both families, from Hypothesis's biased address generator."""
    def network(address: ipaddress.IPv4Address | ipaddress.IPv6Address, cut: int) -> str:
        length = cut % (address.max_prefixlen + 1)
        return str(ipaddress.ip_network((address, length), strict=False))

    return st.builds(network, st.ip_addresses(), st.integers(0, 128))


def cells() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(GOOD_CELLS), prefixes(), st.sampled_from(PYTHON_CELLS)
    )


def labels() -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(['a', 'b', ' ', ',', '"', "\u00e9", "#", "'"]), max_size=5)


def csv_field(text: str, quote: bool) -> str:
    if quote or any(c in text for c in ',"'):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def csv_tables(draw: st.DrawFn) -> str:
    width = draw(st.integers(1, 4))
    names = draw(
        st.lists(st.sampled_from(["name", "cidr", "Network", "vpc", " prefix ", "x"]),
                 min_size=width, max_size=width, unique=True)
    )
    at = draw(st.integers(0, width - 1))
    lines = [",".join(names)]
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(labels()) for _ in range(width)]
        row[at] = draw(cells())
        fields = [csv_field(cell, draw(st.booleans())) for cell in row]
        lines.append(",".join(fields[: draw(st.integers(0, width + 1))]))
    return "\r\n".join(lines) if draw(st.booleans()) else "\n".join(lines)


@st.composite
def plain_tables(draw: st.DrawFn) -> str:
    rows = draw(st.lists(cells(), max_size=15))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(rows) + draw(st.sampled_from(["", ending, "\r"]))


def both_ways(
    folder: Path, data: bytes, name: str, *, may_decline: bool = False, **options: object
) -> None:
    """Build the table of ``data`` in the engine and in Python; assert they agree.

    ``may_decline``: the table has a layout the engine leaves to Python whole.
    """
    table = folder / name
    table.write_bytes(data)
    args = argparse.Namespace(
        table=str(table),
        table_format=options.get("table_format", "auto"),
        prefix_column=options.get("prefix_column"),
        label=options.get("label"),
    )
    engine_file, python_file = folder / "engine.lpm", folder / "python.lpm"
    try:
        expected = native_table(_engine, load_table(args), KEY, STAMP)
    except InputError as err:
        with pytest.raises(InputError) as raised:
            if read_native_table(_engine, args, data, KEY, STAMP, [str(engine_file)]) is None:
                raise err  # declined: the Python reader's error stands
        assert str(raised.value) == str(err)
        return
    built = read_native_table(_engine, args, data, KEY, STAMP, [str(engine_file)])
    if built is None and may_decline:
        return
    assert built is not None, "the engine declined a table it reads"
    expected.save(str(python_file))
    assert engine_file.read_bytes() == python_file.read_bytes()
    assert len(built) == len(expected)


@given(plain_tables(), st.booleans())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_plain_tables_build_the_same_image(text: str, bom: bool) -> None:
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    with tempfile.TemporaryDirectory() as folder:
        both_ways(Path(folder), data, "table.txt")


@given(
    csv_tables(),
    st.sampled_from([None, "cidr", "1", "2", "nope"]),
    st.sampled_from([None, ["name"], ["vpc", "name"], ["3"]]),
)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_csv_tables_build_the_same_image(
    text: str, prefix_column: str | None, label: list[str] | None
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        both_ways(Path(folder), text.encode(), "table.csv", prefix_column=prefix_column,
                  label=label)


@pytest.mark.parametrize(
    "text",
    [
        'cidr,name\n10.0.0.0/8,"two\nlines"\n',  # a quoted newline
        "cidr,name\n10.0.0.0/8,a\rb\n",  # a lone carriage return
        'cidr,name\n10.0.0.0/8,"a"b\n',  # text after a closing quote
    ],
)
def test_csv_layouts_read_otherwise_by_python_are_left_to_it(text: str, tmp_path: Path) -> None:
    assert _engine.TableReader.read(text.encode(), True) is None
    args = argparse.Namespace(table=str(tmp_path / "t.csv"), table_format="auto",
                              prefix_column="cidr", label=None)
    (tmp_path / "t.csv").write_text(text, newline="")
    assert read_native_table(_engine, args, text.encode(), KEY, STAMP) is None


@pytest.mark.parametrize("data", [b"10.0.0.0/8\n\x00\n", b"10.0.0.0/8\n\xff\n"])
def test_binary_and_non_utf8_tables_are_left_to_python(data: bytes) -> None:
    assert _engine.TableReader.read(data, False) is None


def test_bad_rows_keep_their_file_line_and_order(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    data = (b"cidr,name\n10.0.0.0/8,a\n10.0.0.5/8,b\n,c\n10.0.0.1-10.0.0.9,d\n"
            b"10.1.0.0/255.255.0.0,e\n")
    table.write_bytes(data)
    args = argparse.Namespace(table=str(table), table_format="auto", prefix_column=None,
                              label=None)
    built = read_native_table(_engine, args, data, KEY, STAMP)
    problems = built.problems().decode().splitlines()
    assert problems[0] == f"{table}:4: error: empty prefix cell"
    assert problems[1] == (
        f"{table}:3: error: '10.0.0.5/8': host bits set; did you mean 10.0.0.0/8?"
    )
    # Python's reader counts these from the first row, not the header: kept as it is.
    assert problems[2] == "table line 4: error: ranges are not prefixes; list them as CIDRs"
    assert len(problems) == 3 and len(built) == 2


def test_first_run_on_a_clean_table_loads_no_numpy_or_bulk_layer(tmp_path: Path) -> None:
    table = tmp_path / "t.txt"
    table.write_text("10.0.0.0/8\n2001:db8::/32\n")
    first = lookup_in_a_new_process(table, "10.0.0.1\n", ("numpy",))
    assert first == ("10.0.0.1\t10.0.0.0/8\n", "[]\n")
    assert (tmp_path / ".t.txt.cidrkit-lpm").is_file(), "the engine saved the table it built"


def test_settled_rows_out_of_range_are_refused() -> None:
    reader = _engine.TableReader.read(b"10.0.0.0/8\nx\n", False)
    assert reader is not None
    with pytest.raises(ValueError, match="out of range"):
        reader.build((7).to_bytes(8, "little"), b"\x20", bytes(16), b"\x08", miss=b"\t-",
                     problems=b"", key=KEY, stamp=STAMP, places=[])


def test_a_table_saved_by_the_previous_format_is_rebuilt(tmp_path: Path) -> None:
    from tests.bulk.test_engine_grep import cli

    table = tmp_path / "t.txt"
    table.write_text("2001:db8::/32\n2001:db8:1::/48\n")
    args = ["lookup", "--table", str(table)]
    expected = (0, "2001:db8:1::5\t2001:db8:1::/48\n", "")
    assert cli(args, "2001:db8:1::5\n") == expected
    saved = tmp_path / ".t.txt.cidrkit-lpm"
    image = bytearray(saved.read_bytes())
    assert image[:5] == b"CKLPM" and image[5] == 4, "format version 4: with the second index"
    # Version 3 had no second index: its sections would be misread as this format's.
    image[5] = 3
    saved.write_bytes(bytes(image))
    assert cli(args, "2001:db8:1::5\n") == expected
    assert saved.read_bytes()[5] == 4, "rebuilt in the current format"


@pytest.mark.parametrize("engine", [True, False])
def test_an_unreadable_csv_table_is_bad_input_with_a_named_column(
    engine: bool, tmp_path: Path
) -> None:
    from tests.bulk.test_engine_grep import PYTHON, cli

    # A lone carriage return past the rows that pick the prefix column: with
    # --prefix-column given, the whole read met it and ended as an internal error.
    table = tmp_path / "t.csv"
    table.write_bytes(b"cidr,name\n10.0.0.0/8,a\rb\n")
    code, out, err = cli(["lookup", "--table", str(table), "--prefix-column", "cidr"],
                         "10.1.1.1\n", env=None if engine else PYTHON)
    assert (code, out) == (2, "")
    assert err.startswith(f"cidrkit: error: {table}: not a readable CSV table (new-line character")
