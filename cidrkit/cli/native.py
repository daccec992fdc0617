"""The compiled engine (``cidrkit._engine``), when it is built and not switched off.

The engine is a Rust extension built with the package (``pip install``
builds it). Every command that uses it keeps its Python path, which gives
the same bytes: ``CIDRKIT_ENGINE=python`` in the environment selects the
Python path (the tests run both), and a source tree whose extension is not
built falls back to it on its own.
"""

from __future__ import annotations

import os

# Neither numpy nor cidrkit.bulk is imported here: a lookup against a saved
# table never loads them.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import ModuleType
    from typing import TextIO

ENGINE_VARIABLE = "CIDRKIT_ENGINE"
# The file name of the errors of the engine's own writes to standard output.
OUTPUT_NAME = "<stdout>"
# Saved lookup tables sit beside the table file under this suffix.
SAVED_TABLE_SUFFIX = ".cidrkit-lpm"


def load_engine(env: Mapping[str, str]) -> ModuleType | None:
    """The engine module, or None when it is not built or ``CIDRKIT_ENGINE=python``."""
    if env.get(ENGINE_VARIABLE, "").lower() == "python":
        return None
    try:
        from cidrkit import _engine
    except ImportError:
        return None
    return _engine


# Bump when what a saved lookup table holds changes meaning.
TABLE_FORMAT = "1"


def table_key(engine: ModuleType, data: bytes, options: list[str]) -> bytes:
    """The key of a lookup table's content, read with ``options``, by this cidrkit version."""
    from cidrkit import __version__

    salt = "\0".join([TABLE_FORMAT, __version__, *options]).encode("utf-8", "surrogateescape")
    key: bytes = engine.content_key(data, salt)
    return key


def saved_table_path(table: str) -> str:
    """Where the built form of the lookup table ``table`` is saved: beside it, hidden."""
    folder, name = os.path.split(table)
    return os.path.join(folder, f".{name}{SAVED_TABLE_SUFFIX}")


def table_stamp(engine: ModuleType, path: str, options: list[str]) -> bytes | None:
    """A key of the table file's size, times and inode, and the options; None if unreadable.

    A saved table with the same stamp is used without reading the table
    file (as git trusts an unchanged stat); any other is checked by content.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    fields = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev]
    return table_key(engine, " ".join(map(str, fields)).encode(), ["stamp", *options])


def cached_table_path(
    engine: ModuleType, table: str, options: list[str], env: Mapping[str, str]
) -> str:
    """Where a table whose folder is read-only is saved instead: the user's cache."""
    cache = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    name = table_key(engine, os.path.abspath(table).encode(), options).hex()
    return os.path.join(cache, "cidrkit", f"{name}{SAVED_TABLE_SUFFIX}")


def byte_writer(stream: TextIO) -> Callable[[bytes], object]:
    """A function writing UTF-8 bytes to a text stream, straight to its buffer when it has one."""
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        return lambda data: stream.write(data.decode("utf-8", "surrogateescape"))
    # What was written as text so far goes out first.
    stream.flush()
    write: Callable[[bytes], object] = buffer.write
    return write


def byte_sink(stream: TextIO) -> dict[str, object]:
    """Where the engine puts its output: ``out_fd`` or ``write``, as keyword arguments.

    The process's own standard output is written by the engine straight to
    its file descriptor (no Python object per block); any other stream gets
    a writer function.
    """
    import sys

    if stream is sys.stdout:
        try:
            fd = stream.fileno()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None:
            # What was written as text so far goes out first.
            stream.flush()
            return {"out_fd": fd}
    return {"write": byte_writer(stream)}


def is_output_error(err: OSError) -> bool:
    """Whether ``err`` came from writing the output (a closed pipe, a full disk), not reading."""
    return isinstance(err, BrokenPipeError) or err.filename == OUTPUT_NAME

