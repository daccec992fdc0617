"""No file makes ``audit`` or ``why`` fail: every fixture, mangled, still gives a report.

Each example takes one fixture of the corpus and breaks it the ways real files
break (cut short, a slice dropped or repeated, stray quotes, brackets, tags,
NUL, BOM, CRLF, huge numbers, wrong types), keeping its name so the same reader
is chosen. The properties: the library never raises, never hangs and never
reaches its "internal error" net (a bug in a reader would), and the CLI exits 0,
1 or 2 with no traceback.
"""

from __future__ import annotations

import json
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from cidrkit.audit.engine import audit
from cidrkit.sources import read_inventory
from tests.cli.runner import cli

CORPUS = Path(__file__).parent / "corpus"
FIXTURES = sorted(p for p in CORPUS.rglob("*") if p.is_file())

_NOISE = st.sampled_from([
    '"', "'", "{", "}", "[", "]", ":", ",", "\n", "\r\n", "\t", "\x00", "\ufeff", "!Ref ",
    "!Cidr [", "${", "${var.x}", "- ", "|", "*", "/", "/33", "10.0.0.0/8", "999999999999999999999",
    "1e400", "NaN", "null", "true", '"Vpcs": "oops"', "[]", "{}", "::", "\ud800", "   ",
])


@st.composite
def mangled(draw: st.DrawFn) -> tuple[Path, str]:
    fixture = draw(st.sampled_from(FIXTURES))
    text = fixture.read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 3))):
        size = len(text)
        a = draw(st.integers(0, size))
        b = draw(st.integers(a, min(size, a + 200)))
        how = draw(st.sampled_from(["cut", "drop", "repeat", "insert", "replace"]))
        if how == "cut":
            text = text[:a]
        elif how == "drop":
            text = text[:a] + text[b:]
        elif how == "repeat":
            text = text[:b] + text[a:b] + text[b:]
        elif how == "insert":
            text = text[:a] + draw(_NOISE) + text[a:]
        else:
            text = text[:a] + draw(_NOISE) + text[b:]
    return fixture, text


#: Seconds one mangled file may take, generous for a loaded 2-core machine: a hang fails.
HANG_AFTER = 60


class Hang(BaseException):
    """Raised in a reader that runs past HANG_AFTER; not an Exception, so no reader catches it."""


@contextmanager
def no_hang() -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {HANG_AFTER} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(HANG_AFTER)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _write(folder: str, fixture: Path, text: str) -> str:
    path = Path(folder) / fixture.relative_to(CORPUS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return str(path)


@given(mangled())
def test_readers_never_fail_on_a_mangled_fixture(case: tuple[Path, str]) -> None:
    fixture, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, fixture, text)
        with no_hang():
            inventory = read_inventory([path], columnar=True)
            audit(inventory)
        internal = [s.reason for s in inventory.skipped if "internal error" in s.reason]
        assert internal == [], internal


@given(mangled())
def test_audit_and_why_exit_with_a_documented_code(case: tuple[Path, str]) -> None:
    fixture, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, fixture, text)
        for argv in (("audit", path), ("audit", "--format", "json", path),
                     ("why", "10.0.0.1", path)):
            with no_hang():
                result = cli(*argv)
            assert result.code in (0, 1, 2), (argv, result.err)
            assert "Traceback" not in result.err


JSON_FIXTURES = [p for p in FIXTURES if p.suffix == ".json" and p.name != "plan-events.json"]
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.sampled_from(["", "10.0.0.0/8", "10.0.0.5/8", "::/0", "x", "[parameters('p')]",
                       "${var.x}", "ASSOCIATED", "vpc-1", "Microsoft.Network/virtualNetworks"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=6)


def _paths(value: object, here: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*here, index))
    return found


@st.composite
def retyped(draw: st.DrawFn) -> tuple[Path, str]:
    """A JSON fixture, valid JSON still, with values swapped for values of other types."""
    fixture = draw(st.sampled_from(JSON_FIXTURES))
    document = json.loads(fixture.read_text(encoding="utf-8"))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(document)))
        replacement = draw(_JSON_VALUES)
        if not path:
            document = replacement
            continue
        holder = document
        for step in path[:-1]:
            holder = holder[step]
        holder[path[-1]] = replacement
    return fixture, json.dumps(document, indent=2)


@given(retyped())
def test_readers_never_fail_on_values_of_the_wrong_type(case: tuple[Path, str]) -> None:
    fixture, text = case
    with tempfile.TemporaryDirectory() as folder:
        path = _write(folder, fixture, text)
        with no_hang():
            inventory = read_inventory([path], columnar=True)
            audit(inventory)
        internal = [s.reason for s in inventory.skipped if "internal error" in s.reason]
        assert internal == [], internal
