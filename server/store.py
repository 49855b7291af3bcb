"""The durable store: the only module that writes SQL.

Theory of operation: the truth is an append-only event log (`events`, one row per event, `seq`
gapless and increasing). Beside it, in the same transaction as the events that changed them, the
store keeps current-state tables (`tickets`, `counters`) so that a report or the citizen's ticket
page can read a row instead of replaying a day.

Writes: one plain `sqlite3` connection owned by a thread of its own (`_Writer`). The event loop
queues a write (`Store.write`: the rows are made at once, on the loop) and carries on; the thread
commits it and reports back on the loop. While it commits, new writes queue up; it then commits
all of them together (group commit) without waiting for the loop. A commit is ONE SQL statement
(an INSERT into a TEMP view whose trigger files each row in its table), run in autocommit mode:
the statement is the transaction. Why so few hand-offs and statements: sqlite3 releases the GIL
around each statement, and a thread that wants it back competes with a busy event loop; that
wait, paid per statement, was most of what a commit cost (docs/benchmarks.md, "Profile
findings"). Writes commit, and are reported, in the order they were queued, and one queued
behind a failed write fails with it, so the log never gets a gap.

Durability: WAL journal with `synchronous=FULL`, so a commit that was reported is on disk even
if the machine loses power: SQLite fsyncs the WAL before the statement returns. Reads use a
second, read-only connection (aiosqlite): under WAL it reads the last committed state without
waiting for the writer's fsync, and it never sees a half-written transaction.

The schema is versioned: `MIGRATIONS` is an ordered list applied on open, each in its own
transaction with the version bump. A file written by a newer Antre is refused, never guessed at.
A store belongs to the event loop that opened it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any, TypeVar

import aiosqlite

from server.core.model import (
    CallReason,
    CounterState,
    CounterStatus,
    Event,
    PriorityGroup,
    Ticket,
    TicketState,
    event_from_dict,
    event_to_dict,
)

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "StoredEvent",
]

logger = logging.getLogger(__name__)

# How long a connection waits for another process's write lock before failing (ms). Only one
# server writes, but a backup tool or `sqlite3` shell may briefly hold the lock.
BUSY_TIMEOUT_MS = 5_000


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int  # the store's sequence number: gapless, increasing, the order of everything
    event: Event
    actor: str  # "kiosk:K1", "officer:OF001@L05", "manager:M1", "system"
    request_id: str | None  # the client's idempotency key, when it sent one


class StoreError(Exception):
    """The database cannot be used as it is (wrong version, not an Antre file…)."""


class SchemaTooNew(StoreError):
    """The file was written by a newer Antre; opening it could corrupt what that version wrote."""


# --------------------------------------------------------------------------------------------
# Schema and migrations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    version: int  # the schema version after this migration
    description: str
    statements: tuple[str, ...]  # run in order inside one transaction with the version bump


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "event log, current-state tables, meta",
        (
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            # `at` is the event's aware ISO instant; `service_day` the building's local date it is
            # filed under (closing events are stamped inside the day they close).
            """CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                service_day TEXT NOT NULL,
                actor TEXT NOT NULL,
                kind TEXT NOT NULL,
                request_id TEXT,
                payload TEXT NOT NULL
            )""",
            "CREATE INDEX events_service_day ON events (service_day)",
            "CREATE INDEX events_request_id ON events (request_id) WHERE request_id IS NOT NULL",
            """CREATE TABLE tickets (
                id TEXT PRIMARY KEY,
                day TEXT NOT NULL,
                number TEXT NOT NULL,
                seq INTEGER NOT NULL,
                line TEXT NOT NULL,
                state TEXT NOT NULL,
                priority TEXT,
                token TEXT NOT NULL,
                kiosk TEXT,
                issued_at TEXT NOT NULL,
                queued_at TEXT NOT NULL,
                called_at TEXT,
                started_at TEXT,
                finished_at TEXT,
                no_show_at TEXT,
                counter TEXT,
                calls INTEGER NOT NULL DEFAULT 0,
                call_reason TEXT,
                transfers TEXT NOT NULL DEFAULT '[]'
            )""",
            # Deferred: a counter's ticket row and the ticket may arrive in either order within
            # one transaction; the check runs at COMMIT.
            """CREATE TABLE counters (
                id TEXT PRIMARY KEY,
                state TEXT NOT NULL,
                officer TEXT,
                pause_reason TEXT,
                since TEXT,
                ticket TEXT REFERENCES tickets (id) DEFERRABLE INITIALLY DEFERRED
            )""",
        ),
    ),
    Migration(
        2,
        "row freshness (updated_seq); lookup indexes for the ticket page, reports, start-up",
        (
            # The seq of the last event that changed the row: a report can check that the
            # current-state tables are as fresh as the log it compares them with.
            "ALTER TABLE tickets ADD COLUMN updated_seq INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE counters ADD COLUMN updated_seq INTEGER NOT NULL DEFAULT 0",
            # Not UNIQUE: a (vanishingly unlikely) token collision must not fail a commit.
            "CREATE INDEX tickets_token ON tickets (token)",
            "CREATE INDEX tickets_day_line ON tickets (day, line)",
            # Start-up finds the last day close without scanning the whole log.
            "CREATE INDEX events_day_closed ON events (seq) WHERE kind = 'day_closed'",
        ),
    ),
    Migration(
        3,
        "drop the unused request-id index: it cost a third of the pages a commit writes",
        (
            # No query looks events up by request id: idempotency reads a day's ids through
            # events_service_day (`request_ids`). Request ids are random, so each new event
            # landed on a different leaf page of this index: about 11 of the 40 pages that a
            # group commit of 9 tickets wrote to the WAL (and fsync'd), for nothing.
            "DROP INDEX IF EXISTS events_request_id",
        ),
    ),
    Migration(
        4,
        "tickets keep the latest call time and the overtakings absorbed, as the ticket does",
        (
            # Ticket.last_call_at (a recall's time, what a TV shows) and Ticket.overtaken (what
            # the calling policy bounds) came after schema 2: without them a row is not the
            # ticket it stands for. Rows written before stay NULL and 0.
            "ALTER TABLE tickets ADD COLUMN last_call_at TEXT",
            "ALTER TABLE tickets ADD COLUMN overtaken INTEGER NOT NULL DEFAULT 0",
        ),
    ),
    Migration(
        5,
        "tickets count the copies the floor staff printed",
        (
            # Ticket.reprints (TicketReprinted events); rows written before count none.
            "ALTER TABLE tickets ADD COLUMN reprints INTEGER NOT NULL DEFAULT 0",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version


def _writer_pragmas(db: sqlite3.Connection) -> None:
    """The writer's settings, applied on its own thread when it opens."""
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA foreign_keys = ON")
    # journal_mode is stored in the file; synchronous is per connection. FULL: fsync the WAL at
    # every commit, so an acknowledged change survives a power cut, not only a crash.
    mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    if mode != "wal":
        raise StoreError(f"cannot switch the database to WAL (journal_mode is {mode!r})")
    db.execute("PRAGMA synchronous = FULL")


async def _reader_pragmas(db: aiosqlite.Connection) -> None:
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA query_only = ON")


def _in_transaction(db: sqlite3.Connection, statements: Callable[[], None]) -> None:
    """BEGIN IMMEDIATE, run `statements`, COMMIT; ROLLBACK on any failure."""
    db.execute("BEGIN IMMEDIATE")
    try:
        statements()
        db.execute("COMMIT")
    except BaseException:
        # A failed COMMIT may already have rolled back; ROLLBACK then says "no transaction".
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _migrate(db: sqlite3.Connection, path: str, target: int = LATEST_VERSION) -> int:
    """Bring the schema to `target`; returns the version found before migrating."""
    found = 0

    def read_version() -> None:
        nonlocal found
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        found = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0
        if found == 0:
            (has_events,) = db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"
            ).fetchone()
            if has_events:
                raise StoreError(f"{path}: has an events table but no schema version")
            db.execute("DELETE FROM schema_version")
            db.execute("INSERT INTO schema_version (version) VALUES (0)")
        if found > LATEST_VERSION:
            raise SchemaTooNew(
                f"{path}: schema version {found} was written by a newer Antre; this one knows "
                f"versions up to {LATEST_VERSION}. Upgrade Antre, or restore a backup made by "
                "this version."
            )

    # BEGIN IMMEDIATE before reading the version: two processes opening one fresh file must not
    # both run migration 1.
    _in_transaction(db, read_version)
    for migration in MIGRATIONS:
        if found < migration.version <= target:

            def apply(migration: Migration = migration) -> None:
                for statement in migration.statements:
                    db.execute(statement)
                db.execute("UPDATE schema_version SET version = ?", (migration.version,))

            _in_transaction(db, apply)
            logger.info(
                "%s: migrated to schema %d (%s)", path, migration.version, migration.description
            )
    return found


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

_EVENT_FIELDS = ("seq", "at", "service_day", "actor", "kind", "request_id", "payload")
_TICKET_FIELDS = (
    *("id", "day", "number", "seq", "line", "state", "priority", "token", "kiosk", "issued_at"),
    *("queued_at", "called_at", "started_at", "finished_at", "no_show_at", "counter", "calls"),
    *("call_reason", "transfers", "updated_seq", "last_call_at", "overtaken", "reprints"),
)
_COUNTER_FIELDS = ("id", "state", "officer", "pause_reason", "since", "ticket", "updated_seq")
_EVENT_COLUMNS = ", ".join(_EVENT_FIELDS)
_TICKET_COLUMNS = ", ".join(_TICKET_FIELDS)
_COUNTER_COLUMNS = ", ".join(_COUNTER_FIELDS)
_TICKET_UPSERT = (
    "ON CONFLICT (id) DO UPDATE SET line = excluded.line, state = excluded.state, "
    "priority = excluded.priority, queued_at = excluded.queued_at, "
    "called_at = excluded.called_at, started_at = excluded.started_at, "
    "finished_at = excluded.finished_at, no_show_at = excluded.no_show_at, "
    "counter = excluded.counter, calls = excluded.calls, call_reason = excluded.call_reason, "
    "transfers = excluded.transfers, updated_seq = excluded.updated_seq, "
    "last_call_at = excluded.last_call_at, overtaken = excluded.overtaken, "
    "reprints = excluded.reprints"
)
_COUNTER_UPSERT = (
    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, officer = excluded.officer, "
    "pause_reason = excluded.pause_reason, since = excluded.since, ticket = excluded.ticket, "
    "updated_seq = excluded.updated_seq"
)


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


# One encoder kept: json.dumps with options makes a new one for every call (one per event).
_PAYLOAD = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _encode(event: Event) -> str:
    return _PAYLOAD.encode(event_to_dict(event))


def _stored(row: Sequence[Any]) -> StoredEvent:
    """(seq, actor, request_id, payload) -> StoredEvent."""
    return StoredEvent(row[0], event_from_dict(json.loads(row[3])), row[1], row[2])


def _ticket_row(t: Ticket, updated_seq: int) -> tuple[Any, ...]:
    return (
        t.id,
        t.day.isoformat(),
        t.number,
        t.seq,
        t.line,
        t.state.value,
        None if t.priority is None else t.priority.value,
        t.token,
        t.kiosk,
        t.issued_at.isoformat(),
        t.queued_at.isoformat(),
        _iso(t.called_at),
        _iso(t.started_at),
        _iso(t.finished_at),
        _iso(t.no_show_at),
        t.counter,
        t.calls,
        None if t.call_reason is None else t.call_reason.value,
        json.dumps(list(t.transfers)) if t.transfers else "[]",
        updated_seq,
        _iso(t.last_call_at),
        t.overtaken,
        t.reprints,
    )


def _ticket_from_row(r: Sequence[Any]) -> Ticket:
    return Ticket(
        id=r[0],
        day=date.fromisoformat(r[1]),
        number=r[2],
        seq=r[3],
        line=r[4],
        state=TicketState(r[5]),
        priority=None if r[6] is None else PriorityGroup(r[6]),
        token=r[7],
        kiosk=r[8],
        issued_at=datetime.fromisoformat(r[9]),
        queued_at=datetime.fromisoformat(r[10]),
        called_at=_dt(r[11]),
        started_at=_dt(r[12]),
        finished_at=_dt(r[13]),
        no_show_at=_dt(r[14]),
        counter=r[15],
        calls=r[16],
        call_reason=None if r[17] is None else CallReason(r[17]),
        transfers=tuple(json.loads(r[18])),
        last_call_at=_dt(r[20]),
        overtaken=r[21],
        reprints=r[22],
    )


def _counter_row(c: CounterStatus, updated_seq: int) -> tuple[Any, ...]:
    return (c.id, c.state.value, c.officer, c.pause_reason, _iso(c.since), c.ticket, updated_seq)


def _counter_from_row(r: Sequence[Any]) -> CounterStatus:
    return CounterStatus(
        id=r[0],
        state=CounterState(r[1]),
        officer=r[2],
        pause_reason=r[3],
        since=_dt(r[4]),
        ticket=r[5],
    )


# --------------------------------------------------------------------------------------------
# One commit, one statement
# --------------------------------------------------------------------------------------------

# A commit is ONE INSERT, in autocommit mode, into a temporary view of the writer connection:
# `antre_rows (tbl, c1, c2, …)`, whose INSTEAD OF trigger files each row in `events`,
# `tickets` or `counters` according to `tbl` ('e', 't', 'c'; NULL files nothing). SQLite runs
# a statement and its triggers atomically and, in autocommit mode, commits (and, synchronous =
# FULL, fsyncs) before the statement returns. Why not BEGIN, an INSERT per table and COMMIT:
# sqlite3 releases the GIL around every statement and the writer thread must win it back from
# the busy event loop after each one; every such wait lengthened the commit that all the
# waiting callers share (docs/benchmarks.md, "Profile findings"). The view and its trigger are
# TEMP: they live on the writer connection only, never in the file.
_WIDTH = 1 + max(len(_EVENT_FIELDS), len(_TICKET_FIELDS), len(_COUNTER_FIELDS))
_EVENT_PAD = (None,) * (_WIDTH - 1 - len(_EVENT_FIELDS))
_TICKET_PAD = (None,) * (_WIDTH - 1 - len(_TICKET_FIELDS))
_COUNTER_PAD = (None,) * (_WIDTH - 1 - len(_COUNTER_FIELDS))


def _new(columns: int) -> str:
    return ", ".join(f"NEW.c{i}" for i in range(1, columns + 1))


_VIEW = (
    "PRAGMA temp_store = MEMORY",  # the view and trigger need no temporary file
    "CREATE TEMP VIEW antre_rows (tbl, "
    + ", ".join(f"c{i}" for i in range(1, _WIDTH))
    + ") AS SELECT "
    + ", ".join(["NULL"] * _WIDTH)
    + " WHERE 0",
    # INSERT ... SELECT ... ON CONFLICT needs the SELECT's WHERE: it keeps the parse unambiguous.
    f"""CREATE TEMP TRIGGER antre_rows_file INSTEAD OF INSERT ON antre_rows BEGIN
        INSERT INTO events ({_EVENT_COLUMNS})
            SELECT {_new(len(_EVENT_FIELDS))} WHERE NEW.tbl = 'e';
        INSERT INTO tickets ({_TICKET_COLUMNS})
            SELECT {_new(len(_TICKET_FIELDS))} WHERE NEW.tbl = 't' {_TICKET_UPSERT};
        INSERT INTO counters ({_COUNTER_COLUMNS})
            SELECT {_new(len(_COUNTER_FIELDS))} WHERE NEW.tbl = 'c' {_COUNTER_UPSERT};
    END""",
)


def _view_rows(
    batch: Sequence[StoredEvent],
    tickets: Iterable[Ticket],
    counters: Iterable[CounterStatus],
    day_of: Callable[[datetime], date],
) -> tuple[int, list[Any]]:
    """A write's rows for `antre_rows`, flattened: (number of rows, parameters).

    Events first, then ticket rows, then counter rows: a row written twice in one commit (two
    commands merged into one transaction) is upserted in order, so the later one stays. Each
    current-state row's `updated_seq` is the last seq in `batch` that names it.
    """
    last_seq = batch[-1].seq if batch else 0
    touched: dict[str, int] = {}
    params: list[Any] = []
    for stored in batch:
        event = stored.event
        for attr in ("ticket", "counter"):
            key = getattr(event, attr, None)
            if key is not None:
                touched[key] = stored.seq
        params += (
            "e",
            stored.seq,
            event.at.isoformat(),
            day_of(event.at).isoformat(),
            stored.actor,
            event.kind,
            stored.request_id,
            _encode(event),
        )
        params += _EVENT_PAD
    rows = len(batch)
    # Ticket and counter ids never collide ("2026-11-23/A-001" vs "L05"), so one map serves.
    for t in tickets:
        params.append("t")
        params += _ticket_row(t, touched.get(t.id, last_seq))
        params += _TICKET_PAD
        rows += 1
    for c in counters:
        params.append("c")
        params += _counter_row(c, touched.get(c.id, last_seq))
        params += _COUNTER_PAD
        rows += 1
    return rows, params


def _bucket(rows: int) -> int:
    """Rows are padded to a power of two, so the statement cache holds a handful of texts."""
    return 1 if rows <= 1 else 1 << (rows - 1).bit_length()


@functools.lru_cache(maxsize=32)
def _insert_sql(rows: int) -> str:
    group = "(" + ", ".join("?" * _WIDTH) + ")"
    return "INSERT INTO antre_rows VALUES " + ", ".join([group] * rows)


def _insert(db: sqlite3.Connection, rows: int, params: list[Any]) -> None:
    """One INSERT of `rows` rows, padded with rows that file nothing."""
    padded = _bucket(rows)
    db.execute(_insert_sql(padded), params + [None] * (_WIDTH * (padded - rows)))


def _write_rows(db: sqlite3.Connection, max_rows: int, rows: int, params: list[Any]) -> None:
    """Commit `rows` rows; returns after COMMIT (fsync'd: synchronous=FULL). On the writer thread.

    Up to `max_rows` (the usual case by far): one statement, its own transaction. More (a day
    closed with thousands of tickets still open) need several statements, in one transaction.
    """
    if rows <= max_rows:
        _insert(db, rows, params)
        return

    def statements() -> None:
        for start in range(0, rows, max_rows):
            n = min(max_rows, rows - start)
            _insert(db, n, params[start * _WIDTH : (start + n) * _WIDTH])

    _in_transaction(db, statements)


# --------------------------------------------------------------------------------------------
# The writer thread
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


class Store:
    """One SQLite file: a writer connection on its own thread, and a read-only reader."""

    def __init__(self, path: str, writer: _Writer, reader: aiosqlite.Connection):
        self.path = path  # for messages and backups
        self._writer = writer  # every write goes through it, in the order it was asked for
        self._reader = reader  # read-only: never sees an uncommitted transaction of the writer

    @property
    def commits(self) -> int:
        """Transactions committed by `write`: lets tests see group commit work."""
        return self._writer.commits

    @classmethod
    async def open(cls, path: str | os.PathLike[str], *, target_version: int = LATEST_VERSION):
        """Open (creating if needed) and migrate; raises SchemaTooNew for a newer file.

        `target_version` below the latest exists for tests that need an old file.
        """
        path = os.fspath(path)
        if path == ":memory:" or path.startswith("file:"):
            raise StoreError("the store needs a plain file path (WAL and a second reader)")
        writer = await _Writer.open(path, target_version)
        # mode=ro: the reader cannot write even by mistake. The writer has already made the file
        # WAL, so the reader shares its -shm index and sees each commit as soon as it lands.
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        try:
            reader = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        except BaseException:
            await writer.close()
            raise
        try:
            await _reader_pragmas(reader)
        except BaseException:
            await reader.close()
            await writer.close()
            raise
        return cls(path, writer, reader)

    async def close(self) -> None:
        """Close both connections (the writer last, so the WAL is checkpointed on close)."""
        try:
            await self._reader.close()
        finally:
            await self._writer.close()

    # -- writes -------------------------------------------------------------------------------

    def write(
        self,
        batch: Sequence[StoredEvent],
        tickets: Iterable[Ticket],
        counters: Iterable[CounterStatus],
        day_of: Callable[[datetime], date],
        then: Settled,
    ) -> None:
        """Queue events and the current rows they touched, to be committed in ONE transaction.

        The rows are made now, so `tickets` and `counters` are read as they are at this call;
        each row's `updated_seq` is the last seq in `batch` that names it. `then(None)` is
        called on the event loop after the COMMIT (fsync'd) that holds them, `then(error)` if
        it failed. Writes commit, and are reported, in the order they were queued; the writer
        may commit several in one transaction. A write queued while an earlier one was not yet
        reported fails if that one fails: a log with a gap in its sequence is never written.
        """
        rows, params = _view_rows(batch, tickets, counters, day_of)
        self._writer.write(rows, params, then)

    async def append(
        self,
        batch: Sequence[StoredEvent],
        tickets: Iterable[Ticket],
        counters: Iterable[CounterStatus],
        day_of: Callable[[datetime], date],
    ) -> None:
        """`write`, awaited: returns after COMMIT."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.write(batch, tickets, counters, day_of, lambda exc: _settle(done, None, exc))
        await done

    async def set_meta(self, values: dict[str, str], *, only_missing: bool = False) -> None:
        """Write meta keys (building name, created_at); `only_missing` keeps existing values."""
        verb = "INSERT OR IGNORE" if only_missing else "INSERT OR REPLACE"
        sql, rows = f"{verb} INTO meta (key, value) VALUES (?, ?)", list(values.items())

        def put(db: sqlite3.Connection) -> None:
            db.executemany(sql, rows)

        await self._writer.call(put)

    # -- reads ----------------------------------------------------------------------------------

    async def _fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._reader.execute_fetchall(sql, params))

    async def meta(self) -> dict[str, str]:
        return {k: v for k, v in await self._fetchall("SELECT key, value FROM meta")}

    async def schema_version(self) -> int:
        rows = await self._fetchall("SELECT max(version) FROM schema_version")
        return int(rows[0][0])

    async def pragmas(self) -> dict[str, Any]:
        """The writer's durability settings as SQLite reports them (for tests and /healthz)."""
        names = ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")

        def read(db: sqlite3.Connection) -> dict[str, Any]:
            return {name: db.execute(f"PRAGMA {name}").fetchone()[0] for name in names}

        return await self._writer.call(read)

    async def last_seq(self) -> int:
        rows = await self._fetchall("SELECT max(seq) FROM events")
        return rows[0][0] or 0

    async def last_event(self) -> StoredEvent | None:
        """The newest event; None for an empty log."""
        rows = await self._fetchall(
            "SELECT seq, actor, request_id, payload FROM events ORDER BY seq DESC LIMIT 1"
        )
        return _stored(rows[0]) if rows else None

    async def last_day(self) -> date | None:
        """The service day of the newest event; None for an empty log."""
        rows = await self._fetchall("SELECT service_day FROM events ORDER BY seq DESC LIMIT 1")
        return date.fromisoformat(rows[0][0]) if rows else None

    async def load_day(self, day: date) -> list[StoredEvent]:
        """Every event filed under a service day, in seq order."""
        rows = await self._fetchall(
            "SELECT seq, actor, request_id, payload FROM events WHERE service_day = ? ORDER BY seq",
            (day.isoformat(),),
        )
        return [_stored(r) for r in rows]

    async def events_after_last_close(self) -> list[StoredEvent]:
        """Every event after the newest `day_closed` (the whole log if none), in seq order.

        Applying a DayClosed resets the queue state, so these events alone rebuild it.
        """
        rows = await self._fetchall(
            "SELECT seq, actor, request_id, payload FROM events WHERE seq > "
            "(SELECT coalesce(max(seq), 0) FROM events WHERE kind = 'day_closed') ORDER BY seq"
        )
        return [_stored(r) for r in rows]

    async def events_since(self, seq: int, limit: int = 10_000) -> list[StoredEvent] | None:
        """Committed events after `seq`, in order; None when more than `limit` of them."""
        rows = await self._fetchall(
            "SELECT seq, actor, request_id, payload FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
            (seq, limit + 1),
        )
        if len(rows) > limit:
            return None
        return [_stored(r) for r in rows]

    async def request_ids(self, day: date) -> dict[str, list[StoredEvent]]:
        """Each request id filed under a day, with its events in seq order."""
        rows = await self._fetchall(
            "SELECT seq, actor, request_id, payload FROM events "
            "WHERE service_day = ? AND request_id IS NOT NULL ORDER BY seq",
            (day.isoformat(),),
        )
        out: dict[str, list[StoredEvent]] = {}
        for r in rows:
            out.setdefault(r[2], []).append(_stored(r))
        return out

    async def ticket(self, ticket_id: str) -> Ticket | None:
        """A ticket's current row, any day."""
        rows = await self._fetchall(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,)
        )
        return _ticket_from_row(rows[0]) if rows else None

    async def ticket_by_token(self, token: str) -> Ticket | None:
        """The ticket whose public token this is (the citizen's status page), any day."""
        rows = await self._fetchall(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE token = ? ORDER BY day DESC LIMIT 1",
            (token,),
        )
        return _ticket_from_row(rows[0]) if rows else None

    async def tickets_of_day(self, day: date) -> list[Ticket]:
        """Every ticket of a service day, by line and number (reports)."""
        rows = await self._fetchall(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day = ? ORDER BY line, seq",
            (day.isoformat(),),
        )
        return [_ticket_from_row(r) for r in rows]

    async def counters(self) -> list[CounterStatus]:
        """The last written state of every counter."""
        rows = await self._fetchall(f"SELECT {_COUNTER_COLUMNS} FROM counters ORDER BY id")
        return [_counter_from_row(r) for r in rows]

    # -- backup ---------------------------------------------------------------------------------

    async def backup(self, dest_path: str | os.PathLike[str]) -> None:
        """A consistent copy of the database while serving (SQLite's online backup API).

        The copy is written beside `dest_path` and renamed into place, so `dest_path` is either
        the previous backup or a complete new one, never half a file.
        """
        dest = os.fspath(dest_path)
        partial = dest + ".partial"
        for leftover in (partial, partial + "-wal", partial + "-shm", partial + "-journal"):
            if os.path.exists(leftover):
                os.remove(leftover)
        # check_same_thread=False: the copy runs on the reader's thread, not the one that opened
        # the target.
        target = sqlite3.connect(partial, check_same_thread=False)
        try:
            # pages=-1: copy everything in one step, inside one read transaction of the source,
            # so the copy is one consistent instant even while the writer keeps committing.
            await self._reader.backup(target, pages=-1)
            # A self-contained file: the copy needs no -wal beside it.
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
        os.replace(partial, dest)
