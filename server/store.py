"""The durable store: the only module that writes SQL.

Theory of operation: the truth is an append-only event log (`events`, one row per event, `seq`
gapless and increasing). Beside it, in the same transaction as the events that changed them, the
store keeps current-state tables (`tickets`, `counters`) so that a report or the citizen's ticket
page can read a row instead of replaying a day. The engine owns the only writer: it calls
`append` from one task, so transactions never interleave on the connection.

Durability: WAL journal with `synchronous=FULL`, so a commit that returned is on disk even if the
machine loses power; `append` returns only after COMMIT. Reads use a second, read-only connection:
under WAL it reads the last committed state without waiting for the writer's fsync, and it can
never see a half-written transaction (a read on the writer's own connection between BEGIN and
COMMIT would).

The schema is versioned: `MIGRATIONS` is an ordered list applied on open, each in its own
transaction with the version bump. A file written by a newer Antre is refused, never guessed at.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

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
)

LATEST_VERSION = MIGRATIONS[-1].version


async def _pragmas(db: aiosqlite.Connection, *, writer: bool) -> None:
    """Connection settings, applied when a connection opens."""
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await db.execute("PRAGMA foreign_keys = ON")
    if writer:
        # journal_mode is stored in the file; synchronous is per connection. FULL: fsync the WAL
        # at every commit, so an acknowledged change survives a power cut, not only a crash.
        rows = list(await db.execute_fetchall("PRAGMA journal_mode = WAL"))
        if rows[0][0] != "wal":
            raise StoreError(f"cannot switch the database to WAL (journal_mode is {rows[0][0]!r})")
        await db.execute("PRAGMA synchronous = FULL")
    else:
        await db.execute("PRAGMA query_only = ON")


async def _migrate(db: aiosqlite.Connection, path: str, target: int = LATEST_VERSION) -> int:
    """Bring the schema to `target`; returns the version found before migrating."""
    # BEGIN IMMEDIATE before reading the version: two processes opening one fresh file must not
    # both run migration 1.
    await db.execute("BEGIN IMMEDIATE")
    try:
        await db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        rows = list(await db.execute_fetchall("SELECT max(version) FROM schema_version"))
        found = rows[0][0] or 0
        if found == 0:
            rows = list(
                await db.execute_fetchall(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'"
                )
            )
            if rows[0][0]:
                raise StoreError(f"{path}: has an events table but no schema version")
            await db.execute("DELETE FROM schema_version")
            await db.execute("INSERT INTO schema_version (version) VALUES (0)")
        if found > LATEST_VERSION:
            raise SchemaTooNew(
                f"{path}: schema version {found} was written by a newer Antre; this one knows "
                f"versions up to {LATEST_VERSION}. Upgrade Antre, or restore a backup made by "
                "this version."
            )
        await db.execute("COMMIT")
    except BaseException:
        await db.execute("ROLLBACK")
        raise
    for migration in MIGRATIONS:
        if found < migration.version <= target:
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in migration.statements:
                    await db.execute(statement)
                await db.execute("UPDATE schema_version SET version = ?", (migration.version,))
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            logger.info(
                "%s: migrated to schema %d (%s)", path, migration.version, migration.description
            )
    return found


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

_EVENT_INSERT = (
    "INSERT INTO events (seq, at, service_day, actor, kind, request_id, payload) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_TICKET_COLUMNS = (
    "id, day, number, seq, line, state, priority, token, kiosk, issued_at, queued_at, called_at, "
    "started_at, finished_at, no_show_at, counter, calls, call_reason, transfers, updated_seq"
)
_TICKET_UPSERT = (
    f"INSERT INTO tickets ({_TICKET_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET line = excluded.line, state = excluded.state, "
    "priority = excluded.priority, queued_at = excluded.queued_at, "
    "called_at = excluded.called_at, started_at = excluded.started_at, "
    "finished_at = excluded.finished_at, no_show_at = excluded.no_show_at, "
    "counter = excluded.counter, calls = excluded.calls, call_reason = excluded.call_reason, "
    "transfers = excluded.transfers, updated_seq = excluded.updated_seq"
)
_COUNTER_COLUMNS = "id, state, officer, pause_reason, since, ticket, updated_seq"
_COUNTER_UPSERT = (
    f"INSERT INTO counters ({_COUNTER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, officer = excluded.officer, "
    "pause_reason = excluded.pause_reason, since = excluded.since, ticket = excluded.ticket, "
    "updated_seq = excluded.updated_seq"
)


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _encode(event: Event) -> str:
    return json.dumps(event_to_dict(event), ensure_ascii=False, separators=(",", ":"))


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
        json.dumps(list(t.transfers)),
        updated_seq,
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
# The store
# --------------------------------------------------------------------------------------------


class Store:
    """One SQLite file: a writer connection (used by one task only) and a read-only reader."""

    def __init__(self, path: str, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path  # for messages and backups
        self._writer = writer  # only `append` and `set_meta` write, from the engine's writer task
        self._reader = reader  # read-only: never sees an uncommitted transaction of the writer
        self.commits = 0  # transactions committed by `append`: lets tests see group commit work

    @classmethod
    async def open(cls, path: str | os.PathLike[str], *, target_version: int = LATEST_VERSION):
        """Open (creating if needed) and migrate; raises SchemaTooNew for a newer file.

        `target_version` below the latest exists for tests that need an old file.
        """
        path = os.fspath(path)
        if path == ":memory:" or path.startswith("file:"):
            raise StoreError("the store needs a plain file path (WAL and a second reader)")
        writer = await aiosqlite.connect(path, isolation_level=None)
        try:
            await _pragmas(writer, writer=True)
            await _migrate(writer, path, target_version)
        except BaseException:
            await writer.close()
            raise
        # mode=ro: the reader cannot write even by mistake. The writer has already made the file
        # WAL, so the reader shares its -shm index and sees each commit as soon as it lands.
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        reader = await aiosqlite.connect(uri, uri=True, isolation_level=None)
        try:
            await _pragmas(reader, writer=False)
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

    # -- writes (the engine's writer task only) -----------------------------------------------

    async def append(
        self,
        batch: Sequence[StoredEvent],
        tickets: Iterable[Ticket],
        counters: Iterable[CounterStatus],
        day_of: Callable[[datetime], date],
    ) -> None:
        """Write events and the current rows they touched in ONE transaction; returns after COMMIT.

        `tickets` and `counters` must be snapshots (they are read here, later than the caller's
        moment); each row's `updated_seq` is the last seq in `batch` that names it.
        """
        last_seq = batch[-1].seq if batch else 0
        touched: dict[str, int] = {}
        event_rows = []
        for stored in batch:
            event = stored.event
            for attr in ("ticket", "counter"):
                key = getattr(event, attr, None)
                if key is not None:
                    touched[key] = stored.seq
            event_rows.append(
                (
                    stored.seq,
                    event.at.isoformat(),
                    day_of(event.at).isoformat(),
                    stored.actor,
                    event.kind,
                    stored.request_id,
                    _encode(event),
                )
            )
        # Ticket and counter ids never collide ("2026-11-23/A-001" vs "L05"), so one map serves.
        ticket_rows = [_ticket_row(t, touched.get(t.id, last_seq)) for t in tickets]
        counter_rows = [_counter_row(c, touched.get(c.id, last_seq)) for c in counters]
        db = self._writer
        await db.execute("BEGIN IMMEDIATE")
        try:
            await db.executemany(_EVENT_INSERT, event_rows)
            if ticket_rows:
                await db.executemany(_TICKET_UPSERT, ticket_rows)
            if counter_rows:
                await db.executemany(_COUNTER_UPSERT, counter_rows)
            await db.execute("COMMIT")
        except BaseException:
            # A failed COMMIT may already have rolled back; ROLLBACK then says "no transaction".
            if db.in_transaction:
                await db.execute("ROLLBACK")
            raise
        self.commits += 1

    async def set_meta(self, values: dict[str, str], *, only_missing: bool = False) -> None:
        """Write meta keys (building name, created_at); `only_missing` keeps existing values."""
        verb = "INSERT OR IGNORE" if only_missing else "INSERT OR REPLACE"
        await self._writer.executemany(
            f"{verb} INTO meta (key, value) VALUES (?, ?)", list(values.items())
        )

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
        out: dict[str, Any] = {}
        for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys"):
            rows = await self._writer.execute_fetchall(f"PRAGMA {name}")
            out[name] = next(iter(rows))[0]
        return out

    async def last_seq(self) -> int:
        rows = await self._fetchall("SELECT max(seq) FROM events")
        return rows[0][0] or 0

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
