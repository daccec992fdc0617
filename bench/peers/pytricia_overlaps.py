"""Peer for ``cidrkit overlaps``: every covering pair by a pytricia parent walk, whole process.

Usage: python pytricia_overlaps.py FILE. Builds one tree per family, then
for each prefix walks its parents and prints ``child<TAB>parent`` per pair
(duplicates of a prefix count once, as a tree holds each key once).
"""

from __future__ import annotations

import sys

import pytricia


def main(path: str) -> None:
    trees = {4: pytricia.PyTricia(32), 6: pytricia.PyTricia(128)}
    with open(path) as handle:
        prefixes = [line.strip() for line in handle if line.strip()]
    for prefix in prefixes:
        trees[6 if ":" in prefix else 4][prefix] = True
    out = []
    for tree in trees.values():
        for prefix in tree:
            parent = tree.parent(prefix)
            while parent is not None:
                out.append(f"{prefix}\t{parent}\n")
                parent = tree.parent(parent)
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
