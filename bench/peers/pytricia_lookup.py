"""Peer for ``cidrkit lookup --table TABLE LOG``: the same output with a pytricia tree.

Usage: python pytricia_lookup.py TABLE LOG. TABLE is one prefix per line;
each non-blank LOG line is printed with a tab and its most specific prefix
(``-`` for none), as ``cidrkit lookup`` prints it for a plain table.
"""

from __future__ import annotations

import sys

import pytricia


def main(table: str, log: str) -> None:
    v4, v6 = pytricia.PyTricia(32), pytricia.PyTricia(128)
    with open(table) as handle:
        for line in handle:
            prefix = line.strip()
            if prefix and not prefix.startswith("#"):
                tree = v6 if ":" in prefix else v4
                if not tree.has_key(prefix):
                    tree[prefix] = prefix
    out = sys.stdout
    get4, get6 = v4.get_key, v6.get_key
    with open(log, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            line = line.rstrip("\r\n")
            if not line or line.isspace():
                continue
            word = line.split(None, 1)[0]
            try:
                found = get6(word) if ":" in word else get4(word)
            except ValueError:
                found = None
            out.write(f"{line}\t{found or '-'}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
