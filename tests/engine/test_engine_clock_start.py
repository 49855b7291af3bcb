"""Starting on a store whose newest event is later than the clock (`antre server --clock` set
earlier, or a machine clock set back): one warning naming both times and the one used, and no
ticket number issued twice (docs/operations.md, "Running the server")."""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.events import TicketIssued
from server.core.model import ConfirmPrinted, IssueTicket, Tick
from server.engine import Engine

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
TUESDAY = datetime(2026, 11, 24, 9, 30, tzinfo=WIB)
_tokens = itertools.count(1)


async def _issue(engine: Engine) -> TicketIssued:
    stored = await engine.execute(IssueTicket("A", None, f"t{next(_tokens)}", "K1"), "kiosk:K1")
    issued = stored[-1].event
    assert isinstance(issued, TicketIssued)
    await engine.execute(ConfirmPrinted(issued.ticket), "kiosk:K1")
    return issued


async def _day(db: Path, clock: FakeClock, at: datetime, tickets: int) -> None:
    clock.now = at
    engine = Engine(small_building(), str(db), clock=clock)
    await engine.start()
    for _ in range(tickets):
        await _issue(engine)
    await engine.close()


@pytest.fixture
async def started() -> AsyncIterator[Callable[[Engine], Awaitable[Engine]]]:
    """Start engines; each is closed after the test, failed or not (its writer thread would
    otherwise keep the test process alive)."""
    engines: list[Engine] = []

    async def start(engine: Engine) -> Engine:
        await engine.start()
        engines.append(engine)
        return engine

    yield start
    for engine in engines:
        await engine.close()


def _start_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "server.engine" and r.levelno >= logging.WARNING]


async def test_a_clock_a_day_behind_the_log_is_named_and_not_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, started
) -> None:
    """Monday had A-001..A-003, Tuesday A-001..A-002 (newest at 09:30). Started with the clock
    at Monday 09:00: one warning with the clock's time, the newest event's and the time used
    (Tuesday 09:30); the next ticket is Tuesday's A-003, not a second Monday A-001."""
    db, clock = tmp_path / "antre.db", FakeClock(MONDAY)
    await _day(db, clock, MONDAY, 3)
    await _day(db, clock, TUESDAY, 2)
    clock.now = MONDAY
    caplog.set_level(logging.INFO, logger="server.engine")
    engine = await started(Engine(small_building(), str(db), clock=clock))
    warnings = _start_warnings(caplog)
    assert len(warnings) == 1, [r.message for r in warnings]
    message = warnings[0].getMessage()
    assert "the clock reads 2026-11-23T09:00:00+07:00" in message
    # seq 14: Monday's 3 tickets issued and printed (6), Monday closed at Tuesday's start (3
    # expiries and the close: 4), Tuesday's 2 tickets (4).
    assert "newest event (seq 14, 2026-11-24T09:30:00+07:00)" in message
    assert "the server uses 2026-11-24T09:30:00+07:00" in message
    issued = await _issue(engine)
    assert (issued.ticket, issued.at) == ("2026-11-24/A-003", TUESDAY)
    assert len(_start_warnings(caplog)) == 1  # said once, not again at each command


async def test_behind_a_closed_day_the_next_days_first_instant_is_used(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, started
) -> None:
    """The newest event closes Tuesday: the time used is Wednesday 00:00, so nothing is issued
    into the closed day (the building is shut at midnight) and Tuesday's numbers stay its own."""
    db, clock = tmp_path / "antre.db", FakeClock(TUESDAY)
    await _day(db, clock, TUESDAY, 2)
    clock.now = datetime(2026, 11, 25, 0, 1, tzinfo=WIB)
    engine = await started(Engine(small_building(), str(db), clock=clock))  # closes Tuesday
    await engine.execute(Tick(), "system")
    await engine.close()
    clock.now = TUESDAY
    caplog.set_level(logging.INFO, logger="server.engine")
    engine = await started(Engine(small_building(), str(db), clock=clock))
    [warning] = _start_warnings(caplog)
    assert "the server uses 2026-11-25T00:00:00+07:00" in warning.getMessage()
    assert engine.state.day is None  # Tuesday is closed and nothing opened Wednesday yet
