"""The survey about a visit of several stops (issue 22) on a real SQLite file: the token of the
printed itinerary finds the current stop today and the last one on a later day (from the store's
rows), and the survey is about the whole visit — closed while a stop is open, answered once,
filed under the last served stop.

The building is tests/engine/mpp_uji.py's small one: A (KTP-el, Dukcapil, L01 with DKP01), C
(Paspor, Imigrasi, L03 with IMI01). Monday 23 November 2026.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from mpp_uji import WIB, FakeClock, small_building

from server.core.model import (
    CallNext,
    ConfirmPrinted,
    DomainError,
    FinishService,
    LogIn,
    OpenCounter,
    StartService,
    StartVisit,
    Tick,
)
from server.engine import Engine
from server.voice_api import VoiceApi

MONDAY = date(2026, 11, 23)
TUESDAY = MONDAY + timedelta(days=1)
GOOD = (4, 4, 3, 4, 3, 4, 4, 3, 3)


def wib(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=WIB)


async def served(engine: Engine, counter: str) -> None:
    for command in (CallNext(counter), StartService(counter), FinishService(counter)):
        await engine.execute(command, "officer")


async def test_a_visits_token_and_survey_today_and_on_a_later_day(tmp_path: Path) -> None:
    clock = FakeClock(wib(MONDAY, "09:00"))
    engine = Engine(small_building(), str(tmp_path / "antre.db"), clock=clock)
    await engine.start()
    voice = VoiceApi(engine)
    try:
        for counter, officer in (("L01", "DKP01"), ("L03", "IMI01")):
            await engine.execute(LogIn(counter, officer), "officer")
            await engine.execute(OpenCounter(counter), "officer")
        # Two visits A then C: the first goes all the way, the second stops after A.
        for token in ("tok-visit-1", "tok-visit-2"):
            issued = await engine.execute(StartVisit(("A", "C"), None, token, "K1"), "kiosk:K1")
            await engine.execute(ConfirmPrinted(issued[0].event.ticket), "kiosk:K1")  # type: ignore[attr-defined]
        await served(engine, "L01")  # A-001 done: C-001 queued
        found = await voice.visit("tok-visit-1")
        assert found is not None
        visit, ticket = found
        assert ticket.number == "C-001"  # the phone page shows where the citizen is now
        assert (visit.itinerary, visit.stops_open) == ("2026-11-23/KJ-001", 1)
        assert not voice.survey_open(visit, clock.now)
        with pytest.raises(DomainError) as early:
            await voice.answer(visit, "phone", GOOD)
        assert early.value.code == "survey_visit_open"
        await served(engine, "L03")  # C-001 done: the visit is over
        await served(engine, "L01")  # A-002 (the second visit's first stop) done: C-002 queued
        visit, ticket = await voice.visit("tok-visit-1")  # type: ignore[misc]
        assert (visit.ticket, visit.counter, visit.officer) == ("2026-11-23/C-001", "L03", "IMI01")
        assert visit.stops_open == 0 and voice.survey_open(visit, clock.now)

        clock.now = wib(TUESDAY, "08:00")
        await engine.execute(Tick(), "system")  # closes Monday: C-002 expires unserved
        # Monday's visits on Tuesday, from the store: the latest ticket of each token.
        late = await voice.visit("tok-visit-1")
        assert late is not None
        visit, ticket = late
        assert ticket.number == "C-001" and ticket.day == MONDAY
        assert (visit.ticket, visit.line, visit.officer) == ("2026-11-23/C-001", "C", "IMI01")
        assert (visit.itinerary, visit.stops_open) == ("2026-11-23/KJ-001", 0)
        assert voice.survey_open(visit, clock.now)
        await voice.answer(visit, "phone", GOOD)
        assert not voice.survey_open(visit, clock.now)  # once per visit
        unfinished = await voice.visit("tok-visit-2")
        assert unfinished is not None
        visit, ticket = unfinished
        assert (ticket.number, ticket.state.value) == ("C-002", "expired")
        # Filed (if ever) under its last served stop, A-002; C never served: still open.
        assert (visit.ticket, visit.stops_open) == ("2026-11-23/A-002", 1)
        assert not voice.survey_open(visit, clock.now)
    finally:
        await engine.close()
