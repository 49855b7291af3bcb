"""The store's rows: how events, tickets and counters become SQL parameters and back.

A commit is one statement (see "One commit, one statement" below), so this module also holds
the TEMP view that files each row in its table, and `_write_rows`, the commit itself.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from server.core.events import CallReason, Event, PriorityGroup, event_to_dict, read_event
from server.core.model import CounterState, CounterStatus, Ticket, TicketState
from server.store.schema import _in_transaction

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
    return StoredEvent(row[0], read_event(json.loads(row[3])), row[1], row[2])


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
