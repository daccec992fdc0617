"""The columnar list reader against the line-by-line reader: same records, lines, messages."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from cidrkit.sources import Inventory, read_inventory
from cidrkit.sources.bulklist import read_text_columns
from cidrkit.sources.lists import BULK_MIN_LINES, read_text
from cidrkit.sources.sink import Sink

# Lines of every shape the list rules know, fast and slow, good and bad.
LINES = [
    "10.0.0.0/8", "192.0.2.0/24", "192.0.2.7", "0.0.0.0/0", "255.255.255.255",
    "10.1.2.3/16", "10.1.256.0/24", "10.2.0/24", "010.0.0.0/8", "10.0.0.0/08", "10.0.0.0/33",
    "2001:db8::/32", "2001:DB8:0:0:0:0:0:0/48", "2001:db8::1", "::", "::/0", "::1/128",
    "::ffff:192.0.2.1", "2001:db8::/129", "2001:db8::1/32", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0",
    "10.9.1.0-10.9.2.255 two blocks", "10.8.0.0 – 10.8.0.255", "10.8.0.255-10.8.0.0",
    "10.1.0.0 255.255.0.0 office", "198.51.100.0/24 lab # old", "# 10.0.0.0/8 comment",
    "; note", "", "   ", "\xa0203.0.113.0/24\xa0", "203.0.113.0/24,", "TBD", "n/a", "abc",
    "a.b.c.d", "1.2.3.4/", "/24", "1..2.3/8", ":::", "2001:db8::/32 named v6",
    "\ufeff10.0.0.0/8", "10.0.0.0/8\t", "dead:beef::/32", "10.0.0.0/255.0.0.0",
]


def _both(text: str) -> tuple[Inventory, Inventory]:
    by_line = Inventory()
    read_text(text, Sink(by_line, "list.txt"))
    by_column = Inventory(columnar=True)
    assert read_text_columns(text, Sink(by_column, "list.txt"))
    return by_line, by_column


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=40), st.sampled_from(["\n", "\r\n"]),
       st.booleans())
def test_columnar_reader_equals_line_reader(lines: list[str], newline: str,
                                            final_newline: bool) -> None:
    text = newline.join(lines) + (newline if final_newline else "")
    by_line, by_column = _both(text)
    assert list(by_column.all_records()) == by_line.records
    assert by_column.malformed == by_line.malformed
    assert by_column.record_count == len(by_line.records)


def test_exact_rows_of_a_mixed_list() -> None:
    text = ("192.0.2.0/24\n# comment\n2001:db8::1\n10.9.1.0-10.9.2.255 two\n"
            "10.1.2.3/16\n\n198.51.100.0/25 lab\n")
    _, inv = _both(text)
    [(position, table)] = inv.tables
    assert position == 0
    assert [(str(r.prefix), r.origin.line, r.labels.kind, r.labels.name, r.labels.note)
            for r in table.records()] == [
        ("192.0.2.0/24", 1, "prefix", None, None),
        ("2001:db8::1/128", 3, "address", None, None),
        ("10.9.1.0/24", 4, "range", "two", "part of range 10.9.1.0-10.9.2.255"),
        ("10.9.2.0/24", 4, "range", "two", "part of range 10.9.1.0-10.9.2.255"),
        ("198.51.100.0/25", 7, "prefix", "lab", None),
    ]
    assert [(m.origin.line, m.value, m.message) for m in inv.malformed] == [
        (5, "10.1.2.3/16", "host bits set (did you mean 10.1.0.0/16?)")]


def test_other_line_breaks_are_left_to_the_line_reader() -> None:
    inv = Inventory(columnar=True)
    assert not read_text_columns("10.0.0.0/8\x8510.1.0.0/16\n", Sink(inv, "x.txt"))
    assert not read_text_columns("10.0.0.0/8\r10.1.0.0/16\n", Sink(inv, "x.txt"))
    assert inv.tables == [] and inv.records == []


def test_large_lists_become_tables_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    lines = [f"10.{n // 256}.{n % 256}.0/24" for n in range(BULK_MIN_LINES)]
    path.write_text("\n".join(["# big", *lines, "10.0.0.1/24"]) + "\n")
    plain = read_inventory([str(path)])
    columnar = read_inventory([str(path)], columnar=True)
    assert len(plain.records) == BULK_MIN_LINES and plain.tables == []
    assert columnar.records == [] and len(columnar.tables) == 1
    assert list(columnar.all_records()) == plain.records
    assert columnar.malformed == plain.malformed
    assert [(m.origin.line, m.value) for m in columnar.malformed] == [
        (BULK_MIN_LINES + 2, "10.0.0.1/24")]
