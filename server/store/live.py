"""`Store`: the server's asynchronous API to the store, one writer thread and one reader.

Writes go to the writer thread (`server.store.writer`) and are reported back on the event loop;
reads use a second, read-only aiosqlite connection: under WAL it reads the last committed state
without waiting for the writer's fsync, and it never sees a half-written transaction. A store
belongs to the event loop that opened it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from server.building_identity import BuildingIdentity, RecordedBuilding
from server.core.bookings import Booking
from server.core.model import CounterStatus, Ticket
from server.store.buildings import read_building, record_building
from server.store.deliveries import (
    DELIVERY_LOG_SQL,
    DELIVERY_STATES_SQL,
    Attempt,
    DeliveryState,
    open_deliveries,
    record_delivery,
    rewind_delivery,
)
from server.store.rows import (
    _BOOKING_COLUMNS,
    _COUNTER_COLUMNS,
    _EVENTS,
    _TICKET_COLUMNS,
    StoredEvent,
    _booking_from_row,
    _counter_from_row,
    _stored,
    _ticket_from_row,
    _view_rows,
)
from server.store.schema import (
    BOOKING_KINDS_SQL,
    BUSY_TIMEOUT_MS,
    COMPLAINT_KINDS_SQL,
    LATEST_VERSION,
    StoreError,
)
from server.store.writer import Settled, _settle, _Writer

__all__ = ["Store"]


async def _reader_pragmas(db: aiosqlite.Connection) -> None:
    await db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await db.execute("PRAGMA foreign_keys = ON")
    await db.execute("PRAGMA query_only = ON")


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
        bookings: Iterable[Booking] = (),
    ) -> None:
        """Queue events and the current rows they touched, to be committed in ONE transaction.

        The rows are made now, so `tickets` and `counters` are read as they are at this call;
        each row's `updated_seq` is the last seq in `batch` that names it. `then(None)` is
        called on the event loop after the COMMIT (fsync'd) that holds them, `then(error)` if
        it failed. Writes commit, and are reported, in the order they were queued; the writer
        may commit several in one transaction. A write queued while an earlier one was not yet
        reported fails if that one fails: a log with a gap in its sequence is never written.
        """
        rows, params = _view_rows(batch, tickets, counters, day_of, bookings)
        self._writer.write(rows, params, then)

    async def append(
        self,
        batch: Sequence[StoredEvent],
        tickets: Iterable[Ticket],
        counters: Iterable[CounterStatus],
        day_of: Callable[[datetime], date],
        bookings: Iterable[Booking] = (),
    ) -> None:
        """`write`, awaited: returns after COMMIT."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.write(batch, tickets, counters, day_of, lambda exc: _settle(done, None, exc), bookings)
        await done

    async def purge_contacts(self, before: date) -> int:
        """Delete the personal data of every booking whose day is before `before`, and the
        contact of every complaint closed before it (the retention purge, docs/operations.md);
        the number of rows deleted."""

        def purge(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "DELETE FROM booking_contacts WHERE code IN "
                "(SELECT code FROM bookings WHERE day < ?) OR code IN "
                "(SELECT id FROM complaints WHERE closed_day < ?)",
                (before.isoformat(), before.isoformat()),
            )
            return cursor.rowcount

        deleted = await self._writer.call(purge)
        if deleted:
            # The write-ahead log still holds the pages as they were before the delete:
            # copy the zeroed pages into the file and empty the log (secure_delete did the rest).
            await self._writer.call(
                lambda db: db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            )
        return deleted

    async def set_meta(self, values: dict[str, str], *, only_missing: bool = False) -> None:
        """Write meta keys (building name, created_at); `only_missing` keeps existing values."""
        verb = "INSERT OR IGNORE" if only_missing else "INSERT OR REPLACE"
        sql, rows = f"{verb} INTO meta (key, value) VALUES (?, ?)", list(values.items())

        def put(db: sqlite3.Connection) -> None:
            db.executemany(sql, rows)

        await self._writer.call(put)

    async def building(self) -> RecordedBuilding | None:
        """The building this store belongs to (its last recorded file); None when none yet."""
        return await self._writer.call(read_building)

    async def record_building(self, identity: BuildingIdentity, recorded_at: str, how: str) -> None:
        """Record that the store belongs to `identity` from the log's last event on."""

        def put(db: sqlite3.Connection) -> None:
            record_building(db, identity, recorded_at, how)

        await self._writer.call(put)

    # -- the outbox (issue 21; server/store/deliveries.py) ----------------------------------------

    async def open_deliveries(
        self, starts: dict[str, int | None], at: str
    ) -> dict[str, DeliveryState]:
        """Add a row for each destination not seen before (at `starts[id]`, None: from the
        log's end); every destination's row."""
        return await self._writer.call(lambda db: open_deliveries(db, starts, at))

    async def record_delivery(
        self,
        attempt: Attempt,
        position: int | None = None,
        profile_digest: str | None = None,
        earlier: Sequence[Attempt] = (),
    ) -> None:
        """Log attempts (`earlier`, then `attempt`) and set their destination's state as
        `attempt` leaves it (its position only ever rises), in one transaction."""

        def write(db: sqlite3.Connection) -> None:
            record_delivery(db, attempt, position, profile_digest, earlier=earlier)

        await self._writer.call(write)

    async def rewind_delivery(self, attempt: Attempt, position: int) -> None:
        """Move a destination's position back to `position` (central lacks what lies after
        it; server/store/deliveries.py's one exception to positions only rising)."""
        await self._writer.call(lambda db: rewind_delivery(db, attempt, position))

    async def delivery_states(self) -> dict[str, DeliveryState]:
        rows = await self._fetchall(DELIVERY_STATES_SQL)
        return {row[0]: DeliveryState(*row) for row in rows}

    async def delivery_log(self, destination: str, limit: int = 100) -> list[Attempt]:
        """A destination's newest attempts, newest first."""
        rows = await self._fetchall(DELIVERY_LOG_SQL, (destination, limit))
        return [Attempt(*row) for row in rows]

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
        rows = await self._fetchall(f"{_EVENTS} ORDER BY e.seq DESC LIMIT 1")
        return _stored(rows[0]) if rows else None

    async def last_day(self) -> date | None:
        """The service day of the newest event; None for an empty log."""
        rows = await self._fetchall("SELECT service_day FROM events ORDER BY seq DESC LIMIT 1")
        return date.fromisoformat(rows[0][0]) if rows else None

    async def load_day(self, day: date) -> list[StoredEvent]:
        """Every event filed under a service day, in seq order."""
        rows = await self._fetchall(
            f"{_EVENTS} WHERE e.service_day = ? ORDER BY e.seq", (day.isoformat(),)
        )
        return [_stored(r) for r in rows]

    async def events_after_last_close(self) -> list[StoredEvent]:
        """Every event after the newest `day_closed` (the whole log if none), in seq order.

        Applying a DayClosed resets the queue state, so these events alone rebuild it.
        """
        rows = await self._fetchall(
            f"{_EVENTS} WHERE e.seq > "
            "(SELECT coalesce(max(seq), 0) FROM events WHERE kind = 'day_closed') ORDER BY e.seq"
        )
        return [_stored(r) for r in rows]

    async def last_close(self) -> tuple[int, date] | None:
        """The seq and day of the newest `day_closed`; None when no day was ever closed."""
        rows = await self._fetchall(
            "SELECT seq, payload FROM events WHERE kind = 'day_closed' ORDER BY seq DESC LIMIT 1"
        )
        if not rows:
            return None
        return rows[0][0], date.fromisoformat(json.loads(rows[0][1])["day"])

    async def booking_events(self, until_seq: int, from_day: date) -> list[StoredEvent]:
        """The events up to `until_seq` of every booking whose day is `from_day` or later, in
        seq order: with the events after the last day close, what rebuilds the booking book.

        Read from the oldest such booking's booking_made on, by the booking kinds' own index:
        the weeks of tickets' events in between are never read.
        """
        rows = await self._fetchall(
            f"""WITH live AS (SELECT code, made_seq FROM bookings WHERE day >= ?)
            {_EVENTS} WHERE e.kind IN ({BOOKING_KINDS_SQL})
                AND e.seq >= (SELECT coalesce(min(made_seq), 0) FROM live) AND e.seq <= ?
                AND json_extract(e.payload, '$.code') IN (SELECT code FROM live)
            ORDER BY e.seq""",
            (from_day.isoformat(), until_seq),
        )
        return [_stored(r) for r in rows]

    async def survey_events(self, until_seq: int, from_day: date) -> list[StoredEvent]:
        """The survey answers up to `until_seq` about visits of `from_day` or later, in seq
        order: with the events after the last day close, what rebuilds the survey book.

        By the answers' own index (an answer is filed under a day no earlier than its visit's),
        sorted here: asked to order by seq, or given a usable term on it (the unary + hides
        this one), SQLite would walk the whole log by seq instead.
        """
        day = from_day.isoformat()
        rows = await self._fetchall(
            f"""{_EVENTS} WHERE e.kind = 'survey_answered' AND e.service_day >= ?
                AND +e.seq <= ? AND json_extract(e.payload, '$.day') >= ?""",
            (day, until_seq, day),
        )
        return sorted((_stored(r) for r in rows), key=lambda stored: stored.seq)

    async def edit_events(self) -> list[StoredEvent]:
        """Every `building_edited` event (issue 23), in seq order: the file's building plus
        these is the live building. Read once per start by their partial index (schema 13,
        `events_building_edited`: the WHERE must spell its term the same)."""
        rows = await self._fetchall(
            f"{_EVENTS} WHERE e.kind = 'building_edited' ORDER BY e.seq", ()
        )
        return [_stored(r) for r in rows]

    async def complaint_events(self, until_seq: int, closed_from: date) -> list[StoredEvent]:
        """Every event up to `until_seq` of each complaint not closed, or closed on
        `closed_from` or later, in seq order: with the events after the last day close, what
        rebuilds the complaints' book. With the contacts (the filings' personal data)."""
        rows = await self._fetchall(
            f"""WITH live AS (SELECT id, filed_seq FROM complaints
                WHERE closed_day IS NULL OR closed_day >= ?)
            {_EVENTS} WHERE e.kind IN ({COMPLAINT_KINDS_SQL})
                AND e.seq >= (SELECT coalesce(min(filed_seq), 0) FROM live) AND e.seq <= ?
                AND json_extract(e.payload, '$.complaint') IN (SELECT id FROM live)
            ORDER BY e.seq""",
            (closed_from.isoformat(), until_seq),
        )
        return [_stored(r) for r in rows]

    async def complaint_contact(self, complaint: str) -> tuple[str | None, str | None] | None:
        """A complaint's contact (name, phone) as kept; None when anonymous or purged."""
        rows = await self._fetchall(
            "SELECT name, phone FROM booking_contacts WHERE code = ? ORDER BY seq LIMIT 1",
            (complaint,),
        )
        return (rows[0][0], rows[0][1]) if rows else None

    async def booking(self, token: str) -> Booking | None:
        """A booking's row by its page token, any day (no personal data: see the rows)."""
        rows = await self._fetchall(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE token = ?", (token,)
        )
        return _booking_from_row(rows[0]) if rows else None

    async def booking_group(self, lead: str, day: date) -> list[Booking]:
        """A visit's bookings (issue 22) as their rows keep them, stop by stop: the rows of `day`
        whose `lead` is this code (the lead's own too). A visit's stops share its day (booked,
        and moved, together), so the day's index finds them: a past visit's page's read."""
        rows = await self._fetchall(
            f"SELECT {_BOOKING_COLUMNS} FROM bookings WHERE day = ? AND lead = ? ORDER BY stop",
            (day.isoformat(), lead),
        )
        return [_booking_from_row(r) for r in rows]

    async def booking_contacts(self, code: str) -> dict[str, str | None] | None:
        """A booking's personal data as kept (None once purged): for tests and audits."""
        rows = await self._fetchall(
            "SELECT name, phone, nik_last4, nik_hash, phone_hash FROM booking_contacts "
            "WHERE code = ?",
            (code,),
        )
        if not rows:
            return None
        keys = ("name", "phone", "nik_last4", "nik_hash", "phone_hash")
        return dict(zip(keys, rows[0], strict=True))

    async def events_since(self, seq: int, limit: int = 10_000) -> list[StoredEvent] | None:
        """Committed events after `seq`, in order; None when more than `limit` of them."""
        rows = await self._fetchall(
            f"{_EVENTS} WHERE e.seq > ? ORDER BY e.seq LIMIT ?", (seq, limit + 1)
        )
        if len(rows) > limit:
            return None
        return [_stored(r) for r in rows]

    async def request_ids(self, day: date) -> dict[str, list[StoredEvent]]:
        """Each request id filed under a day, with its events in seq order."""
        rows = await self._fetchall(
            f"{_EVENTS} WHERE e.service_day = ? AND e.request_id IS NOT NULL ORDER BY e.seq",
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
        """The ticket whose public token this is (the citizen's status page), any day.

        A visit of several stops (issue 22) gives every stop's ticket its token: the latest
        issued is where the citizen went last (a hand-on's ticket is issued, and its row first
        written, after the stop it follows)."""
        rows = await self._fetchall(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE token = ? "
            "ORDER BY day DESC, issued_at DESC, rowid DESC LIMIT 1",
            (token,),
        )
        return _ticket_from_row(rows[0]) if rows else None

    async def visit_tickets(self, token: str, day: date, visit: str) -> list[Ticket]:
        """The tickets of a visit of several stops (issue 22), by its token, in stop order."""
        rows = await self._fetchall(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE token = ? AND day = ? AND visit = ? "
            "ORDER BY stop",
            (token, day.isoformat(), visit),
        )
        return [_ticket_from_row(r) for r in rows]

    async def ticket_by_number(self, day: date, number: str) -> Ticket | None:
        """A ticket of a service day by its number ("A-017"), as its row keeps it."""
        rows = await self._fetchall(
            f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE day = ? AND number = ?",
            (day.isoformat(), number),
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
