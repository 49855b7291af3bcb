"""The engine against real SQLite files: durability, idempotency, group commit, failure, days."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.events import DayClosed, TicketCalled, TicketIssued
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
    Tick,
    TicketState,
)
from server.engine import Engine, EngineFailed, StoredEvent

MONDAY = date(2026, 11, 23)
MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
KIOSK = "kiosk:K1"

_tokens = itertools.count(1)

StartEngine = Callable[..., Awaitable[Engine]]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MORNING)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "antre.db")


@pytest.fixture
async def start_engine(db_path: str, clock: FakeClock) -> AsyncIterator[StartEngine]:
    """Start engines on the test's database; whatever a test leaves open is closed after it."""
    running: list[Engine] = []

    async def start(path: str = db_path) -> Engine:
        engine = Engine(small_building(), path, clock=clock)
        await engine.start()
        running.append(engine)
        return engine

    yield start
    for engine in running:
        await engine.close()


async def issue(engine: Engine, line: str = "A", request_id: str | None = None) -> TicketIssued:
    """Issue and confirm the print; return the TicketIssued event."""
    stored = await engine.execute(
        IssueTicket(line=line, priority=None, token=f"tok-{next(_tokens)}", kiosk="K1"),
        KIOSK,
        request_id,
    )
    issued = [s.event for s in stored if isinstance(s.event, TicketIssued)]
    assert len(issued) == 1
    await engine.execute(ConfirmPrinted(ticket=issued[0].ticket), KIOSK)
    return issued[0]


async def open_counter(engine: Engine, counter: str = "L01", officer: str = "DKP01") -> None:
    actor = f"officer:{officer}@{counter}"
    await engine.execute(LogIn(counter=counter, officer=officer), actor)
    await engine.execute(OpenCounter(counter=counter), actor)


def numbers(engine: Engine) -> list[str]:
    return sorted(t.number for t in engine.state.tickets.values())


async def test_restart_restores_state_and_numbering_continues(start_engine: StartEngine) -> None:
    """After a restart on the same file the state is the same and A-003 follows A-002."""
    engine = await start_engine()
    await open_counter(engine)
    await issue(engine)
    await issue(engine)
    await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")
    live, last_seq = engine.state, engine.last_seq
    await engine.close()

    again = await start_engine()
    assert again.last_seq == last_seq
    assert again.state == live  # QueueState compares tickets, counters and every index
    third = await issue(again)
    assert third.number == "A-003"
    assert third.day == MONDAY


async def test_request_id_returns_the_first_result_without_running_again(
    start_engine: StartEngine,
) -> None:
    """A repeated request id returns the first execution's events and issues nothing new."""
    engine = await start_engine()
    first = await engine.execute(IssueTicket("A", None, "tok-r1", "K1"), KIOSK, "req-1")
    seq = engine.last_seq
    again = await engine.execute(IssueTicket("A", None, "tok-r1-bis", "K1"), KIOSK, "req-1")
    assert again == first
    assert engine.last_seq == seq
    assert numbers(engine) == ["A-001"]


async def test_request_id_is_remembered_across_a_restart(start_engine: StartEngine) -> None:
    """After a restart a repeated request id still returns its first events from the log."""
    engine = await start_engine()
    first = await engine.execute(IssueTicket("A", None, "tok-r2", "K1"), KIOSK, "req-2")
    await engine.close()

    again = await start_engine()
    assert await again.execute(IssueTicket("A", None, "tok-x", "K1"), KIOSK, "req-2") == first
    assert numbers(again) == ["A-001"]


async def test_retry_while_in_flight_awaits_the_same_commit(start_engine: StartEngine) -> None:
    """A retry sent before the first attempt committed gets the same events, run once."""
    engine = await start_engine()
    results = await asyncio.gather(
        engine.execute(IssueTicket("A", None, "tok-f1", "K1"), KIOSK, "req-3"),
        engine.execute(IssueTicket("A", None, "tok-f2", "K1"), KIOSK, "req-3"),
    )
    assert results[0] == results[1]
    assert numbers(engine) == ["A-001"]


async def test_domain_error_changes_nothing_and_queues_nothing(start_engine: StartEngine) -> None:
    """A refused command raises DomainError and writes no event."""
    engine = await start_engine()
    commits = engine.commits
    with pytest.raises(DomainError):
        await engine.execute(IssueTicket("Z", None, "tok-z", "K1"), KIOSK)
    with pytest.raises(DomainError):
        await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")  # nobody logged in
    assert engine.commits == commits
    assert engine.last_seq == 0
    assert await engine.events_since(0) == []


async def test_a_tick_with_nothing_to_do_writes_nothing(start_engine: StartEngine) -> None:
    """A Tick that yields no events returns [] without a transaction."""
    engine = await start_engine()
    await issue(engine)
    commits, seq = engine.commits, engine.last_seq
    assert await engine.execute(Tick(), "system") == []
    assert (engine.commits, engine.last_seq) == (commits, seq)


async def test_concurrent_executes_get_gapless_seqs_and_unique_numbers(
    start_engine: StartEngine,
) -> None:
    """Forty concurrent issues get consecutive seqs and forty distinct consecutive numbers."""
    engine = await start_engine()
    results = await asyncio.gather(
        *(
            engine.execute(IssueTicket("B", None, f"tok-c{i}", "K1"), KIOSK, f"req-c{i}")
            for i in range(40)
        )
    )
    seqs = sorted(s.seq for r in results for s in r)
    assert seqs == list(range(1, engine.last_seq + 1))
    logged = await engine.events_since(0)
    assert logged is not None
    assert [s.seq for s in logged] == seqs
    assert numbers(engine) == [f"B-{n:03d}" for n in range(1, 41)]


async def test_group_commit_puts_concurrent_commands_in_one_transaction(
    start_engine: StartEngine,
) -> None:
    """Fifty commands queued while the writer is busy are committed in at most two transactions."""
    engine = await start_engine()
    await issue(engine)
    commits = engine.commits
    await asyncio.gather(
        *(engine.execute(IssueTicket("A", None, f"tok-g{i}", "K1"), KIOSK) for i in range(50))
    )
    assert engine.commits - commits <= 2
    assert engine.store.commits == engine.commits


async def test_subscribers_hear_every_commit_in_order_before_the_ack(
    start_engine: StartEngine,
) -> None:
    """Subscribers get every committed event once, in seq order, before execute returns."""
    engine = await start_engine()
    heard: list[StoredEvent] = []
    engine.subscribe(heard.extend)

    def broken(batch: list[StoredEvent]) -> None:
        raise RuntimeError("a subscriber bug must not stop the engine")

    engine.subscribe(broken)
    await open_counter(engine)
    for _ in range(3):
        issued = await engine.execute(IssueTicket("A", None, f"tok-s{_}", "K1"), KIOSK)
        assert issued[-1] in heard  # already broadcast when the caller is acknowledged
    await asyncio.gather(*(issue(engine, "B") for _ in range(10)))
    assert [s.seq for s in heard] == list(range(1, engine.last_seq + 1))
    engine.unsubscribe(heard.extend)
    await issue(engine)
    assert heard[-1].seq < engine.last_seq


async def test_events_since_gives_the_tail_or_none_when_too_far_behind(
    start_engine: StartEngine,
) -> None:
    """events_since returns committed events after a seq, or None past the limit or the log."""
    engine = await start_engine()
    for _ in range(5):
        await issue(engine)
    tail = await engine.events_since(engine.last_seq - 3)
    assert tail is not None and [s.seq for s in tail] == list(range(8, 11))
    assert await engine.events_since(engine.last_seq) == []
    assert await engine.events_since(0, limit=5) is None
    assert await engine.events_since(engine.last_seq + 1) is None  # a client from a lost future


async def test_current_state_tables_match_memory(
    start_engine: StartEngine, clock: FakeClock
) -> None:
    """The tickets and counters rows written with each batch equal the in-memory state."""
    engine = await start_engine()
    await open_counter(engine)
    await open_counter(engine, "L03", "IMI01")
    for line in "AABC":
        await issue(engine, line)
    await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")
    await engine.execute(StartService(counter="L01"), "officer:DKP01@L01")
    await engine.execute(FinishService(counter="L01"), "officer:DKP01@L01")
    await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")
    await engine.execute(CallNext(counter="L03"), "officer:IMI01@L03")

    async def assert_rows_match() -> None:
        for ticket in engine.state.tickets.values():
            assert await engine.store.ticket(ticket.id) == ticket
        written = {c.id: c for c in await engine.store.counters()}
        for counter_id in ("L01", "L03"):
            assert written[counter_id] == engine.state.counters[counter_id]

    await assert_rows_match()
    # Past closing time plus grace, a Tick expires the called tickets and frees their counters.
    clock.now = datetime(2026, 11, 23, 17, 30, tzinfo=WIB)
    expired = await engine.execute(Tick(), "system")
    assert expired and engine.state.counters["L03"].ticket is None
    await assert_rows_match()


async def test_a_failed_commit_fails_the_callers_and_poisons_the_engine(
    start_engine: StartEngine, db_path: str
) -> None:
    """When COMMIT fails every pending and later execute raises EngineFailed; disk has none."""
    engine = await start_engine()
    await issue(engine)
    seq = engine.last_seq
    assert not engine.failed.is_set()
    # A real SQLite failure inside the writer's transaction, as a full disk would give.
    outside = sqlite3.connect(db_path)
    outside.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.kind = 'ticket_issued' "
        "BEGIN SELECT RAISE(ABORT, 'disk full (test)'); END"
    )
    outside.commit()
    results = await asyncio.gather(
        *(engine.execute(IssueTicket("A", None, f"tok-p{i}", "K1"), KIOSK) for i in range(5)),
        return_exceptions=True,
    )
    assert all(isinstance(r, EngineFailed) for r in results)
    assert isinstance(engine.failure, EngineFailed)
    assert engine.failed.is_set()  # what `antre server` waits on to exit for a restart
    with pytest.raises(EngineFailed):
        await engine.execute(Tick(), "system")  # even a command the trigger would allow
    assert engine.last_seq == seq
    await engine.close()

    outside.execute("DROP TRIGGER refuse")
    outside.commit()
    outside.close()
    again = await start_engine()
    assert again.last_seq == seq
    assert numbers(again) == ["A-001"]
    assert (await issue(again)).number == "A-002"  # never acknowledged, so never used


async def test_close_commits_what_is_queued(start_engine: StartEngine, db_path: str) -> None:
    """close() drains the writer: commands queued before it are on disk afterwards."""
    engine = await start_engine()
    pending = [
        asyncio.ensure_future(engine.execute(IssueTicket("A", None, f"tok-d{i}", "K1"), KIOSK))
        for i in range(5)
    ]
    await asyncio.sleep(0)  # let them reach the queue
    await engine.close()
    assert all(p.done() and not p.exception() for p in pending)
    with pytest.raises(RuntimeError):
        await engine.execute(Tick(), "system")
    again = await start_engine()
    assert numbers(again) == [f"A-{n:03d}" for n in range(1, 6)]


async def test_first_command_of_a_new_day_closes_the_old_day(
    start_engine: StartEngine, clock: FakeClock
) -> None:
    """Issuing on the next day closes the old day (filed under it) and numbering restarts."""
    engine = await start_engine()
    await open_counter(engine)
    old = [await issue(engine), await issue(engine)]
    assert [t.number for t in old] == ["A-001", "A-002"]

    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=WIB)
    stored = await engine.execute(IssueTicket("A", None, "tok-next-day", "K1"), KIOSK, "req-d")
    new = [s.event for s in stored if isinstance(s.event, TicketIssued)]
    assert [(t.day, t.number) for t in new] == [(date(2026, 11, 24), "A-001")]

    old_day = await engine.store.load_day(MONDAY)
    assert isinstance(old_day[-1].event, DayClosed)
    closing = [s for s in stored if not isinstance(s.event, TicketIssued)]
    assert closing == old_day[-len(closing) :]
    assert all(s.actor == "system" and s.request_id is None for s in closing)
    for t in old:
        row = await engine.store.ticket(t.ticket)
        assert row is not None and row.state is TicketState.EXPIRED
    # The request id belongs to the new day's event only, also when replayed.
    again = await engine.execute(IssueTicket("A", None, "tok-nd2", "K1"), KIOSK, "req-d")
    assert [s.event for s in again] == new


async def test_start_closes_a_day_left_open_by_a_crash(
    start_engine: StartEngine, clock: FakeClock
) -> None:
    """A day never closed is closed at start, inside that day, and today starts at 001."""
    engine = await start_engine()
    await open_counter(engine)
    first = await issue(engine)
    await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")
    await issue(engine)
    await engine.close()  # as a crash would leave it: no day_closed

    clock.now = datetime(2026, 11, 26, 9, 0, tzinfo=WIB)
    again = await start_engine()
    old_day = await again.store.load_day(MONDAY)
    assert isinstance(old_day[-1].event, DayClosed)
    assert all(e.event.at.astimezone(WIB).date() == MONDAY for e in old_day)
    assert again.state.tickets == {}
    row = await again.store.ticket(first.ticket)
    assert row is not None and row.state is TicketState.EXPIRED
    assert (await issue(again)).number == "A-001"
    await again.close()

    # A clean close is not redone on the next start.
    seq = again.last_seq
    third = await start_engine()
    assert third.last_seq == seq
    assert numbers(third) == ["A-001"]


async def test_calls_survive_restart(start_engine: StartEngine) -> None:
    """A called ticket is still called by the same counter after a restart."""
    engine = await start_engine()
    await open_counter(engine)
    ticket = await issue(engine)
    called = await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")
    assert isinstance(called[-1].event, TicketCalled)
    await engine.close()
    again = await start_engine()
    assert again.state.tickets[ticket.ticket].state is TicketState.CALLED
    assert again.state.counters["L01"].ticket == ticket.ticket


async def test_restart_rebuilds_the_live_state_even_across_an_unclosed_day(
    start_engine: StartEngine, clock: FakeClock
) -> None:
    """Replay starts after the last day close, so a day without tickets cannot skew it."""
    engine = await start_engine()
    await open_counter(engine)  # Sunday: an officer tries the counter, nobody takes a ticket
    clock.now = datetime(2026, 11, 24, 8, 0, tzinfo=WIB)
    await engine.execute(Tick(), "system")
    await issue(engine)
    # Whether yesterday's counter is still open is the core's rule, not the engine's.
    with contextlib.suppress(DomainError):
        await engine.execute(CallNext(counter="L01"), "officer:DKP01@L01")
    live = engine.state
    await engine.close()

    again = await start_engine()
    assert again.state == live


async def test_a_cancelled_caller_does_not_cancel_its_commit(
    start_engine: StartEngine,
) -> None:
    """Cancelling the task awaiting execute leaves the command committed (and remembered)."""
    engine = await start_engine()
    task = asyncio.ensure_future(
        engine.execute(IssueTicket("A", None, "tok-cancel", "K1"), KIOSK, "req-cancel")
    )
    await asyncio.sleep(0)  # queued: the state already holds the ticket
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    retry = await engine.execute(IssueTicket("A", None, "tok-cancel-2", "K1"), KIOSK, "req-cancel")
    assert [s.event.number for s in retry] == ["A-001"]  # type: ignore[attr-defined]
    await engine.close()
    again = await start_engine()
    assert numbers(again) == ["A-001"]


async def test_a_clock_set_back_does_not_let_new_tickets_jump_the_queue(
    start_engine: StartEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The clock steps back 20 minutes mid-morning: the next ticket is stamped with the newest
    event's time, not before it, so it queues behind the ticket issued before the step; the
    error is logged once, and the clock's return is noted."""
    engine = await start_engine()
    await open_counter(engine)
    first = await issue(engine)
    clock.advance(minutes=-20)
    with caplog.at_level("WARNING", logger="server.engine"):
        second = await issue(engine)
        third = await issue(engine)
    assert second.at == third.at == first.at  # held at the newest event's time
    assert [t.number for t in engine.state.waiting("A")] == ["A-001", "A-002", "A-003"]
    behind = [r for r in caplog.records if "behind the newest event" in r.message]
    assert len(behind) == 1 and behind[0].levelname == "ERROR"
    clock.advance(minutes=30)
    with caplog.at_level("WARNING", logger="server.engine"):
        fourth = await issue(engine)
    assert fourth.at == clock.now
    assert any("caught up" in r.message for r in caplog.records)


async def test_a_restart_with_the_clock_set_back_keeps_the_order(
    start_engine: StartEngine, clock: FakeClock
) -> None:
    """The server restarts with its clock an hour behind the log: events keep the log's
    newest time, the day and the numbering carry on."""
    engine = await start_engine()
    first = await issue(engine)
    await engine.close()
    clock.advance(hours=-1)
    again = await start_engine()
    second = await issue(again)
    assert second.at == first.at and (second.number, second.day) == ("A-002", MONDAY)
    assert [t.number for t in again.state.waiting("A")] == ["A-001", "A-002"]


async def test_a_clock_set_back_into_a_closed_day_does_not_reopen_it(
    start_engine: StartEngine, clock: FakeClock
) -> None:
    """After the day close, a clock back on the closed day stamps commands on the next day's
    first instant: nothing is issued into the closed day (the MPP is not open at midnight),
    so its numbers never start again at 001."""
    engine = await start_engine()
    await issue(engine)
    clock.now = datetime(2026, 11, 24, 0, 5, tzinfo=WIB)
    closing = await engine.execute(Tick(), "system")
    assert any(isinstance(s.event, DayClosed) for s in closing)
    clock.now = datetime(2026, 11, 23, 15, 0, tzinfo=WIB)  # back on the closed Monday
    with pytest.raises(DomainError) as refused:
        await issue(engine)
    assert refused.value.code == "not_open_yet"
    assert numbers(engine) == []
