"""The JVM matcher against cidrkit, without Spark: the Java class run as a small process.

``LookupMain`` reads values over a pipe and answers each with its table row,
so Hypothesis examples cost a write and a read, not a JVM start. Its answers
must equal ``ArrowLookup.rows`` (the compiled engine, and the Python parser
for what the engine rejects) for any table and any text, and, for what is an
address, a brute-force longest match over the stdlib ``ipaddress`` module.
"""

from __future__ import annotations

import ipaddress
import os
import random
import shutil
import struct
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cidrkit.errors import InputError
from cidrkit.scale import jvm
from cidrkit.scale.arrow import ArrowLookup

pytestmark = pytest.mark.slow


def _need_jdk() -> None:
    if shutil.which("javac") and shutil.which("java"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("the JVM lookup needs a JDK: scripts/ci-services.sh installs it")
    pytest.skip("the JVM lookup needs a JDK (javac and java on the PATH)")


class JavaMatcher:
    """One ``LookupMain`` process, fed tables and values over its stdin."""

    def __init__(self, jar: Path) -> None:
        self.process = subprocess.Popen(
            ["java", "-Xshare:auto", "-cp", str(jar), "cidrkit.spark.LookupMain"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.table: Path | None = None

    def rows(self, lookup: ArrowLookup, table: Path, values: list[str]) -> list[int]:
        """Each value's row (-1 none, -2 not an address); its prefix text checked too."""
        answers = self.answers(table, values)
        prefixes = lookup.prefix.to_pylist()
        for row, text in answers:
            if row >= 0:
                assert text == prefixes[row], (row, text, prefixes[row])
        return [row for row, _ in answers]

    def answers(self, table: Path, values: list[str]) -> list[tuple[int, str | None]]:
        """Each value's row (-1 none, -2 not an address) and the prefix text the JVM gives."""
        # In chunks: the answers to one chunk must fit in the pipe, since the
        # process answers while this one is still writing.
        chunk = 1_000
        found: list[tuple[int, str | None]] = []
        for start in range(0, max(len(values), 1), chunk):
            found += self._answers(table, values[start : start + chunk])
        return found

    def _answers(self, table: Path, values: list[str]) -> list[tuple[int, str | None]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        parts = []
        if table != self.table:  # table files are named by their content: a new path, a new table
            path = str(table).encode()
            parts += [struct.pack(">ii", -2, len(path)), path]
            self.table = table
        for value in values:
            data = value.encode()
            parts += [struct.pack(">i", len(data)), data]
        parts.append(struct.pack(">i", -1))
        self.process.stdin.write(b"".join(parts))
        self.process.stdin.flush()
        answers: list[tuple[int, str | None]] = []
        for _ in values:
            row, _, text = self.process.stdout.readline().decode().rstrip("\n").partition("\t")
            answers.append((int(row), text if int(row) >= 0 else None))
        return answers

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def matcher() -> Iterator[JavaMatcher]:
    _need_jdk()
    pytest.importorskip("pyspark")
    found = JavaMatcher(jvm.jar_path())
    yield found
    found.close()


def _table(prefixes: list[str], folder: Path) -> tuple[ArrowLookup, Path]:
    text = "prefix,label\n" + "".join(f"{p},row-{k}\n" for k, p in enumerate(prefixes))
    lookup = ArrowLookup.from_csv_text(text)
    path, _ = jvm.write_table(lookup, folder)
    return lookup, path


def _brute_force(prefixes: list[str], value: str) -> int:
    """The row of the longest prefix holding ``value`` (first row on ties), or -1."""
    address = ipaddress.ip_address(value)
    best, best_length = -1, -1
    for row, text in enumerate(prefixes):
        network = ipaddress.ip_network(text)
        inside = address.version == network.version and address in network
        if inside and network.prefixlen > best_length:
            best, best_length = row, network.prefixlen
    return best


def _python_rows(lookup: ArrowLookup, values: list[str]) -> list[int]:
    return [int(r) for r in lookup.rows(pa.array(values, pa.string())).rows]


EDGES = [
    "0.0.0.0/0",
    "::/0",
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.3/32",
    "255.255.255.255/32",
    "0.0.0.0/32",
    "2001:db8::/32",
    "2001:db8::1/128",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
    "::ffff:0:0/96",
    "10.0.0.0/8",  # a duplicate: the first row wins
]

TRICKY = [
    "10.1.2.3",
    " 10.1.2.3\t",
    "\u00a010.1.2.3\u3000",
    "10.1.2.3 # a comment",
    "10.1.2.3#x",
    "# only a comment",
    "",
    "   ",
    "010.1.2.3",
    "10.1.2.03",
    "10.1.2.256",
    "10.1.2",
    "10.1.2.3.4",
    "10.1.2.3/32",
    "10.1.2.3-10.1.2.4",
    "10.1.2.3\n",
    "10.1.2.3\r",
    "\ufeff10.1.2.3",
    "１0.1.2.3",
    "fe80::1%eth0",
    "::ffff:10.1.2.3",
    "::ffff:010.1.2.3",
    "::FFFF:10.1.2.3",
    "1:2:3:4:5:6:7:1.2.3.4",
    "1:2:3:4:5:6:1.2.3.4",
    "2001:DB8::1",
    "2001:db8::1:",
    ":2001:db8::1",
    "2001:db8:::1",
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "2001:00db8::1",
    "::",
    "::1",
    "1::",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7::",
    "1:2:3:4:5:6:7:8:9",
    "[2001:db8::1]",
    "255.255.255.255",
    "0.0.0.0",
    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    "\x1c10.1.2.3\x1f",
    "\x8510.1.2.3",
    "10.1.2.3\u200b",
    "1.2.3.4 5.6.7.8",
    "nope",
]


def test_edges_and_tricky_text_match_cidrkit(matcher: JavaMatcher, tmp_path: Path) -> None:
    lookup, path = _table(EDGES, tmp_path)
    got = matcher.rows(lookup, path, TRICKY)
    expected = _python_rows(lookup, TRICKY)
    assert [max(r, -1) for r in got] == expected
    # The JVM also tells a non-address from no match, where the Python path
    # reports a problem: both agree on which values those are.
    problems = lookup.rows(pa.array(TRICKY, pa.string())).problems
    flagged = sorted(int((p.where or "").rpartition(" ")[2]) - 1 for p in problems)
    assert [k for k, r in enumerate(got) if r == -2] == flagged
    assert got[TRICKY.index("10.1.2.3")] == 4
    assert got[TRICKY.index("::ffff:10.1.2.3")] == EDGES.index("::ffff:0:0/96")
    assert got[TRICKY.index("255.255.255.255")] == 5


def _prefix(version: int) -> st.SearchStrategy[str]:
    bits = 32 if version == 4 else 128
    network = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    address = st.ip_addresses(v=version)
    return st.tuples(address, st.integers(0, bits)).map(
        lambda pair: str(network((int(pair[0]) >> (bits - pair[1]) << (bits - pair[1]), pair[1])))
    )


def _near(prefixes: list[str]) -> st.SearchStrategy[str]:
    """Addresses at and around the prefixes' edges, where off-by-one errors live."""
    if not prefixes:
        return st.ip_addresses().map(str)

    def around(pair: tuple[str, int]) -> str:
        network = ipaddress.ip_network(pair[0])
        top = (1 << network.max_prefixlen) - 1
        points = [int(network.network_address), int(network.broadcast_address)]
        value = min(max(points[pair[1] % 2] + (pair[1] // 2 - 1), 0), top)
        return str(ipaddress.ip_address(value) if network.version == 6 or value > 0 else "0.0.0.0")

    return st.tuples(st.sampled_from(prefixes), st.integers(0, 5)).map(around)


def _spelled(value: str) -> st.SearchStrategy[str]:
    """``value`` as written, or as people and tools write it, right or wrong."""
    address = ipaddress.ip_address(value)
    forms = [st.just(value), st.just(value.upper())]
    if address.version == 6:
        forms += [st.just(address.exploded), st.just(f"{value}%eth0")]
        if address.ipv4_mapped is not None:
            forms.append(st.just(f"::ffff:{address.ipv4_mapped}"))
    else:
        forms += [st.just(f"::ffff:{value}"), st.just("0" + value), st.just(f"{value}/32")]
    junk = st.text(st.sampled_from(" \t#\u00a0\u2003./:x0"), max_size=3)
    forms.append(st.tuples(junk, st.just(value), junk).map("".join))
    return st.one_of(forms)


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    prefixes = draw(st.lists(st.one_of(_prefix(4), _prefix(6)), max_size=30))
    if prefixes and draw(st.booleans()):
        prefixes.append(draw(st.sampled_from(prefixes)))  # a duplicate row
    plain = draw(st.lists(st.one_of(_near(prefixes), st.ip_addresses().map(str)), max_size=25))
    values = [draw(_spelled(v)) for v in plain]
    values += draw(st.lists(st.text(max_size=12), max_size=5))
    return prefixes, values


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_case())
@example(case=(["0.0.0.0/0", "::/0"], ["0.0.0.0", "::", "255.255.255.255"]))
@example(case=(["10.0.0.0/8", "10.0.0.0/8"], ["10.255.255.255", "11.0.0.0", "9.255.255.255"]))
def test_the_jvm_matcher_equals_cidrkit(
    matcher: JavaMatcher, tmp_path_factory: pytest.TempPathFactory, case: Any
) -> None:
    prefixes, values = case
    if not prefixes:
        return  # a table without rows is refused (tested below)
    lookup, path = _table(prefixes, tmp_path_factory.mktemp("jvm-table"))
    got = matcher.rows(lookup, path, values)
    assert [max(r, -1) for r in got] == _python_rows(lookup, values)
    for value, row in zip(values, got, strict=True):
        try:
            ipaddress.ip_address(value)
        except ValueError:
            continue
        if "%" not in value:
            assert row == _brute_force(prefixes, value), value


@st.composite
def _crowded(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Many IPv6 prefixes in one /32 (a slice crowded enough for the second index), some nested."""
    base = 0x2001_0DB8 << 96
    prefixes = []
    for _ in range(draw(st.integers(70, 400))):
        length = draw(st.sampled_from([40, 44, 48, 48, 48, 56, 64, 96, 120, 127, 128]))
        value = base | draw(st.integers(0, 2**96 - 1))
        network = value >> (128 - length) << (128 - length)
        prefixes.append(str(ipaddress.IPv6Network((network, length))))
    prefixes += [*draw(st.lists(_prefix(4), max_size=3)), "2001:db8::/32"]
    values = draw(st.lists(_near(prefixes), min_size=50, max_size=200))
    anywhere = st.integers(0, 2**96 - 1).map(lambda low: str(ipaddress.IPv6Address(base | low)))
    values += draw(st.lists(anywhere, min_size=50, max_size=50))
    return prefixes, values


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_crowded())
def test_a_crowded_ipv6_slice_matches_cidrkit(
    matcher: JavaMatcher, tmp_path_factory: pytest.TempPathFactory, case: Any
) -> None:
    prefixes, values = case
    lookup, path = _table(prefixes, tmp_path_factory.mktemp("jvm-crowded"))
    got = matcher.rows(lookup, path, values)
    assert got == _python_rows(lookup, values)
    assert got == [_brute_force(prefixes, v) for v in values]


def test_the_full_bgp_tables_match_cidrkit(matcher: JavaMatcher, tmp_path: Path) -> None:
    data = Path(__file__).parents[2] / ".." / "shared" / "data"
    files = [data / "bgp-ipv4.txt", data / "bgp-ipv6.txt"]
    missing = [str(f) for f in files if not f.exists()]
    if missing:
        pytest.skip(f"real data {', '.join(missing)} not found")
    text = "prefix\n" + "".join(f.read_text() for f in files)
    lookup = ArrowLookup.from_csv_text(text)
    path, _ = jvm.write_table(lookup, tmp_path)
    rng = random.Random(14)
    prefixes = lookup.prefix.to_pylist()
    values = []
    for _ in range(40_000):
        network = ipaddress.ip_network(prefixes[rng.randrange(len(prefixes))])
        offset = rng.randrange(network.num_addresses)
        values.append(str(network.network_address + offset))
        values.append(str(ipaddress.ip_address(rng.getrandbits(32))))
    values += [str(ipaddress.IPv6Address(rng.getrandbits(128))) for _ in range(5_000)]
    assert matcher.rows(lookup, path, values) == _python_rows(lookup, values)


def _damaged(table: bytes) -> Iterator[tuple[str, bytes]]:
    """The table file cut short at each of its parts, and with bytes after its end."""
    for cut in (0, 4, 8, 11, 12, 16, 40, len(table) // 2, len(table) - 1):
        yield f"cut at {cut}", table[:cut]
    yield "a byte after its end", table + b"\0"
    yield "another magic", b"CIDRKJT9" + table[8:]
    yield "a row count past its owners", table[:8] + struct.pack("<I", 0) + table[12:]


def test_a_damaged_table_file_is_refused_by_name(tmp_path: Path) -> None:
    _need_jdk()
    pytest.importorskip("pyspark")
    lookup = ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n2001:db8::/32,b\n")
    good, _ = jvm.write_table(lookup, tmp_path)
    for what, data in _damaged(good.read_bytes()):
        bad = tmp_path / "bad.bin"
        bad.write_bytes(data)
        command = ["java", "-Xshare:auto", "-cp", str(jvm.jar_path()), "cidrkit.spark.LookupMain"]
        done = subprocess.run(
            [*command, str(bad)], input=b"", capture_output=True, timeout=60, check=False
        )
        assert done.returncode == 2, (what, done.stderr)
        message = done.stderr.decode()
        assert message.startswith(f"LookupMain: {bad} "), (what, message)
        assert "Exception" not in message and "\tat " not in message, (what, message)


def test_a_table_too_big_for_the_jvm_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jvm, "MAX_ROWS", 2)
    lookup = ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n10.1.0.0/16,b\n10.2.0.0/16,c\n")
    with pytest.raises(InputError, match="3 rows; the JVM lookup takes at most 2"):
        jvm.table_bytes(lookup)


def test_a_table_without_rows_is_refused(tmp_path: Path) -> None:
    empty = ArrowLookup.from_csv_text("prefix,vpc\n")
    with pytest.raises(InputError, match="the prefix table has no rows"):
        jvm.write_table(empty, tmp_path)


def test_the_table_file_is_named_by_its_content(tmp_path: Path) -> None:
    first, key = jvm.write_table(ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n"), tmp_path)
    again, same = jvm.write_table(ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n"), tmp_path)
    other, different = jvm.write_table(
        ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,b\n"), tmp_path
    )
    assert (first, key) == (again, same)
    assert key != different and other != first
    assert first.name == f"cidrkit-table-{key}.bin"
    assert first.read_bytes().startswith(b"CIDRKJT1")


def test_the_table_needs_the_compiled_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIDRKIT_ENGINE", "python")
    lookup = ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n")
    with pytest.raises(InputError, match="takes its table from cidrkit's compiled engine"):
        jvm.table_bytes(lookup)


def test_a_missing_javac_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError) as caught:
        jvm.build_jar(tmp_path / "out.jar")
    message = str(caught.value)
    assert "no javac was found in JAVA_HOME" in message and "no-jdk/bin" in message
    assert "default-jdk-headless" in message and "via='map'" in message
    assert not (tmp_path / "out.jar").exists()


def test_an_old_javac_is_refused_by_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    javac = tmp_path / "bin" / "javac"
    javac.parent.mkdir()
    javac.write_text("#!/bin/sh\necho 'javac 11.0.2' >&2\n")
    javac.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(InputError, match=r"is 'javac 11.0.2'; the JVM lookup needs javac 17"):
        jvm.find_javac()


def test_the_build_command_writes_a_jar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _need_jdk()
    pytest.importorskip("pyspark")
    out = tmp_path / "cidrkit-spark.jar"
    assert jvm.main(["--output", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    import zipfile

    names = zipfile.ZipFile(out).namelist()
    assert "cidrkit/spark/TableFunctions.class" in names
    assert "cidrkit/spark/RangeTable.class" in names


def test_the_build_command_reports_a_missing_javac(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert jvm.main(["--output", str(tmp_path / "x.jar")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cidrkit: error: the JVM lookup needs a Java compiler")


def test_a_jar_not_yet_built_without_javac_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("pyspark")
    monkeypatch.setenv("CIDRKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InputError, match="no javac was found on the PATH"):
        jvm.jar_path()
    assert not list((tmp_path / "cache").rglob("*.jar"))


def test_a_session_without_a_jvm_is_refused() -> None:
    from cidrkit.scale.spark import register

    class ConnectSession:  # what a Spark Connect session lacks: the classic session's JVM
        pass

    lookup = ArrowLookup.from_csv_text("prefix,vpc\n10.0.0.0/8,a\n")
    with pytest.raises(InputError, match=r"no JVM to call \(Spark Connect\).*via='map'"):
        register(ConnectSession(), lookup)
