"""Run many scopes at once, at most N in flight, reporting progress as each one ends.

The work is network-bound (each scope waits on a few API calls), so threads
are enough; the bound keeps a large organisation from tripping the API's
rate limits all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: ``progress(done, total, label)`` after each finished task.
Progress = Callable[[int, int, str], None]


def run_bounded(
    items: Iterable[T],
    work: Callable[[T], R],
    *,
    concurrency: int,
    label: Callable[[T], str],
    progress: Progress | None = None,
) -> list[R]:
    """``[work(item) for item in items]`` with at most ``concurrency`` running at once.

    Results keep the order of ``items``. ``work`` must not raise for an
    expected failure (it returns a failed result instead); anything it does
    raise is a bug and propagates once the running tasks have finished.
    """
    todo = list(items)
    results: dict[int, R] = {}
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        futures = {pool.submit(work, item): n for n, item in enumerate(todo)}
        for done, future in enumerate(as_completed(futures), start=1):
            n = futures[future]
            results[n] = future.result()
            if progress is not None:
                progress(done, len(todo), label(todo[n]))
    return [results[n] for n in range(len(todo))]
