"""Group commit: one thread turns concurrent write requests into shared transactions.

With ``synchronous=FULL`` SQLite syncs the disk once per commit (a few
milliseconds), and a PostgreSQL transaction that locks a pool row serialises
every other request for that pool behind its round trips. Both limits are
per *transaction*, not per allocation, so the writer drains every request
that queued up while the previous transaction ran and applies them together.
Nobody is answered before the transaction holding their allocation has
committed, so an acknowledged allocation is durable.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from cidrkit.ipam.service import AllocationService, Operation, Outcome

_STOP = object()


class GroupCommitWriter:
    """A single writer thread applying queued operations in batches of up to ``max_batch``."""

    def __init__(self, service: AllocationService, *, max_batch: int = 64) -> None:
        self.service = service
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="cidrkit-writer", daemon=True)
        self.batches = 0
        self.operations = 0

    def start(self) -> None:
        """Start the writer thread."""
        self._thread.start()

    def stop(self) -> None:
        """Finish the queued work, then stop the thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def submit(self, op: Operation) -> Future[Outcome]:
        """Queue ``op``; the future resolves once its transaction has committed."""
        future: Future[Outcome] = Future()
        self._queue.put((op, future))
        return future

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)
            self._apply(batch)  # type: ignore[arg-type]

    def _apply(self, batch: list[tuple[Operation, Future[Outcome]]]) -> None:
        ops = [op for op, _ in batch]
        try:
            outcomes = self.service.execute(ops)
        except Exception as exc:  # a database failure fails the whole batch, loudly
            for _, future in batch:
                future.set_exception(exc)
            return
        self.batches += 1
        self.operations += len(ops)
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            future.set_result(outcome)
