"""Type stubs of the compiled engine (Rust, ``engine/src/python.rs``)."""

from collections.abc import Callable

class Grep:
    """Matches address text against fixed inclusive intervals of both families."""

    def __init__(self, v4: bytes, v6: bytes) -> None: ...
    def run(
        self,
        write: Callable[[bytes], object],
        *,
        fd: int | None = None,
        data: bytes | None = None,
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
