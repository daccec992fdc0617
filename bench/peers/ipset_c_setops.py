"""Peer for ``cidrkit merge | exclude | intersect``: the same job with ipset_c, whole process.

Usage: python ipset_c_setops.py merge FILE | exclude FILE MINUS | intersect FILE OTHER.
Prints the resulting prefixes, one per line, as ``cidrkit`` does.
"""

from __future__ import annotations

import sys

from ipset_c import IPSet


def read(path: str) -> IPSet:
    with open(path) as handle:
        return IPSet([line.strip() for line in handle if line.strip()])


def main(job: str, paths: list[str]) -> None:
    result = read(paths[0])
    if job == "exclude":
        result = result - read(paths[1])
    elif job == "intersect":
        result = result & read(paths[1])
    sys.stdout.write("".join(cidr + "\n" for cidr in result.getCidrs()))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
