"""Generated inputs for the whole-command benchmarks, made once and reused.

An Apache combined log whose client addresses are drawn from the real BGP
tables (so lookups hit, as they do on a real server), IPv4 and IPv6 mixed,
every line with its timestamp (``[04/Dec/2026:10:38:38 +0000]``: colon
groups that look like IPv6 to a scanner), request, referrer and user agent
(version strings with dots). Files are written under the directory given
(default: a ``cidrkit-bench`` folder in the system temporary directory) and
kept, keyed by their parameters.
"""

from __future__ import annotations

import ipaddress
import random
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "curl/8.5.0",
    "Go-http-client/1.1",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
]
PATHS = ["/", "/index.html", "/api/v1/items/42", "/static/app.3f9a1c.js", "/login?next=/home"]


def work_dir(folder: str | None = None) -> Path:
    path = Path(folder) if folder else Path(tempfile.gettempdir()) / "cidrkit-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def table_lines(name: str) -> list[str]:
    path = DATA / name
    if not path.is_file():
        raise SystemExit(f"real data {path} not found")
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


def _random_address(rng: random.Random, prefix: str) -> str:
    network = ipaddress.ip_network(prefix)
    offset = rng.randrange(min(network.num_addresses, 1 << 64))
    return str(network.network_address + offset)


def access_log(folder: Path, lines: int, v6_share: float, seed: int = 13) -> Path:
    """An Apache combined log of ``lines`` lines; ``v6_share`` of the clients are IPv6."""
    path = folder / f"access-{lines}-v6-{int(v6_share * 100)}.log"
    if path.exists():
        return path
    rng = random.Random(seed)
    v4 = table_lines("bgp-ipv4.txt")
    v6 = table_lines("bgp-ipv6.txt") if v6_share else []
    # A pool of clients, as a real log repeats its visitors.
    pool = [
        _random_address(rng, rng.choice(v6) if rng.random() < v6_share else rng.choice(v4))
        for _ in range(min(lines, 200_000))
    ]
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as out:
        for i in range(lines):
            second = i // 30
            stamp = f"{(second // 3600) % 24:02}:{(second // 60) % 60:02}:{second % 60:02}"
            out.write(
                f'{rng.choice(pool)} - - [04/Dec/2026:{stamp} +0000] "GET {rng.choice(PATHS)} '
                f'HTTP/1.1" {rng.choice((200, 200, 200, 304, 404))} {rng.randrange(100, 90000)} '
                f'"https://www.example.com/ref/{i % 977}" "{rng.choice(AGENTS)}"\n'
            )
    tmp.rename(path)
    return path


def grep_patterns(folder: Path, count: int, seed: int = 13) -> Path:
    """``count`` prefixes from both BGP tables (nine in ten IPv4), one per line."""
    path = folder / f"patterns-{count}.txt"
    if path.exists():
        return path
    rng = random.Random(seed)
    v6_count = count // 10
    chosen = rng.sample(table_lines("bgp-ipv4.txt"), count - v6_count)
    chosen += rng.sample(table_lines("bgp-ipv6.txt"), v6_count)
    path.write_text("\n".join(chosen) + "\n")
    return path


def shuffled_table(folder: Path, name: str, seed: int = 42) -> Path:
    """A BGP table's lines in random order."""
    path = folder / f"shuffled-{name}"
    if not path.exists():
        lines = table_lines(name)
        random.Random(seed).shuffle(lines)
        path.write_text("\n".join(lines) + "\n")
    return path


def sample_table(folder: Path, name: str, count: int, seed: int = 7) -> Path:
    """``count`` random lines of a BGP table (the right-hand side of exclude/intersect)."""
    path = folder / f"sample-{count}-{name}"
    if not path.exists():
        lines = random.Random(seed).sample(table_lines(name), count)
        path.write_text("\n".join(lines) + "\n")
    return path


def random_prefixes(folder: Path, count: int, bits: int, seed: int = 5) -> Path:
    """``count`` random prefixes of one family (lengths 8-32 or 16-64), text, one per line."""
    import numpy as np

    path = folder / f"random-{count}-v{4 if bits == 32 else 6}.txt"
    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as out:
        for start in range(0, count, 1_000_000):
            n = min(1_000_000, count - start)
            if bits == 32:
                length = rng.integers(8, 33, n)
                value = rng.integers(0, 1 << 32, n, dtype=np.uint64)
                value &= ~((np.uint64(1) << (32 - length).astype(np.uint64)) - np.uint64(1))
                octets = [(value >> np.uint64(s)) & np.uint64(255) for s in (24, 16, 8, 0)]
                rows = zip(*(o.tolist() for o in octets), length.tolist(), strict=True)
                out.write("".join(f"{a}.{b}.{c}.{d}/{n}\n" for a, b, c, d, n in rows))
            else:
                length = rng.integers(16, 65, n)
                hi = rng.integers(0, 1 << 63, n, dtype=np.uint64) | np.uint64(1 << 61)
                hi &= ~((np.uint64(1) << (64 - length).astype(np.uint64)) - np.uint64(1))
                groups = [(hi >> np.uint64(s)) & np.uint64(0xFFFF) for s in (48, 32, 16, 0)]
                rows = zip(*(g.tolist() for g in groups), length.tolist(), strict=True)
                out.write("".join(f"{a:x}:{b:x}:{c:x}:{d:x}::/{n}\n" for a, b, c, d, n in rows))
    tmp.rename(path)
    return path
