"""Type stubs of the compiled engine (Rust, ``engine/src/python.rs``)."""

from collections.abc import Callable
from os import PathLike

class Grep:
    """Matches address text against fixed inclusive intervals of both families."""

    def __init__(self, v4: bytes, v6: bytes) -> None: ...
    def run(
        self,
        write: Callable[[bytes], object] | None = None,
        *,
        fd: int | None = None,
        data: bytes | None = None,
        out_fd: int | None = None,
        invert: bool = False,
        count_only: bool = False,
        only_matching: bool = False,
        line_numbers: bool = False,
        label: bytes = b"",
        universal_newlines: bool = True,
        lossy: bool = True,
    ) -> tuple[int, int]: ...

def scan_candidates(text: bytes) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """IPv4 and IPv6 candidate spans ``(start, end)`` in ``text``."""

def parse_address(text: bytes) -> tuple[int, int] | None:
    """``(bits, value)`` of an address the core accepts, else None."""

def content_key(data: bytes, salt: bytes) -> bytes:
    """A 16-byte key of a table's content and the options it was read with."""

class LookupTable:
    """Longest-prefix match with each row's annotation text, for ``cidrkit lookup``."""

    @staticmethod
    def build(
        v4_starts: bytes,
        v4_lengths: bytes,
        v4_rows: bytes,
        v6_starts: bytes,
        v6_lengths: bytes,
        v6_rows: bytes,
        suffix_offsets: bytes,
        suffixes: bytes,
        miss: bytes,
        problems: bytes,
        key: bytes,
        stamp: bytes,
    ) -> LookupTable: ...
    @staticmethod
    def open(
        path: str, *, key: bytes | None = None, stamp: bytes | None = None
    ) -> LookupTable | None: ...
    def save(self, path: str) -> None: ...
    def problems(self) -> bytes: ...
    def __len__(self) -> int: ...
    def lookup_words(self, words: list[str]) -> list[int]: ...
    def lookup_arrow_text(
        self,
        offsets: object,
        data: object,
        *,
        first: int,
        count: int,
        large: bool,
    ) -> bytes: ...
    def annotate(
        self,
        report: Callable[[list[tuple[int, str]]], object],
        *,
        write: Callable[[bytes], object] | None = None,
        fd: int | None = None,
        data: bytes | None = None,
        out_fd: int | None = None,
        universal_newlines: bool = True,
        lossy: bool = True,
        matched_only: bool = False,
        count_hits: bool = False,
        progress: Callable[[int], object] | None = None,
    ) -> int: ...
    @property
    def misses(self) -> int: ...
    def stats_text(self) -> bytes: ...
    def jvm_ranges(self) -> bytes: ...

class TableReader:
    """A lookup table's text read by the engine; Python settles the cells it declines."""

    @staticmethod
    def read(data: bytes, csv: bool) -> TableReader | None: ...
    def __len__(self) -> int: ...
    def record(self, k: int) -> list[bytes]: ...
    def use_columns(self, prefix_at: int, label_at: list[int]) -> None: ...
    def declined(self) -> list[tuple[int, bytes]]: ...
    def parsed(self) -> int: ...
    def build(
        self,
        rows: bytes,
        bits: bytes,
        networks: bytes,
        lengths: bytes,
        *,
        miss: bytes,
        problems: bytes,
        key: bytes,
        stamp: bytes,
        places: list[str | PathLike[str]],
    ) -> LookupTable: ...

def merge_text(chunks: list[bytes], write: Callable[[bytes], object]) -> bool:
    """Write the merged prefixes of plain prefix lines (IPv4 first); False if a line is not one."""

def set_operation_text(
    op: str, left: list[bytes], right: list[bytes], write: Callable[[bytes], object]
) -> bool | None:
    """Write ``exclude`` or ``intersect`` of plain prefix lists; None if a line is not plain."""

def overlaps_text(
    chunks: list[bytes], write: Callable[[bytes], object], *, style: str = "text"
) -> tuple[int, int] | None:
    """``(items, pairs)`` of plain prefix lines, the pairs written in ``style``
    ("text", "json"; "count" writes nothing) when there are more than two
    items; None when a line is not a plain prefix or address."""
