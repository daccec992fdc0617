"""Random text for comparing the compiled engine with the Python path.

Text is built from fragments that sit on the edges of the address rules
(timestamps, MAC addresses, dotted tails, zero runs, digits glued to dots)
mixed with single characters, so most examples hold near-misses.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from hypothesis import strategies as st

FRAGMENTS = [
    "10.0.0.1",
    "10.1.2.3",
    "192.0.2.77",
    "255.255.255.255",
    "256.1.1.1",
    "010.0.0.1",
    "1.2.3.4.5",
    "311.2.3.45",
    "2001:db8::1",
    "2001:db8::",
    "::",
    "::1",
    "::ffff:",
    "::ffff:10.0.0.1",
    "fe80::1%eth0",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "12:30:45",
    "[04/Dec/2026:10:38:38 +0000]",
    "00:1a:2b:3c:4d:5e",
    "v1.2.3",
    "a.b.c",
    ":::",
    "2001:DB8:0:0:0:0:0:1",
    "1::2::3",
    "12345::",
    "0.0.0.0",
    "203.0.113.9",
    "2001:db8:0:1::",
]
ALPHABET = "0123456789abcdefABCDEFgxyz:.:./ \t-[]%,é\u00a0"
LINE_BREAKS = ["\n", "\r\n", "\r", "\n\n"]


def texts(max_parts: int = 30) -> st.SearchStrategy[str]:
    """Lines of near-address text joined by every kind of line break."""
    part = st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(ALPHABET, max_size=4),
        st.sampled_from(LINE_BREAKS),
    )
    return st.lists(part, max_size=max_parts).map("".join)


PATTERNS = [
    "10.0.0.0/8",
    "192.0.2.0/24",
    "0.0.0.0/0",
    "2001:db8::/32",
    "::/0",
    "::ffff:0:0/96",
    "10.0.0.1",
    "203.0.113.0-203.0.113.9",
    "::1",
    "fe80::/10",
    "255.255.255.255/32",
]


def pattern_lists() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=4, unique=True)


def edit_once(rng: random.Random, text: str, alphabet: str) -> str:
    """One random edit of ``text``: insert, delete or replace a character of ``alphabet``."""
    at = rng.randrange(len(text) + 1)
    choice = rng.randrange(3)
    if choice == 0 or not text:
        return text[:at] + rng.choice(alphabet) + text[at:]
    if choice == 1:
        return text[:at] + text[at + 1 :]
    return text[:at] + rng.choice(alphabet) + text[at + 1 :]


def lookup_in_a_new_process(table: Path, line: str, watched: tuple[str, ...]) -> tuple[str, str]:
    """Run ``cidrkit lookup --table TABLE`` on one line in a fresh interpreter: its
    output, and which of ``watched`` (modules, or ``cidrkit.bulk`` and below) it loaded."""
    code = (
        "import sys\n"
        "from cidrkit.cli.main import main\n"
        f"sys.argv = ['cidrkit', 'lookup', '--table', {str(table)!r}]\n"
        "status = main()\n"
        f"print(sorted(m for m in sys.modules if m in {watched!r}"
        " or m.startswith('cidrkit.bulk')), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=line, text=True, check=True,
                          capture_output=True)
    return done.stdout, done.stderr
