"""Many pynetbox clients carving one prefix at once (loopback only)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pynetbox
from pynetbox.core.query import AllocationError, RequestError


@dataclass
class CarveResult:
    """What the clients saw: created prefixes, refusals by status, other failures."""

    created: list[str] = field(default_factory=list)
    refused: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def carve_in_parallel(url: str, token: str, parent: str, *, clients: int, requests_each: int,
                      length: int) -> CarveResult:
    """``clients`` threads, each with its own pynetbox API object (own HTTP session),
    each calling ``available_prefixes.create({"prefix_length": length})`` on
    ``parent`` ``requests_each`` times, all released at the same moment."""
    result = CarveResult()
    start = threading.Barrier(clients)

    def client() -> None:
        nb = pynetbox.api(url, token=token)
        container = nb.ipam.prefixes.get(prefix=parent)
        start.wait()
        for _ in range(requests_each):
            try:
                made = container.available_prefixes.create({"prefix_length": length})
            except AllocationError as exc:
                with result.lock:
                    result.refused[exc.req.status_code] += 1
            except RequestError as exc:
                with result.lock:
                    result.refused[exc.req.status_code] += 1
            except Exception as exc:  # every other failure is counted, not lost
                with result.lock:
                    result.failures.append(repr(exc))
            else:
                with result.lock:
                    result.created.append(made.prefix)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result
