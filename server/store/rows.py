"""The store's rows: how events, tickets, counters, bookings and complaints become SQL parameters
and back.

A commit is one statement (see "One commit, one statement" below), so this module also holds
the TEMP view that files each row in its table, and `_write_rows`, the commit itself.

Personal data (issue 19, UU 27/2022): an event's personal fields (`Event.personal`: a booking's
name, phone, NIK's last four digits and keyed hashes) are never encoded into its JSON payload.
The same statement files them in `booking_contacts` under the event's seq, and every query that
reads events joins them back (`_EVENTS`), so an event reads back as it was made until the
retention purge deletes its row; then its personal fields read as None. A complaint's contact
(issue 20: `complaint_filed`'s name and phone) is kept the same way, under the complaint's id.

A complaint's row (`complaints`) is made from its events as they are written: its id, ticket and
the day and seq it was filed, its last step and seq, and the day it closed. It says what a restart
replays and whose contact the purge deletes; the complaint itself is its events.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from server.core.bookings import Booking, BookingState
from server.core.complaint_terms import ComplaintState
from server.core.events import (
    PERSONAL_FIELDS,
    BookingMade,
    CallReason,
    ComplaintAnswered,
    ComplaintClosed,
    ComplaintFiled,
    ComplaintTaken,
    Event,
    PriorityGroup,
    event_to_dict,
    read_event,
)
from server.core.model import CounterState, CounterStatus, Ticket, TicketState
from server.store.schema import CONTACT_KINDS_SQL, _in_transaction

__all__ = ["StoredEvent"]


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int  # the store's sequence number: gapless, increasing, the order of everything
    event: Event
    actor: str  # "kiosk:K1", "officer:OF001@L05", "manager:M1", "system"
    request_id: str | None  # the client's idempotency key, when it sent one


# --------------------------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------------------------

_EVENT_FIELDS = ("seq", "at", "service_day", "actor", "kind", "request_id", "payload")
_TICKET_FIELDS = (
    *("id", "day", "number", "seq", "line", "state", "priority", "token", "kiosk", "issued_at"),
    *("queued_at", "called_at", "started_at", "finished_at", "no_show_at", "counter", "calls"),
    *("call_reason", "transfers", "updated_seq", "last_call_at", "overtaken", "reprints"),
    *("booking", "slot", "booked_ahead", "officer", "visit", "stop"),
)
_COUNTER_FIELDS = ("id", "state", "officer", "pause_reason", "since", "ticket", "updated_seq")
_BOOKING_FIELDS = (
    *("code", "token", "line", "day", "slot", "priority", "state", "ticket", "channel"),
    *("made_at", "made_seq", "updated_seq", "lead", "stop"),
)
# Personal data, in PERSONAL_FIELDS' order here and in every query that joins it back.
_PERSONAL = ("name", "phone", "nik_last4", "nik_hash", "phone_hash")
_CONTACT_FIELDS = ("seq", "code", *_PERSONAL)
_COMPLAINT_FIELDS = (
    *("id", "ticket", "state", "filed_day", "filed_seq", "updated_seq", "closed_day"),
)
# The state a complaint's row takes from each of its events (ComplaintState's values).
_COMPLAINT_STEP: dict[type[Event], str] = {
    ComplaintFiled: ComplaintState.RECEIVED.value,
    ComplaintTaken: ComplaintState.IN_PROGRESS.value,
    ComplaintAnswered: ComplaintState.ANSWERED.value,
    ComplaintClosed: ComplaintState.CLOSED.value,
}
assert frozenset(_PERSONAL) == PERSONAL_FIELDS
_EVENT_COLUMNS = ", ".join(_EVENT_FIELDS)
_TICKET_COLUMNS = ", ".join(_TICKET_FIELDS)
_COUNTER_COLUMNS = ", ".join(_COUNTER_FIELDS)
_BOOKING_COLUMNS = ", ".join(_BOOKING_FIELDS)
_CONTACT_COLUMNS = ", ".join(_CONTACT_FIELDS)
_COMPLAINT_COLUMNS = ", ".join(_COMPLAINT_FIELDS)
_TICKET_UPSERT = (
    "ON CONFLICT (id) DO UPDATE SET line = excluded.line, state = excluded.state, "
    "priority = excluded.priority, queued_at = excluded.queued_at, "
    "called_at = excluded.called_at, started_at = excluded.started_at, "
    "finished_at = excluded.finished_at, no_show_at = excluded.no_show_at, "
    "counter = excluded.counter, calls = excluded.calls, call_reason = excluded.call_reason, "
    "transfers = excluded.transfers, updated_seq = excluded.updated_seq, "
    "last_call_at = excluded.last_call_at, overtaken = excluded.overtaken, "
    "reprints = excluded.reprints, booking = excluded.booking, slot = excluded.slot, "
    "booked_ahead = excluded.booked_ahead, officer = excluded.officer, "
    "visit = excluded.visit, stop = excluded.stop"
)
# A booking's made_seq and made_at stay those of its first row.
_BOOKING_UPSERT = (
    "ON CONFLICT (code) DO UPDATE SET line = excluded.line, day = excluded.day, "
    "slot = excluded.slot, priority = excluded.priority, state = excluded.state, "
    "ticket = excluded.ticket, updated_seq = excluded.updated_seq"
)
# A complaint's ticket, filed_day and filed_seq stay those of its complaint_filed.
_COMPLAINT_UPSERT = (
    "ON CONFLICT (id) DO UPDATE SET state = excluded.state, "
    "updated_seq = excluded.updated_seq, closed_day = excluded.closed_day"
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
    """The event's JSON payload: every field but its personal ones (`booking_contacts`)."""
    data = event_to_dict(event)
    if event.personal:
        for name in event.personal:
            del data[name]
    return _PAYLOAD.encode(data)


# The kinds with personal data, and the code each files it under in `booking_contacts`.
_CONTACT_CODE: dict[type[Event], Callable[[Any], str]] = {
    BookingMade: lambda event: event.code,
    ComplaintFiled: lambda event: event.complaint,
}
_CONTACT_KINDS = frozenset(cls.kind for cls in _CONTACT_CODE)
assert {k.strip("'") for k in CONTACT_KINDS_SQL.split(", ")} == _CONTACT_KINDS
assert all(cls.personal <= PERSONAL_FIELDS for cls in _CONTACT_CODE)

# Every query that reads events selects these columns (table `e`), the personal data of a
# booking_made or a complaint_filed joined back from `booking_contacts` (`p`); `_stored` reads
# such a row.
_EVENTS = (
    "SELECT e.seq, e.actor, e.request_id, e.payload, "
    + ", ".join(f"p.{name}" for name in _PERSONAL)
    + f" FROM events e LEFT JOIN booking_contacts p ON e.kind IN ({CONTACT_KINDS_SQL})"
    " AND p.seq = e.seq"
)


def _stored(row: Sequence[Any]) -> StoredEvent:
    """A row of `_EVENTS` (seq, actor, request_id, payload, personal…) -> StoredEvent."""
    data = json.loads(row[3])
    if data["kind"] in _CONTACT_KINDS:
        # Kept or purged: a purged booking's personal fields read as None (WITHHELD).
        for name, value in zip(_PERSONAL, row[4:], strict=True):
            if value is not None:
                data[name] = value
    return StoredEvent(row[0], read_event(data), row[1], row[2])


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
        t.booking,
        _iso(t.slot),
        t.booked_ahead,
        t.officer,
        t.visit,
        t.stop,
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
        booking=r[23],
        slot=_dt(r[24]),
        booked_ahead=r[25],
        officer=r[26],
        visit=r[27],
        stop=r[28],
    )


def _counter_row(c: CounterStatus, updated_seq: int) -> tuple[Any, ...]:
    return (c.id, c.state.value, c.officer, c.pause_reason, _iso(c.since), c.ticket, updated_seq)


def _booking_row(b: Booking, made_seq: int, updated_seq: int) -> tuple[Any, ...]:
    return (
        b.code,
        b.token,
        b.line,
        b.day.isoformat(),
        b.slot.isoformat(timespec="minutes"),
        None if b.priority is None else b.priority.value,
        b.state.value,
        b.ticket,
        b.channel,
        b.made_at.isoformat(),
        made_seq,
        updated_seq,
        b.lead,
        b.stop,
    )


def _booking_from_row(r: Sequence[Any]) -> Booking:
    """A booking as its row keeps it: no personal data (that is in `booking_contacts`)."""
    return Booking(
        code=r[0],
        token=r[1],
        line=r[2],
        day=date.fromisoformat(r[3]),
        slot=time.fromisoformat(r[4]),
        priority=None if r[5] is None else PriorityGroup(r[5]),
        state=BookingState(r[6]),
        ticket=r[7],
        channel=r[8],
        made_at=datetime.fromisoformat(r[9]),
        lead=r[12],
        stop=r[13],
    )


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
# `tickets`, `counters`, `bookings`, `booking_contacts` or `complaints` according to `tbl` ('e',
# 't', 'c', 'k', 'p', 'q'; NULL files nothing). SQLite runs
# a statement and its triggers atomically and, in autocommit mode, commits (and, synchronous =
# FULL, fsyncs) before the statement returns. Why not BEGIN, an INSERT per table and COMMIT:
# sqlite3 releases the GIL around every statement and the writer thread must win it back from
# the busy event loop after each one; every such wait lengthened the commit that all the
# waiting callers share (docs/benchmarks.md, "Profile findings"). The view and its trigger are
# TEMP: they live on the writer connection only, never in the file.
_WIDTH = 1 + max(
    len(_EVENT_FIELDS),
    len(_TICKET_FIELDS),
    len(_COUNTER_FIELDS),
    len(_BOOKING_FIELDS),
    len(_CONTACT_FIELDS),
    len(_COMPLAINT_FIELDS),
)
_EVENT_PAD = (None,) * (_WIDTH - 1 - len(_EVENT_FIELDS))
_TICKET_PAD = (None,) * (_WIDTH - 1 - len(_TICKET_FIELDS))
_COUNTER_PAD = (None,) * (_WIDTH - 1 - len(_COUNTER_FIELDS))
_BOOKING_PAD = (None,) * (_WIDTH - 1 - len(_BOOKING_FIELDS))
_CONTACT_PAD = (None,) * (_WIDTH - 1 - len(_CONTACT_FIELDS))
_COMPLAINT_PAD = (None,) * (_WIDTH - 1 - len(_COMPLAINT_FIELDS))


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
        INSERT INTO bookings ({_BOOKING_COLUMNS})
            SELECT {_new(len(_BOOKING_FIELDS))} WHERE NEW.tbl = 'k' {_BOOKING_UPSERT};
        INSERT INTO booking_contacts ({_CONTACT_COLUMNS})
            SELECT {_new(len(_CONTACT_FIELDS))} WHERE NEW.tbl = 'p';
        INSERT INTO complaints ({_COMPLAINT_COLUMNS})
            SELECT {_new(len(_COMPLAINT_FIELDS))} WHERE NEW.tbl = 'q' {_COMPLAINT_UPSERT};
    END""",
)


def _view_rows(
    batch: Sequence[StoredEvent],
    tickets: Iterable[Ticket],
    counters: Iterable[CounterStatus],
    day_of: Callable[[datetime], date],
    bookings: Iterable[Booking] = (),
) -> tuple[int, list[Any]]:
    """A write's rows for `antre_rows`, flattened: (number of rows, parameters).

    Events first (each booking_made's and complaint_filed's personal data right after it, and
    each complaint event's row of its complaint), then ticket rows, counter rows and booking
    rows: a row written twice in one commit (two commands merged into one transaction) is
    upserted in order, so the later one stays. Each current-state row's
    `updated_seq` is the last seq in `batch` that names it.
    """
    last_seq = batch[-1].seq if batch else 0
    touched: dict[str, int] = {}
    codes: dict[str, int] = {}  # booking code -> the last seq naming it
    made: dict[str, int] = {}  # booking code -> its booking_made's seq, when in this batch
    params: list[Any] = []
    rows = len(batch)
    for stored in batch:
        event = stored.event
        for attr in ("ticket", "counter"):
            key = getattr(event, attr, None)
            if key is not None:
                touched[key] = stored.seq
        code = getattr(event, "code", None)
        if code is not None:
            codes[code] = stored.seq
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
        if isinstance(event, BookingMade):
            made[event.code] = stored.seq
        contact = _CONTACT_CODE.get(type(event))
        if contact is not None and _has_contact(event):
            params.append("p")
            values = (getattr(event, f, None) for f in _PERSONAL)
            params += (stored.seq, contact(event), *values)
            params += _CONTACT_PAD
            rows += 1
        step = _COMPLAINT_STEP.get(type(event))
        if step is not None:
            params.append("q")
            params += _complaint_row(stored, step, day_of)
            params += _COMPLAINT_PAD
            rows += 1
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
    for b in bookings:
        params.append("k")
        # A new row's made_seq is its booking_made's (a row exists already otherwise: the
        # upsert keeps the first made_seq).
        params += _booking_row(b, made.get(b.code, 0), codes.get(b.code, last_seq))
        params += _BOOKING_PAD
        rows += 1
    return rows, params


def _has_contact(event: Event) -> bool:
    """A booking's personal data is always filed; a complaint's only when it left a contact
    (an anonymous one has none to keep, nor to purge)."""
    return isinstance(event, BookingMade) or any(
        getattr(event, name) is not None for name in event.personal
    )


def _complaint_row(
    stored: StoredEvent, step: str, day_of: Callable[[datetime], date]
) -> tuple[Any, ...]:
    """A complaint's row as one of its events leaves it (the upsert keeps the filing's part)."""
    event = stored.event
    day = day_of(event.at).isoformat()
    ticket = event.ticket if isinstance(event, ComplaintFiled) else None
    closed = day if isinstance(event, ComplaintClosed) else None
    complaint = event.complaint  # type: ignore[attr-defined]
    return (complaint, ticket, step, day, stored.seq, stored.seq, closed)


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
