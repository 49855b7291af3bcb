"""`StoreReader`: the store read synchronously and read-only, for the offline tools.

`antre report` and `antre backup` run in a process of their own, next to a live server. They
open the file `mode=ro`: never the writer's lock, never a stray write whatever a bug in a tool
would do. Under WAL such a reader sees the last committed state while the server keeps writing.

The online backup lives here too, because it is SQL: `copy_to` copies the whole file with
SQLite's backup API in ONE step, i.e. inside one read transaction, which is what makes the copy
one instant of the store. Copying in several steps would let the server's commits in between
restart the copy from the first page (SQLite restarts a backup whose source another connection
changed), and a busy server could keep it restarting for ever. Under WAL the single step does
not block the server; its commits go on into the WAL while the copy reads. Where the copy goes
and how it replaces an older one is `server.backup`'s business.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

from server.building_identity import BuildingIdentity, Match, RecordedBuilding, WrongBuilding
from server.building_identity import compare as compare_building
from server.core.model import Ticket
from server.store.buildings import read_building
from server.store.rows import _TICKET_COLUMNS, _ticket_from_row
from server.store.schema import BOOKING_KINDS_SQL, COMPLAINT_KINDS_SQL, StoreError

__all__ = ["BookingRow", "LogEntry", "LogPosition", "NoStoreFile", "NotAStore", "StoreReader"]


class NoStoreFile(StoreError):
    """There is no file at the path given."""


class NotAStore(StoreError):
    """The file is not an Antre store (not SQLite, or no event log)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"{path} is not an Antre store: {detail}")
        self.detail = detail  # SQLite's own words


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of the event log: its sequence number, who caused it, and the event dict."""

    seq: int
    actor: str
    event: Mapping[str, Any]  # the core's event_to_dict form, as stored
    # The client's idempotency key (`day_log` and `log` read it): the building edits one
    # request made together share it, and are applied together (`edit_groups`,
    # server/config/edits.py).
    request_id: str | None = None


@dataclass(frozen=True, slots=True)
class LogPosition:
    """How far a log goes: its number of events and its last sequence number."""

    events: int
    last_seq: int

    @property
    def gapless(self) -> bool:
        """Sequence numbers run 1, 2, … without a hole (they start at 1 and never repeat)."""
        return self.events == self.last_seq


@dataclass(frozen=True, slots=True)
class BookingRow:
    """One booking as the store's `bookings` row left it, with its holder's NIK hash."""

    code: str
    line: str
    day: str  # ISO date
    slot: str  # local start, "HH:MM"
    priority: str | None
    state: str  # booked, checked_in, cancelled, lapsed, not_reached (a visit's member)
    made_seq: int  # the booking_made event's seq: the order the server decided bookings in
    nik_hash: str | None  # keyed hash of the NIK (booking_contacts); None once purged


class StoreReader:
    """A read-only connection to a store file; use as a context manager, or `close()` it."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, timeout_s: float = 5.0) -> StoreReader:
        """Open `path` read-only; NoStoreFile or NotAStore when it is not a store to read."""
        file = Path(path)
        if not file.is_file():
            raise NoStoreFile(f"no store at {file}")
        uri = f"file:{quote(str(file.resolve()))}?mode=ro"
        db = sqlite3.connect(uri, uri=True, timeout=timeout_s)
        try:
            db.execute("SELECT seq FROM events LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            db.close()
            raise NotAStore(file, str(exc)) from None
        return cls(file, db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StoreReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def building(self) -> RecordedBuilding | None:
        """The building this store belongs to (the last file its server recorded), if any."""
        return read_building(self._db)

    def meta(self, key: str) -> str | None:
        """One value of the store's meta table (None when not set)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def check_building(self, given: BuildingIdentity, *, accept: bool = False) -> Match:
        """How `given` compares with the store's building; WrongBuilding for another building.

        Another building is accepted when `accept` (the operator said it was renamed) or when
        the log is still empty (nothing of the other building to misname).
        """
        recorded = self.building()
        match = compare_building(recorded.identity if recorded else None, given)
        if match is Match.OTHER and not accept and self.log_position().events > 0:
            assert recorded is not None
            raise WrongBuilding(str(self.path), recorded.identity, given)
        return match

    def service_days(self, first: date, last: date) -> list[str]:
        """The service days from `first` to `last` (inclusive) that have events, in order."""
        rows = self._db.execute(
            "SELECT DISTINCT service_day FROM events WHERE service_day BETWEEN ? AND ? "
            "ORDER BY service_day",
            (first.isoformat(), last.isoformat()),
        )
        return [day for (day,) in rows]

    def day_log(self, day: str) -> list[LogEntry]:
        """Every event filed under a service day (ISO date), in sequence order."""
        rows = self._db.execute(
            "SELECT seq, actor, payload, request_id FROM events WHERE service_day = ? ORDER BY seq",
            (day,),
        )
        return [LogEntry(seq, actor, json.loads(payload), rid) for seq, actor, payload, rid in rows]

    def booking_log(self, first: date, last: date) -> list[LogEntry]:
        """The events of the bookings of the days `first` to `last` (inclusive), whenever they
        happened (a booking is made days ahead), in sequence order: each booking event whose
        `day` is in range, and each reschedule whose `from_day` is. By the booking kinds' own
        index. Without personal data: the payload never holds it, and this does not join it.
        """
        span = (first.isoformat(), last.isoformat())
        rows = self._db.execute(
            f"""SELECT seq, actor, payload FROM events WHERE kind IN ({BOOKING_KINDS_SQL})
                AND (json_extract(payload, '$.day') BETWEEN ? AND ?
                     OR json_extract(payload, '$.from_day') BETWEEN ? AND ?)
            ORDER BY seq""",
            span + span,
        )
        return [LogEntry(seq, actor, json.loads(payload)) for seq, actor, payload in rows]

    def survey_log(self, first: date, last: date) -> list[LogEntry]:
        """The SKM answers about visits of the days `first` to `last` (inclusive), whenever
        they were given (a phone may answer days later), in sequence order: the SKM's periods
        count visits by visit day (issue 20). By the answers' own index."""
        rows = self._db.execute(
            """SELECT seq, actor, payload FROM events WHERE kind = 'survey_answered'
                AND service_day >= ? AND json_extract(payload, '$.day') BETWEEN ? AND ?""",
            (first.isoformat(), first.isoformat(), last.isoformat()),
        )
        entries = [LogEntry(seq, actor, json.loads(payload)) for seq, actor, payload in rows]
        return sorted(entries, key=lambda entry: entry.seq)

    def complaint_log(self, first: date, last: date) -> list[LogEntry]:
        """Every event of the complaints filed on the days `first` to `last` (inclusive),
        whenever it happened, in sequence order. Without the contacts: the payload never holds
        them, and this does not join them (`complaint_contact` reads one)."""
        rows = self._db.execute(
            f"""WITH filed AS (SELECT id, filed_seq FROM complaints
                WHERE filed_day BETWEEN ? AND ?)
            SELECT seq, actor, payload FROM events WHERE kind IN ({COMPLAINT_KINDS_SQL})
                AND seq >= (SELECT coalesce(min(filed_seq), 0) FROM filed)
                AND json_extract(payload, '$.complaint') IN (SELECT id FROM filed)
            ORDER BY seq""",
            (first.isoformat(), last.isoformat()),
        )
        return [LogEntry(seq, actor, json.loads(payload)) for seq, actor, payload in rows]

    def complaint_contact(self, complaint: str) -> tuple[str | None, str | None] | None:
        """A complaint's contact (name, phone) as kept; None when anonymous or purged."""
        row = self._db.execute(
            "SELECT name, phone FROM booking_contacts WHERE code = ? ORDER BY seq LIMIT 1",
            (complaint,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def voice_log(self, first: date, last: date) -> list[LogEntry]:
        """The citizen's voice about the days `first` to `last` (inclusive), in sequence order:
        every survey answer about a visit of those days (its `day`), and every step of each
        complaint filed on those days, whenever they happened (an answer comes days after the
        visit, a complaint's steps weeks after it is filed). No personal data: a complaint's
        contact is never in the payload, and neither log joins it."""
        entries = self.survey_log(first, last) + self.complaint_log(first, last)
        return sorted(entries, key=lambda entry: entry.seq)

    def log(self, kind: str | None = None) -> list[LogEntry]:
        """The whole event log in sequence order, or only the events of one kind."""
        sql, params = "SELECT seq, actor, payload, request_id FROM events", ()
        if kind is not None:
            sql, params = sql + " WHERE kind = ?", (kind,)
        rows = self._db.execute(sql + " ORDER BY seq", params)
        return [LogEntry(seq, actor, json.loads(payload), rid) for seq, actor, payload, rid in rows]

    def tickets(self) -> list[Ticket]:
        """Every ticket's current row (the `tickets` table), by day, line and number."""
        rows = self._db.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets ORDER BY day, line, seq")
        return [_ticket_from_row(r) for r in rows]

    def day_bookings(self, day: date) -> list[BookingRow]:
        """Every booking of `day`, in any state, in the order they were made, each with the
        keyed hash of its holder's NIK while the booking's personal data is kept: what a check
        of one booking per NIK per line per day reads (the booking storm's, bench/storm.py).
        Never the NIK itself, which no store holds."""
        rows = self._db.execute(
            "SELECT b.code, b.line, b.day, b.slot, b.priority, b.state, b.made_seq, c.nik_hash "
            "FROM bookings b LEFT JOIN booking_contacts c ON c.code = b.code "
            "WHERE b.day = ? ORDER BY b.made_seq",
            (day.isoformat(),),
        )
        return [BookingRow(*row) for row in rows]

    def log_position(self) -> LogPosition:
        return _log_position(self._db)

    def copy_to(self, dest: str | os.PathLike[str]) -> LogPosition:
        """Copy the whole store into the new file `dest`, check the copy, return its position.

        One backup step (see the module docstring); the copy is made self-contained (journal
        mode DELETE: it needs no -wal file beside it) and must pass `PRAGMA integrity_check`,
        have a gapless log, and end no earlier than this store did when the copy began; else
        StoreError, and `dest` may hold a partial file for the caller to remove.
        """
        before = self.log_position()
        out = sqlite3.connect(dest)
        try:
            self._db.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode = DELETE")
            (check,) = out.execute("PRAGMA integrity_check").fetchone()
            if check != "ok":
                raise StoreError(f"the copy failed its integrity check: {check}")
            copied = _log_position(out)
        finally:
            out.close()
        if not copied.gapless:
            raise StoreError(
                f"the copy's event log has gaps: {copied.events} events, last {copied.last_seq}"
            )
        if copied.last_seq < before.last_seq:
            raise StoreError(
                f"the copy ends at seq {copied.last_seq}, the store was at {before.last_seq}"
            )
        return copied


def _log_position(db: sqlite3.Connection) -> LogPosition:
    count, last = db.execute("SELECT count(*), coalesce(max(seq), 0) FROM events").fetchone()
    return LogPosition(int(count), int(last))
