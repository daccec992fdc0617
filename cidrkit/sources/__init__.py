"""Inventory importers: every real source of address facts, read into one record type.

``read_inventory(paths)`` walks files and folders, recognises each format from
its content and returns an :class:`Inventory` of :class:`Record` plus the
findings about the input (malformed, ignored, notices, skipped files).
"""

from cidrkit.sources.reader import read_file, read_inventory
from cidrkit.sources.record import (
    Ignored,
    Inventory,
    Labels,
    Malformed,
    Notice,
    Origin,
    Record,
    Skipped,
)

__all__ = [
    "Ignored",
    "Inventory",
    "Labels",
    "Malformed",
    "Notice",
    "Origin",
    "Record",
    "Skipped",
    "read_file",
    "read_inventory",
]
