"""The store's writer thread: one statement a commit, group commit, order, failures, big writes."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from server.core.events import TicketIssued
from server.core.model import Ticket, TicketState
from server.store import Store, StoredEvent

WIB = timezone(timedelta(hours=7), "WIB")
DAY = date(2026, 11, 23)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)


def day_of(instant: datetime) -> date:
    return instant.astimezone(WIB).date()


def issued(seq: int, token: str | None = None) -> tuple[StoredEvent, Ticket]:
    """Ticket A-<seq> issued as event <seq>, and its row."""
    number, at = f"A-{seq:03d}", T0 + timedelta(seconds=seq)
    tid, token = f"{DAY}/{number}", token or f"tok-{seq}"
    event = TicketIssued(at, tid, DAY, number, seq, "A", None, token, "K1")
    ticket = Ticket(tid, DAY, number, seq, "A", None, TicketState.WAITING, at, at, token, "K1")
    return StoredEvent(seq, event, "kiosk:K1", f"r{seq}"), ticket


async def append_one(store: Store, seq: int) -> None:
    event, ticket = issued(seq)
    await store.append([event], [ticket], [], day_of)


def queue(store: Store, first: int, count: int, told: list[tuple[int, str]]) -> None:
    """Queue one write of `count` tickets from seq `first`; note (first, outcome) when told."""
    pairs = [issued(seq) for seq in range(first, first + count)]

    def then(exc: BaseException | None) -> None:
        told.append((first, "ok" if exc is None else type(exc).__name__))

    store.write([e for e, _t in pairs], [t for _e, t in pairs], [], day_of, then)


async def until(told: list[tuple[int, str]], n: int) -> None:
    while len(told) < n:
        await asyncio.sleep(0.001)


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "antre.db")
    yield s
    await s.close()


async def test_writes_queued_together_commit_in_order_in_fewer_transactions(store: Store):
    """Fifty writes queued at once all commit, are told in queue order, sharing transactions."""
    told: list[tuple[int, str]] = []
    for first in range(1, 101, 2):
        queue(store, first, 2, told)
    await asyncio.wait_for(until(told, 50), 10)
    assert told == [(first, "ok") for first in range(1, 101, 2)]
    assert store.commits < 50  # the writer thread took what queued up behind its first commit
    assert await store.last_seq() == 100
    assert [t.number for t in await store.tickets_of_day(DAY)] == [
        f"A-{n:03d}" for n in range(1, 101)
    ]


async def test_a_failed_statement_writes_nothing_of_its_commit(store: Store):
    """A ticket row the table refuses (no token) takes its events down with it: one transaction."""
    event, ticket = issued(1)
    ticket.token = None  # type: ignore[assignment]  # NOT NULL in the tickets table
    with pytest.raises(sqlite3.IntegrityError):
        await store.append([event], [ticket], [], day_of)
    assert await store.last_seq() == 0
    await append_one(store, 1)
    assert await store.last_seq() == 1


async def test_writes_queued_behind_a_failed_one_fail_too(store: Store):
    """A write queued while a failing one was pending never lands after the gap it leaves."""
    await append_one(store, 1)
    told: list[tuple[int, str]] = []
    queue(store, 1, 1, told)  # seq 1 again: the primary key refuses it
    queue(store, 2, 3, told)  # valid, but behind the failure
    await asyncio.wait_for(until(told, 2), 10)
    assert told == [(1, "IntegrityError"), (2, "IntegrityError")]
    assert await store.last_seq() == 1
    # Once the failure is told, the store writes again: the caller decides what comes next.
    queue(store, 2, 3, told)
    await asyncio.wait_for(until(told, 3), 10)
    assert told[-1] == (2, "ok")
    assert await store.last_seq() == 4


async def test_a_write_too_big_for_one_statement_is_still_one_transaction(store: Store):
    """Thousands of rows (a big day closing) commit in several statements, all or nothing."""
    pairs = [issued(seq) for seq in range(1, 1501)]
    events, tickets = [e for e, _t in pairs], [t for _e, t in pairs]
    broken = [*events, issued(1)[0]]  # the last row repeats seq 1: the last statement fails
    with pytest.raises(sqlite3.IntegrityError):
        await store.append(broken, tickets, [], day_of)
    assert await store.last_seq() == 0
    assert await store.tickets_of_day(DAY) == []
    await store.append(events, tickets, [], day_of)
    assert await store.last_seq() == 1500
    assert len(await store.tickets_of_day(DAY)) == 1500


async def test_the_writers_view_never_reaches_the_file(store: Store, tmp_path: Path):
    """The TEMP view and trigger live on the writer connection only, not in the schema."""
    await append_one(store, 1)
    db = sqlite3.connect(tmp_path / "antre.db")
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    finally:
        db.close()
    assert not {n for n in names if n.startswith("antre_")}
    assert "events_request_id" not in names  # dropped by migration 3: nothing read through it
