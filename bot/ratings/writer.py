"""The group-commit writer: one task writes every rating, many callers' writes sharing one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Final

from bot.ratings.models import Write
from bot.ratings.store import RatingStore

log = logging.getLogger(__name__)

_STOP: Final = object()
_Item = tuple[Write, "asyncio.Future[int]"]


class RatingWriter:
    """One task that group-commits rating writes: many callers' writes share one transaction.

    Callers :meth:`submit` a write and wait on a future; the task takes everything pending, applies it in
    one transaction and only then answers each caller. When the batch fails, each write is retried in a
    transaction of its own, so one bad write fails alone.
    """

    def __init__(self, store: RatingStore, *, max_batch: int = 5000) -> None:
        self._store = store
        self._max_batch = max_batch
        self._queue: asyncio.Queue[_Item | object] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.commits = 0  # successful COMMITs, batched or not
        self.batches = 0  # batches committed whole
        self.fallbacks = 0  # batches that failed and were retried write by write
        self.writes = 0  # writes committed
        self.largest_batch = 0

    @property
    def running(self) -> bool:
        """Whether writes are being queued for the task (else they are applied directly)."""
        return self._task is not None and not self._task.done() and not self._closing

    def start(self) -> None:
        """Start the writer task (idempotent); needs a running event loop."""
        if self._task is None or self._task.done():
            self._closing = False
            self._task = asyncio.get_running_loop().create_task(self._run(), name="kansou-rating-writer")

    async def close(self) -> None:
        """Commit everything already submitted, then stop the task."""
        task = self._task
        if task is None:
            return
        if not task.done():
            if not self._closing:  # one stop marker, however many callers close
                self._closing = True
                self._queue.put_nowait(_STOP)
            await asyncio.shield(task)
        if self._task is task:
            self._task = None

    def submit_nowait(self, op: Write) -> asyncio.Future[int]:
        """Queue a write; the future resolves after its commit (to its count of scores written or removed)."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, future))
        return future

    async def submit(self, op: Write) -> int:
        """Apply a write (group-committed when the task runs) and return its count once it is committed."""
        if not self.running:
            future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
            await self._commit([(op, future)])
            return future.result()
        return await self.submit_nowait(op)

    async def _run(self) -> None:
        batch: list[_Item] = []
        try:
            stop = False
            while not stop:
                item = await self._queue.get()
                batch = []
                while True:
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)  # type: ignore[arg-type]  # anything but _STOP is an _Item
                    if len(batch) >= self._max_batch:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except asyncio.QueueEmpty:
                        break
                if batch:
                    try:
                        await self._commit(batch)
                    except Exception as exc:  # a bug, not a bad write: nobody may wait forever
                        log.exception("the rating writer failed a batch of %d writes", len(batch))
                        _fail(batch, exc)
                    batch = []
        except asyncio.CancelledError:
            _fail(batch, RuntimeError("the rating writer was stopped"))
            while not self._queue.empty():
                item = self._queue.get_nowait()
                if item is not _STOP:
                    _fail([item], RuntimeError("the rating writer was stopped"))  # type: ignore[list-item]  # not _STOP
            raise

    async def _commit(self, batch: list[_Item]) -> None:
        live = [(op, fut) for op, fut in batch if not fut.done()]  # a caller that gave up is not written
        if not live:
            return
        try:
            results = await self._transaction([op for op, _ in live])
        except Exception as exc:
            if len(live) == 1:
                _fail(live, exc)
                return
            self.fallbacks += 1
            log.warning("a batch of %d rating writes failed; applying them one by one", len(live))
        else:
            self.batches += 1
            self.largest_batch = max(self.largest_batch, len(live))
            for (_, fut), result in zip(live, results, strict=True):
                if not fut.done():
                    fut.set_result(result)
            return
        for op, fut in live:
            try:
                (result,) = await self._transaction([op])
            except Exception as exc:
                if not fut.done():
                    fut.set_exception(exc)
            else:
                if not fut.done():
                    fut.set_result(result)

    async def _transaction(self, ops: Sequence[Write]) -> list[int]:
        async with self._store.db.transaction() as tx:
            results = await self._store.apply_in(tx, ops)
        self.commits += 1
        self.writes += len(ops)
        return results


def _fail(items: Sequence[_Item], exc: BaseException) -> None:
    for _, fut in items:
        if not fut.done():
            fut.set_exception(exc)
