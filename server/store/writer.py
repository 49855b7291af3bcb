"""The store's one writing connection: a plain `sqlite3` connection on a thread of its own."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

from server.store.rows import _VIEW, _WIDTH, _write_rows
from server.store.schema import StoreError, _migrate, _writer_pragmas

__all__ = ["Settled"]

logger = logging.getLogger("server.store")

T = TypeVar("T")

# Rows in one statement at most (a power of two): 512 rows are 10,752 parameters, below the
# 32,766 SQLite allows by default (fewer if this SQLite was built to allow fewer).
_MAX_ROWS = 512


Settled = Callable[[BaseException | None], None]  # told, on the event loop, how a write went


@dataclass(slots=True, eq=False)
class _Write:
    """Rows for the writer thread to commit, and whom to tell when they are committed."""

    rows: int
    params: list[Any]  # _WIDTH values per row
    # Queued while earlier writes were unsettled: if one of them fails, this one must not land
    # after the gap it leaves in the log, so it fails too.
    chained: bool
    then: Settled = field(repr=False)


@dataclass(slots=True, eq=False)
class _Call:
    """Any other work on the writer connection: open, meta, pragmas, close."""

    work: Callable[[Any], Any]  # called with the connection (None before it is open)
    future: asyncio.Future[Any] = field(repr=False)


class _Writer:
    """The one writing connection: a plain `sqlite3` connection on a thread of its own.

    The event loop hands work over without waiting (`write`, `call`: put on a `SimpleQueue`);
    the thread does it and reports back through `call_soon_threadsafe`. A write is one hand-off
    there and one back, whatever it holds; the aiosqlite connection that wrote before paid a
    round trip through the busy event loop for each of BEGIN, every INSERT and COMMIT. A write
    reports to a plain callback rather than a future: the callback runs in the loop turn that
    hears of the commit, where a future's callbacks would wait for the next turn.

    Group commit happens here: when the thread finishes a commit it takes every write queued
    meanwhile (up to `_MAX_ROWS` rows) and commits them together, without waiting for the event
    loop, so the disk is kept busy and the loop only hears about commits. Writes are committed,
    and reported, in the order they were queued.

    The connection is made on the thread and used by no other (sqlite3's same-thread check stays
    on). The thread is a daemon: a store left open does not keep the process alive; a commit cut
    off by exit was never acknowledged, and WAL drops a transaction without its commit record.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop  # the event loop the store belongs to: results are reported there
        self._jobs: SimpleQueue[_Write | _Call | None] = SimpleQueue()
        self._thread = threading.Thread(target=self._serve, name="antre-store-writer", daemon=True)
        self._closed = False  # close() was called: the thread takes no more work
        # Event loop side:
        self.commits = 0  # write transactions committed
        self._unsettled = 0  # writes queued and not yet reported
        # Writer thread side:
        self._db: sqlite3.Connection | None = None
        self._max_rows = _MAX_ROWS
        self._failed: BaseException | None = None  # why the last write failed, if it did

    @classmethod
    async def open(cls, path: str, target_version: int) -> _Writer:
        writer = cls(asyncio.get_running_loop())
        writer._thread.start()
        try:
            await writer.call(lambda _db: writer._connect(path, target_version))
        except BaseException:
            writer._stop()
            raise
        return writer

    def call(self, work: Callable[[sqlite3.Connection], T]) -> asyncio.Future[T]:
        """Queue `work(connection)`; the future settles with its result once it has run."""
        future: asyncio.Future[T] = self._loop.create_future()
        self._jobs.put(_Call(work, future))
        return future

    def write(self, rows: int, params: list[Any], then: Settled) -> None:
        """Queue rows for `antre_rows`; `then(None)` after the COMMIT that holds them.

        `then(error)` if it failed. Once queued, a write commits or fails: nothing cancels it.
        """
        self._jobs.put(_Write(rows, params, self._unsettled > 0, then))
        self._unsettled += 1

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL) and end the thread; again: nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            await self.call(lambda _db: self._disconnect())
        finally:
            self._stop()

    def _stop(self) -> None:
        self._jobs.put(None)
        self._thread.join()  # nothing is queued before the None: the thread ends at once

    # -- on the event loop ----------------------------------------------------------------------

    def _settle_writes(self, group: list[_Write], exc: BaseException | None) -> None:
        self._unsettled -= len(group)
        if exc is None:
            self.commits += 1
        for write in group:
            try:
                write.then(exc)
            except Exception:  # one caller's bug must not keep the others waiting
                logger.exception("store writer: a write's callback failed")

    # -- on the writer thread -------------------------------------------------------------------

    def _serve(self) -> None:
        job: Any = self._jobs.get()
        while job is not None:  # None: the stop sign
            if isinstance(job, _Call):
                self._run(job)
                job = self._jobs.get()
            else:
                group, job = self._gather(job)
                self._commit(group)
                if job is _NOTHING:
                    job = self._jobs.get()
        self._disconnect()  # after a failed open, or a stop without close

    def _gather(self, first: _Write) -> tuple[list[_Write], Any]:
        """`first` and the writes queued right behind it, up to `_max_rows` rows in all.

        Also returns the next job if one was taken from the queue, else `_NOTHING`.
        """
        group, rows = [first], first.rows
        while True:
            try:
                job = self._jobs.get_nowait()
            except Empty:
                return group, _NOTHING
            if not isinstance(job, _Write) or rows + job.rows > self._max_rows:
                return group, job
            group.append(job)
            rows += job.rows

    def _commit(self, group: list[_Write]) -> None:
        exc: BaseException | None = None
        if group[0].chained and self._failed is not None:
            exc = self._failed  # queued behind a write that failed: never write past the gap
        else:
            rows = sum(w.rows for w in group)
            params = group[0].params if len(group) == 1 else [v for w in group for v in w.params]
            try:
                _write_rows(self._require_db(), self._max_rows, rows, params)
            except BaseException as failure:  # raised in the callers; chained writes fail too
                exc = failure
        self._failed = exc
        self._call_soon(self._settle_writes, group, exc)

    def _run(self, call: _Call) -> None:
        try:
            result = call.work(self._db)
        except BaseException as exc:  # raised in the caller
            self._call_soon(_settle, call.future, None, exc)
        else:
            self._call_soon(_settle, call.future, result, None)

    def _call_soon(self, callback: Callable[..., None], *args: Any) -> None:
        """Run `callback(*args)` on the store's event loop."""
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop is closed: nobody is waiting any more
            logger.warning("store writer: a result came after its event loop closed")

    def _require_db(self) -> sqlite3.Connection:
        if self._db is None:
            raise StoreError("the store's writer connection is closed")
        return self._db

    def _connect(self, path: str, target_version: int) -> None:
        self._db = _open_writer(path, target_version)
        limit = self._db.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        while self._max_rows > 1 and self._max_rows * _WIDTH > limit:
            self._max_rows //= 2

    def _disconnect(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


_NOTHING = object()  # `_gather` found the queue empty


def _settle(future: asyncio.Future[Any], result: Any, exc: BaseException | None) -> None:
    """On the event loop: settle `future`, unless its caller gave up on it (cancelled)."""
    if future.done():
        return
    if exc is None:
        future.set_result(result)
    else:
        future.set_exception(exc)


def _open_writer(path: str, target_version: int) -> sqlite3.Connection:
    """Connect, set the pragmas, migrate, make the TEMP view: on the writer thread."""
    # isolation_level=None: no implicit transactions. A commit is one statement (autocommit);
    # migrations and oversized writes say BEGIN IMMEDIATE and COMMIT themselves.
    db = sqlite3.connect(path, isolation_level=None)
    try:
        _writer_pragmas(db)
        _migrate(db, path, target_version)
        for statement in _VIEW:
            db.execute(statement)
    except BaseException:
        db.close()
        raise
    return db
