"""A time-bounded differential fuzz run of the engine's list commands.

Plain prefix lists, mutated a few characters at a time, go through the
engine's ``merge``, ``exclude``, ``intersect`` and ``overlaps`` and through
the Python path of the same command (``CIDRKIT_ENGINE=python``, fed on
stdin). When the engine takes a list, its bytes must be the Python path's;
when it declines one, the Python path must have found a line that is not a
plain prefix or address. ``CIDRKIT_FUZZ_SECONDS`` sets the budget (``make
fuzz-native``); the seed is printed for replay with ``CIDRKIT_FUZZ_SEED``.
"""

from __future__ import annotations

import ipaddress
import os
import random
import re
import time

from cidrkit import _engine
from tests.bulk.enginecases import edit_once
from tests.bulk.test_engine_grep import PYTHON, cli

DEFAULT_SECONDS = 2.0
ALPHABET = "0123456789abcdefABCDEF:./\n\r x#-"
# Lines the Python path may accept but the engine leaves to it: ranges,
# comments, blanks around an item, a carriage return inside a line, a
# prefix length written with leading zeros.
_NOT_PLAIN = re.compile(r"[-# ]|\r(?!\n)|/0[0-9]")


def declined_fairly(text: str, code: int) -> bool:
    """The engine may decline only what the Python path rejects or reads as more than a prefix."""
    return code == 2 or bool(_NOT_PLAIN.search(text))


def random_list(rng: random.Random) -> list[str]:
    """Prefixes from a few small universes, so that they nest, touch and repeat."""
    lines = []
    for _ in range(rng.randrange(1, 12)):
        if rng.random() < 0.6:
            net = ipaddress.ip_network(
                (0x0A000000 | rng.randrange(16) << 16, rng.randrange(8, 33)), strict=False
            )
        else:
            base = (0x20010DB8 << 96) | rng.randrange(16) << 80
            net = ipaddress.ip_network((base, rng.randrange(30, 129)), strict=False)
        text = str(net)
        if net.prefixlen == net.max_prefixlen and rng.random() < 0.5:
            text = str(net.network_address)
        lines.append(text.upper() if rng.random() < 0.1 else text)
    return lines


def check_overlaps(text: str) -> None:
    blocks: list[bytes] = []
    found = _engine.overlaps_text([text.encode()], blocks.append)
    code, out, _ = cli(["overlaps"], stdin=text, env=PYTHON)
    if found is None:
        assert declined_fairly(text, code), text
    elif found[0] > 2:
        assert (b"".join(blocks).decode(), 0 if found[1] else 1) == (out, code), text


def check_merge(text: str) -> None:
    blocks: list[bytes] = []
    merged = _engine.merge_text([text.encode()], blocks.append)
    code, out, _ = cli(["merge"], stdin=text, env=PYTHON)
    if merged:
        assert (b"".join(blocks).decode(), 0) == (out, code), text
    else:
        assert declined_fairly(text, code), text


def check_set_operation(left: str, right: str, op: str) -> None:
    blocks: list[bytes] = []
    found = _engine.set_operation_text(op, [left.encode()], [right.encode()], blocks.append)
    flag = "--minus" if op == "exclude" else "--with"
    code, out, _ = cli([op, "-", flag, *right.split()], stdin=left, env=PYTHON)
    if found is not None:
        # intersect says "empty" with exit 1; exclude always succeeds.
        expected_code = 0 if found or op == "exclude" else 1
        assert (b"".join(blocks).decode(), expected_code) == (out, code), (left, right)
    else:
        assert declined_fairly(left, code), left


def test_list_commands_against_python_for_a_bounded_time() -> None:
    seconds = float(os.environ.get("CIDRKIT_FUZZ_SECONDS", DEFAULT_SECONDS))
    seed = int(os.environ.get("CIDRKIT_FUZZ_SEED", random.randrange(1 << 32)))
    print(f"list engine fuzz: seed {seed}, {seconds} s")
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    cases = declined = 0
    while time.monotonic() < deadline:
        text = "\n".join(random_list(rng)) + rng.choice(["\n", "", "\r\n"])
        for _ in range(rng.randrange(0, 3)):
            text = edit_once(rng, text, ALPHABET)
        check_overlaps(text)
        check_merge(text)
        right = random_list(rng)
        check_set_operation(text, "\n".join(right), rng.choice(["exclude", "intersect"]))
        declined += _engine.merge_text([text.encode()], lambda _: None) is False
        cases += 1
    assert cases > 0
    print(f"{cases} lists, {declined} declined")
