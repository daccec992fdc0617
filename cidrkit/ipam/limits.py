"""Limits that keep one client from hurting the others: failed logins per client
and per token id (429 with ``Retry-After``), and the sizes of request bodies.

The attempt counter is a sliding window kept in memory: it guards one server
process, which is what a guessing client talks to. Only failures count, so
a client with a valid token never notices it, until it has failed too often.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable

from cidrkit.ipam.errors import TooManyAttempts

# Bodies: an import carries a file of up to 20,000,000 characters, escaped in
# JSON; nothing else comes near. A request without a valid token may send
# only what the login form needs.
MAX_BODY = 32 * 1024 * 1024
MAX_ANONYMOUS_BODY = 16 * 1024

FAILURES_PER_WINDOW = 30
WINDOW_SECONDS = 60.0
_KEYS_LIMIT = 100_000


class AttemptLimiter:
    """Counts failed authentications per key (``client:ADDR``, ``token:ID``).

    After ``limit`` failures within ``window`` seconds, ``check`` raises
    ``TooManyAttempts`` until the oldest of them leaves the window.
    """

    def __init__(self, limit: int = FAILURES_PER_WINDOW, window: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, *keys: str) -> None:
        """Raise ``TooManyAttempts`` if any of ``keys`` is over the limit."""
        now = self.clock()
        wait = 0.0
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if times is not None and len(times) >= self.limit:
                    wait = max(wait, times[0] + self.window - now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyAttempts(
                f"too many failed logins; try again in {seconds} s", retry_after=seconds
            )

    def failed(self, *keys: str) -> None:
        """Record one failed attempt under each of ``keys``."""
        now = self.clock()
        with self._lock:
            if len(self._failures) > _KEYS_LIMIT:
                # A flood of distinct keys must not grow memory without bound.
                self._failures = {k: v for k, v in self._failures.items()
                                  if v and v[-1] > now - self.window}
            for key in keys:
                times = self._failures.setdefault(key, deque())
                times.append(now)
                while len(times) > self.limit:
                    times.popleft()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times
