"""Citizens served, answering the SKM survey and filing complaints on one database, for the
SIGKILL test: one line per acknowledged result.

Usage: python tests/engine/voice_crash_worker.py DB_PATH START_ISO CLOCK_EPOCH SEED

The clock reads START_ISO at CLOCK_EPOCH and runs with real time after it. Three desks (L01 and
L02 of Dukcapil, L03 of Imigrasi) serve citizens from the kiosk to the end of their service, all
concurrently; each citizen answers the survey on the phone page, some file a complaint with a
contact, and the floor takes received complaints in hand, so that the writer has answers and
complaints in flight when the test kills the process. A line is printed (and flushed) only
after the call returned, that is after the commit:

    STARTED <last_seq>
    ANSWERED <ticket id>
    FILED <complaint id> <ticket id> <contact name>
    TAKEN <complaint id>
"""

from __future__ import annotations

import asyncio
import random
import secrets
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta

# Run by path, so this file's folder is on sys.path and mpp_uji imports as a top-level module.
from mpp_uji import small_building

from server.core.building import BookingSettings
from server.core.complaints import ComplaintState
from server.core.events import ServiceFinished
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
    TakeComplaint,
    visit_of,
)
from server.engine import Engine
from server.voice_api import VoiceApi

DESKS = (("L01", "DKP01", "A"), ("L02", "DKP02", "B"), ("L03", "IMI01", "C"))


def say(*words: object) -> None:
    # One write per line, flushed at once: a line in the pipe is a result acknowledged on disk.
    sys.stdout.write(" ".join(map(str, words)) + "\n")
    sys.stdout.flush()


async def open_desk(engine: Engine, counter: str, officer: str) -> None:
    """Log the officer in and open the counter, unless the state has it so already."""
    status = engine.state.counters.get(counter)
    if status is None or status.officer is None:
        await engine.execute(LogIn(counter, officer), f"officer:{officer}@{counter}")
        status = engine.state.counters.get(counter)
    if status is None or status.state is not CounterState.OPEN:
        await engine.execute(OpenCounter(counter), f"officer:{officer}@{counter}")


async def desk(
    engine: Engine, voice: VoiceApi, counter: str, officer: str, line: str, rng: random.Random
) -> None:
    actor = f"officer:{officer}@{counter}"
    while True:
        issued = await engine.execute(
            IssueTicket(line, None, secrets.token_urlsafe(16), "K1"), "kiosk:K1"
        )
        ticket = issued[-1].event.ticket  # type: ignore[attr-defined]
        await engine.execute(ConfirmPrinted(ticket), "kiosk:K1")
        try:
            await engine.execute(CallNext(counter), actor)
            await engine.execute(StartService(counter), actor)
            done = await engine.execute(FinishService(counter), actor)
        except DomainError:
            await asyncio.sleep(0.001)  # another desk called it first
            continue
        finished = next(s.event.ticket for s in done if isinstance(s.event, ServiceFinished))
        visit = visit_of(engine.state.tickets[finished])
        scores = tuple(rng.randint(1, 4) for _ in range(9))
        await voice.answer(visit, "phone", scores)
        say("ANSWERED", finished)
        if rng.random() < 0.3:
            name = f"Warga-{rng.randrange(10**6)}"
            filed = await voice.file_complaint(
                visit, "waktu", "Menunggu lama.", "phone", name, f"0812{rng.randrange(10**7):07d}"
            )
            say("FILED", filed.id, finished, name)
        received = [c for c in engine.state.complaints.open() if c.state is ComplaintState.RECEIVED]
        if received and rng.random() < 0.5:
            try:
                await engine.execute(TakeComplaint(received[0].id, "LANTAI"), "manager:LANTAI")
            except DomainError:
                continue  # another desk's floor manager took it first
            say("TAKEN", received[0].id)


async def main(db_path: str, start: datetime, epoch: float, seed: int) -> None:
    def clock() -> datetime:
        return start + timedelta(seconds=time.time() - epoch)

    building = replace(small_building(), booking=BookingSettings(retention_days=30))
    engine = Engine(building, db_path, clock=clock)
    await engine.start()
    voice = VoiceApi(engine)
    for counter, officer, _line in DESKS:
        await open_desk(engine, counter, officer)
    say("STARTED", engine.last_seq)
    rng = random.Random(seed)
    await asyncio.gather(
        *(
            desk(engine, voice, counter, officer, line, random.Random(rng.randrange(2**32)))
            for counter, officer, line in DESKS
        )
    )


if __name__ == "__main__":
    argv = sys.argv
    asyncio.run(main(argv[1], datetime.fromisoformat(argv[2]), float(argv[3]), int(argv[4])))
