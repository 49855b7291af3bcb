"""A busy MPP day on one database, for the SIGKILL test: prints one line per acknowledged result.

Usage: python tests/engine/crash_worker.py DB_PATH CLOCK_EPOCH SEED

The clock reads 08.00 WIB on 2026-11-23 at CLOCK_EPOCH (a `time.time()` value) and runs with real
time after it, so successive workers on one database see one continuous morning. A kiosk task
issues tickets and two counter tasks call, serve and finish them, all concurrently, so the writer
has several commands in flight when the test kills the process. A line is printed (and flushed)
only after `Engine.execute` returned, that is after the commit:

    STARTED <last_seq>
    ISSUED <ticket id>
    CALLED <ticket id> <counter>
    FINISHED <ticket id> <counter>
"""

from __future__ import annotations

import asyncio
import random
import sys
import time
from datetime import datetime, timedelta

# Run by path, so this file's folder is on sys.path and mpp_uji imports as a top-level module.
from mpp_uji import WIB, small_building

from server.core.events import TicketCalled, TicketIssued
from server.core.model import (
    CallNext,
    ConfirmPrinted,
    CounterState,
    DomainError,
    FinishService,
    IssueTicket,
    LogIn,
    OpenCounter,
    StartService,
    TicketState,
)
from server.engine import Engine

MORNING = datetime(2026, 11, 23, 8, 0, tzinfo=WIB)
COUNTERS = (("L01", "DKP01"), ("L02", "DKP02"))


def say(*words: object) -> None:
    # One write per line, flushed at once: a line in the pipe is a result the engine acknowledged.
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


async def kiosk(engine: Engine, rng: random.Random, pid: int) -> None:
    n = 0
    while True:
        n += 1
        stored = await engine.execute(
            IssueTicket(rng.choice("AB"), None, f"tok-{pid}-{n}", "K1"), "kiosk:K1", f"r{pid}-{n}"
        )
        ticket = next(s.event for s in stored if isinstance(s.event, TicketIssued))
        say("ISSUED", ticket.ticket)
        await engine.execute(ConfirmPrinted(ticket.ticket), "kiosk:K1")


async def counter(engine: Engine, counter_id: str, officer: str) -> None:
    actor = f"officer:{officer}@{counter_id}"
    while True:
        active = engine.state.counters[counter_id].ticket
        if active is None:
            try:
                stored = await engine.execute(CallNext(counter_id), actor)
            except DomainError:
                await asyncio.sleep(0.002)  # nobody waiting yet
                continue
            called = next(s.event for s in stored if isinstance(s.event, TicketCalled))
            say("CALLED", called.ticket, counter_id)
        else:
            # After a restart the active ticket may already be in service (StartService was
            # acknowledged before the kill): only a called ticket needs starting.
            if engine.state.tickets[active].state is TicketState.CALLED:
                await engine.execute(StartService(counter_id), actor)
            await engine.execute(FinishService(counter_id), actor)
            say("FINISHED", active, counter_id)


async def main(db_path: str, epoch: float, seed: int) -> None:
    def clock() -> datetime:
        return MORNING + timedelta(seconds=time.time() - epoch)

    engine = Engine(small_building(), db_path, clock=clock)
    await engine.start()
    for counter_id, officer in COUNTERS:
        status = engine.state.counters[counter_id]
        actor = f"officer:{officer}@{counter_id}"
        if status.officer is None:
            await engine.execute(LogIn(counter_id, officer), actor)
        if engine.state.counters[counter_id].state is not CounterState.OPEN:
            await engine.execute(OpenCounter(counter_id), actor)
    say("STARTED", engine.last_seq)
    rng = random.Random(seed)
    await asyncio.gather(
        kiosk(engine, rng, seed),
        *(counter(engine, c, o) for c, o in COUNTERS),
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3])))
